//! AWS IoT Core's data plane over restJson1 (signing name `iotdata`): `Publish`, the device
//! shadows (`GetThingShadow`, `UpdateThingShadow`, `DeleteThingShadow`,
//! `ListNamedShadowsForThing`) and the retained messages (`GetRetainedMessage`,
//! `ListRetainedMessages`).
//!
//! Shadows behave as AWS's: an update merges into the state (`null` deletes), bumps the
//! version, refuses a stale `version` with `ConflictException` and a state document over
//! [`MAX_SHADOW_STATE`] with `RequestEntityTooLargeException`; a shadow needs no registered
//! thing. A `Publish` with `retain=true` is kept (an empty payload deletes it) and goes to the
//! broker of [`Emulator::connect_mqtt`](super::Emulator::connect_mqtt).

use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::fault::FaultKind;
use super::iot_core::{IotCore, MAX_PAYLOAD, MAX_SHADOW_STATE, Shadow, now_secs};
use super::protocol::{ErrorShape, Input, Protocol, Rejection, Reply};
use super::{Context, ServiceModel, lock};
use crate::emulator::call::Request;
use crate::service::AwsService;

/// The parameters of an IoT data-plane `Publish` call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct IotPublish {
    /// `topic`.
    pub topic: String,
    /// `qos`, 0 or 1 (0 when not sent).
    pub qos: u8,
    /// `retain`.
    pub retain: bool,
    /// The payload.
    pub payload: Vec<u8>,
}

/// The parameters of a `GetThingShadow` call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetThingShadow {
    /// `thingName`.
    pub thing_name: String,
    /// `name`, the named shadow; `None` for the classic shadow.
    pub shadow_name: Option<String>,
}

/// The parameters of an `UpdateThingShadow` call.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct UpdateThingShadow {
    /// `thingName`.
    pub thing_name: String,
    /// `name`, the named shadow; `None` for the classic shadow.
    pub shadow_name: Option<String>,
    /// The update document.
    pub document: Value,
}

/// The parameters of a `DeleteThingShadow` call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeleteThingShadow {
    /// `thingName`.
    pub thing_name: String,
    /// `name`, the named shadow; `None` for the classic shadow.
    pub shadow_name: Option<String>,
}

/// The parameters of a `ListNamedShadowsForThing` call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListNamedShadowsForThing {
    /// `thingName`.
    pub thing_name: String,
    /// `pageSize`, 1 to 100.
    pub page_size: Option<usize>,
    /// `nextToken`.
    pub next_token: Option<String>,
}

/// The parameters of a `GetRetainedMessage` call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetRetainedMessage {
    /// `topic`.
    pub topic: String,
}

/// The parameters of a `ListRetainedMessages` call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListRetainedMessages {
    /// `maxResults`, 1 to 200.
    pub max_results: Option<usize>,
    /// `nextToken`.
    pub next_token: Option<String>,
}

super::iot::targets! {
    IotPublish => topic,
    GetRetainedMessage => topic,
    GetThingShadow => thing_name,
    UpdateThingShadow => thing_name,
    DeleteThingShadow => thing_name,
    ListNamedShadowsForThing => thing_name;
    ListRetainedMessages
}

/// The data-plane service.
#[derive(Debug)]
pub(super) struct IotData {
    pub(super) core: Arc<IotCore>,
}

fn invalid(message: impl Into<String>) -> Rejection {
    Rejection::Invalid(ErrorShape::sender(400, "InvalidRequestException", message))
}

fn decoded(label: &str) -> String {
    percent_encoding::percent_decode_str(label)
        .decode_utf8_lossy()
        .into_owned()
}

/// A thing name: 1 to 128 of `[a-zA-Z0-9:_-]`.
fn thing_name(label: &str) -> Result<String, Rejection> {
    let name = decoded(label);
    if name.is_empty()
        || name.len() > 128
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '_' | '-'))
    {
        return Err(invalid(format!(
            "1 validation error detected: Value '{name}' at 'thingName' failed to satisfy constraint"
        )));
    }
    Ok(name)
}

/// A shadow name: 1 to 64 of `[$a-zA-Z0-9:_-]`.
fn shadow_name(request: &wiremock::Request) -> Result<Option<String>, Rejection> {
    let Some(name) = query(request, "name") else {
        return Ok(None);
    };
    if name.is_empty()
        || name.len() > 64
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '$' | ':' | '_' | '-'))
    {
        return Err(invalid(format!(
            "1 validation error detected: Value '{name}' at 'shadowName' failed to satisfy constraint"
        )));
    }
    Ok(Some(name))
}

