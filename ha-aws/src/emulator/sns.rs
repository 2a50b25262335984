//! SNS over awsQuery: `Publish`.

use super::call::{MessageAttribute, MessageAttributes, Request};
use super::fault::FaultKind;
use super::protocol::{ErrorShape, Input, Params, Protocol, Rejection, Reply};
use super::{Context, ServiceModel};
use crate::service::AwsService;

/// The parameters of an SNS `Publish` call.
///
/// # Examples
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use ha_aws::emulator::{Emulator, SnsPublish};
/// use ha_aws::{Notification, Notifier, NotifyService, NotifySettings};
///
/// let emulator = Emulator::start().await;
/// let notifier = Notifier::new(&emulator.session().await, NotifySettings::new(NotifyService::Sns))?;
/// let notification = Notification::new("Door open").with_target(emulator.topic_arn("home")).with_data_entry("room", serde_json::json!("garage"));
/// notifier.send(&notification).await?;
/// let publish = &emulator.requests::<SnsPublish>()[0];
/// assert_eq!(publish.subject.as_deref(), Some("Home Assistant"));
/// # Ok::<(), ha_aws::Error>(())
/// # }).unwrap();
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SnsPublish {
    /// `TargetArn`: a topic or platform endpoint.
    pub target_arn: Option<String>,
    /// `TopicArn`.
    pub topic_arn: Option<String>,
    /// `PhoneNumber` (SMS).
    pub phone_number: Option<String>,
    /// `Message`.
    pub message: String,
    /// `Subject`.
    pub subject: Option<String>,
    /// `MessageStructure` (`json` for per-protocol messages).
    pub message_structure: Option<String>,
    /// `MessageAttributes`.
    pub message_attributes: MessageAttributes,
    /// `MessageGroupId` (FIFO topics).
    pub message_group_id: Option<String>,
    /// `MessageDeduplicationId` (FIFO topics).
    pub message_deduplication_id: Option<String>,
}

impl SnsPublish {
    /// Where the message went: the target ARN, topic ARN or phone number.
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use ha_aws::emulator::{Emulator, SnsPublish};
    /// use ha_aws::{Notification, Notifier, NotifyService, NotifySettings};
    ///
    /// let emulator = Emulator::start().await;
    /// let notifier = Notifier::new(&emulator.session().await, NotifySettings::new(NotifyService::Sns))?;
    /// let notification = Notification::new("Door open").with_target(emulator.topic_arn("home")).with_data_entry("room", serde_json::json!("garage"));
    /// notifier.send(&notification).await?;
    /// let publish = &emulator.requests::<SnsPublish>()[0];
    /// assert_eq!(publish.target(), Some("arn:aws:sns:us-east-1:123456789012:home"));
    /// # Ok::<(), ha_aws::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn target(&self) -> Option<&str> {
        self.target_arn
            .as_deref()
            .or(self.topic_arn.as_deref())
            .or(self.phone_number.as_deref())
    }

    /// The `String` value of attribute `name`.
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use ha_aws::emulator::{Emulator, SnsPublish};
    /// use ha_aws::{Notification, Notifier, NotifyService, NotifySettings};
    ///
    /// let emulator = Emulator::start().await;
    /// let notifier = Notifier::new(&emulator.session().await, NotifySettings::new(NotifyService::Sns))?;
    /// let notification = Notification::new("Door open").with_target(emulator.topic_arn("home")).with_data_entry("room", serde_json::json!("garage"));
    /// notifier.send(&notification).await?;
    /// let publish = &emulator.requests::<SnsPublish>()[0];
    /// assert_eq!(publish.attribute("room"), Some("garage"));
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
pub(super) struct Sns;

impl ServiceModel for Sns {
    fn service(&self) -> AwsService {
        AwsService::Sns
    }

    fn protocol(&self) -> Protocol {
        Protocol::AwsQuery {
            version: "2010-03-31",
            xmlns: "http://sns.amazonaws.com/doc/2010-03-31/",
        }
    }

