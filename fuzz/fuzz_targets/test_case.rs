//! libFuzzer entry of the `test_case` target: the body is `edict_fuzzing::testcase::test_case`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| edict_fuzzing::testcase::test_case(data));
