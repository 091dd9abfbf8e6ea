//! The Measures profile: what the generator knows of the 2025 Measures — the per-event rules it
//! breaks and their ids in the compiled Measures, the purposes processors declare and those the
//! Measures leave out of scope, the number of stored subjects at which a processor must file,
//! and what an event that breaks each rule looks like.
//!
//! Everything else in the generator writes the face vocabulary; only this module names clauses
//! of a regulation.

use std::fmt;

use edict_runtime::ir::{ArticleRef, ClauseRef, RuleId};

use crate::rng::Rng;

/// The id of the 2025 Measures, the first segment of their rule ids.
pub const REGULATION: &str = "measures-2025";

/// Stored subjects at which a processor must file (art 15(1) of the Measures).
pub const FILING_THRESHOLD: usize = 100_000;

/// A per-event rule of the Measures: one the generator can build an event to break.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    Notice,
    ConsentRecorded,
    SeparateConsent,
    InformedConsent,
    GuardianConsent,
    OnDeviceStorage,
    NoInternetTransfer,
    NoStorageOffDeviceByTransfer,
    NoSoleFaceVerification,
    AlternativeOnRefusal,
    PublicSecurityOnly,
    ConspicuousSignage,
    NoDevicesInPrivateSpaces,
}

impl Rule {
    /// Every per-event rule, in the order of the regulation (and of the enum: `rule as usize`
    /// is a rule's position here).
    pub const ALL: [Rule; 13] = [
        Rule::Notice,
        Rule::ConsentRecorded,
        Rule::SeparateConsent,
        Rule::InformedConsent,
        Rule::GuardianConsent,
        Rule::OnDeviceStorage,
        Rule::NoInternetTransfer,
        Rule::NoStorageOffDeviceByTransfer,
        Rule::NoSoleFaceVerification,
        Rule::AlternativeOnRefusal,
        Rule::PublicSecurityOnly,
        Rule::ConspicuousSignage,
        Rule::NoDevicesInPrivateSpaces,
    ];

    /// Where the rule sits in the Measures — article, paragraph — and its name there.
    fn place(self) -> (u32, Option<u32>, &'static str) {
        match self {
            Rule::Notice => (5, Some(1), "notice-before-collection"),
            Rule::ConsentRecorded => (6, None, "consent-recorded"),
            Rule::SeparateConsent => (6, None, "separate-consent"),
            Rule::InformedConsent => (6, None, "informed-consent"),
            Rule::GuardianConsent => (7, None, "guardian-consent"),
            Rule::OnDeviceStorage => (8, Some(1), "on-device-storage"),
            Rule::NoInternetTransfer => (8, Some(1), "no-internet-transfer"),
            Rule::NoStorageOffDeviceByTransfer => (8, Some(1), "no-storage-off-device-by-transfer"),
            Rule::NoSoleFaceVerification => (10, Some(1), "no-sole-face-verification"),
            Rule::AlternativeOnRefusal => (10, Some(2), "alternative-on-refusal"),
            Rule::PublicSecurityOnly => (13, Some(1), "public-security-only"),
            Rule::ConspicuousSignage => (13, Some(1), "conspicuous-signage"),
            Rule::NoDevicesInPrivateSpaces => (13, Some(2), "no-devices-in-private-spaces"),
        }
    }

    /// The clause of the Measures the rule implements.
    pub fn clause(self) -> ClauseRef {
        let (article, paragraph, _) = self.place();
        ClauseRef {
            article: ArticleRef::Number(article),
            paragraph,
            item: None,
        }
    }

    /// The rule's id in the compiled Measures, e.g. `measures-2025/art7/guardian-consent`.
    pub fn id(self) -> RuleId {
        RuleId {
            regulation: REGULATION.to_owned(),
            clause: self.clause(),
            name: self.place().2.to_owned(),
        }
    }
}

/// The rule's id.
impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.id().fmt(f)
    }
}

/// The purposes a processor may declare for processing in the Measures' scope, in the order a
/// processor's assessment lists them.
pub(crate) const PURPOSES: [&str; 6] = [
    "access_control",
    "attendance",
    "payment",
    "public_security",
    "membership",
    "customer_service",
];

