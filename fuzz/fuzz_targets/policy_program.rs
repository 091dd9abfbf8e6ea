//! libFuzzer entry of the `policy_program` target: the body is `edict_fuzzing::program::policy_program`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| edict_fuzzing::program::policy_program(data));
