#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| tasmota_proto::fuzzing::tracker(data));
