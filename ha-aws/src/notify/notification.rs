//! The notification model and the JSON payload Home Assistant sends to Lambda and SQS.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::error::NotificationError;

/// One notification: a message, an optional title, the targets, and free-form `data`.
///
/// It deserializes from the data of Home Assistant's `notify` service call, where `target` is a
/// string or a list:
///
/// ```json
/// {"message": "Hello world!", "title": "Test message!", "target": ["arn:aws:sns:…"], "data": {"test": "okay"}}
/// ```
///
/// What each service makes of it is documented on [`NotifyService`](crate::NotifyService).
///
/// # Examples
///
/// ```
/// use ha_aws::Notification;
/// use serde_json::json;
///
/// let built = Notification::new("Hello world!")
///     .with_title("Test message!")
///     .with_target("arn:aws:lambda:us-east-1:123456789012:function:ProcessKinesisRecords")
///     .with_data_entry("test", json!("okay"));
/// let parsed: Notification = serde_json::from_value(json!({
///     "message": "Hello world!",
///     "title": "Test message!",
///     "target": "arn:aws:lambda:us-east-1:123456789012:function:ProcessKinesisRecords",
///     "data": {"test": "okay"},
/// }))?;
/// assert_eq!(built, parsed);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notification {
    message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    #[serde(
        rename = "target",
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    targets: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    data: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    message_group_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    message_deduplication_id: Option<String>,
}

