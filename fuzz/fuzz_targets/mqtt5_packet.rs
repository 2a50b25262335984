#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| iot_tls::fuzzing::packet_v5(data));
