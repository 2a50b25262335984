//! An Alexa Smart Home skill for Tasmota devices on AWS IoT Core, with no hub: one Lambda
//! function answers Alexa from the devices' state mirrored in AWS IoT, and carries out
//! directives through the data plane.
//!
//! # How it fits together
//!
//! - [`SkillProvisioner`] registers a thing per device (attribute `kind=tasmota`) and creates
//!   six topic rules, one per mirrored message kind ([`Kind`]), each invoking the skill's
//!   function with `SELECT topic() AS topic, encode(*, 'base64') AS payload, timestamp() AS
//!   at`; the function is allowed to be invoked by each rule only.
//! - For such a rule event, [`Skill::handle`] keeps the message in the device's named shadow
//!   `tasmota` ([`MIRROR_SHADOW`], format in [`mirror`](crate::skill::Mirror)), sends
//!   ChangeReports for what changed by hand, and answers a deferred directive when the
//!   device's RESULT arrives.
//! - For an Alexa directive, it answers through ha-alexa's dispatcher: Discover lists the
//!   registered things and builds each device's entities from its mirrored discovery config
//!   with tasmota-proto, then endpoints with ha-alexa's `tasmota` mapping; ReportState answers
//!   from the mirrored state with each value's real time of sample, ENDPOINT_UNREACHABLE when
//!   the LWT says offline; a control directive publishes the entity's command (QoS 1) and
//!   waits up to [`SkillConfig::answer_within`] for the device's RESULT to reach the shadow:
//!   then the Response carries the device's state, otherwise Alexa gets a DeferredResponse,
//!   the RESULT's invocation sends the Response to the event gateway, and a follow-up
//!   invocation of the function sends ENDPOINT_UNREACHABLE if the device has not answered by
//!   the deadline ([`SkillConfig::deferral`]).
//! - AcceptGrant goes to Login with Amazon through ha-alexa's `proactive` parts; the tokens
//!   live in a shadow of the skill's own thing ([`ShadowLwaStore`], which explains why).
//!
//! Why the rules invoke the function rather than republish into the shadow topic: the LWT is
//! plain text, which a republish SQL cannot put into a JSON shadow without losing it; the
//! sensors message names the device by MAC, not by topic, so it needs a registry lookup; each
//! kind must replace its entry whole (a shadow update merges objects, and RESULTs differ in
//! keys); and the skill must see every RESULT and state change anyway to answer deferred
//! directives and send ChangeReports. One invocation per mirrored message is the price; at
//! Tasmota's default TelePeriod (300 s) that is under 30,000 a month per device.

mod mirror;
mod provision;
mod store;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use aws_smithy_types::Blob;
use futures_util::StreamExt as _;
use ha_alexa::discovery::DiscoveryEndpoint;
use ha_alexa::gateway::{EventGateway, GatewayConfig, ProactiveStatus};
use ha_alexa::interface::authorization::AcceptGrant;
use ha_alexa::lwa::{LwaClient, LwaConfig};
use ha_alexa::tasmota;
use ha_alexa::{
    AlexaError, CauseType, Context, CorrelationToken, Dispatcher, EndpointId, Event, Hub, Outcome,
    Property, PropertyValue, ReplyTo, Request, Timestamp,
};
use serde_json::{Value, json};

#[doc(hidden)]
pub use mirror::fuzz_mirror;
pub use mirror::{
    Entry, Kind, MAX_DOCUMENT, MAX_TEXT, MAX_TOKEN, Mirror, MirrorError, Mirrored, Mode, Pending,
    Report, RuleEvent, rule_sql,
};
pub use provision::{SkillProvisioned, SkillProvisioner, rule_name};
pub use store::{ShadowLwaStore, TOKEN_SHADOW};

use crate::error::from_sdk;
use crate::service::Operation;
use crate::session::Session;

/// The named shadow each device's state is mirrored into.
pub const MIRROR_SHADOW: &str = "tasmota";
/// The thing attribute that marks a Tasmota device of the skill, with value [`KIND_VALUE`].
pub const KIND_ATTRIBUTE: &str = "kind";
/// The value of [`KIND_ATTRIBUTE`].
pub const KIND_VALUE: &str = "tasmota";
/// The thing attribute holding the device's MAC (its endpoints' prefix), set when its
/// discovery config is mirrored.
pub const MAC_ATTRIBUTE: &str = "mac";
/// The most MAC-to-thing lookups a warm function keeps.
const THING_CACHE: usize = 1024;
/// How many shadows Discover reads at once.
const DISCOVER_CONCURRENCY: usize = 8;
/// How often a conditional shadow update is retried after a version conflict.
const WRITE_ATTEMPTS: usize = 5;

