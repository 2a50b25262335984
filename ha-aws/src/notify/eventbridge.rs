//! EventBridge `PutEvents`: one event per event bus, in batches of at most 10 entries that fit
//! the request size limit.

use core::num::NonZeroUsize;
use std::sync::Arc;

use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use futures_util::future::BoxFuture;
use serde_json::{Value, json};

use crate::error::{Error, ErrorKind, NotificationError, ServiceError, classify_code, from_sdk};
use crate::notify::notification::to_json;
use crate::notify::{Channel, Delivery, Notification, NotifySettings, Outcome, cancelled, fan_out};
use crate::service::{AwsService, Operation};
use crate::session::Session;

/// The most entries one `PutEvents` call takes.
const MAX_ENTRIES_PER_CALL: usize = 10;

/// The `Source` of events whose `data` names none.
pub(crate) const DEFAULT_SOURCE: &str = "homeassistant";

/// The name reported for the default event bus (used when a notification has no target).
const DEFAULT_BUS: &str = "default";

#[derive(Debug, Clone)]
pub(super) struct EventBridge {
    client: aws_sdk_eventbridge::Client,
    default_title: String,
    max_request_bytes: usize,
}

/// The fields every entry of one notification shares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Event {
    pub(crate) source: String,
    pub(crate) detail_type: String,
    pub(crate) detail: String,
    pub(crate) resources: Vec<String>,
}

impl Event {
    /// An entry's size as EventBridge counts it against the request limit.
    pub(crate) fn size(&self) -> usize {
        self.source.len()
            + self.detail_type.len()
            + self.detail.len()
            + self.resources.iter().map(String::len).sum::<usize>()
    }

    /// Builds the event Home Assistant puts for `notification`, with `default_title` as the
    /// detail type of untitled notifications.
    pub(crate) fn from_notification(
        notification: &Notification,
        default_title: &str,
    ) -> Result<Self, NotificationError> {
        let field = |name: &str| {
            notification
                .data()
                .and_then(|data| data.get(name))
                .filter(|value| !value.is_null())
        };
        let text = |name: &'static str| match field(name) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.clone())),
            Some(_) => Err(NotificationError::InvalidEventField {
                field: name,
                expected: "a string",
            }),
        };
        let detail = match field("detail") {
            None => to_json(&json!({ "message": notification.message() })),
            Some(detail @ Value::Object(_)) => to_json(detail),
            Some(_) => {
                return Err(NotificationError::InvalidEventField {
                    field: "detail",
                    expected: "a JSON object",
                });
            }
        };
        let resources = match field("resources") {
            None => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| item.as_str().map(str::to_owned))
                .collect::<Option<_>>()
                .ok_or(NotificationError::InvalidEventField {
                    field: "resources",
                    expected: "a list of strings",
                })?,
            Some(_) => {
                return Err(NotificationError::InvalidEventField {
                    field: "resources",
                    expected: "a list of strings",
                });
            }
        };
        let detail_type = text("detail_type")?
            .or_else(|| notification.title().map(str::to_owned))
            .unwrap_or_else(|| default_title.to_owned());
        Ok(Self {
            source: text("source")?.unwrap_or_else(|| DEFAULT_SOURCE.to_owned()),
            detail_type,
            detail,
            resources,
        })
    }

    fn entry(&self, bus: Option<&str>) -> PutEventsRequestEntry {
        PutEventsRequestEntry::builder()
            .source(&self.source)
            .detail_type(&self.detail_type)
            .detail(&self.detail)
            .set_resources((!self.resources.is_empty()).then(|| self.resources.clone()))
            .set_event_bus_name(bus.map(str::to_owned))
            .build()
    }
}

impl EventBridge {
    pub(super) fn new(session: &Session, settings: &NotifySettings) -> Self {
        Self {
            client: aws_sdk_eventbridge::Client::new(session.sdk_config()),
            default_title: settings.default_title().to_owned(),
            max_request_bytes: settings.max_message_bytes(),
        }
    }

    async fn send(
        self: Arc<Self>,
        notification: &Notification,
        limit: NonZeroUsize,
    ) -> Result<Vec<Outcome>, Error> {
        notification.check_targets()?;
        let event = Event::from_notification(notification, &self.default_title)?;
        let size = event.size();
        if size > self.max_request_bytes {
            return Err(NotificationError::TooLarge {
                service: AwsService::EventBridge,
                size,
                limit: self.max_request_bytes,
            }
            .into());
        }
        let per_call = (self.max_request_bytes / size.max(1)).clamp(1, MAX_ENTRIES_PER_CALL);
        let buses: Vec<Option<String>> = if notification.targets().is_empty() {
            vec![None]
        } else {
            notification.targets().iter().cloned().map(Some).collect()
        };
        let batches: Vec<Vec<Option<String>>> = buses.chunks(per_call).map(<[_]>::to_vec).collect();
        let (this, event) = (self, Arc::new(event));
        let results = fan_out(batches.clone(), limit, move |buses| {
            let (this, event) = (Arc::clone(&this), Arc::clone(&event));
            async move { this.put(&event, &buses).await }
        })
        .await;
        let outcomes = batches.iter().zip(results).flat_map(|(buses, result)| {
            result.unwrap_or_else(|| {
                bus_names(buses)
                    .map(|bus| {
                        Outcome::new(bus, Err(cancelled(Operation::EVENTBRIDGE_PUT_EVENTS, bus)))
                    })
                    .collect()
            })
        });
        Ok(outcomes.collect())
    }

