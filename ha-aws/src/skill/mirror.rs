//! The device state mirrored in a named shadow per thing: the rule events that carry a
//! device's messages ([`RuleEvent`]), the shadow document that keeps the latest of each
//! ([`Mirror`]), and the entities and states rebuilt from it with tasmota-proto
//! ([`Mirrored`]).
//!
//! The shadow's `state.reported` holds one entry per message kind, each the message as the
//! device sent it with the time AWS IoT received it:
//!
//! ```json
//! {"config":  {"topic": "tasmota/discovery/DC4F22A1B2C3/config", "text": "{…}", "at": 1765072800123},
//!  "sensors": {"topic": "tasmota/discovery/DC4F22A1B2C3/sensors", "text": "{…}", "at": …},
//!  "lwt":     {"topic": "tele/plug/LWT", "text": "Online", "at": …},
//!  "state":   {"topic": "tele/plug/STATE", "text": "{…}", "at": …},
//!  "sensor":  {"topic": "tele/plug/SENSOR", "text": "{…}", "at": …},
//!  "result":  {"topic": "stat/plug/RESULT", "text": "{\"POWER\":\"ON\"}", "at": …},
//!  "pending": {"token": "…", "endpoint": "DC4F22A1B2C3_switch_relay_1", "mode": "deferred", "deadline": …}}
//! ```
//!
//! Texts are kept whole (as strings, so a shadow update replaces them rather than merging
//! JSON objects, and the LWT's plain text fits too); every field is bounded, and decoding
//! refuses anything else with a [`MirrorError`] naming the field.

use std::collections::BTreeMap;

use base64::Engine as _;
use serde_json::{Map, Value, json};
use tasmota_proto::{Change, DecodeOptions, Device, DiscoveryConfig, Tracker};

/// The longest message text mirrored, in bytes (a discovery config is about 1 KiB).
pub const MAX_TEXT: usize = 4096;
/// The longest shadow document decoded, in bytes (AWS's state limit of 8 KiB, with metadata).
pub const MAX_DOCUMENT: usize = 32 * 1024;
/// The longest correlation token kept for a deferred answer.
pub const MAX_TOKEN: usize = 4096;

/// A mirrored message kind: the key of its entry in the shadow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Kind {
    /// `tasmota/discovery/<mac>/config`.
    Config,
    /// `tasmota/discovery/<mac>/sensors`.
    Sensors,
    /// `tele/<topic>/LWT`.
    Lwt,
    /// `tele/<topic>/STATE`.
    State,
    /// `tele/<topic>/SENSOR`.
    Sensor,
    /// `stat/<topic>/RESULT`.
    Result,
}

impl Kind {
    /// Every kind, in the order the states are rebuilt after the discovery messages.
    pub const ALL: [Self; 6] = [
        Self::Config,
        Self::Sensors,
        Self::Lwt,
        Self::State,
        Self::Sensor,
        Self::Result,
    ];

    /// The shadow key.
    pub const fn key(self) -> &'static str {
        match self {
            Self::Config => "config",
            Self::Sensors => "sensors",
            Self::Lwt => "lwt",
            Self::State => "state",
            Self::Sensor => "sensor",
            Self::Result => "result",
        }
    }

    /// The topic filter of the rule that mirrors this kind.
    pub const fn filter(self) -> &'static str {
        match self {
            Self::Config => "tasmota/discovery/+/config",
            Self::Sensors => "tasmota/discovery/+/sensors",
            Self::Lwt => "tele/+/LWT",
            Self::State => "tele/+/STATE",
            Self::Sensor => "tele/+/SENSOR",
            Self::Result => "stat/+/RESULT",
        }
    }
}

