//! The parse-only baseline: the same JSON Lines parsed with serde into typed event values, the
//! floor any JSON-fed engine pays.
//!
//! One flat struct holds the fields of every event type of the standard vocabulary, strings
//! borrowed from the line where they have no escapes, enumerations as Rust enums, unknown
//! fields refused: one pass, no intermediate tree. The time is kept as its text (Edict also
//! parses it into Unix seconds, so this floor is, if anything, low).

// The values are built to be measured, not read.
#![allow(dead_code)]

use std::borrow::Cow;

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WireEvent<'a> {
    #[serde(rename = "type", borrow)]
    pub ty: Cow<'a, str>,
    #[serde(borrow)]
    pub time: Cow<'a, str>,
    #[serde(borrow)]
    pub processor: Cow<'a, str>,
    #[serde(borrow, default)]
    pub id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub subject: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub device: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub purpose: Option<Cow<'a, str>>,
    #[serde(default)]
    pub legal_basis: Option<LegalBasis>,
    #[serde(default)]
    pub subject_age: Option<i64>,
    #[serde(default)]
    pub consent: Option<ConsentInfo>,
    #[serde(default)]
    pub notice_given: Option<bool>,
    #[serde(default)]
    pub storage: Option<Storage>,
    #[serde(default)]
    pub storage_consent_separate: Option<bool>,
    #[serde(borrow, default)]
    pub law_basis: Option<Cow<'a, str>>,
    #[serde(default)]
    pub retention_days: Option<i64>,
    #[serde(default)]
    pub raw_image_retained: Option<bool>,
    #[serde(default)]
    pub mode: Option<Mode>,
    #[serde(default)]
    pub alternative_available: Option<bool>,
    #[serde(default)]
    pub alternative_offered: Option<bool>,
    #[serde(default)]
    pub required_by_law: Option<bool>,
    #[serde(borrow, default)]
    pub attributes_inferred: Option<Vec<Cow<'a, str>>>,
    #[serde(default)]
    pub analysis_consent_separate: Option<bool>,
    #[serde(default)]
    pub reason: Option<DeletionReason>,
    #[serde(default)]
    pub method: Option<DeletionMethod>,
    #[serde(default)]
    pub alternative_provided: Option<bool>,
    #[serde(default)]
    pub place: Option<Place>,
    #[serde(default)]
    pub private_space_kind: Option<PrivateSpaceKind>,
    #[serde(default)]
    pub signage: Option<bool>,
    #[serde(default)]
    pub inventory: Option<bool>,
    #[serde(borrow, default)]
    pub assessment: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub purposes: Option<Vec<Cow<'a, str>>>,
    #[serde(default)]
    pub severity: Option<Severity>,
    #[serde(default)]
    pub channel: Option<Channel>,
    #[serde(default)]
    pub destination: Option<Storage>,
    #[serde(borrow, default)]
    pub previous_purpose: Option<Cow<'a, str>>,
    #[serde(default)]
    pub change: Option<ProcessingChange>,
    #[serde(default)]
    pub consent_separate: Option<bool>,
    #[serde(default)]
    pub kind: Option<FilingKind>,
    #[serde(default)]
    pub authority_level: Option<AuthorityLevel>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentInfo {
    pub separate: bool,
    pub written: bool,
    pub informed: bool,
    pub given_by: ConsentGiver,
}

macro_rules! wire_enum {
    ($name:ident { $($variant:ident),* }) => {
        #[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),* }
    };
}

wire_enum!(LegalBasis { Consent, Law });
wire_enum!(ProcessingChange { Purpose, Method });
wire_enum!(ConsentGiver { Subject, Guardian });
wire_enum!(Storage {
    Device,
    Server,
    Cloud
});
wire_enum!(Mode {
    Verification,
    Identification
});
wire_enum!(DeletionReason {
    ConsentWithdrawn,
    PurposeFulfilled,
    RetentionExpired,
    Request,
    Other
});
wire_enum!(DeletionMethod { Erase, Anonymize });
wire_enum!(Place {
    Public,
    PrivateSpace,
    Residential,
    Internal
});
wire_enum!(PrivateSpaceKind {
    HotelRoom,
    Bath,
    ChangingRoom,
    Toilet,
    Other
});
wire_enum!(Severity { Major, Minor });
wire_enum!(Channel { Internet, Local });
wire_enum!(FilingKind {
    Initial,
    Change,
    Cancel
});
wire_enum!(AuthorityLevel {
    National,
    Provincial,
    Municipal
});
