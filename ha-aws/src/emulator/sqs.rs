//! SQS over awsJson 1.0 with awsQueryCompatible errors: `SendMessage`.

use serde_json::{Map, Value, json};

use super::call::{MessageAttribute, MessageAttributes, Request, json_of};
use super::fault::FaultKind;
use super::protocol::{ErrorShape, Input, JsonVersion, Protocol, Rejection, Reply};
use super::{Context, ServiceModel};
use crate::notify::rule::is_fifo;
use crate::service::AwsService;

/// The parameters of an SQS `SendMessage` call.
///
/// # Examples
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use ha_aws::emulator::{Emulator, SqsSendMessage};
/// use ha_aws::{Notification, Notifier, NotifyService, NotifySettings};
///
/// let emulator = Emulator::start().await;
/// let notifier = Notifier::new(&emulator.session().await, NotifySettings::new(NotifyService::Sqs))?;
/// notifier.send(&Notification::new("Door open").with_title("Garage").with_target(emulator.queue_url("alerts"))).await?;
/// let message = &emulator.requests::<SqsSendMessage>()[0];
/// assert!(message.queue_url.ends_with("/123456789012/alerts"));
/// # Ok::<(), ha_aws::Error>(())
/// # }).unwrap();
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SqsSendMessage {
    /// `QueueUrl`.
    pub queue_url: String,
    /// `MessageBody`.
    pub message_body: String,
    /// `DelaySeconds`.
    pub delay_seconds: Option<i64>,
    /// `MessageAttributes`.
    pub message_attributes: MessageAttributes,
    /// `MessageGroupId`.
    pub message_group_id: Option<String>,
    /// `MessageDeduplicationId`.
    pub message_deduplication_id: Option<String>,
}

impl SqsSendMessage {
    /// The queue.
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use ha_aws::emulator::{Emulator, SqsSendMessage};
    /// use ha_aws::{Notification, Notifier, NotifyService, NotifySettings};
    ///
    /// let emulator = Emulator::start().await;
    /// let notifier = Notifier::new(&emulator.session().await, NotifySettings::new(NotifyService::Sqs))?;
    /// notifier.send(&Notification::new("Door open").with_title("Garage").with_target(emulator.queue_url("alerts"))).await?;
    /// let message = &emulator.requests::<SqsSendMessage>()[0];
    /// assert_eq!(message.target(), Some(message.queue_url.as_str()));
    /// # Ok::<(), ha_aws::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn target(&self) -> Option<&str> {
        Some(&self.queue_url)
    }

    /// The body parsed as JSON, if it is JSON.
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use ha_aws::emulator::{Emulator, SqsSendMessage};
    /// use ha_aws::{Notification, Notifier, NotifyService, NotifySettings};
    ///
    /// let emulator = Emulator::start().await;
    /// let notifier = Notifier::new(&emulator.session().await, NotifySettings::new(NotifyService::Sqs))?;
    /// notifier.send(&Notification::new("Door open").with_title("Garage").with_target(emulator.queue_url("alerts"))).await?;
    /// let message = &emulator.requests::<SqsSendMessage>()[0];
    /// assert_eq!(message.message_body_json().unwrap()["title"], "Garage");
    /// # Ok::<(), ha_aws::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn message_body_json(&self) -> Option<Value> {
        json_of(self.message_body.as_bytes())
    }

    /// The `String` value of attribute `name`.
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use ha_aws::emulator::{Emulator, SqsSendMessage};
    /// use ha_aws::{Notification, Notifier, NotifyService, NotifySettings};
    ///
    /// let emulator = Emulator::start().await;
    /// let notifier = Notifier::new(&emulator.session().await, NotifySettings::new(NotifyService::Sqs))?;
    /// notifier.send(&Notification::new("Door open").with_title("Garage").with_target(emulator.queue_url("alerts"))).await?;
    /// let message = &emulator.requests::<SqsSendMessage>()[0];
    /// assert_eq!(message.attribute("title"), Some("\"Garage\""));
    /// # Ok::<(), ha_aws::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.message_attributes
            .get(name)
            .and_then(|attribute| attribute.string_value.as_deref())
    }
}

#[derive(Debug, Default)]
pub(super) struct Sqs;

impl ServiceModel for Sqs {
    fn service(&self) -> AwsService {
        AwsService::Sqs
    }

    fn protocol(&self) -> Protocol {
        Protocol::AwsJson {
            target_prefix: "AmazonSQS",
            version: JsonVersion::V1_0,
            query_compatible: true,
        }
    }

    fn decode(&self, input: Input<'_>) -> Result<Request, Rejection> {
        let Input::Json { operation, body } = input else {
            return Err(Rejection::mismatch());
        };
        match operation.as_str() {
            "SendMessage" => send_message(&body)
                .map(Request::from)
                .map_err(Rejection::Invalid),
            _ => Err(Rejection::Unsupported(operation)),
        }
    }