fn query(request: &wiremock::Request, key: &str) -> Option<String> {
    request
        .url
        .query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

fn bounded_number(
    request: &wiremock::Request,
    key: &str,
    max: usize,
) -> Result<Option<usize>, Rejection> {
    match query(request, key) {
        None => Ok(None),
        Some(text) => match text.parse::<usize>() {
            Ok(n) if (1..=max).contains(&n) => Ok(Some(n)),
            _ => Err(invalid(format!("{key} must be 1 to {max}, not {text}"))),
        },
    }
}

/// A topic from a path label: percent-decoded, without wildcards.
fn topic_of(label: &str) -> Result<String, Rejection> {
    let topic = decoded(label);
    if topic.is_empty() || topic.contains(['+', '#']) || topic.len() > 256 {
        return Err(invalid(format!("invalid topic {topic:?}")));
    }
    Ok(topic)
}

impl IotData {
    fn route(request: &wiremock::Request) -> Result<Request, Rejection> {
        let path = request.url.path();
        let method = request.method.as_str();
        if let Some(topic) = path.strip_prefix("/topics/") {
            if method != "POST" {
                return Err(Rejection::Unsupported(format!("{method} {path}")));
            }
            let qos = match query(request, "qos").as_deref() {
                None | Some("0") => 0,
                Some("1") => 1,
                Some(other) => return Err(invalid(format!("qos must be 0 or 1, not {other}"))),
            };
            if request.body.len() > MAX_PAYLOAD {
                return Err(Rejection::Invalid(ErrorShape::sender(
                    413,
                    "RequestEntityTooLargeException",
                    "The payload exceeds the maximum size allowed",
                )));
            }
            return Ok(IotPublish {
                topic: topic_of(topic)?,
                qos,
                retain: query(request, "retain").as_deref() == Some("true"),
                payload: request.body.clone(),
            }
            .into());
        }
        if let Some(thing) = path
            .strip_prefix("/things/")
            .and_then(|rest| rest.strip_suffix("/shadow"))
        {
            let thing_name = thing_name(thing)?;
            let shadow_name = shadow_name(request)?;
            return match method {
                "GET" => Ok(GetThingShadow {
                    thing_name,
                    shadow_name,
                }
                .into()),
                "DELETE" => Ok(DeleteThingShadow {
                    thing_name,
                    shadow_name,
                }
                .into()),
                "POST" => {
                    if request.body.len() > MAX_SHADOW_STATE * 2 {
                        return Err(Rejection::Invalid(ErrorShape::sender(
                            413,
                            "RequestEntityTooLargeException",
                            "The payload exceeds the maximum size allowed",
                        )));
                    }
                    let document =
                        serde_json::from_slice::<Value>(&request.body).map_err(|error| {
                            invalid(format!("Payload contains invalid json: {error}"))
                        })?;
                    Ok(UpdateThingShadow {
                        thing_name,
                        shadow_name,
                        document,
                    }
                    .into())
                }
                _ => Err(Rejection::Unsupported(format!("{method} {path}"))),
            };
        }
        if let Some(thing) = path.strip_prefix("/api/things/shadow/ListNamedShadowsForThing/") {
            return Ok(ListNamedShadowsForThing {
                thing_name: thing_name(thing)?,
                page_size: bounded_number(request, "pageSize", 100)?,
                next_token: query(request, "nextToken"),
            }
            .into());
        }
        if path == "/retainedMessage" && method == "GET" {
            return Ok(ListRetainedMessages {
                max_results: bounded_number(request, "maxResults", 200)?,
                next_token: query(request, "nextToken"),
            }
            .into());
        }
        if let Some(topic) = path.strip_prefix("/retainedMessage/") {
            return Ok(GetRetainedMessage {
                topic: topic_of(topic)?,
            }
            .into());
        }
        Err(Rejection::Unsupported(format!("{method} {path}")))
    }
}

fn not_found(message: String) -> Reply {
    Reply::Error(ErrorShape::sender(
        404,
        "ResourceNotFoundException",
        message,
    ))
}

fn raw_json(body: &Value) -> Reply {
    Reply::Http {
        status: 200,
        headers: Vec::new(),
        body: body.to_string().into_bytes(),
        content_type: "application/json",
    }
}

fn timestamps(at: &std::collections::BTreeMap<String, u64>) -> Value {
    Value::Object(
        at.iter()
            .map(|(key, secs)| (key.clone(), json!({ "timestamp": secs })))
            .collect(),
    )
}

/// The GetThingShadow document.
pub(super) fn document(shadow: &Shadow) -> Value {
    let mut state = Map::new();
    let mut metadata = Map::new();
    if !shadow.desired.is_empty() {
        state.insert("desired".into(), Value::Object(shadow.desired.clone()));
        metadata.insert("desired".into(), timestamps(&shadow.desired_at));
    }
    if !shadow.reported.is_empty() {
        state.insert("reported".into(), Value::Object(shadow.reported.clone()));
        metadata.insert("reported".into(), timestamps(&shadow.reported_at));
    }
    let delta: Map<String, Value> = shadow
        .desired
        .iter()
        .filter(|(key, value)| shadow.reported.get(*key) != Some(value))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    if !delta.is_empty() {
        state.insert("delta".into(), Value::Object(delta));
    }
    json!({
        "state": state,
        "metadata": metadata,
        "version": shadow.version,
        "timestamp": shadow.timestamp,
    })
}

fn section<'a>(
    state: &'a Map<String, Value>,
    name: &str,
) -> Result<Option<&'a Map<String, Value>>, Reply> {
    match state.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(fields)) => Ok(Some(fields)),
        Some(_) => Err(bad_request(format!(
            "State contains an invalid node: {name}"
        ))),
    }
}

