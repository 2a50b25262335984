//! What the emulated AWS IoT Core account holds beyond authorizers and policies: things, device
//! shadows, retained messages and topic rules, and the message broker they meet at.
//!
//! The broker is the caller's: [`MqttLink`] carries the data plane's `Publish` to it, and
//! [`Emulator::mqtt_message`](super::Emulator::mqtt_message) hands the rules engine every
//! message the broker routes. A rule's Lambda action runs the function the emulator serves
//! under that name ([`Functions`]), in the order the rule saw the messages.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value, json};

use super::functions::Functions;
use super::lock;

/// The largest shadow state document, AWS IoT's default quota for a shadow: 8 KiB.
pub const MAX_SHADOW_STATE: usize = 8 * 1024;
/// The largest MQTT payload AWS IoT Core accepts: 128 KiB.
pub const MAX_PAYLOAD: usize = 128 * 1024;
/// The most retained messages the emulator keeps (AWS's quota is per account and larger;
/// a bound keeps a runaway test from growing without limit).
pub const MAX_RETAINED: usize = 10_000;
/// The most things the emulator keeps.
pub const MAX_THINGS: usize = 10_000;

/// Where the emulator's data-plane `Publish` goes: the demo's or a test's MQTT broker.
///
/// The link publishes as a client of the broker; the broker routes the message to its
/// subscribers, and to the rules engine if the caller bridges it back with
/// [`Emulator::mqtt_message`](super::Emulator::mqtt_message).
pub trait MqttLink: Send + Sync + 'static {
    /// Publishes one message (QoS 0 or 1).
    fn publish(&self, topic: &str, payload: &[u8], qos: u8, retain: bool);
}

/// A registered thing.
#[derive(Debug, Clone)]
pub(super) struct Thing {
    pub(super) id: String,
    pub(super) type_name: Option<String>,
    pub(super) attributes: BTreeMap<String, String>,
    pub(super) version: i64,
}

/// One shadow: the two state sections, when each top-level key was last set (seconds), its
/// version.
#[derive(Debug, Clone, Default)]
pub(super) struct Shadow {
    pub(super) reported: Map<String, Value>,
    pub(super) desired: Map<String, Value>,
    pub(super) reported_at: BTreeMap<String, u64>,
    pub(super) desired_at: BTreeMap<String, u64>,
    pub(super) version: u64,
    pub(super) timestamp: u64,
}

/// A retained message.
#[derive(Debug, Clone)]
pub(super) struct Retained {
    pub(super) payload: Vec<u8>,
    pub(super) qos: u8,
    pub(super) modified_ms: u64,
}

/// One item of a rule's `SELECT` that the emulator evaluates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Select {
    /// `*`: the payload's fields (a JSON object payload only).
    All,
    /// `topic()` or `topic(n)`, named.
    Topic(Option<usize>, String),
    /// `encode(*, 'base64')`, named.
    Base64(String),
    /// `timestamp()` (milliseconds), named.
    Timestamp(String),
}

/// A topic rule.
#[derive(Debug, Clone)]
pub(super) struct Rule {
    pub(super) sql: String,
    pub(super) filter: String,
    pub(super) select: Vec<Select>,
    /// The functions of the rule's Lambda actions, as ARNs.
    pub(super) functions: Vec<String>,
    pub(super) description: Option<String>,
    pub(super) disabled: bool,
    pub(super) created: u64,
}

/// The shared IoT state, for the control plane ([`super::iot`]) and the data plane
/// ([`super::iot_data`]).
#[derive(Default)]
pub(super) struct IotCore {
    pub(super) things: Mutex<BTreeMap<String, Thing>>,
    /// By `(thing, shadow name)`; the classic shadow's name is empty.
    pub(super) shadows: Mutex<BTreeMap<(String, String), Shadow>>,
    pub(super) retained: Mutex<BTreeMap<String, Retained>>,
    pub(super) rules: Mutex<BTreeMap<String, Rule>>,
    link: Mutex<Option<Arc<dyn MqttLink>>>,
    pub(super) functions: OnceLock<Arc<Functions>>,
    /// Messages a rule could not evaluate or act on, with why.
    pub(super) rule_errors: Mutex<Vec<String>>,
}

impl core::fmt::Debug for IotCore {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("IotCore")
            .field("things", &lock(&self.things).len())
            .field("rules", &lock(&self.rules).len())
            .finish_non_exhaustive()
    }
}