/// Why a rule event or a shadow document was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MirrorError {
    /// Not JSON, or not the expected shape; `at` is the field.
    #[error("mirrored state: {at}: {reason}")]
    Shape {
        /// The field (`state.reported.lwt.text`, `payload`, ...).
        at: String,
        /// What is wrong.
        reason: String,
    },
    /// Longer than allowed.
    #[error("mirrored state: {at} is {len} bytes, more than {max}")]
    TooLong {
        /// The field.
        at: String,
        /// Its length.
        len: usize,
        /// The bound.
        max: usize,
    },
    /// tasmota-proto refused a mirrored message.
    #[error("mirrored state: {at}: {reason}")]
    Tasmota {
        /// The entry.
        at: String,
        /// tasmota-proto's error.
        reason: String,
    },
}

fn shape(at: &str, reason: impl Into<String>) -> MirrorError {
    MirrorError::Shape {
        at: at.to_owned(),
        reason: reason.into(),
    }
}

fn bounded(at: &str, len: usize, max: usize) -> Result<(), MirrorError> {
    if len > max {
        return Err(MirrorError::TooLong {
            at: at.to_owned(),
            len,
            max,
        });
    }
    Ok(())
}

/// One device message, as the mirroring rule hands it to the function:
/// `SELECT topic() AS topic, encode(*, 'base64') AS payload, timestamp() AS at FROM '<filter>'`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleEvent {
    /// The MQTT topic.
    pub topic: String,
    /// The payload.
    pub payload: Vec<u8>,
    /// When AWS IoT received it, milliseconds since the Unix epoch.
    pub at: i64,
}

/// The SQL of the rule that mirrors `kind`.
pub fn rule_sql(kind: Kind) -> String {
    format!(
        "SELECT topic() AS topic, encode(*, 'base64') AS payload, timestamp() AS at FROM '{}'",
        kind.filter()
    )
}

impl RuleEvent {
    /// Decodes a rule event.
    ///
    /// # Errors
    ///
    /// [`MirrorError`] naming the missing, mistyped or too long field.
    pub fn from_json(event: &Value) -> Result<Self, MirrorError> {
        let topic = event["topic"]
            .as_str()
            .ok_or_else(|| shape("topic", "a string is required"))?;
        bounded("topic", topic.len(), 256)?;
        let encoded = event["payload"]
            .as_str()
            .ok_or_else(|| shape("payload", "a base64 string is required"))?;
        bounded("payload", encoded.len(), MAX_TEXT.div_ceil(3) * 4)?;
        let payload = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .map_err(|error| shape("payload", error.to_string()))?;
        let at = event["at"]
            .as_i64()
            .filter(|at| *at >= 0)
            .ok_or_else(|| shape("at", "milliseconds since the Unix epoch are required"))?;
        Ok(Self {
            topic: topic.to_owned(),
            payload,
            at,
        })
    }

    /// The kind and the device part of the topic (the MAC of a discovery topic, the Tasmota
    /// topic otherwise), or `None` for a topic no mirroring rule matches.
    pub fn kind(&self) -> Option<(Kind, &str)> {
        let parts: Vec<&str> = self.topic.split('/').collect();
        let kind = match parts.as_slice() {
            ["tasmota", "discovery", _, "config"] => Kind::Config,
            ["tasmota", "discovery", _, "sensors"] => Kind::Sensors,
            ["tele", _, "LWT"] => Kind::Lwt,
            ["tele", _, "STATE"] => Kind::State,
            ["tele", _, "SENSOR"] => Kind::Sensor,
            ["stat", _, "RESULT"] => Kind::Result,
            _ => return None,
        };
        let device = match kind {
            Kind::Config | Kind::Sensors => parts[2],
            _ => parts[1],
        };
        (!device.is_empty()).then_some((kind, device))
    }
}

/// One mirrored message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Its topic.
    pub topic: String,
    /// Its payload, as text.
    pub text: String,
    /// When AWS IoT received it, milliseconds since the Unix epoch.
    pub at: i64,
}

impl Entry {
    /// The shadow value of the entry.
    pub fn to_json(&self) -> Value {
        json!({ "topic": self.topic, "text": self.text, "at": self.at })
    }
}

