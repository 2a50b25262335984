//! EventBridge over awsJson 1.1: `PutEvents`.

use serde_json::{Value, json};

use super::call::{Request, json_of};
use super::fault::FaultKind;
use super::protocol::{ErrorShape, Input, JsonVersion, Protocol, Rejection, Reply, strings};
use super::{Context, ServiceModel};
use crate::service::{AwsService, Operation};

/// The most entries one `PutEvents` call takes.
const MAX_ENTRIES: usize = 10;

/// The parameters of an EventBridge `PutEvents` call.
///
/// # Examples
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use ha_aws::emulator::{Emulator, PutEvents};
/// use ha_aws::{Notification, Notifier, NotifyService, NotifySettings};
///
/// let emulator = Emulator::start().await;
/// let notifier = Notifier::new(&emulator.session().await, NotifySettings::new(NotifyService::EventBridge))?;
/// notifier.send(&Notification::new("Door open").with_targets(["home", "audit"])).await?;
/// let put: &PutEvents = &emulator.requests::<PutEvents>()[0];
/// assert_eq!(put.entries.len(), 2);
/// # Ok::<(), ha_aws::Error>(())
/// # }).unwrap();
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PutEvents {
    /// `Entries`.
    pub entries: Vec<EventEntry>,
    /// `EndpointId` (global endpoints).
    pub endpoint_id: Option<String>,
}

impl PutEvents {
    /// A batch has no single target; see each entry's [`EventEntry::event_bus_name`].
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use ha_aws::emulator::{Emulator, PutEvents};
    /// use ha_aws::{Notification, Notifier, NotifyService, NotifySettings};
    ///
    /// let emulator = Emulator::start().await;
    /// let notifier = Notifier::new(&emulator.session().await, NotifySettings::new(NotifyService::EventBridge))?;
    /// notifier.send(&Notification::new("Door open").with_target("home")).await?;
    /// assert_eq!(emulator.requests::<PutEvents>()[0].target(), None);
    /// # Ok::<(), ha_aws::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn target(&self) -> Option<&str> {
        None
    }
}

/// One entry of a `PutEvents` call.
///
/// # Examples
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use ha_aws::emulator::{Emulator, PutEvents};
/// use ha_aws::{Notification, Notifier, NotifyService, NotifySettings};
///
/// let emulator = Emulator::start().await;
/// let notifier = Notifier::new(&emulator.session().await, NotifySettings::new(NotifyService::EventBridge))?;
/// notifier.send(&Notification::new("Door open").with_target("home")).await?;
/// let entry = &emulator.requests::<PutEvents>()[0].entries[0];
/// assert_eq!(entry.source.as_deref(), Some("homeassistant"));
/// assert_eq!(entry.detail_type.as_deref(), Some("Home Assistant"));
/// # Ok::<(), ha_aws::Error>(())
/// # }).unwrap();
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EventEntry {
    /// `Source`.
    pub source: Option<String>,
    /// `DetailType`.
    pub detail_type: Option<String>,
    /// `Detail`: JSON text.
    pub detail: Option<String>,
    /// `Resources`.
    pub resources: Vec<String>,
    /// `EventBusName`: a name or ARN; `None` for the default bus.
    pub event_bus_name: Option<String>,
    /// `Time`, as sent (epoch seconds).
    pub time: Option<Value>,
}

impl EventEntry {
    /// The detail parsed as JSON, if it is JSON.
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use ha_aws::emulator::{Emulator, PutEvents};
    /// use ha_aws::{Notification, Notifier, NotifyService, NotifySettings};
    ///
    /// let emulator = Emulator::start().await;
    /// let notifier = Notifier::new(&emulator.session().await, NotifySettings::new(NotifyService::EventBridge))?;
    /// notifier.send(&Notification::new("Door open")).await?;
    /// let entry = &emulator.requests::<PutEvents>()[0].entries[0];
    /// assert_eq!(entry.detail_json(), Some(serde_json::json!({"message": "Door open"})));
    /// # Ok::<(), ha_aws::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn detail_json(&self) -> Option<Value> {
        json_of(self.detail.as_deref()?.as_bytes())
    }

    /// The bus the entry goes to: its name, or `default`.
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use ha_aws::emulator::{Emulator, PutEvents};
    /// use ha_aws::{Notification, Notifier, NotifyService, NotifySettings};
    ///
    /// let emulator = Emulator::start().await;
    /// let notifier = Notifier::new(&emulator.session().await, NotifySettings::new(NotifyService::EventBridge))?;
    /// notifier.send(&Notification::new("Door open")).await?;
    /// assert_eq!(emulator.requests::<PutEvents>()[0].entries[0].bus(), "default");
    /// # Ok::<(), ha_aws::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn bus(&self) -> &str {
        self.event_bus_name.as_deref().unwrap_or("default")
    }

    /// Why EventBridge would refuse the entry, as its error code and message.
    fn problem(&self) -> Option<(&'static str, String)> {
        let missing = [
            ("Source", &self.source),
            ("DetailType", &self.detail_type),
            ("Detail", &self.detail),
        ]
        .into_iter()
        .find(|(_, value)| value.as_deref().is_none_or(str::is_empty));
        if let Some((name, _)) = missing {
            return Some((
                "InvalidArgument",
                format!("Parameter {name} is not valid. Reason: {name} is a required argument."),
            ));
        }
        match self.detail_json() {
            Some(Value::Object(_)) => None,
            _ => Some(("MalformedDetail", "Detail is malformed.".to_owned())),
        }
    }
}

