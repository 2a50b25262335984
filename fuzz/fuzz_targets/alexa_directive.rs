//! Arbitrary bytes as an Alexa directive or event: nothing panics, decode-encode-decode
//! is the identity, and the dispatcher's responses round-trip too.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ha_alexa::fuzzing::directive(data));