/// How a directive waits for its device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The skill's invocation waits for the RESULT and answers.
    Sync,
    /// Alexa got a DeferredResponse; the RESULT's invocation answers through the event
    /// gateway.
    Deferred,
}

/// A directive waiting for its device's RESULT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    /// The directive's correlation token.
    pub token: String,
    /// The endpoint the directive targets.
    pub endpoint: String,
    /// Who answers.
    pub mode: Mode,
    /// When the directive gives up, milliseconds since the Unix epoch.
    pub deadline: i64,
}

impl Pending {
    /// The shadow value.
    pub fn to_json(&self) -> Value {
        json!({
            "token": self.token,
            "endpoint": self.endpoint,
            "mode": match self.mode { Mode::Sync => "sync", Mode::Deferred => "deferred" },
            "deadline": self.deadline,
        })
    }
}

/// A device's mirrored state, as decoded from its shadow.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mirror {
    /// The shadow version (for conditional updates); `None` when there is no shadow yet.
    pub version: Option<u64>,
    /// The latest message of each kind.
    pub entries: BTreeMap<Kind, Entry>,
    /// The directive waiting for the device, if any.
    pub pending: Option<Pending>,
}

fn text_field<'v>(
    fields: &'v Map<String, Value>,
    at: &str,
    key: &str,
) -> Result<&'v str, MirrorError> {
    fields
        .get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| shape(&format!("{at}.{key}"), "a string is required"))
}

fn time_field(fields: &Map<String, Value>, at: &str, key: &str) -> Result<i64, MirrorError> {
    fields
        .get(key)
        .and_then(Value::as_i64)
        .filter(|t| *t >= 0)
        .ok_or_else(|| {
            shape(
                &format!("{at}.{key}"),
                "milliseconds since the Unix epoch are required",
            )
        })
}

impl Mirror {
    /// Decodes a GetThingShadow document.
    ///
    /// # Errors
    ///
    /// [`MirrorError`] for a document that is not JSON, too long, or whose entries are not
    /// the mirror's.
    pub fn from_shadow(document: &[u8]) -> Result<Self, MirrorError> {
        bounded("document", document.len(), MAX_DOCUMENT)?;
        let value: Value = serde_json::from_slice(document)
            .map_err(|error| shape("document", error.to_string()))?;
        let version = value.get("version").and_then(Value::as_u64);
        let mut mirror = Self {
            version,
            ..Self::default()
        };
        let Some(reported) = value.pointer("/state/reported") else {
            return Ok(mirror);
        };
        let reported = reported
            .as_object()
            .ok_or_else(|| shape("state.reported", "an object is required"))?;
        for kind in Kind::ALL {
            let at = format!("state.reported.{}", kind.key());
            let Some(entry) = reported.get(kind.key()) else {
                continue;
            };
            let fields = entry
                .as_object()
                .ok_or_else(|| shape(&at, "an object is required"))?;
            let topic = text_field(fields, &at, "topic")?;
            bounded(&format!("{at}.topic"), topic.len(), 256)?;
            let text = text_field(fields, &at, "text")?;
            bounded(&format!("{at}.text"), text.len(), MAX_TEXT)?;
            mirror.entries.insert(
                kind,
                Entry {
                    topic: topic.to_owned(),
                    text: text.to_owned(),
                    at: time_field(fields, &at, "at")?,
                },
            );
        }
        if let Some(pending) = reported.get("pending") {
            let at = "state.reported.pending";
            let fields = pending
                .as_object()
                .ok_or_else(|| shape(at, "an object is required"))?;
            let token = text_field(fields, at, "token")?;
            bounded("state.reported.pending.token", token.len(), MAX_TOKEN)?;
            let endpoint = text_field(fields, at, "endpoint")?;
            bounded("state.reported.pending.endpoint", endpoint.len(), 256)?;
            let mode = match text_field(fields, at, "mode")? {
                "sync" => Mode::Sync,
                "deferred" => Mode::Deferred,
                other => {
                    return Err(shape(
                        "state.reported.pending.mode",
                        format!("{other:?} is neither sync nor deferred"),
                    ));
                }
            };
            mirror.pending = Some(Pending {
                token: token.to_owned(),
                endpoint: endpoint.to_owned(),
                mode,
                deadline: time_field(fields, at, "deadline")?,
            });
        }
        Ok(mirror)
    }

