//! Entry points for the fuzz targets in `fuzz/` (built only under `cfg(fuzzing)`).

use crate::{Directive, Event};

/// Decodes `data` as a directive; whatever decodes must encode and decode to itself.
///
/// # Panics
///
/// When decode, encode, decode is not the identity, which is the bug the fuzzer looks for.
pub fn directive(data: &[u8]) {
    if let Ok(first) = Directive::from_slice(data) {
        let encoded = serde_json::to_vec(&first).expect("a decoded directive encodes");
        let second = Directive::from_slice(&encoded).expect("an encoded directive decodes");
        assert_eq!(first, second, "decode(encode(decode(x))) != decode(x)");
    }
    if let Ok(first) = Event::from_slice(data) {
        let encoded = serde_json::to_vec(&first).expect("a decoded event encodes");
        let second = Event::from_slice(&encoded).expect("an encoded event decodes");
        assert_eq!(first, second, "decode(encode(decode(x))) != decode(x)");
    }
}
