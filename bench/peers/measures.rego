# The per-event rules of the 2025 Measures (articles 5(1), 6, 7, 8(1), 10 and 13), written by
# hand in Rego for the Edict benchmarks. The input is one event of the standard vocabulary
# (docs/events.md) as its JSON object; `violations` is the set of the ids of the rules
# the event breaks, the same ids the compiled Edict policies give their findings.
#
# Scope (art 2(2)): an enrollment, match, transfer, device install or purpose change whose purpose
# is face recognition R&D or algorithm training is outside the Measures and breaks no rule, except
# a device in a private space (art 13(2) admits no exception).
# The effective date (2025-06-01) is not checked here: the benchmark streams start after it.
package edict.measures

import rego.v1

out_of_scope := {"frt_research_development", "algorithm_training"}

has_purpose_types := {"enrollment", "match", "device_installed", "purpose_changed", "transfer"}

exempt if {
	has_purpose_types[input.type]
	out_of_scope[input.purpose]
	not input.place == "private_space"
}

enrollment if {
	input.type == "enrollment"
	not exempt
}

by_consent if {
	enrollment
	input.legal_basis == "consent"
}

# art 5(1): notice before collection.
violations contains "measures-2025/art5/p1/notice-before-collection" if {
	enrollment
	input.notice_given == false
}

# art 6: consent recorded, separate, informed.
violations contains "measures-2025/art6/consent-recorded" if {
	by_consent
	not input.consent
}

violations contains "measures-2025/art6/separate-consent" if {
	by_consent
	input.consent.separate == false
}

violations contains "measures-2025/art6/informed-consent" if {
	by_consent
	input.consent.informed == false
}

# art 7: a child under 14 needs a guardian's consent.
guardian_consented if input.consent.given_by == "guardian"

violations contains "measures-2025/art7/guardian-consent" if {
	by_consent
	input.subject_age < 14
	not guardian_consented
}

# art 8(1): stored on the device, not sent over the internet, unless the individual consented
# separately to that storage or transfer, or a law provides for it (`law_basis`).
storage_excused if input.storage_consent_separate == true

storage_excused if input.law_basis

violations contains "measures-2025/art8/p1/on-device-storage" if {
	enrollment
	input.storage != "device"
	not storage_excused
}

transfer if {
	input.type == "transfer"
	not exempt
}

transfer_excused if input.consent_separate == true

transfer_excused if input.law_basis

violations contains "measures-2025/art8/p1/no-internet-transfer" if {
	transfer
	input.channel == "internet"
	not transfer_excused
}

violations contains "measures-2025/art8/p1/no-storage-off-device-by-transfer" if {
	transfer
	input.channel == "local"
	input.destination != "device"
	not transfer_excused
}

# art 10: face verification must not be the only way.
violations contains "measures-2025/art10/p1/no-sole-face-verification" if {
	input.type == "match"
	not exempt
	input.alternative_available == true
	input.alternative_offered == false
	not input.required_by_law == true
}

violations contains "measures-2025/art10/p2/alternative-on-refusal" if {
	input.type == "refusal"
	input.alternative_provided == false
}

# art 13: devices in public places and private spaces.
device if {
	input.type == "device_installed"
	not exempt
}

violations contains "measures-2025/art13/p1/public-security-only" if {
	device
	input.place == "public"
	input.purpose != "public_security"
}

violations contains "measures-2025/art13/p1/conspicuous-signage" if {
	device
	input.place == "public"
	input.signage == false
}

violations contains "measures-2025/art13/p2/no-devices-in-private-spaces" if {
	device
	input.place == "private_space"
}
