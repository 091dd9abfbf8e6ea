//! libFuzzer entry of the `event_lines` target: the body is `edict_fuzzing::events::event_lines`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| edict_fuzzing::events::event_lines(data));
