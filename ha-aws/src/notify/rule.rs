//! The rules of each service that are checked before anything is sent.

use serde_json::{Map, Value, json};

use crate::error::{ConfigError, NotificationError};
use crate::notify::notification::to_json;
use crate::service::AwsService;

/// Checks the size SNS and SQS count for a message, `String` attributes included (name, data
/// type and value of each), against `limit`.
#[cfg_attr(
    not(any(feature = "sns", feature = "sqs")),
    expect(dead_code, reason = "only the sns and sqs notifiers need it")
)]
pub(crate) fn check_message_size<'a>(
    service: AwsService,
    body: &str,
    attributes: impl IntoIterator<Item = (&'a str, &'a str)>,
    limit: usize,
) -> Result<(), NotificationError> {
    let size = body.len()
        + attributes
            .into_iter()
            .map(|(name, value)| name.len() + "String".len() + value.len())
            .sum::<usize>();
    if size > limit {
        return Err(NotificationError::TooLarge {
            service,
            size,
            limit,
        });
    }
    Ok(())
}

/// The longest subject SNS accepts, in characters.
pub(crate) const MAX_SUBJECT_CHARS: usize = 100;

/// The longest message attribute name SNS accepts, in bytes.
const MAX_ATTRIBUTE_NAME_BYTES: usize = 256;

/// The longest message group or deduplication id SQS accepts.
const MAX_FIFO_ID_CHARS: usize = 128;

/// The largest client context Lambda accepts, in bytes of base64.
pub(crate) const MAX_CLIENT_CONTEXT_BYTES: usize = 3583;

/// Checks a subject: not empty, at most 100 characters, one line, no control characters.
pub(crate) fn check_subject(subject: &str) -> Result<(), NotificationError> {
    if subject.trim().is_empty() {
        return Err(NotificationError::InvalidSubject {
            problem: "is empty".to_owned(),
        });
    }
    if let Some((index, character)) = subject
        .chars()
        .enumerate()
        .find(|(_, character)| character.is_control())
    {
        let what = if matches!(character, '\n' | '\r') {
            "a line break"
        } else {
            "a control character"
        };
        return Err(NotificationError::InvalidSubject {
            problem: format!("holds {what} at character {index}"),
        });
    }
    let chars = subject.chars().count();
    if chars > MAX_SUBJECT_CHARS {
        return Err(NotificationError::SubjectTooLong {
            chars,
            max: MAX_SUBJECT_CHARS,
        });
    }
    Ok(())
}

/// SNS attribute names: letters, digits, `_`, `-` and `.`, no leading, trailing or doubled `.`,
/// at most 256 bytes. (Names starting with `AWS.` are allowed: SNS reads SMS settings from them.)
#[cfg_attr(
    not(feature = "sns"),
    expect(dead_code, reason = "only the sns notifier needs it")
)]
pub(crate) fn check_attribute_name(name: &str) -> Result<(), NotificationError> {
    let problem = if name.is_empty() {
        Some("it is empty")
    } else if name.len() > MAX_ATTRIBUTE_NAME_BYTES {
        Some("it is longer than 256 bytes")
    } else if !name
        .bytes()
        .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'-' | b'.'))
    {
        Some("only letters, digits, `_`, `-` and `.` are allowed")
    } else if name.starts_with('.') || name.ends_with('.') || name.contains("..") {
        Some("it must not start or end with `.` or hold `..`")
    } else {
        None
    };
    match problem {
        Some(problem) => Err(NotificationError::InvalidAttributeName {
            name: name.to_owned(),
            problem,
        }),
        None => Ok(()),
    }
}

/// Whether a queue URL names a FIFO queue (its name ends in `.fifo`).
#[cfg_attr(
    not(any(feature = "sqs", feature = "emulator")),
    expect(dead_code, reason = "only the sqs notifier and the emulator need it")
)]
#[expect(
    clippy::case_sensitive_file_extension_comparisons,
    reason = "sqs wants `.fifo` in lower case"
)]
pub(crate) fn is_fifo(queue_url: &str) -> bool {
    queue_url
        .split(['?', '#'])
        .next()
        .unwrap_or(queue_url)
        .trim_end_matches('/')
        .ends_with(".fifo")
}

