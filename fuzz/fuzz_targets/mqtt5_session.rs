#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| iot_tls::fuzzing::session_v5(data));