/// How the skill waits for devices, and the names it uses.
#[derive(Debug, Clone)]
pub struct SkillConfig {
    answer_within: Duration,
    poll_every: Duration,
    deferral: Duration,
    token_thing: String,
    function_name: String,
}

impl Default for SkillConfig {
    /// Waits 3 s for a device (well inside Alexa's 8 s), polls the shadow every 150 ms,
    /// defers for up to 20 s; tokens in thing `ha-rs-alexa-skill`; the function is
    /// `tasmota-alexa-skill`.
    fn default() -> Self {
        Self {
            answer_within: Duration::from_secs(3),
            poll_every: Duration::from_millis(150),
            deferral: Duration::from_secs(20),
            token_thing: "ha-rs-alexa-skill".to_owned(),
            function_name: "tasmota-alexa-skill".to_owned(),
        }
    }
}

impl SkillConfig {
    /// How long a control directive waits for the device's RESULT before it is deferred;
    /// at most 6 s, so Alexa gets an answer inside its 8 s.
    #[must_use]
    pub fn with_answer_within(mut self, wait: Duration) -> Self {
        self.answer_within = wait.min(Duration::from_secs(6));
        self
    }

    /// How often the shadow is read while waiting (at least 10 ms).
    #[must_use]
    pub fn with_poll_every(mut self, every: Duration) -> Self {
        self.poll_every = every.max(Duration::from_millis(10));
        self
    }

    /// How long a deferred directive waits for the device before ENDPOINT_UNREACHABLE goes
    /// to the event gateway (1 s to 5 min; the function's timeout must exceed it).
    #[must_use]
    pub fn with_deferral(mut self, deferral: Duration) -> Self {
        self.deferral = deferral.clamp(Duration::from_secs(1), Duration::from_mins(5));
        self
    }

    /// The thing whose shadow holds the Login-with-Amazon tokens.
    #[must_use]
    pub fn with_token_thing(mut self, thing: impl Into<String>) -> Self {
        self.token_thing = thing.into();
        self
    }

    /// The function's own name, for its follow-up invocations.
    #[must_use]
    pub fn with_function_name(mut self, name: impl Into<String>) -> Self {
        self.function_name = name.into();
        self
    }

    /// The wait for a device's answer.
    pub fn answer_within(&self) -> Duration {
        self.answer_within
    }

    /// The deferral.
    pub fn deferral(&self) -> Duration {
        self.deferral
    }

    /// The function's name.
    pub fn function_name(&self) -> &str {
        &self.function_name
    }
}

/// What went wrong handling an event.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SkillError {
    /// The event is none of the skill's: not a directive, a rule event or a follow-up.
    #[error("unknown event: {0}")]
    UnknownEvent(String),
    /// A rule event or shadow document was refused.
    #[error(transparent)]
    Mirror(#[from] MirrorError),
    /// An AWS call failed.
    #[error(transparent)]
    Aws(#[from] crate::Error),
    /// The directive does not decode.
    #[error(transparent)]
    Directive(#[from] ha_alexa::DecodeError),
}

impl SkillError {
    fn to_alexa(&self) -> AlexaError {
        AlexaError::internal_error(self.to_string())
    }
}

/// What a rule event did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MirrorOutcome {
    /// Kept in the thing's shadow.
    Kept {
        /// The thing.
        thing: String,
        /// The kind.
        kind: Kind,
    },
    /// Not kept, and why (an unregistered device, an older message than the mirrored one).
    Skipped(String),
}

/// The skill: [`Skill::handle`] takes every event the function gets.
pub struct Skill {
    inner: Arc<Inner>,
    dispatcher: Dispatcher<Arc<Inner>>,
}

impl core::fmt::Debug for Skill {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Skill")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

struct Inner {
    iot: aws_sdk_iot::Client,
    data: aws_sdk_iotdataplane::Client,
    lambda: aws_sdk_lambda::Client,
    config: SkillConfig,
    lwa: LwaConfig,
    gateway_config: GatewayConfig,
    gateway: tokio::sync::Mutex<Option<Arc<EventGateway<ShadowLwaStore>>>>,
    things: Mutex<HashMap<String, String>>,
}

fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn stamp(millis: Option<i64>) -> Timestamp {
    millis
        .and_then(|m| Timestamp::from_unix_millis(m).ok())
        .unwrap_or_else(Timestamp::now)
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The MAC an endpointId of the `tasmota` mapping starts with.
fn mac_of(endpoint: &EndpointId) -> Option<&str> {
    let (mac, _) = endpoint.as_str().split_once('_')?;
    (mac.len() == 12 && mac.chars().all(|c| c.is_ascii_hexdigit())).then_some(mac)
}

/// Whether `name` is a valid thing name.
fn is_thing_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 128
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '_' | '-'))
}