/// Purposes art 2(2) of the Measures leaves out of scope: an event with one of these is exempt
/// (except a device installed in a private space, which art 13(2) judges whatever its purpose).
pub(crate) const OUT_OF_SCOPE: [&str; 2] = ["frt_research_development", "algorithm_training"];

/// The share of enrollments, matches and device installs with an out-of-scope purpose.
pub(crate) const EXEMPT_SHARE: f64 = 0.01;

/// The rule a match is built to break: art 10(1), a face verification where another way
/// existed and was not offered.
pub(crate) const MATCH_RULE: Rule = Rule::NoSoleFaceVerification;

/// Whether a match is a verification (1:1) rather than an identification; a match that breaks
/// art 10(1) always is.
pub(crate) fn match_is_verification(rng: &mut Rng, violate: bool) -> bool {
    violate || rng.chance(0.6)
}

/// Whether another way was available and offered: available but not offered for a match built
/// to break art 10(1); otherwise both, or, when none exists, neither.
pub(crate) fn match_alternative(rng: &mut Rng, violate: bool) -> (bool, bool) {
    if violate {
        (true, false)
    } else if rng.chance(0.8) {
        (true, true)
    } else {
        (false, false)
    }
}

/// The rule a refusal is built to break: art 10(2), no other way provided to an individual who
/// declined face verification. A refusal breaks it exactly when `alternative_provided` is false.
pub(crate) const REFUSAL_RULE: Rule = Rule::AlternativeOnRefusal;

/// The rule a transfer is built to break: art 8(1), face information sent over the internet
/// without separate consent.
pub(crate) const TRANSFER_RULE: Rule = Rule::NoInternetTransfer;

/// A transfer's channel, destination and whether the individual consented separately: over the
/// internet without consent to break art 8(1); otherwise over the internet with consent, or over a
/// local link to another recognition device (allowed without consent) or, with consent, to a
/// server.
pub(crate) fn transfer_terms(rng: &mut Rng, violate: bool) -> (&'static str, &'static str, bool) {
    if violate {
        ("internet", rng.pick(&["server", "cloud"]), false)
    } else if rng.chance(0.5) {
        ("internet", rng.pick(&["server", "cloud", "device"]), true)
    } else if rng.chance(0.5) {
        ("local", "device", rng.chance(0.5))
    } else {
        ("local", "server", true)
    }
}

/// The fields of an enrollment that the Measures judge (arts 5 to 8).
#[derive(Clone, Debug)]
pub(crate) struct Enrollment {
    /// The legal basis is a law, not consent.
    pub by_law: bool,
    pub age: Option<u64>,
    /// A consent record is written.
    pub consent: bool,
    pub separate: bool,
    pub informed: bool,
    /// The consent was given by a guardian.
    pub guardian: bool,
    pub notice: bool,
    pub storage: &'static str,
    /// Separate consent to keeping it off the device (art 8(1)).
    pub storage_consent: bool,
}

impl Enrollment {
    /// A compliant enrollment: told beforehand, consent (a guardian's under 14) recorded
    /// separately and informed unless a law is the basis, stored off the device only with
    /// separate consent to that storage.
    pub(crate) fn compliant(rng: &mut Rng) -> Enrollment {
        let by_law = rng.chance(0.1);
        let age = if rng.chance(0.5) {
            Some(if rng.chance(0.03) {
                6 + rng.below(8)
            } else {
                14 + rng.below(66)
            })
        } else {
            None
        };
        let consent = !by_law || rng.chance(0.2);
        let storage = if consent && rng.chance(0.3) {
            rng.pick(&["server", "cloud"])
        } else {
            "device"
        };
        Enrollment {
            by_law,
            age,
            consent,
            separate: true,
            informed: true,
            guardian: age.is_some_and(|a| a < 14),
            notice: true,
            storage,
            storage_consent: storage != "device",
        }
    }