fn bad_request(message: String) -> Reply {
    Reply::Error(ErrorShape::sender(400, "InvalidRequestException", message))
}

impl IotData {
    fn update(&self, call: &UpdateThingShadow) -> Reply {
        let Some(state) = call.document.get("state").and_then(Value::as_object) else {
            return bad_request("Missing required node: state".to_owned());
        };
        if let Some(key) = state
            .keys()
            .find(|key| !matches!(key.as_str(), "reported" | "desired"))
        {
            return bad_request(format!("State contains an invalid node: '{key}'"));
        }
        let (reported, desired) = match (section(state, "reported"), section(state, "desired")) {
            (Ok(r), Ok(d)) => (r, d),
            (Err(reply), _) | (_, Err(reply)) => return reply,
        };
        let key = (
            call.thing_name.clone(),
            call.shadow_name.clone().unwrap_or_default(),
        );
        let mut shadows = lock(&self.core.shadows);
        let current = shadows.get(&key).cloned().unwrap_or_default();
        if let Some(expected) = call.document.get("version")
            && expected.as_u64() != Some(current.version)
        {
            return Reply::Error(ErrorShape::sender(
                409,
                "ConflictException",
                "Version conflict",
            ));
        }
        let mut next = current;
        let now = now_secs();
        if let Some(fields) = reported {
            for key in super::iot_core::merge(&mut next.reported, fields) {
                next.reported_at.insert(key, now);
            }
            next.reported_at
                .retain(|key, _| next.reported.contains_key(key));
        }
        if let Some(fields) = desired {
            for key in super::iot_core::merge(&mut next.desired, fields) {
                next.desired_at.insert(key, now);
            }
            next.desired_at
                .retain(|key, _| next.desired.contains_key(key));
        }
        let size = Value::Object(next.reported.clone()).to_string().len()
            + Value::Object(next.desired.clone()).to_string().len();
        if size > MAX_SHADOW_STATE {
            return Reply::Error(ErrorShape::sender(
                413,
                "RequestEntityTooLargeException",
                format!(
                    "The shadow state document would be {size} bytes; at most {MAX_SHADOW_STATE} are allowed"
                ),
            ));
        }
        next.version += 1;
        next.timestamp = now;
        let mut answer = json!({
            "state": Value::Object(state.clone()),
            "version": next.version,
            "timestamp": now,
        });
        if let Some(token) = call.document.get("clientToken") {
            answer["clientToken"] = token.clone();
        }
        shadows.insert(key, next);
        raw_json(&answer)
    }
}

impl ServiceModel for IotData {
    fn service(&self) -> AwsService {
        AwsService::IotData
    }

    fn protocol(&self) -> Protocol {
        Protocol::RestJson
    }

    fn recognizes(&self, request: &wiremock::Request) -> bool {
        let path = request.url.path();
        path.starts_with("/topics/")
            || path.starts_with("/retainedMessage")
            || path.starts_with("/api/things/shadow/")
            || (path.starts_with("/things/") && path.ends_with("/shadow"))
    }

    fn decode(&self, input: Input<'_>) -> Result<Request, Rejection> {
        let Input::Rest(request) = input else {
            return Err(Rejection::mismatch());
        };
        Self::route(request)
    }