/// The Alexa properties of entity `index` with their times of sample.
fn properties_of(mirrored: &Mirrored, index: usize) -> Vec<Property> {
    let tracker = &mirrored.tracker;
    let (Some(entity), Some(state)) = (tracker.device().entities.get(index), tracker.state(index))
    else {
        return Vec::new();
    };
    tasmota::properties(entity, state, tracker.available())
        .into_iter()
        .map(|value| {
            let at = match value {
                PropertyValue::Connectivity(_) => mirrored.lwt_at,
                _ => mirrored.sampled.get(index).copied().flatten(),
            };
            Property::new(value, stamp(at))
        })
        .collect()
}

#[cfg(feature = "emulator")]
impl Skill {
    /// Serves this skill as the emulator's Lambda function `name`, so that the emulated topic
    /// rules' Lambda actions (and the skill's own asynchronous self-invocation) reach
    /// [`Skill::handle`]; an invocation that fails is logged, as Lambda would.
    pub fn serve_on(self: &Arc<Self>, emulator: &crate::emulator::Emulator, name: &str) {
        let served = Arc::clone(self);
        emulator.serve_function(name, move |event| {
            let skill = Arc::clone(&served);
            async move {
                if let Err(error) = skill.handle(&event).await {
                    tracing::warn!(%error, "skill invocation failed");
                }
            }
        });
    }
}

impl Skill {
    /// The skill on `session`'s account, with Login-with-Amazon settings `lwa` (the "Send
    /// Alexa Events" credentials) and the event gateway of `gateway`.
    pub fn new(
        session: &Session,
        config: SkillConfig,
        lwa: LwaConfig,
        gateway: GatewayConfig,
    ) -> Self {
        let sdk = session.sdk_config();
        let inner = Arc::new(Inner {
            iot: aws_sdk_iot::Client::new(sdk),
            data: aws_sdk_iotdataplane::Client::new(sdk),
            lambda: aws_sdk_lambda::Client::new(sdk),
            config,
            lwa,
            gateway_config: gateway,
            gateway: tokio::sync::Mutex::new(None),
            things: Mutex::new(HashMap::new()),
        });
        Self {
            dispatcher: Dispatcher::new(Arc::clone(&inner)),
            inner,
        }
    }

    /// The settings.
    pub fn config(&self) -> &SkillConfig {
        &self.inner.config
    }

    /// Handles one event of the function: an Alexa directive (answered with the event Alexa
    /// gets), a mirroring rule's event, or the skill's own follow-up for a deferred
    /// directive (both answered with a short JSON summary).
    ///
    /// # Errors
    ///
    /// [`SkillError`] for an event that is none of those or does not decode, and when AWS
    /// cannot be reached to mirror a message (the invocation then fails, and Lambda retries
    /// it as it retries asynchronous invocations). A directive always gets an answer: its
    /// failures are ErrorResponses.
    pub async fn handle(&self, event: &Value) -> Result<Value, SkillError> {
        if event.get("directive").is_some() {
            let answer = self.directive(event.to_string().as_bytes()).await?;
            return serde_json::to_value(&answer)
                .map_err(|error| SkillError::UnknownEvent(error.to_string()));
        }
        if event.get("ha-rs-skill").and_then(Value::as_str) == Some("expire") {
            self.inner.expire(event).await?;
            return Ok(json!({ "expired": true }));
        }
        if event.get("topic").is_some() {
            let rule_event = RuleEvent::from_json(event)?;
            return Ok(match self.inner.mirror(&rule_event).await? {
                MirrorOutcome::Kept { thing, kind } => {
                    json!({ "mirrored": kind.key(), "thing": thing })
                }
                MirrorOutcome::Skipped(why) => json!({ "skipped": why }),
            });
        }
        let keys: Vec<&str> = event
            .as_object()
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default();
        Err(SkillError::UnknownEvent(format!(
            "neither a directive, a rule event nor a follow-up (keys {keys:?})"
        )))
    }

    /// Answers one Alexa directive.
    ///
    /// # Errors
    ///
    /// [`SkillError::Directive`] when the bytes are not a directive.
    pub async fn directive(&self, bytes: &[u8]) -> Result<Event, SkillError> {
        Ok(self.dispatcher.handle_slice(bytes).await?)
    }

    /// Mirrors one device message into its thing's shadow (what a rule event does).
    ///
    /// # Errors
    ///
    /// As [`Skill::handle`].
    pub async fn mirror(&self, event: &RuleEvent) -> Result<MirrorOutcome, SkillError> {
        self.inner.mirror(event).await
    }
}