#[derive(Debug, Default)]
pub(super) struct EventBridge;

impl ServiceModel for EventBridge {
    fn service(&self) -> AwsService {
        AwsService::EventBridge
    }

    fn protocol(&self) -> Protocol {
        Protocol::AwsJson {
            target_prefix: "AWSEvents",
            version: JsonVersion::V1_1,
            query_compatible: false,
        }
    }

    fn decode(&self, input: Input<'_>) -> Result<Request, Rejection> {
        let Input::Json { operation, body } = input else {
            return Err(Rejection::mismatch());
        };
        match operation.as_str() {
            "PutEvents" => put_events(&body)
                .map(Request::from)
                .map_err(Rejection::Invalid),
            _ => Err(Rejection::Unsupported(operation)),
        }
    }

    fn reply(&self, request: &Request, context: &mut Context<'_>) -> Reply {
        let Request::EventBridgePutEvents(put) = request else {
            return Reply::Error(ErrorShape::receiver(
                500,
                "InternalException",
                "not a PutEvents call",
            ));
        };
        let mut failed = 0;
        let entries: Vec<Value> = put
            .entries
            .iter()
            .map(|entry| {
                let problem = entry.problem().or_else(|| {
                    context
                        .entry_fault(Operation::EVENTBRIDGE_PUT_EVENTS, entry.bus())
                        .map(|kind| entry_error(&kind, entry.bus()))
                });
                match problem {
                    Some((code, message)) => {
                        failed += 1;
                        json!({ "ErrorCode": code, "ErrorMessage": message })
                    }
                    None => json!({ "EventId": context.next_id() }),
                }
            })
            .collect();
        Reply::Json(json!({ "FailedEntryCount": failed, "Entries": entries }))
    }

    fn fault(&self, _request: &Request, kind: &FaultKind) -> ErrorShape {
        match kind {
            FaultKind::Throttling => {
                ErrorShape::sender(400, "ThrottlingException", "Rate exceeded.")
            }
            FaultKind::NotFound => ErrorShape::sender(
                400,
                "ResourceNotFoundException",
                "Event bus does not exist.",
            ),
            FaultKind::AccessDenied => ErrorShape::sender(
                400,
                "AccessDeniedException",
                "User: arn:aws:iam::123456789012:user/emulator is not authorized to perform: events:PutEvents",
            ),
            _ => ErrorShape::receiver(500, "InternalException", "Internal failure."),
        }
    }
}

/// The entry error code and message a fault turns into.
fn entry_error(kind: &FaultKind, bus: &str) -> (&'static str, String) {
    match kind {
        FaultKind::Throttling => ("ThrottlingException", "Rate exceeded.".to_owned()),
        FaultKind::NotFound => (
            "ResourceNotFoundException",
            format!("Event bus {bus} does not exist."),
        ),
        FaultKind::AccessDenied => (
            "AccessDeniedException",
            format!("Not authorized to put events on {bus}."),
        ),
        _ => ("InternalFailure", "Internal failure.".to_owned()),
    }
}

fn put_events(body: &Value) -> Result<PutEvents, ErrorShape> {
    let invalid = |message: String| ErrorShape::sender(400, "ValidationException", message);
    let entries = body.get("Entries").and_then(Value::as_array).ok_or_else(|| {
        invalid("1 validation error detected: Value null at 'entries' failed to satisfy constraint: Member must not be null".to_owned())
    })?;
    if entries.is_empty() || entries.len() > MAX_ENTRIES {
        return Err(invalid(format!(
            "1 validation error detected: Value '{}' at 'entries' failed to satisfy constraint: Member must have length between 1 and 10",
            entries.len()
        )));
    }
    let text =
        |entry: &Value, name: &str| entry.get(name).and_then(Value::as_str).map(str::to_owned);
    Ok(PutEvents {
        entries: entries
            .iter()
            .map(|entry| EventEntry {
                source: text(entry, "Source"),
                detail_type: text(entry, "DetailType"),
                detail: text(entry, "Detail"),
                resources: strings(entry.get("Resources")),
                event_bus_name: text(entry, "EventBusName"),
                time: entry.get("Time").cloned(),
            })
            .collect(),
        endpoint_id: text(body, "EndpointId"),
    })
}
