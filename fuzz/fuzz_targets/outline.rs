//! libFuzzer entry of the `outline` target: the body is `edict_fuzzing::outline::outline`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| edict_fuzzing::outline::outline(data));
