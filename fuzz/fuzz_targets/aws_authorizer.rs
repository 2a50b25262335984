#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ha_aws::iot::fuzzing::authorizer_request(data));