impl Inner {
    async fn read(&self, thing: &str) -> Result<Mirror, SkillError> {
        let answer = self
            .data
            .get_thing_shadow()
            .thing_name(thing)
            .shadow_name(MIRROR_SHADOW)
            .send()
            .await;
        match answer {
            Ok(output) => Ok(Mirror::from_shadow(
                output.payload.as_ref().map_or(&b"{}"[..], Blob::as_ref),
            )?),
            Err(e) => {
                let error = crate::Error::from(from_sdk(
                    e,
                    Operation::IOT_DATA_GET_THING_SHADOW,
                    Some(thing),
                ));
                if error.is_not_found() {
                    Ok(Mirror::default())
                } else {
                    Err(error.into())
                }
            }
        }
    }

    /// A conditional update of the mirror; `false` when another update came first.
    async fn write(
        &self,
        thing: &str,
        reported: Value,
        version: Option<u64>,
    ) -> Result<bool, SkillError> {
        let mut document = json!({ "state": { "reported": reported } });
        if let Some(version) = version {
            document["version"] = json!(version);
        }
        let answer = self
            .data
            .update_thing_shadow()
            .thing_name(thing)
            .shadow_name(MIRROR_SHADOW)
            .payload(Blob::new(document.to_string()))
            .send()
            .await;
        match answer {
            Ok(_) => Ok(true),
            Err(e) => {
                let error = from_sdk(e, Operation::IOT_DATA_UPDATE_THING_SHADOW, Some(thing));
                if error.code() == Some("ConflictException") {
                    Ok(false)
                } else {
                    Err(crate::Error::from(error).into())
                }
            }
        }
    }

    /// The registered Tasmota things.
    async fn things(&self) -> Result<Vec<String>, SkillError> {
        let mut names = Vec::new();
        let mut next: Option<String> = None;
        loop {
            let page = self
                .iot
                .list_things()
                .attribute_name(KIND_ATTRIBUTE)
                .attribute_value(KIND_VALUE)
                .max_results(250)
                .set_next_token(next.take())
                .send()
                .await
                .map_err(|e| crate::Error::from(from_sdk(e, Operation::IOT_LIST_THINGS, None)))?;
            names.extend(
                page.things()
                    .iter()
                    .filter_map(|thing| thing.thing_name().map(str::to_owned)),
            );
            match page.next_token() {
                Some(token) if !token.is_empty() => next = Some(token.to_owned()),
                _ => return Ok(names),
            }
        }
    }

    /// The thing whose device has MAC `mac`.
    async fn thing_by_mac(&self, mac: &str) -> Result<Option<String>, SkillError> {
        if let Some(thing) = lock(&self.things).get(mac) {
            return Ok(Some(thing.clone()));
        }
        let page = self
            .iot
            .list_things()
            .attribute_name(MAC_ATTRIBUTE)
            .attribute_value(mac)
            .send()
            .await
            .map_err(|e| crate::Error::from(from_sdk(e, Operation::IOT_LIST_THINGS, Some(mac))))?;
        let thing = page
            .things()
            .iter()
            .find(|thing| {
                thing
                    .attributes()
                    .and_then(|a| a.get(KIND_ATTRIBUTE))
                    .map(String::as_str)
                    == Some(KIND_VALUE)
            })
            .and_then(|thing| thing.thing_name().map(str::to_owned));
        if let Some(thing) = &thing {
            self.remember(mac, thing);
        }
        Ok(thing)
    }

    fn remember(&self, mac: &str, thing: &str) {
        let mut things = lock(&self.things);
        if things.len() >= THING_CACHE {
            things.clear();
        }
        things.insert(mac.to_owned(), thing.to_owned());
    }

    /// The thing and mirrored device of an endpoint.
    async fn device_of(
        &self,
        endpoint: &EndpointId,
    ) -> Result<Option<(String, Mirror, Mirrored)>, AlexaError> {
        let Some(mac) = mac_of(endpoint) else {
            return Ok(None);
        };
        let Some(thing) = self.thing_by_mac(mac).await.map_err(|e| e.to_alexa())? else {
            return Ok(None);
        };
        let mirror = self.read(&thing).await.map_err(|e| e.to_alexa())?;
        let Some(mirrored) = mirror
            .mirrored()
            .map_err(|e| SkillError::from(e).to_alexa())?
        else {
            return Ok(None);
        };
        Ok(Some((thing, mirror, mirrored)))
    }