/// Seconds since the Unix epoch.
pub(super) fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Milliseconds since the Unix epoch.
pub(super) fn now_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl IotCore {
    pub(super) fn connect(&self, link: Arc<dyn MqttLink>) {
        *lock(&self.link) = Some(link);
    }

    /// A data-plane `Publish`: kept when retained, then given to the broker; with no broker,
    /// the rules see it directly.
    pub(super) fn publish(&self, topic: &str, payload: &[u8], qos: u8, retain: bool) {
        if retain {
            self.retain(topic, payload, qos);
        }
        let link = lock(&self.link).clone();
        match link {
            Some(link) => link.publish(topic, payload, qos, retain),
            None => self.route(topic, payload),
        }
    }

    /// A message the broker routed (a device's publish): kept when retained, then given to
    /// the rules.
    pub(super) fn broker_message(&self, topic: &str, payload: &[u8], retain: bool) {
        if retain {
            self.retain(topic, payload, 0);
        }
        self.route(topic, payload);
    }

    fn retain(&self, topic: &str, payload: &[u8], qos: u8) {
        let mut retained = lock(&self.retained);
        if payload.is_empty() {
            retained.remove(topic);
        } else if retained.len() < MAX_RETAINED || retained.contains_key(topic) {
            retained.insert(
                topic.to_owned(),
                Retained {
                    payload: payload.to_vec(),
                    qos,
                    modified_ms: now_millis(),
                },
            );
        } else {
            lock(&self.rule_errors).push(format!(
                "retained message on {topic} dropped: {MAX_RETAINED} are kept"
            ));
        }
    }

    /// Runs every enabled rule whose topic filter matches.
    fn route(&self, topic: &str, payload: &[u8]) {
        if topic.starts_with('$') {
            return;
        }
        let matching: Vec<(String, Rule)> = lock(&self.rules)
            .iter()
            .filter(|(_, rule)| !rule.disabled && topic_matches(&rule.filter, topic))
            .map(|(name, rule)| (name.clone(), rule.clone()))
            .collect();
        for (name, rule) in matching {
            let event = match evaluate(&rule.select, topic, payload) {
                Ok(event) => event,
                Err(error) => {
                    lock(&self.rule_errors).push(format!("rule {name} on {topic}: {error}"));
                    continue;
                }
            };
            for function in &rule.functions {
                let Some(functions) = self.functions.get() else {
                    continue;
                };
                if let Err(error) = functions.invoke_in_order(function, &event) {
                    lock(&self.rule_errors).push(format!("rule {name} on {topic}: {error}"));
                }
            }
        }
    }
}

/// Whether MQTT topic `topic` matches filter `filter` (`+` one level, `#` the rest).
pub(super) fn topic_matches(filter: &str, topic: &str) -> bool {
    let mut levels = topic.split('/');
    for part in filter.split('/') {
        match part {
            "#" => return true,
            "+" => {
                if levels.next().is_none() {
                    return false;
                }
            }
            literal => {
                if levels.next() != Some(literal) {
                    return false;
                }
            }
        }
    }
    levels.next().is_none()
}

/// Parses the subset of the AWS IoT SQL the emulator evaluates:
/// `SELECT item[, item…] FROM 'filter'`, where an item is `*`, `topic() AS name`,
/// `topic(n) AS name`, `encode(*, 'base64') AS name` or `timestamp() AS name`.
///
/// # Errors
///
/// The reason, for AWS's `SqlParseException`, naming what the emulator does not evaluate.
pub(super) fn parse_sql(sql: &str) -> Result<(Vec<Select>, String), String> {
    let trimmed = sql.trim();
    let rest = strip_keyword(trimmed, "SELECT")
        .ok_or_else(|| format!("expected SELECT at the start of {trimmed:?}"))?;
    let upper = rest.to_ascii_uppercase();
    let from = upper
        .rfind(" FROM ")
        .ok_or_else(|| "expected FROM 'topic filter'".to_owned())?;
    let (items, source) = (&rest[..from], rest[from + 6..].trim());
    let filter = source
        .strip_prefix('\'')
        .and_then(|s| s.strip_suffix('\''))
        .ok_or_else(|| {
            format!("the topic filter must be quoted, and WHERE is not emulated: {source:?}")
        })?;
    if filter.is_empty() || filter.contains('\'') {
        return Err(format!("invalid topic filter {filter:?}"));
    }
    let mut select = Vec::new();
    for item in split_items(items) {
        select.push(parse_item(item.trim())?);
    }
    if select.is_empty() {
        return Err("SELECT names nothing".to_owned());
    }
    Ok((select, filter.to_owned()))
}

fn strip_keyword<'a>(text: &'a str, keyword: &str) -> Option<&'a str> {
    let head = text.get(..keyword.len())?;
    head.eq_ignore_ascii_case(keyword)
        .then(|| &text[keyword.len()..])
        .filter(|rest| rest.starts_with(char::is_whitespace))
}

/// Splits at the commas outside parentheses.
fn split_items(items: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0_i32, 0);
    for (i, c) in items.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&items[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&items[start..]);
    out.into_iter().filter(|s| !s.trim().is_empty()).collect()
}