impl Notification {
    /// A notification of `message`, with no title, targets or data yet.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::Notification::new("Door open").message(), "Door open");
    /// ```
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            title: None,
            targets: Vec::new(),
            data: None,
            message_group_id: None,
            message_deduplication_id: None,
        }
    }

    /// Sets the title (the SNS subject, the EventBridge detail type).
    ///
    /// # Examples
    ///
    /// ```
    /// let notification = ha_aws::Notification::new("Door open").with_title("Garage");
    /// assert_eq!(notification.title(), Some("Garage"));
    /// ```
    #[must_use]
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Adds a target: an SNS topic or endpoint ARN, an SQS queue URL, a Lambda function name or
    /// (partial) ARN, an EventBridge event bus name or ARN.
    ///
    /// # Examples
    ///
    /// ```
    /// let notification = ha_aws::Notification::new("Door open").with_target("arn:aws:sns:eu-west-1:123456789012:family");
    /// assert_eq!(notification.targets(), ["arn:aws:sns:eu-west-1:123456789012:family"]);
    /// ```
    #[must_use]
    pub fn with_target(mut self, target: impl Into<String>) -> Self {
        self.targets.push(target.into());
        self
    }

    /// Adds several targets.
    ///
    /// # Examples
    ///
    /// ```
    /// let notification = ha_aws::Notification::new("Door open").with_targets(["phone", "lights"]);
    /// assert_eq!(notification.targets().len(), 2);
    /// ```
    #[must_use]
    pub fn with_targets<I, T>(mut self, targets: I) -> Self
    where
        I: IntoIterator<Item = T>,
        T: Into<String>,
    {
        self.targets.extend(targets.into_iter().map(Into::into));
        self
    }

    /// Sets the whole `data` object.
    ///
    /// # Examples
    ///
    /// ```
    /// let data = serde_json::json!({"room": "garage"}).as_object().cloned().unwrap_or_default();
    /// let notification = ha_aws::Notification::new("Door open").with_data(data);
    /// assert_eq!(notification.data().map(serde_json::Map::len), Some(1));
    /// ```
    #[must_use]
    pub fn with_data(mut self, data: Map<String, Value>) -> Self {
        self.data = Some(data);
        self
    }

    /// Sets one `data` entry.
    ///
    /// # Examples
    ///
    /// ```
    /// let notification = ha_aws::Notification::new("Door open").with_data_entry("room", serde_json::json!("garage"));
    /// assert_eq!(notification.data().and_then(|data| data.get("room")), Some(&serde_json::json!("garage")));
    /// ```
    #[must_use]
    pub fn with_data_entry(mut self, key: impl Into<String>, value: Value) -> Self {
        self.data
            .get_or_insert_with(Map::new)
            .insert(key.into(), value);
        self
    }

    /// Sets the SQS message group id (FIFO and fair queues), overriding the notifier's.
    ///
    /// # Examples
    ///
    /// ```
    /// let notification = ha_aws::Notification::new("Door open").with_message_group_id("garage");
    /// assert_eq!(notification.message_group_id(), Some("garage"));
    /// ```
    #[must_use]
    pub fn with_message_group_id(mut self, id: impl Into<String>) -> Self {
        self.message_group_id = Some(id.into());
        self
    }

    /// Sets the SQS deduplication id, sent to FIFO queues only.
    ///
    /// # Examples
    ///
    /// ```
    /// let notification = ha_aws::Notification::new("Door open").with_message_deduplication_id("door-1");
    /// assert_eq!(notification.message_deduplication_id(), Some("door-1"));
    /// ```
    #[must_use]
    pub fn with_message_deduplication_id(mut self, id: impl Into<String>) -> Self {
        self.message_deduplication_id = Some(id.into());
        self
    }

    /// The message.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::Notification::new("Door open").message(), "Door open");
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The title, if any.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::Notification::new("Door open").title(), None);
    /// ```
    pub fn title(&self) -> Option<&str> {
        self.title.as_deref()
    }

    /// The targets, in order.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(ha_aws::Notification::new("Door open").targets().is_empty());
    /// ```
    pub fn targets(&self) -> &[String] {
        &self.targets
    }

    /// The `data` object, if any.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::Notification::new("Door open").data(), None);
    /// ```
    pub fn data(&self) -> Option<&Map<String, Value>> {
        self.data.as_ref()
    }

    /// The SQS message group id, if set.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::Notification::new("Door open").message_group_id(), None);
    /// ```
    pub fn message_group_id(&self) -> Option<&str> {
        self.message_group_id.as_deref()
    }

    /// The SQS deduplication id, if set.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::Notification::new("Door open").message_deduplication_id(), None);
    /// ```
    pub fn message_deduplication_id(&self) -> Option<&str> {
        self.message_deduplication_id.as_deref()
    }

    /// The event Home Assistant sends to Lambda and the body it sends to SQS:
    /// `{"message", "title"?, "target": [all targets], "data"?}`.
    #[cfg_attr(
        not(any(feature = "sqs", feature = "lambda")),
        expect(dead_code, reason = "only sqs and lambda send it")
    )]
    pub(crate) fn payload(&self) -> Payload<'_> {
        Payload {
            message: &self.message,
            title: self.title.as_deref(),
            target: &self.targets,
            data: self.data.as_ref(),
        }
    }

    /// The targets, refusing an empty list and naming an empty entry.
    pub(crate) fn required_targets(&self) -> Result<&[String], NotificationError> {
        if self.targets.is_empty() {
            return Err(NotificationError::NoTarget);
        }
        self.check_targets()?;
        Ok(&self.targets)
    }

    /// Refuses empty target strings.
    pub(crate) fn check_targets(&self) -> Result<(), NotificationError> {
        match self
            .targets
            .iter()
            .position(|target| target.trim().is_empty())
        {
            Some(index) => Err(NotificationError::EmptyTarget { index }),
            None => Ok(()),
        }
    }
}

/// The JSON object Home Assistant builds from a notification.
#[derive(Debug, Serialize)]
pub(crate) struct Payload<'a> {
    pub(crate) message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) title: Option<&'a str>,
    pub(crate) target: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) data: Option<&'a Map<String, Value>>,
}

impl Payload<'_> {
    /// The payload as compact JSON.
    #[cfg_attr(
        not(any(feature = "sqs", feature = "lambda")),
        expect(dead_code, reason = "only sqs and lambda send it")
    )]
    pub(crate) fn to_json(&self) -> String {
        to_json(self)
    }

    /// Every field but `message`, each JSON-encoded: Home Assistant's SQS message attributes.
    #[cfg_attr(
        not(feature = "sqs"),
        expect(dead_code, reason = "only sqs sends them")
    )]
    pub(crate) fn stringified_fields(&self) -> Vec<(&'static str, String)> {
        let mut fields = Vec::with_capacity(3);
        if let Some(title) = self.title {
            fields.push(("title", to_json(title)));
        }
        fields.push(("target", to_json(self.target)));
        if let Some(data) = self.data {
            fields.push(("data", to_json(data)));
        }
        fields
    }
}

