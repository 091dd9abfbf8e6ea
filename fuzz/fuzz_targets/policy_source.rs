//! libFuzzer entry of the `policy_source` target: the body is `edict_fuzzing::policy::policy_source`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| edict_fuzzing::policy::policy_source(data));
