//! SNS `Publish`: the subject and the `data` message attributes.

use std::collections::HashMap;

use aws_sdk_sns::types::MessageAttributeValue;
use serde_json::{Map, Value};

use crate::error::{Error, NotificationError, from_sdk};
use crate::notify::notification::to_json;
use crate::notify::rule::{check_attribute_name, check_message_size, check_subject};
use crate::notify::{Delivery, Notification, NotifySettings, PerTarget};
use crate::service::{AwsService, Operation};
use crate::session::Session;

#[derive(Debug, Clone)]
pub(super) struct Sns {
    client: aws_sdk_sns::Client,
    default_title: String,
    max_message_bytes: usize,
}

/// A notification checked and mapped for SNS, shared by every target.
#[derive(Debug)]
pub(super) struct Publish {
    message: String,
    subject: String,
    attributes: HashMap<String, MessageAttributeValue>,
}

impl Sns {
    pub(super) fn new(session: &Session, settings: &NotifySettings) -> Self {
        Self {
            client: aws_sdk_sns::Client::new(session.sdk_config()),
            default_title: settings.default_title().to_owned(),
            max_message_bytes: settings.max_message_bytes(),
        }
    }
}

impl PerTarget for Sns {
    const OPERATION: Operation = Operation::SNS_PUBLISH;

    type Request = Publish;

    fn prepare(&self, notification: &Notification) -> Result<Publish, NotificationError> {
        if notification.message().is_empty() {
            return Err(NotificationError::EmptyMessage);
        }
        let subject = notification.title().unwrap_or(&self.default_title);
        check_subject(subject)?;
        let attributes = attributes(notification.data())?;
        check_message_size(
            AwsService::Sns,
            notification.message(),
            attributes
                .iter()
                .map(|(name, value)| (name.as_str(), value.as_str())),
            self.max_message_bytes,
        )?;
        let attributes = attributes
            .into_iter()
            .map(|(name, value)| (name, string_attribute!(aws_sdk_sns, value)))
            .collect();
        Ok(Publish {
            message: notification.message().to_owned(),
            subject: subject.to_owned(),
            attributes,
        })
    }

    async fn send_one(&self, publish: &Publish, target: &str) -> Result<Delivery, Error> {
        let output = self
            .client
            .publish()
            .target_arn(target)
            .message(&publish.message)
            .subject(&publish.subject)
            .set_message_attributes(
                (!publish.attributes.is_empty()).then(|| publish.attributes.clone()),
            )
            .send()
            .await
            .map_err(|error| from_sdk(error, Operation::SNS_PUBLISH, Some(target)))?;
        Ok(Delivery {
            message_id: output.message_id,
            ..Delivery::default()
        })
    }
}

/// The `data` entries as SNS `String` attributes: strings as they are, other values as JSON,
/// `null` skipped (as Home Assistant does); empty strings and invalid names refused.
fn attributes(
    data: Option<&Map<String, Value>>,
) -> Result<Vec<(String, String)>, NotificationError> {
    let Some(data) = data else {
        return Ok(Vec::new());
    };
    let mut attributes = Vec::with_capacity(data.len());
    for (name, value) in data {
        let value = match value {
            Value::Null => continue,
            Value::String(text) => text.clone(),
            other => to_json(other),
        };
        check_attribute_name(name)?;
        if value.is_empty() {
            return Err(NotificationError::EmptyAttribute { name: name.clone() });
        }
        attributes.push((name.clone(), value));
    }
    Ok(attributes)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn data(value: Value) -> Map<String, Value> {
        let Value::Object(map) = value else {
            panic!("an object")
        };
        map
    }

    #[test]
    fn strings_stay_raw_other_values_become_json_and_null_is_skipped() {
        let map = data(json!({
            "AWS.SNS.SMS.SenderID": "HA-notify",
            "count": 3,
            "flag": true,
            "nested": {"a": [1, 2]},
            "missing": null,
        }));
        let mut got = attributes(Some(&map)).unwrap();
        got.sort();
        assert_eq!(
            got,
            vec![
                ("AWS.SNS.SMS.SenderID".to_owned(), "HA-notify".to_owned()),
                ("count".to_owned(), "3".to_owned()),
                ("flag".to_owned(), "true".to_owned()),
                ("nested".to_owned(), "{\"a\":[1,2]}".to_owned()),
            ]
        );
        assert_eq!(attributes(None).unwrap(), vec![]);
    }

    #[test]
    fn empty_values_and_bad_names_are_refused() {
        assert_eq!(
            attributes(Some(&data(json!({"k": ""})))),
            Err(NotificationError::EmptyAttribute { name: "k".into() })
        );
        for bad in ["", "a b", ".a", "a.", "a..b", "ü"] {
            let result = attributes(Some(&data(json!({ bad: "v" }))));
            assert!(
                matches!(result, Err(NotificationError::InvalidAttributeName { .. })),
                "{bad}: {result:?}"
            );
        }
        assert!(check_attribute_name(&"a".repeat(257)).is_err());
        assert!(check_attribute_name(&"a".repeat(256)).is_ok());
    }
}