fn parse_item(item: &str) -> Result<Select, String> {
    if item == "*" {
        return Ok(Select::All);
    }
    let upper = item.to_ascii_uppercase();
    let (expression, name) = match upper.rfind(" AS ") {
        Some(at) => (item[..at].trim(), item[at + 4..].trim()),
        None => return Err(format!("{item:?} needs AS name")),
    };
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(format!("invalid name {name:?}"));
    }
    let compact: String = expression.chars().filter(|c| !c.is_whitespace()).collect();
    let name = name.to_owned();
    match compact.as_str() {
        "topic()" => Ok(Select::Topic(None, name)),
        "timestamp()" => Ok(Select::Timestamp(name)),
        "encode(*,'base64')" => Ok(Select::Base64(name)),
        other => {
            let level = other
                .strip_prefix("topic(")
                .and_then(|s| s.strip_suffix(')'))
                .and_then(|n| n.parse::<usize>().ok())
                .filter(|n| *n >= 1);
            level
                .map(|n| Select::Topic(Some(n), name))
                .ok_or_else(|| format!("the emulator does not evaluate {expression:?} in a rule"))
        }
    }
}

/// The event a rule's SELECT makes of a message.
fn evaluate(select: &[Select], topic: &str, payload: &[u8]) -> Result<Value, String> {
    use base64::Engine as _;
    let mut event = Map::new();
    for item in select {
        match item {
            Select::All => match serde_json::from_slice::<Value>(payload) {
                Ok(Value::Object(fields)) => event.extend(fields),
                _ => return Err("SELECT * needs a JSON object payload".to_owned()),
            },
            Select::Topic(None, name) => {
                event.insert(name.clone(), json!(topic));
            }
            Select::Topic(Some(n), name) => {
                if let Some(level) = topic.split('/').nth(n - 1) {
                    event.insert(name.clone(), json!(level));
                }
            }
            Select::Base64(name) => {
                let encoded = base64::engine::general_purpose::STANDARD.encode(payload);
                event.insert(name.clone(), json!(encoded));
            }
            Select::Timestamp(name) => {
                event.insert(name.clone(), json!(now_millis()));
            }
        }
    }
    Ok(Value::Object(event))
}

/// Merges `update` into `target` as a shadow update does: objects merge key by key, `null`
/// deletes, anything else replaces. Returns the top-level keys set.
pub(super) fn merge(target: &mut Map<String, Value>, update: &Map<String, Value>) -> Vec<String> {
    let mut set = Vec::new();
    for (key, value) in update {
        match value {
            Value::Null => {
                target.remove(key);
            }
            Value::Object(fields) => {
                let entry = target
                    .entry(key.clone())
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(existing) = entry {
                    merge(existing, fields);
                    if existing.is_empty() {
                        target.remove(key);
                    }
                } else {
                    let mut fresh = Map::new();
                    merge(&mut fresh, fields);
                    *entry = Value::Object(fresh);
                }
                set.push(key.clone());
            }
            other => {
                target.insert(key.clone(), other.clone());
                set.push(key.clone());
            }
        }
    }
    set
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_match_as_mqtt_does() {
        assert!(topic_matches("tele/+/STATE", "tele/plug/STATE"));
        assert!(!topic_matches("tele/+/STATE", "tele/plug/x/STATE"));
        assert!(topic_matches(
            "tasmota/discovery/#",
            "tasmota/discovery/AB/config"
        ));
        assert!(!topic_matches("stat/+/RESULT", "stat/plug"));
    }

    #[test]
    fn the_sql_subset_parses_and_the_rest_is_refused() {
        let (select, filter) = parse_sql(
            "SELECT topic() AS topic, encode(*, 'base64') AS payload, timestamp() AS at FROM 'tele/+/LWT'",
        )
        .unwrap();
        assert_eq!(filter, "tele/+/LWT");
        assert_eq!(select.len(), 3);
        let event = evaluate(&select, "tele/plug/LWT", b"Online").unwrap();
        assert_eq!(event["payload"], "T25saW5l");
        assert_eq!(event["topic"], "tele/plug/LWT");
        assert!(parse_sql("SELECT * FROM 'a/b' WHERE x > 1").is_err());
        assert!(parse_sql("SELECT upper(x) AS y FROM 'a'").is_err());
    }

    #[test]
    fn shadow_merge_deletes_with_null() {
        let mut state = Map::new();
        merge(
            &mut state,
            json!({"a": {"x": 1, "y": 2}, "b": 1}).as_object().unwrap(),
        );
        merge(
            &mut state,
            json!({"a": {"x": null}, "b": null}).as_object().unwrap(),
        );
        assert_eq!(Value::Object(state), json!({"a": {"y": 2}}));
    }
}