    /// One `PutEvents` call; a failed call fails each of its targets.
    async fn put(&self, event: &Event, buses: &[Option<String>]) -> Vec<Outcome> {
        let names = || bus_names(buses);
        let entries = buses
            .iter()
            .map(|bus| event.entry(bus.as_deref()))
            .collect();
        let output = match self
            .client
            .put_events()
            .set_entries(Some(entries))
            .send()
            .await
        {
            Ok(output) => output,
            Err(error) => {
                let error = from_sdk(error, Operation::EVENTBRIDGE_PUT_EVENTS, None);
                return names()
                    .map(|bus| Outcome::new(bus, Err(error.clone().with_target(bus).into())))
                    .collect();
            }
        };
        let mut results = output.entries.unwrap_or_default().into_iter();
        names()
            .map(|bus| {
                let result = match results.next() {
                    Some(result) if result.error_code.is_none() => Ok(Delivery {
                        message_id: result.event_id,
                        ..Delivery::default()
                    }),
                    Some(result) => Err(failed_entry(
                        bus,
                        result.error_code.as_deref(),
                        result.error_message.as_deref(),
                    )),
                    None => Err(failed_entry(
                        bus,
                        None,
                        Some("the reply has no entry for this event"),
                    )),
                };
                Outcome::new(bus, result)
            })
            .collect()
    }
}

impl Channel for EventBridge {
    fn deliver(
        self: Arc<Self>,
        notification: &Notification,
        limit: NonZeroUsize,
    ) -> BoxFuture<'_, Result<Vec<Outcome>, Error>> {
        Box::pin(self.send(notification, limit))
    }
}

/// The names of event buses, `default` for the default bus.
fn bus_names(buses: &[Option<String>]) -> impl Iterator<Item = &str> {
    buses
        .iter()
        .map(|bus| bus.as_deref().unwrap_or(DEFAULT_BUS))
}

/// An entry that `PutEvents` refused, or left out of its reply.
fn failed_entry(bus: &str, code: Option<&str>, message: Option<&str>) -> Error {
    let kind = if code.is_some() {
        classify_code(code, None)
    } else {
        ErrorKind::Response
    };
    ServiceError::new(Operation::EVENTBRIDGE_PUT_EVENTS, Some(bus), kind)
        .with_code(code, message)
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untitled_notification_becomes_a_message_event() {
        let event =
            Event::from_notification(&Notification::new("Door open"), "Home Assistant").unwrap();
        assert_eq!(
            event,
            Event {
                source: "homeassistant".into(),
                detail_type: "Home Assistant".into(),
                detail: "{\"message\":\"Door open\"}".into(),
                resources: vec![],
            }
        );
        assert_eq!(event.size(), 13 + 14 + 23);
    }

    #[test]
    fn data_fields_override_and_title_is_the_detail_type() {
        let notification = Notification::new("ignored")
            .with_title("Alarm")
            .with_data_entry("detail", json!({"zone": 3}))
            .with_data_entry("source", json!("home.alarm"))
            .with_data_entry("resources", json!(["arn:aws:iot:eu-west-1:1:thing/siren"]));
        let event = Event::from_notification(&notification, "Home Assistant").unwrap();
        assert_eq!(event.detail, "{\"zone\":3}");
        assert_eq!(event.source, "home.alarm");
        assert_eq!(event.detail_type, "Alarm");
        assert_eq!(event.resources, ["arn:aws:iot:eu-west-1:1:thing/siren"]);
        let typed = notification.with_data_entry("detail_type", json!("Alarm Raised"));
        assert_eq!(
            Event::from_notification(&typed, "x").unwrap().detail_type,
            "Alarm Raised"
        );
    }

    #[test]
    fn wrongly_typed_fields_are_refused() {
        let cases = [
            ("detail", json!("text"), "a JSON object"),
            ("detail", json!([1]), "a JSON object"),
            ("source", json!(1), "a string"),
            ("detail_type", json!({}), "a string"),
            ("resources", json!("arn"), "a list of strings"),
            ("resources", json!(["arn", 2]), "a list of strings"),
        ];
        for (field, value, expected) in cases {
            let notification = Notification::new("m").with_data_entry(field, value);
            assert_eq!(
                Event::from_notification(&notification, "t"),
                Err(NotificationError::InvalidEventField { field, expected }),
                "{field}"
            );
        }
        let nulls = Notification::new("m")
            .with_data_entry("detail", Value::Null)
            .with_data_entry("source", Value::Null);
        assert_eq!(
            Event::from_notification(&nulls, "t").unwrap().source,
            "homeassistant"
        );
    }
}