    async fn gateway(&self) -> Option<Arc<EventGateway<ShadowLwaStore>>> {
        let mut slot = self.gateway.lock().await;
        // An instance opened before the account was linked looks again: another instance
        // may have handled AcceptGrant since.
        let stale = slot
            .as_ref()
            .is_some_and(|g| !matches!(g.status(), ProactiveStatus::Enabled));
        if slot.is_none() || stale {
            let store = ShadowLwaStore::new(self.data.clone(), self.config.token_thing.clone());
            let opened = match LwaClient::new(self.lwa.clone(), store) {
                Ok(lwa) => EventGateway::open(self.gateway_config.clone(), lwa)
                    .await
                    .ok(),
                Err(error) => {
                    tracing::warn!(%error, "the Login-with-Amazon client cannot be built");
                    None
                }
            };
            if let Some(gateway) = opened {
                *slot = Some(Arc::new(gateway));
            }
        }
        slot.clone()
    }

    /// Sends an event to the event gateway; a failure is logged (the device's state is kept
    /// whatever Alexa hears).
    async fn send(&self, event: Event) {
        let name = event.header().name.as_str().to_owned();
        let Some(gateway) = self.gateway().await else {
            tracing::warn!(event = %name, "no event gateway; event not sent");
            return;
        };
        if let Err(error) = gateway.send(event).await {
            tracing::warn!(event = %name, %error, "the event gateway refused an event");
        }
    }