    /// Makes the one change that breaks a rule picked among those an enrollment can break, and
    /// gives that rule.
    pub(crate) fn break_one(&mut self, rng: &mut Rng) -> Rule {
        const RULES: [Rule; 6] = [
            Rule::Notice,
            Rule::ConsentRecorded,
            Rule::SeparateConsent,
            Rule::InformedConsent,
            Rule::GuardianConsent,
            Rule::OnDeviceStorage,
        ];
        let rule = rng.pick(&RULES);
        match rule {
            Rule::Notice => self.notice = false,
            Rule::ConsentRecorded => {
                self.by_law = false;
                self.consent = false;
                self.storage = "device";
                self.storage_consent = false;
                if self.age.is_some_and(|a| a < 14) {
                    self.age = None;
                }
            }
            Rule::SeparateConsent => {
                self.by_law = false;
                self.consent = true;
                self.separate = false;
                self.storage = "device";
                self.storage_consent = false;
            }
            Rule::InformedConsent => {
                self.by_law = false;
                self.consent = true;
                self.informed = false;
            }
            Rule::GuardianConsent => {
                self.by_law = false;
                self.consent = true;
                self.age = Some(6 + rng.below(8));
                self.guardian = false;
            }
            _ => {
                self.by_law = true;
                self.consent = false;
                self.storage = rng.pick(&["server", "cloud"]);
                self.storage_consent = false;
            }
        }
        rule
    }
}

/// Where a device is installed and how (art 13).
#[derive(Clone, Debug)]
pub(crate) struct Installation {
    pub place: &'static str,
    pub signage: bool,
    pub purpose: &'static str,
    pub private_space_kind: Option<&'static str>,
}

impl Installation {
    /// A compliant installation for `purpose`: in a public place only for public security and
    /// with signs, elsewhere with or without signs. An exempt purpose is kept as it is.
    pub(crate) fn compliant(rng: &mut Rng, purpose: &'static str, exempt: bool) -> Installation {
        let (place, signage) = match rng.below(10) {
            0..=1 => ("public", true),
            2..=5 => ("residential", rng.chance(0.9)),
            _ => ("internal", rng.chance(0.5)),
        };
        let purpose = if place == "public" && !exempt {
            "public_security"
        } else {
            purpose
        };
        Installation {
            place,
            signage,
            purpose,
            private_space_kind: None,
        }
    }

    /// Makes the one change that breaks a rule picked among those of art 13, and gives that
    /// rule; an exempt purpose is kept as it is.
    pub(crate) fn break_one(&mut self, rng: &mut Rng, exempt: bool) -> Rule {
        let rule = rng.pick(&[
            Rule::PublicSecurityOnly,
            Rule::ConspicuousSignage,
            Rule::NoDevicesInPrivateSpaces,
        ]);
        match rule {
            Rule::PublicSecurityOnly => {
                self.place = "public";
                self.signage = true;
                if !exempt {
                    self.purpose = rng.pick(&["access_control", "payment", "customer_service"]);
                }
            }
            Rule::ConspicuousSignage => {
                self.place = "public";
                self.signage = false;
                if !exempt {
                    self.purpose = "public_security";
                }
            }
            _ => {
                self.place = "private_space";
                self.private_space_kind =
                    Some(rng.pick(&["hotel_room", "bath", "changing_room", "toilet", "other"]));
            }
        }
        rule
    }
}

#[cfg(test)]
mod tests {
    use super::Rule;

    #[test]
    fn rule_ids_are_built_from_their_clause_and_name() {
        assert_eq!(
            Rule::Notice.to_string(),
            "measures-2025/art5/p1/notice-before-collection"
        );
        assert_eq!(
            Rule::GuardianConsent.to_string(),
            "measures-2025/art7/guardian-consent"
        );
        for (position, rule) in Rule::ALL.into_iter().enumerate() {
            assert_eq!(rule as usize, position, "{rule}");
            let id = rule.id();
            assert_eq!(id.to_string().parse(), Ok(id));
        }
        let mut sorted = Rule::ALL.map(|r| r.clause());
        sorted.sort();
        assert_eq!(
            sorted,
            Rule::ALL.map(|r| r.clause()),
            "in the regulation's order"
        );
    }
}
