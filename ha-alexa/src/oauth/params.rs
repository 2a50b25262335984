//! Strict, bounded parsing of `application/x-www-form-urlencoded` bodies and query strings.
//!
//! Stricter than a browser: malformed percent-encoding, invalid UTF-8 and repeated parameters
//! (RFC 6749 §3.1 and §3.2) are errors with the byte offset or the parameter's name, never
//! silently repaired.

use super::error::OAuthError;

/// The largest form body or query string the server reads, in bytes.
///
/// Amazon's requests are well under 2 KiB; the axum layer also refuses larger bodies before
/// reading them.
///
/// # Examples
///
/// ```
/// assert_eq!(ha_alexa::oauth::MAX_FORM_BYTES, 16 * 1024);
/// ```
pub const MAX_FORM_BYTES: usize = 16 * 1024;

/// The most parameters in one request.
const MAX_PARAMS: usize = 32;

/// Decoded name-value pairs of one request, in order.
#[derive(Debug)]
pub(crate) struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    /// Parses a form body or query string.
    pub(crate) fn parse(input: &[u8]) -> Result<Self, OAuthError> {
        if input.len() > MAX_FORM_BYTES {
            return Err(OAuthError::invalid_request(format!(
                "request is larger than {MAX_FORM_BYTES} bytes"
            )));
        }
        let mut pairs: Vec<(String, String)> = Vec::new();
        let mut start = 0;
        for segment in input.split(|&b| b == b'&') {
            let offset = start;
            start += segment.len() + 1;
            if segment.is_empty() {
                continue;
            }
            if pairs.len() == MAX_PARAMS {
                return Err(OAuthError::invalid_request(format!(
                    "request has more than {MAX_PARAMS} parameters"
                )));
            }
            let (raw_name, raw_value, value_offset) = match segment.iter().position(|&b| b == b'=')
            {
                Some(eq) => (&segment[..eq], &segment[eq + 1..], offset + eq + 1),
                None => (segment, &b""[..], offset + segment.len()),
            };
            let name = String::from_utf8(decode(raw_name, offset)?).map_err(|_| {
                OAuthError::invalid_request(format!("parameter name at byte {offset} is not UTF-8"))
            })?;
            let value = String::from_utf8(decode(raw_value, value_offset)?).map_err(|_| {
                OAuthError::invalid_request(format!("parameter `{}` is not UTF-8", shown(&name)))
            })?;
            if pairs.iter().any(|(seen, _)| *seen == name) {
                return Err(OAuthError::invalid_request(format!(
                    "parameter `{}` is repeated",
                    shown(&name)
                )));
            }
            pairs.push((name, value));
        }
        Ok(Self { pairs })
    }

    /// The value of `name`; an empty value counts as omitted (RFC 6749 §3.1).
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(n, v)| n == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }

    /// The value of `name`, or `invalid_request` naming the missing parameter.
    pub(crate) fn require(&self, name: &'static str) -> Result<&str, OAuthError> {
        self.get(name)
            .ok_or_else(|| OAuthError::invalid_request(format!("missing parameter `{name}`")))
    }

    /// The value of `name`, or `invalid_request` when it is longer than `max` bytes.
    pub(crate) fn get_bounded(
        &self,
        name: &'static str,
        max: usize,
    ) -> Result<Option<&str>, OAuthError> {
        match self.get(name) {
            Some(value) if value.len() > max => Err(OAuthError::invalid_request(format!(
                "parameter `{name}` is longer than {max} bytes"
            ))),
            value => Ok(value),
        }
    }
}

/// Decodes one form-encoded component (as in HTTP Basic credentials, RFC 6749 §2.3.1).
pub(crate) fn decode_component(raw: &str) -> Option<String> {
    String::from_utf8(decode(raw.as_bytes(), 0).ok()?).ok()
}

/// A parameter name as shown in an error: at most 40 characters.
fn shown(name: &str) -> &str {
    name.char_indices()
        .nth(40)
        .map_or(name, |(end, _)| &name[..end])
}

/// Percent-decodes one name or value (`+` is a space); `offset` locates it in the request.
fn decode(raw: &[u8], offset: usize) -> Result<Vec<u8>, OAuthError> {
    fn hex(digit: u8) -> Option<u8> {
        match digit {
            b'0'..=b'9' => Some(digit - b'0'),
            b'a'..=b'f' => Some(digit - b'a' + 10),
            b'A'..=b'F' => Some(digit - b'A' + 10),
            _ => None,
        }
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while let Some(&byte) = raw.get(i) {
        match byte {
            b'%' => {
                let high = raw.get(i + 1).copied().and_then(hex);
                let low = raw.get(i + 2).copied().and_then(hex);
                let (Some(high), Some(low)) = (high, low) else {
                    return Err(OAuthError::invalid_request(format!(
                        "malformed percent-encoding at byte {}",
                        offset + i
                    )));
                };
                out.push(high << 4 | low);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(byte);
                i += 1;
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(input: &[u8]) -> String {
        Params::parse(input).unwrap_err().description().to_owned()
    }

    #[test]
    fn decodes_percent_plus_and_utf8() {
        let params = Params::parse(b"state=a%20b+c%2F%3D%26&name=%C3%A9&flag&empty=").unwrap();
        assert_eq!(params.get("state"), Some("a b c/=&"));
        assert_eq!(params.get("name"), Some("é"));
        assert_eq!(params.get("flag"), None);
        assert_eq!(params.get("empty"), None);
        assert_eq!(params.get("missing"), None);
        assert_eq!(
            params.require("empty").unwrap_err().description(),
            "missing parameter `empty`"
        );
    }

    #[test]
    fn rejects_malformed_input_with_its_position() {
        assert_eq!(
            error(b"a=1&code=%zz"),
            "malformed percent-encoding at byte 9"
        );
        assert_eq!(error(b"code=%4"), "malformed percent-encoding at byte 5");
        assert_eq!(error(b"code=%"), "malformed percent-encoding at byte 5");
        assert_eq!(error(b"code=%FF"), "parameter `code` is not UTF-8");
        assert_eq!(error(b"a=1&%FF=1"), "parameter name at byte 4 is not UTF-8");
        assert_eq!(error(b"code=a&code=b"), "parameter `code` is repeated");
    }

    #[test]
    fn bounds_size_and_count() {
        let big = vec![b'a'; MAX_FORM_BYTES + 1];
        assert_eq!(error(&big), "request is larger than 16384 bytes");
        let many: Vec<String> = (0..=MAX_PARAMS).map(|i| format!("p{i}=1")).collect();
        assert_eq!(
            error(many.join("&").as_bytes()),
            "request has more than 32 parameters"
        );
        let params = Params::parse(b"state=abcdef").unwrap();
        assert!(params.get_bounded("state", 5).is_err());
        assert_eq!(params.get_bounded("state", 6).unwrap(), Some("abcdef"));
    }

    #[test]
    fn skips_empty_segments() {
        let params = Params::parse(b"&&a=1&&").unwrap();
        assert_eq!(params.get("a"), Some("1"));
    }
}