    fn decode(&self, input: Input<'_>) -> Result<Request, Rejection> {
        let Input::Query { action, params } = input else {
            return Err(Rejection::mismatch());
        };
        match action.as_str() {
            "Publish" => publish(&params)
                .map(Request::from)
                .map_err(Rejection::Invalid),
            _ => Err(Rejection::Unsupported(action)),
        }
    }

    fn reply(&self, _request: &Request, context: &mut Context<'_>) -> Reply {
        Reply::Xml(format!("<MessageId>{}</MessageId>", context.next_id()))
    }

    fn fault(&self, request: &Request, kind: &FaultKind) -> ErrorShape {
        let target = request.target().unwrap_or_default();
        match kind {
            FaultKind::Throttling => ErrorShape::sender(400, "Throttling", "Rate exceeded"),
            FaultKind::NotFound => ErrorShape::sender(404, "NotFound", "Topic does not exist"),
            FaultKind::AccessDenied => ErrorShape::sender(
                403,
                "AuthorizationError",
                format!(
                    "User: arn:aws:iam::123456789012:user/emulator is not authorized to perform: SNS:Publish on resource: {target}"
                ),
            ),
            _ => ErrorShape::receiver(500, "InternalError", "Internal Error"),
        }
    }
}

fn invalid(message: impl Into<String>) -> ErrorShape {
    ErrorShape::sender(400, "InvalidParameter", message)
}

fn publish(params: &Params) -> Result<SnsPublish, ErrorShape> {
    let message = params.string("Message").ok_or_else(|| {
        ErrorShape::sender(400, "ValidationError", "1 validation error detected: Value null at 'message' failed to satisfy constraint: Member must not be null")
    })?;
    if message.is_empty() {
        return Err(invalid("Invalid parameter: Empty message"));
    }
    let publish = SnsPublish {
        target_arn: params.string("TargetArn"),
        topic_arn: params.string("TopicArn"),
        phone_number: params.string("PhoneNumber"),
        message,
        subject: params.string("Subject"),
        message_structure: params.string("MessageStructure"),
        message_attributes: attributes(params)?,
        message_group_id: params.string("MessageGroupId"),
        message_deduplication_id: params.string("MessageDeduplicationId"),
    };
    if publish.target().is_none() {
        return Err(invalid(
            "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter",
        ));
    }
    if let Some(subject) = &publish.subject
        && (subject.is_empty()
            || subject.chars().count() > 100
            || subject.chars().any(char::is_control))
    {
        return Err(invalid("Invalid parameter: Subject"));
    }
    Ok(publish)
}

/// `MessageAttributes.entry.N.{Name, Value.DataType, Value.StringValue, Value.BinaryValue}`.
fn attributes(params: &Params) -> Result<MessageAttributes, ErrorShape> {
    let mut attributes = MessageAttributes::new();
    for index in 1.. {
        let field = |name: &str| params.string(&format!("MessageAttributes.entry.{index}.{name}"));
        let Some(name) = field("Name") else { break };
        let data_type = field("Value.DataType").ok_or_else(|| {
            invalid(format!(
                "The message attribute '{name}' must contain non-empty message attribute type."
            ))
        })?;
        let binary_value = field("Value.BinaryValue")
            .map(|encoded| {
                aws_smithy_types::base64::decode(&encoded).map_err(|_| {
                    invalid(format!(
                        "The message attribute '{name}' has an invalid binary value."
                    ))
                })
            })
            .transpose()?;
        let string_value = field("Value.StringValue");
        let empty = string_value.as_deref().is_none_or(str::is_empty)
            && binary_value.as_ref().is_none_or(Vec::is_empty);
        if empty {
            let kind = if data_type.starts_with("Binary") {
                "B"
            } else {
                "S"
            };
            return Err(invalid(format!(
                "The message attribute '{name}' must contain non-empty message attribute value for message attribute type '{kind}'."
            )));
        }
        attributes.insert(
            name,
            MessageAttribute {
                data_type,
                string_value,
                binary_value,
            },
        );
    }
    Ok(attributes)
}