    #[expect(
        clippy::too_many_lines,
        reason = "one pass over a mirrored message: decode, store, answer a waiting directive, report"
    )]
    async fn mirror(&self, event: &RuleEvent) -> Result<MirrorOutcome, SkillError> {
        let Some((kind, device)) = event.kind() else {
            return Ok(MirrorOutcome::Skipped(format!(
                "{} is not mirrored",
                event.topic
            )));
        };
        let text = String::from_utf8(event.payload.clone()).map_err(|_| MirrorError::Shape {
            at: "payload".to_owned(),
            reason: "not UTF-8 text".to_owned(),
        })?;
        if text.len() > MAX_TEXT {
            return Err(MirrorError::TooLong {
                at: "payload".to_owned(),
                len: text.len(),
                max: MAX_TEXT,
            }
            .into());
        }
        let thing = match kind {
            Kind::Config => match self.register_mac(device, &text).await? {
                Some(thing) => thing,
                None => {
                    return Ok(MirrorOutcome::Skipped(format!(
                        "{device} is not a registered device"
                    )));
                }
            },
            Kind::Sensors => match self.thing_by_mac(device).await? {
                Some(thing) => thing,
                None => {
                    return Ok(MirrorOutcome::Skipped(format!(
                        "no registered device has MAC {device}"
                    )));
                }
            },
            _ if is_thing_name(device) => device.to_owned(),
            _ => {
                return Ok(MirrorOutcome::Skipped(format!(
                    "{device} is not a thing name"
                )));
            }
        };
        let entry = Entry {
            topic: event.topic.clone(),
            text,
            at: event.at,
        };
        for _ in 0..WRITE_ATTEMPTS {
            let mirror = self.read(&thing).await?;
            if mirror.at(kind).is_some_and(|at| at > entry.at) {
                return Ok(MirrorOutcome::Skipped(format!(
                    "an older {} than the mirrored one",
                    kind.key()
                )));
            }
            let mut mirrored = mirror.mirrored().ok().flatten();
            let reports = match (kind, mirrored.as_mut()) {
                (Kind::Config | Kind::Sensors, _) | (_, None) => Vec::new(),
                (_, Some(m)) => m.apply(&entry),
            };
            let now = now_millis();
            let live = mirror.pending.clone().filter(|p| p.deadline >= now);
            let offline = kind == Kind::Lwt
                && mirrored
                    .as_ref()
                    .is_some_and(|m| m.tracker.available() == Some(false));
            let answered = live.clone().filter(|_| kind == Kind::Result || offline);
            let mut reported = json!({ kind.key(): entry.to_json() });
            if answered.is_some() || (mirror.pending.is_some() && live.is_none()) {
                reported["pending"] = Value::Null;
            }
            if !self.write(&thing, reported, mirror.version).await? {
                continue;
            }
            if let (Some(pending), Some(mirrored)) = (&answered, &mirrored)
                && pending.mode == Mode::Deferred
            {
                self.answer_deferred(pending, mirrored, offline).await;
            }
            for report in reports {
                let answers_directive = live
                    .as_ref()
                    .is_some_and(|p| p.endpoint == report.endpoint.as_str());
                if answers_directive {
                    continue;
                }
                let changed = report
                    .values
                    .into_iter()
                    .map(|value| Property::new(value, stamp(Some(entry.at))))
                    .collect();
                if let Some(gateway) = self.gateway().await
                    && let Err(error) = gateway
                        .change_report(
                            report.endpoint.clone(),
                            CauseType::PhysicalInteraction,
                            changed,
                            Vec::new(),
                        )
                        .await
                {
                    tracing::warn!(endpoint = report.endpoint.as_str(), %error, "ChangeReport not sent");
                }
            }
            return Ok(MirrorOutcome::Kept { thing, kind });
        }
        Err(SkillError::Aws(crate::Error::from(
            crate::ServiceError::new(
                Operation::IOT_DATA_UPDATE_THING_SHADOW,
                Some(&thing),
                crate::ErrorKind::Throttling,
            )
            .with_code(Some("ConflictException"), Some("the shadow kept changing")),
        )))
    }

    /// Sends the asynchronous answer of a deferred directive: the Response with the device's
    /// state, or ENDPOINT_UNREACHABLE when it went offline.
    async fn answer_deferred(&self, pending: &Pending, mirrored: &Mirrored, offline: bool) {
        let (Ok(token), Ok(endpoint)) = (
            CorrelationToken::try_new(pending.token.clone()),
            EndpointId::try_new(pending.endpoint.clone()),
        ) else {
            return;
        };
        let reply = ReplyTo::new(Some(token), Some(endpoint.clone()));
        let event = if offline {
            Event::error_response(
                &reply,
                AlexaError::endpoint_unreachable(format!(
                    "{} went offline",
                    mirrored.tracker.device().topic
                )),
            )
        } else {
            let device = mirrored.tracker.device();
            let mut context = Context::default();
            if let Some((index, _)) = tasmota::entity_of(device, &endpoint) {
                context.merge(properties_of(mirrored, index));
            }
            Event::response(&reply, context)
        };
        self.send(event).await;
    }

    /// On a discovery config: the device's thing (its topic) when registered, with its MAC
    /// recorded for endpoint lookups.
    async fn register_mac(
        &self,
        topic_mac: &str,
        text: &str,
    ) -> Result<Option<String>, SkillError> {
        let config = tasmota_proto::DiscoveryConfig::parse(
            text.as_bytes(),
            &tasmota_proto::DecodeOptions::default(),
        )
        .map_err(|error| MirrorError::Tasmota {
            at: "config".to_owned(),
            reason: error.to_string(),
        })?;
        let thing = config.value.topic.to_owned();
        let mac = config.value.mac.to_hex().to_string();
        if !is_thing_name(&thing) || !mac.eq_ignore_ascii_case(topic_mac) {
            return Ok(None);
        }
        let described = self.iot.describe_thing().thing_name(&thing).send().await;
        let attributes = match described {
            Ok(output) => output.attributes().cloned().unwrap_or_default(),
            Err(e) => {
                let error =
                    crate::Error::from(from_sdk(e, Operation::IOT_DESCRIBE_THING, Some(&thing)));
                if error.is_not_found() {
                    return Ok(None);
                }
                return Err(error.into());
            }
        };
        if attributes.get(KIND_ATTRIBUTE).map(String::as_str) != Some(KIND_VALUE) {
            return Ok(None);
        }
        if attributes.get(MAC_ATTRIBUTE) != Some(&mac) {
            let payload = aws_sdk_iot::types::AttributePayload::builder()
                .attributes(MAC_ATTRIBUTE, &mac)
                .merge(true)
                .build();
            self.iot
                .update_thing()
                .thing_name(&thing)
                .attribute_payload(payload)
                .send()
                .await
                .map_err(|e| {
                    crate::Error::from(from_sdk(e, Operation::IOT_UPDATE_THING, Some(&thing)))
                })?;
        }
        self.remember(&mac, &thing);
        Ok(Some(thing))
    }

    /// The follow-up of a deferred directive: at the deadline, ENDPOINT_UNREACHABLE unless
    /// the device answered.
    async fn expire(&self, event: &Value) -> Result<(), SkillError> {
        let (Some(thing), Some(token), Some(deadline)) = (
            event["thing"].as_str(),
            event["token"].as_str(),
            event["deadline"].as_i64(),
        ) else {
            return Err(SkillError::UnknownEvent(
                "a follow-up needs thing, token and deadline".to_owned(),
            ));
        };
        let wait = u64::try_from(deadline.saturating_sub(now_millis())).unwrap_or(0);
        tokio::time::sleep(Duration::from_millis(wait).min(Duration::from_mins(5))).await;
        for _ in 0..WRITE_ATTEMPTS {
            let mirror = self.read(thing).await?;
            let Some(pending) = mirror.pending.clone().filter(|p| p.token == token) else {
                return Ok(());
            };
            if !self
                .write(thing, json!({ "pending": null }), mirror.version)
                .await?
            {
                continue;
            }
            let (Ok(token), Ok(endpoint)) = (
                CorrelationToken::try_new(pending.token),
                EndpointId::try_new(pending.endpoint),
            ) else {
                return Ok(());
            };
            let seconds = self.config.answer_within.as_secs() + self.config.deferral.as_secs();
            self.send(Event::error_response(
                &ReplyTo::new(Some(token), Some(endpoint)),
                AlexaError::endpoint_unreachable(format!(
                    "{thing} did not answer within {seconds} s"
                )),
            ))
            .await;
            return Ok(());
        }
        Ok(())
    }

    async fn schedule_expiry(
        &self,
        thing: &str,
        token: &str,
        deadline: i64,
    ) -> Result<(), SkillError> {
        let event = json!({ "ha-rs-skill": "expire", "thing": thing, "token": token, "deadline": deadline });
        self.lambda
            .invoke()
            .function_name(&self.config.function_name)
            .invocation_type(aws_sdk_lambda::types::InvocationType::Event)
            .payload(Blob::new(event.to_string()))
            .send()
            .await
            .map_err(|e| {
                crate::Error::from(from_sdk(
                    e,
                    Operation::LAMBDA_INVOKE,
                    Some(&self.config.function_name),
                ))
            })?;
        Ok(())
    }

    /// Publishes a command (QoS 1).
    async fn publish(&self, topic: &str, payload: &str) -> Result<(), SkillError> {
        self.data
            .publish()
            .topic(topic)
            .qos(1)
            .payload(Blob::new(payload.as_bytes().to_vec()))
            .send()
            .await
            .map_err(|e| {
                crate::Error::from(from_sdk(e, Operation::IOT_DATA_PUBLISH, Some(topic)))
            })?;
        Ok(())
    }

    /// Sets the pending directive, conditionally on the version read; `None` on a conflict
    /// after every attempt.
    async fn set_pending(
        &self,
        thing: &str,
        pending: &Pending,
        mut mirror: Mirror,
    ) -> Result<Option<Mirror>, SkillError> {
        for _ in 0..WRITE_ATTEMPTS {
            if self
                .write(
                    thing,
                    json!({ "pending": pending.to_json() }),
                    mirror.version,
                )
                .await?
            {
                return Ok(Some(mirror));
            }
            mirror = self.read(thing).await?;
        }
        Ok(None)
    }

    #[expect(
        clippy::too_many_lines,
        reason = "the wait for the device, step by step"
    )]
    async fn control(&self, request: &Request<'_>) -> Result<Outcome, AlexaError> {
        let endpoint = request.endpoint_id();
        let Some((thing, mirror, mirrored)) = self.device_of(endpoint).await? else {
            return Err(AlexaError::no_such_endpoint(endpoint));
        };
        let Some((index, _)) = tasmota::entity_of(mirrored.tracker.device(), endpoint) else {
            return Err(AlexaError::no_such_endpoint(endpoint));
        };
        let command = tasmota::command(
            &mirrored.tracker,
            index,
            request.payload(),
            request.instance(),
        )?;
        let started = now_millis();
        let answer_ms = i64::try_from(self.config.answer_within.as_millis()).unwrap_or(i64::MAX);
        let deferral_ms = i64::try_from(self.config.deferral.as_millis()).unwrap_or(i64::MAX);
        let token = request
            .directive()
            .reply_to()
            .correlation_token()
            .map(|t| t.as_str().to_owned())
            .filter(|t| t.len() <= MAX_TOKEN);
        let mut pending = token.map(|token| Pending {
            token,
            endpoint: endpoint.as_str().to_owned(),
            mode: Mode::Sync,
            deadline: started
                .saturating_add(answer_ms)
                .saturating_add(deferral_ms),
        });
        let before = mirror.at(Kind::Result);
        if let Some(p) = &pending
            && self
                .set_pending(&thing, p, mirror)
                .await
                .map_err(|e| e.to_alexa())?
                .is_none()
        {
            return Err(AlexaError::internal_error(format!(
                "the shadow of {thing} kept changing"
            )));
        }
        self.publish(command.topic(), command.payload())
            .await
            .map_err(|e| e.to_alexa())?;
        tracing::debug!(thing, topic = command.topic(), "command published");
        let answered =
            |mirror: &Mirror| mirror.at(Kind::Result).is_some_and(|at| Some(at) != before);
        let respond = |mirror: &Mirror| -> Result<Outcome, AlexaError> {
            let mirrored = mirror
                .mirrored()
                .map_err(|e| SkillError::from(e).to_alexa())?
                .ok_or_else(|| AlexaError::no_such_endpoint(endpoint))?;
            Ok(Outcome::Properties(properties_of(&mirrored, index)))
        };
        loop {
            tokio::time::sleep(self.config.poll_every).await;
            let mirror = self.read(&thing).await.map_err(|e| e.to_alexa())?;
            if answered(&mirror) {
                return respond(&mirror);
            }
            let offline = mirror
                .mirrored()
                .ok()
                .flatten()
                .is_some_and(|m| m.tracker.available() == Some(false));
            if offline {
                return Err(AlexaError::endpoint_unreachable(format!(
                    "{thing} went offline"
                )));
            }
            if now_millis() >= started.saturating_add(answer_ms) {
                break;
            }
        }
        // No RESULT in time: defer, unless it arrived while switching.
        let Some(p) = pending.as_mut() else {
            return Err(AlexaError::endpoint_unreachable(format!(
                "{thing} did not answer within {} ms",
                self.config.answer_within.as_millis()
            )));
        };
        p.mode = Mode::Deferred;
        for _ in 0..WRITE_ATTEMPTS {
            let mirror = self.read(&thing).await.map_err(|e| e.to_alexa())?;
            if answered(&mirror) {
                return respond(&mirror);
            }
            if self
                .write(&thing, json!({ "pending": p.to_json() }), mirror.version)
                .await
                .map_err(|e| e.to_alexa())?
            {
                self.schedule_expiry(&thing, &p.token, p.deadline)
                    .await
                    .map_err(|e| e.to_alexa())?;
                let seconds =
                    u32::try_from(self.config.deferral.as_secs().max(1)).unwrap_or(u32::MAX);
                return Ok(Outcome::Deferred {
                    estimated_deferral_in_seconds: Some(seconds),
                });
            }
        }
        Err(AlexaError::internal_error(format!(
            "the shadow of {thing} kept changing"
        )))
    }
}