    fn reply(&self, request: &Request, context: &mut Context<'_>) -> Reply {
        let mut reply = json!({ "MessageId": context.next_id() });
        if let Request::SqsSendMessage(message) = request
            && is_fifo(&message.queue_url)
        {
            reply["SequenceNumber"] = json!(format!("{:020}", context.sequence()));
        }
        Reply::Json(reply)
    }

    fn fault(&self, _request: &Request, kind: &FaultKind) -> ErrorShape {
        match kind {
            FaultKind::Throttling => ErrorShape::sender(400, "RequestThrottled", "Request is throttled.")
                .with_query_code("RequestThrottled"),
            FaultKind::NotFound => {
                ErrorShape::sender(400, "com.amazonaws.sqs#QueueDoesNotExist", "The specified queue does not exist.")
                    .with_query_code("AWS.SimpleQueueService.NonExistentQueue")
            }
            FaultKind::AccessDenied => ErrorShape::sender(
                403,
                "com.amazon.coral.service#AccessDeniedException",
                "User: arn:aws:iam::123456789012:user/emulator is not authorized to perform: sqs:sendmessage",
            )
            .with_query_code("AccessDenied"),
            _ => ErrorShape::receiver(500, "InternalError", "We encountered an internal error. Please try again.")
                .with_query_code("InternalError"),
        }
    }
}

fn invalid(code: &str, message: impl Into<String>) -> ErrorShape {
    let query_code = match code {
        "MissingParameter" => "MissingParameter",
        _ => "InvalidParameterValue",
    };
    ErrorShape::sender(400, code, message).with_query_code(query_code)
}

fn send_message(body: &Value) -> Result<SqsSendMessage, ErrorShape> {
    let text = |name: &str| body.get(name).and_then(Value::as_str).map(str::to_owned);
    let required = |name: &str| {
        text(name).ok_or_else(|| {
            invalid(
                "MissingParameter",
                format!("The request must contain the parameter {name}."),
            )
        })
    };
    let message = SqsSendMessage {
        queue_url: required("QueueUrl")?,
        message_body: required("MessageBody")?,
        delay_seconds: body.get("DelaySeconds").and_then(Value::as_i64),
        message_attributes: attributes(body.get("MessageAttributes"))?,
        message_group_id: text("MessageGroupId"),
        message_deduplication_id: text("MessageDeduplicationId"),
    };
    if message.message_body.is_empty() {
        return Err(invalid(
            "InvalidParameterValue",
            "The request must contain the parameter MessageBody.",
        ));
    }
    if message.message_attributes.len() > 10 {
        return Err(invalid(
            "InvalidParameterValue",
            "Number of message attributes cannot exceed 10.",
        ));
    }
    let fifo = is_fifo(&message.queue_url);
    if fifo && message.message_group_id.is_none() {
        return Err(invalid(
            "MissingParameter",
            "The request must contain the parameter MessageGroupId.",
        ));
    }
    if !fifo && message.message_deduplication_id.is_some() {
        return Err(invalid(
            "InvalidParameterValue",
            "The request include parameter MessageDeduplicationId which is not valid for this queue type",
        ));
    }
    Ok(message)
}

fn attributes(value: Option<&Value>) -> Result<MessageAttributes, ErrorShape> {
    let Some(value) = value else {
        return Ok(MessageAttributes::new());
    };
    let object = value
        .as_object()
        .ok_or_else(|| invalid("InvalidParameterValue", "MessageAttributes must be a map."))?;
    object
        .iter()
        .map(|(name, value)| attribute(name, value).map(|attribute| (name.clone(), attribute)))
        .collect()
}

fn attribute(name: &str, value: &Value) -> Result<MessageAttribute, ErrorShape> {
    let empty = Map::new();
    let fields = value.as_object().unwrap_or(&empty);
    let text = |field: &str| fields.get(field).and_then(Value::as_str).map(str::to_owned);
    let data_type = text("DataType").ok_or_else(|| {
        invalid(
            "InvalidParameterValue",
            format!(
                "The message attribute '{name}' must contain a non-empty message attribute type."
            ),
        )
    })?;
    let binary_value = text("BinaryValue")
        .map(|encoded| {
            aws_smithy_types::base64::decode(&encoded).map_err(|_| {
                invalid(
                    "InvalidParameterValue",
                    format!("The message attribute '{name}' has an invalid binary value."),
                )
            })
        })
        .transpose()?;
    let string_value = text("StringValue");
    if string_value.as_deref().is_none_or(str::is_empty)
        && binary_value.as_ref().is_none_or(Vec::is_empty)
    {
        return Err(invalid(
            "InvalidParameterValue",
            format!(
                "The message attribute '{name}' must contain a non-empty message attribute value."
            ),
        ));
    }
    Ok(MessageAttribute {
        data_type,
        string_value,
        binary_value,
    })
}