/// Compact JSON of a value that cannot fail to serialize (strings, JSON values, and structs of
/// them).
pub(crate) fn to_json<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value)
        .unwrap_or_else(|_| unreachable!("strings and JSON values always serialize"))
}

fn one_or_many<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
        None(()),
    }
    Ok(match OneOrMany::deserialize(deserializer)? {
        OneOrMany::One(target) => vec![target],
        OneOrMany::Many(targets) => targets,
        OneOrMany::None(()) => Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn seed_notification() -> Notification {
        Notification::new("Hello world!")
            .with_title("Test message!")
            .with_target("arn:aws:lambda:us-east-1:123456789012:function:ProcessKinesisRecords")
            .with_data_entry("test", json!("okay"))
    }

    #[test]
    fn payload_has_home_assistant_shape_with_target_as_list() {
        let payload: Value =
            serde_json::from_str(&seed_notification().payload().to_json()).unwrap();
        assert_eq!(
            payload,
            json!({
                "title": "Test message!",
                "target": ["arn:aws:lambda:us-east-1:123456789012:function:ProcessKinesisRecords"],
                "data": {"test": "okay"},
                "message": "Hello world!",
            })
        );
    }

    #[test]
    fn payload_drops_absent_title_and_data() {
        let payload: Value =
            serde_json::from_str(&Notification::new("m").with_target("t").payload().to_json())
                .unwrap();
        assert_eq!(payload, json!({"message": "m", "target": ["t"]}));
    }

    #[test]
    fn stringified_fields_are_json_encoded_and_skip_message() {
        let fields = seed_notification().payload().stringified_fields();
        assert_eq!(
            fields,
            vec![
                ("title", "\"Test message!\"".to_owned()),
                (
                    "target",
                    "[\"arn:aws:lambda:us-east-1:123456789012:function:ProcessKinesisRecords\"]"
                        .to_owned()
                ),
                ("data", "{\"test\":\"okay\"}".to_owned()),
            ]
        );
        let bare = Notification::new("m")
            .with_target("q")
            .payload()
            .stringified_fields();
        assert_eq!(bare, vec![("target", "[\"q\"]".to_owned())]);
    }

    #[test]
    fn target_deserializes_from_string_list_or_null() {
        let one: Notification =
            serde_json::from_value(json!({"message": "m", "target": "a"})).unwrap();
        let many: Notification =
            serde_json::from_value(json!({"message": "m", "target": ["a", "b"]})).unwrap();
        let null: Notification =
            serde_json::from_value(json!({"message": "m", "target": null})).unwrap();
        let absent: Notification = serde_json::from_value(json!({"message": "m"})).unwrap();
        assert_eq!(one.targets(), ["a"]);
        assert_eq!(many.targets(), ["a", "b"]);
        assert!(null.targets().is_empty() && absent.targets().is_empty());
        assert!(
            serde_json::from_value::<Notification>(json!({"message": "m", "target": 3})).is_err()
        );
        assert!(serde_json::from_value::<Notification>(json!({"title": "t"})).is_err());
    }

    #[test]
    fn serde_round_trips() {
        let notification = seed_notification().with_message_group_id("g");
        let text = serde_json::to_string(&notification).unwrap();
        assert_eq!(
            serde_json::from_str::<Notification>(&text).unwrap(),
            notification
        );
    }

    #[test]
    fn targets_are_required_and_non_empty() {
        assert_eq!(
            Notification::new("m").required_targets(),
            Err(NotificationError::NoTarget)
        );
        assert_eq!(
            Notification::new("m")
                .with_targets(["a", " "])
                .required_targets(),
            Err(NotificationError::EmptyTarget { index: 1 })
        );
    }
}