#[async_trait]
impl Hub for Inner {
    async fn discover(&self) -> Result<Vec<DiscoveryEndpoint>, AlexaError> {
        let things = self.things().await.map_err(|e| e.to_alexa())?;
        let mirrors: Vec<(String, Result<Mirror, SkillError>)> = futures_util::stream::iter(things)
            .map(|thing| async move {
                let mirror = self.read(&thing).await;
                (thing, mirror)
            })
            .buffer_unordered(DISCOVER_CONCURRENCY)
            .collect()
            .await;
        let mut endpoints = Vec::new();
        for (thing, mirror) in mirrors {
            let device = match mirror.map(|m| m.mirrored()) {
                Ok(Ok(Some(mirrored))) => mirrored.tracker.device().clone(),
                Ok(Ok(None)) => continue,
                Ok(Err(error)) => {
                    tracing::warn!(thing, %error, "mirrored state refused; device left out");
                    continue;
                }
                Err(error) => {
                    tracing::warn!(thing, %error, "shadow unreadable; device left out");
                    continue;
                }
            };
            self.remember(&device.mac.to_hex(), &thing);
            match tasmota::endpoints(&device) {
                Ok(found) => endpoints.extend(found),
                Err(error) => tracing::warn!(thing, %error, "device makes no valid endpoints"),
            }
        }
        endpoints.sort_by(|a, b| a.endpoint_id().cmp(b.endpoint_id()));
        Ok(endpoints)
    }