    /// When the latest message of `kind` arrived.
    pub fn at(&self, kind: Kind) -> Option<i64> {
        self.entries.get(&kind).map(|entry| entry.at)
    }

    /// The device, its entities' states and when each was sampled, rebuilt from the
    /// mirrored messages; `None` before the discovery config is mirrored.
    ///
    /// # Errors
    ///
    /// [`MirrorError::Tasmota`] when the config or sensors message does not decode.
    /// Messages of the device that do not decode are skipped (a device keeps working when
    /// one message is odd), as a hub skips them.
    pub fn mirrored(&self) -> Result<Option<Mirrored>, MirrorError> {
        let Some(config) = self.entries.get(&Kind::Config) else {
            return Ok(None);
        };
        let tasmota = |at: &str, error: &dyn core::fmt::Display| MirrorError::Tasmota {
            at: at.to_owned(),
            reason: error.to_string(),
        };
        let parsed = DiscoveryConfig::parse(config.text.as_bytes(), &DecodeOptions::default())
            .map_err(|error| tasmota("config", &error))?;
        let mut device = Device::from_config(&parsed.value);
        if let Some(sensors) = self.entries.get(&Kind::Sensors) {
            device
                .set_sensors(sensors.text.as_bytes())
                .map_err(|error| tasmota("sensors", &error))?;
        }
        let mut mirrored = Mirrored {
            sampled: vec![None; device.entities.len()],
            tracker: Tracker::new(device),
            lwt_at: None,
        };
        let mut messages: Vec<&Entry> = [Kind::Lwt, Kind::State, Kind::Sensor, Kind::Result]
            .iter()
            .filter_map(|kind| self.entries.get(kind))
            .collect();
        messages.sort_by_key(|entry| entry.at);
        for entry in messages {
            mirrored.apply(entry);
        }
        Ok(Some(mirrored))
    }
}

/// A device rebuilt from its mirror: entities, states, and when each state was sampled.
#[derive(Debug, Clone)]
pub struct Mirrored {
    /// The tracker holding the device and its entities' states.
    pub tracker: Tracker,
    /// When each entity's state was last set, milliseconds since the Unix epoch.
    pub sampled: Vec<Option<i64>>,
    /// When the LWT was last received.
    pub lwt_at: Option<i64>,
}

impl Mirrored {
    /// Applies one of the device's messages, recording when the entities it changed were
    /// sampled; returns what changed as ChangeReport endpoints and properties (every
    /// endpoint's connectivity for a change of availability).
    pub fn apply(&mut self, entry: &Entry) -> Vec<Report> {
        let device = self.tracker.device().clone();
        let Ok(reader) = device.decoder() else {
            return Vec::new();
        };
        let Ok(decoded) = reader.decode(&entry.topic, entry.text.as_bytes()) else {
            return Vec::new();
        };
        self.tracker.handle(&decoded.message);
        let mut reports = Vec::new();
        let mut changed = Vec::new();
        while let Some(change) = self.tracker.poll_change() {
            match &change {
                Change::Availability { .. } => self.lwt_at = Some(entry.at),
                Change::State { entity, .. } => changed.push(entity.unique_id.clone()),
                _ => {}
            }
            if let Ok(found) = ha_alexa::tasmota::change_report(&device, &change) {
                reports.extend(
                    found
                        .into_iter()
                        .map(|(endpoint, values)| Report { endpoint, values }),
                );
            }
        }
        for id in changed {
            if let Some(index) = device.entities.iter().position(|e| e.unique_id == id) {
                self.sampled[index] = Some(entry.at);
            }
        }
        if entry.topic.ends_with("/LWT") {
            self.lwt_at = Some(entry.at);
        }
        reports
    }
}