    fn reply(&self, request: &Request, _context: &mut Context<'_>) -> Reply {
        match request {
            Request::IotDataPublish(call) => {
                self.core
                    .publish(&call.topic, &call.payload, call.qos, call.retain);
                Reply::Json(json!({}))
            }
            Request::IotDataGetThingShadow(call) => {
                let key = (
                    call.thing_name.clone(),
                    call.shadow_name.clone().unwrap_or_default(),
                );
                match lock(&self.core.shadows).get(&key) {
                    Some(shadow) => raw_json(&document(shadow)),
                    None => not_found(format!(
                        "No shadow exists with name: '{}'",
                        call.shadow_name.as_deref().unwrap_or(&call.thing_name)
                    )),
                }
            }
            Request::IotDataUpdateThingShadow(call) => self.update(call),
            Request::IotDataDeleteThingShadow(call) => {
                let key = (
                    call.thing_name.clone(),
                    call.shadow_name.clone().unwrap_or_default(),
                );
                match lock(&self.core.shadows).remove(&key) {
                    Some(shadow) => raw_json(&json!({
                        "version": shadow.version,
                        "timestamp": now_secs(),
                    })),
                    None => not_found(format!(
                        "No shadow exists with name: '{}'",
                        call.shadow_name.as_deref().unwrap_or(&call.thing_name)
                    )),
                }
            }
            Request::IotDataListNamedShadowsForThing(call) => {
                let names: Vec<String> = lock(&self.core.shadows)
                    .keys()
                    .filter(|(thing, name)| thing == &call.thing_name && !name.is_empty())
                    .map(|(_, name)| name.clone())
                    .collect();
                let (page, next) = page(
                    &names,
                    call.next_token.as_deref(),
                    call.page_size.unwrap_or(100),
                );
                let mut body = json!({ "results": page, "timestamp": now_secs() });
                if let Some(next) = next {
                    body["nextToken"] = json!(next);
                }
                Reply::Json(body)
            }
            Request::IotDataGetRetainedMessage(call) => {
                use base64::Engine as _;
                match lock(&self.core.retained).get(&call.topic) {
                    Some(message) => Reply::Json(json!({
                        "topic": call.topic,
                        "payload": base64::engine::general_purpose::STANDARD.encode(&message.payload),
                        "qos": message.qos,
                        "lastModifiedTime": message.modified_ms,
                    })),
                    None => not_found(format!("No retained message on topic {}", call.topic)),
                }
            }
            Request::IotDataListRetainedMessages(call) => {
                let retained = lock(&self.core.retained);
                let topics: Vec<String> = retained.keys().cloned().collect();
                let (page, next) = page(
                    &topics,
                    call.next_token.as_deref(),
                    call.max_results.unwrap_or(200),
                );
                let summaries: Vec<Value> = page
                    .iter()
                    .filter_map(|topic| {
                        retained.get(topic).map(|message| {
                            json!({
                                "topic": topic,
                                "payloadSize": message.payload.len(),
                                "qos": message.qos,
                                "lastModifiedTime": message.modified_ms,
                            })
                        })
                    })
                    .collect();
                let mut body = json!({ "retainedTopics": summaries });
                if let Some(next) = next {
                    body["nextToken"] = json!(next);
                }
                Reply::Json(body)
            }
            _ => Reply::Error(ErrorShape::receiver(
                500,
                "InternalFailureException",
                "not an IoT data-plane operation",
            )),
        }
    }

    fn fault(&self, request: &Request, kind: &FaultKind) -> ErrorShape {
        let target = request.target().unwrap_or_default();
        match kind {
            FaultKind::Throttling => {
                ErrorShape::sender(429, "ThrottlingException", "Rate exceeded")
            }
            FaultKind::NotFound => ErrorShape::sender(
                404,
                "ResourceNotFoundException",
                format!("{target} not found"),
            ),
            FaultKind::AccessDenied => ErrorShape::sender(
                403,
                "ForbiddenException",
                format!(
                    "User: arn:aws:iam::{}:user/emulator is not authorized to perform: iot:{} on resource: {target}",
                    super::ACCOUNT_ID,
                    request.operation().name()
                ),
            ),
            _ => ErrorShape::receiver(
                503,
                "ServiceUnavailableException",
                "The service is temporarily unavailable",
            ),
        }
    }
}

/// One page of `items` after the opaque `token` (the index of the page's first item), and the
/// token of the next page.
pub(super) fn page<T: Clone>(
    items: &[T],
    token: Option<&str>,
    size: usize,
) -> (Vec<T>, Option<String>) {
    let start = token
        .and_then(|t| t.parse::<usize>().ok())
        .unwrap_or(0)
        .min(items.len());
    let end = start.saturating_add(size).min(items.len());
    let next = (end < items.len()).then(|| end.to_string());
    (items[start..end].to_vec(), next)
}
