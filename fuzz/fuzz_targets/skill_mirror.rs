#![no_main]

// The skill's mirrored-state decoding: a shadow document or rule event of any bytes, then the
// device, its endpoints and properties rebuilt from it. Never panics.
libfuzzer_sys::fuzz_target!(|data: &[u8]| ha_aws::skill::fuzz_mirror(data));
