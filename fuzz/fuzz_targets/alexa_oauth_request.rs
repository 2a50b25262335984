//! Every request the account-linking server reads from the network: nothing may panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ha_alexa::oauth::fuzzing::request(data));