/// What a ChangeReport says of one endpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The endpoint.
    pub endpoint: ha_alexa::EndpointId,
    /// Its changed properties.
    pub values: Vec<ha_alexa::PropertyValue>,
}

/// Decodes arbitrary bytes as a shadow document and as a rule event, and rebuilds the
/// device: what the `skill_mirror` fuzz target runs. Never panics.
#[doc(hidden)]
pub fn fuzz_mirror(data: &[u8]) {
    if let Ok(mirror) = Mirror::from_shadow(data)
        && let Ok(Some(mut mirrored)) = mirror.mirrored()
    {
        for entry in mirror.entries.values() {
            mirrored.apply(entry);
        }
        let device = mirrored.tracker.device().clone();
        let _ = ha_alexa::tasmota::endpoints(&device);
        for (i, entity) in device.entities.iter().enumerate() {
            if let Some(state) = mirrored.tracker.state(i) {
                let _ = ha_alexa::tasmota::properties(entity, state, mirrored.tracker.available());
            }
        }
    }
    if let Ok(value) = serde_json::from_slice::<Value>(data)
        && let Ok(event) = RuleEvent::from_json(&value)
    {
        let _ = event.kind();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_event_decodes_and_names_its_device() {
        let event = RuleEvent::from_json(
            &json!({"topic": "tele/plug/LWT", "payload": "T25saW5l", "at": 5}),
        )
        .unwrap();
        assert_eq!(event.payload, b"Online");
        assert_eq!(event.kind(), Some((Kind::Lwt, "plug")));
        let config = RuleEvent::from_json(
            &json!({"topic": "tasmota/discovery/AABBCCDDEEFF/config", "payload": "", "at": 5}),
        )
        .unwrap();
        assert_eq!(config.kind(), Some((Kind::Config, "AABBCCDDEEFF")));
        let error =
            RuleEvent::from_json(&json!({"topic": "tele/plug/LWT", "payload": "!!", "at": 5}))
                .unwrap_err();
        assert!(error.to_string().contains("payload"), "{error}");
    }

    #[test]
    fn the_fuzz_seeds_and_every_prefix_of_them_decode_without_panicking() {
        let seeds: [&[u8]; 3] = [
            include_bytes!("../../../fuzz/corpus/skill_mirror/shadow.json"),
            include_bytes!("../../../fuzz/corpus/skill_mirror/light-offline.json"),
            include_bytes!("../../../fuzz/corpus/skill_mirror/rule-event.json"),
        ];
        for seed in seeds {
            for end in 0..=seed.len() {
                fuzz_mirror(&seed[..end]);
            }
        }
        let mirror = Mirror::from_shadow(seeds[0]).unwrap();
        let mirrored = mirror.mirrored().unwrap().unwrap();
        assert_eq!(mirrored.tracker.available(), Some(true));
        assert_eq!(mirror.pending.unwrap().mode, Mode::Deferred);
        let light = Mirror::from_shadow(seeds[1])
            .unwrap()
            .mirrored()
            .unwrap()
            .unwrap();
        assert_eq!(light.tracker.available(), Some(false));
    }

    #[test]
    fn a_bad_entry_is_refused_with_its_field() {
        let error = Mirror::from_shadow(
            br#"{"state":{"reported":{"lwt":{"topic":"tele/p/LWT","text":5,"at":1}}}}"#,
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "mirrored state: state.reported.lwt.text: a string is required"
        );
        let long = format!(
            r#"{{"state":{{"reported":{{"lwt":{{"topic":"t","text":"{}","at":1}}}}}}}}"#,
            "x".repeat(MAX_TEXT + 1)
        );
        assert!(matches!(
            Mirror::from_shadow(long.as_bytes()),
            Err(MirrorError::TooLong { .. })
        ));
    }
}