/// SQS FIFO ids: 1 to 128 ASCII letters, digits and punctuation.
pub(crate) fn check_fifo_id(id: &str, field: &'static str) -> Result<(), NotificationError> {
    let valid = !id.is_empty()
        && id.chars().count() <= MAX_FIFO_ID_CHARS
        && id
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte.is_ascii_punctuation());
    if valid {
        Ok(())
    } else {
        Err(NotificationError::InvalidFifoId { field })
    }
}

/// `base64({"custom": context})`, computed once as Home Assistant does.
pub(crate) fn client_context(context: Option<&Map<String, Value>>) -> Result<String, ConfigError> {
    let custom = context.cloned().unwrap_or_default();
    let encoded = aws_smithy_types::base64::encode(to_json(&json!({ "custom": custom })));
    if encoded.len() > MAX_CLIENT_CONTEXT_BYTES {
        return Err(ConfigError::ClientContextTooLarge {
            len: encoded.len(),
            max: MAX_CLIENT_CONTEXT_BYTES,
        });
    }
    Ok(encoded)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(encoded: &str) -> Value {
        serde_json::from_slice(&aws_smithy_types::base64::decode(encoded).unwrap()).unwrap()
    }

    #[test]
    fn subjects_are_checked() {
        assert!(check_subject("Home Assistant").is_ok());
        assert!(check_subject("Tür offen – Garage").is_ok());
        assert!(check_subject(&"x".repeat(100)).is_ok());
        assert_eq!(
            check_subject(&"é".repeat(101)),
            Err(NotificationError::SubjectTooLong {
                chars: 101,
                max: 100
            })
        );
        assert_eq!(
            check_subject("two\nlines"),
            Err(NotificationError::InvalidSubject {
                problem: "holds a line break at character 3".into()
            })
        );
        assert_eq!(
            check_subject("bell\u{7}"),
            Err(NotificationError::InvalidSubject {
                problem: "holds a control character at character 4".into()
            })
        );
        assert_eq!(
            check_subject(" "),
            Err(NotificationError::InvalidSubject {
                problem: "is empty".into()
            })
        );
    }

    #[test]
    fn fifo_queues_are_recognised_by_name() {
        assert!(is_fifo(
            "https://sqs.eu-west-1.amazonaws.com/123456789012/alerts.fifo"
        ));
        assert!(is_fifo("http://127.0.0.1:5000/123456789012/alerts.fifo/"));
        assert!(!is_fifo(
            "https://sqs.eu-west-1.amazonaws.com/123456789012/alerts"
        ));
        assert!(!is_fifo(
            "https://sqs.eu-west-1.amazonaws.com/123456789012/fifo"
        ));
    }

    #[test]
    fn fifo_ids_are_checked() {
        assert!(check_fifo_id("home-alerts_1:door!", "message_group_id").is_ok());
        assert!(check_fifo_id(&"a".repeat(128), "message_group_id").is_ok());
        for bad in ["", "with space", "tür", &"a".repeat(129)] {
            assert_eq!(
                check_fifo_id(bad, "message_group_id"),
                Err(NotificationError::InvalidFifoId {
                    field: "message_group_id"
                }),
                "{bad}"
            );
        }
    }

    #[test]
    fn client_context_wraps_the_context_in_custom() {
        let context = json!({"two": "three", "test": "one"}).as_object().cloned();
        assert_eq!(
            decode(&client_context(context.as_ref()).unwrap()),
            json!({"custom": {"two": "three", "test": "one"}})
        );
        assert_eq!(
            decode(&client_context(None).unwrap()),
            json!({"custom": {}})
        );
    }

    #[test]
    fn oversized_client_context_is_refused() {
        let context = json!({ "blob": "x".repeat(3000) }).as_object().cloned();
        let error = client_context(context.as_ref()).unwrap_err();
        assert!(
            matches!(error, ConfigError::ClientContextTooLarge { len, max: 3583 } if len > 3583),
            "{error}"
        );
    }
}
