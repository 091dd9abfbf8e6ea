//! libFuzzer entry of the `bundle` target: the body is `edict_fuzzing::events::bundle`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| edict_fuzzing::events::bundle(data));
