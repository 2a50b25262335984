//! Every request the smart-home endpoint reads from the network (the `Authorization` header
//! and the directive body): nothing may panic, every answer is JSON.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ha_alexa::oauth::fuzzing::smart_home(data));
