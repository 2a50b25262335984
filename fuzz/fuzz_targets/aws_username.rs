#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| iot_tls::fuzzing::aws_username(data));