    async fn endpoint(
        &self,
        endpoint_id: &EndpointId,
    ) -> Result<Option<DiscoveryEndpoint>, AlexaError> {
        let Some((_, _, mirrored)) = self.device_of(endpoint_id).await? else {
            return Ok(None);
        };
        let endpoints = tasmota::endpoints(mirrored.tracker.device())
            .map_err(|error| AlexaError::internal_error(error.to_string()))?;
        Ok(endpoints
            .into_iter()
            .find(|e| e.endpoint_id() == endpoint_id))
    }

    async fn properties(&self, endpoint_id: &EndpointId) -> Result<Vec<Property>, AlexaError> {
        let Some((thing, _, mirrored)) = self.device_of(endpoint_id).await? else {
            return Err(AlexaError::no_such_endpoint(endpoint_id));
        };
        if mirrored.tracker.available() == Some(false) {
            return Err(AlexaError::endpoint_unreachable(format!(
                "{thing} is offline (its LWT)"
            )));
        }
        let Some((index, _)) = tasmota::entity_of(mirrored.tracker.device(), endpoint_id) else {
            return Err(AlexaError::no_such_endpoint(endpoint_id));
        };
        Ok(properties_of(&mirrored, index))
    }

    async fn execute(&self, request: &Request<'_>) -> Result<Outcome, AlexaError> {
        self.control(request).await
    }

    async fn accept_grant(&self, grant: &AcceptGrant) -> Result<(), AlexaError> {
        let gateway = self
            .gateway()
            .await
            .ok_or_else(|| AlexaError::accept_grant_failed("the event gateway cannot be opened"))?;
        gateway
            .accept_grant(grant)
            .await
            .map_err(|error| AlexaError::accept_grant_failed(error.to_string()))
    }
}
