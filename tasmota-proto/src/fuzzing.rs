//! Entry points for the fuzz targets; each checks invariants and panics only on a bug.

use alloc::vec::Vec;

use crate::json::Mode;
use crate::{
    Backlog, BacklogEntries, BacklogEntry, CommandPayload, DecodeOptions, Decoder, DeviceTopics,
    FullTopic, IncomingCommand, Mac, Prefix, Prefixes, Route, StateText, TopicError,
};

/// Splits fuzz input into up to `N` strings separated by `\n` (invalid UTF-8 is replaced).
fn fields<const N: usize>(data: &[u8]) -> [&str; N] {
    let text = core::str::from_utf8(data)
        .unwrap_or_else(|e| core::str::from_utf8(&data[..e.valid_up_to()]).unwrap_or_default());
    let mut out = [""; N];
    for (slot, part) in out.iter_mut().zip(text.splitn(N, '\n')) {
        *slot = part;
    }
    out
}

/// Builds topics from arbitrary device settings, parses arbitrary topics, and checks that
/// every topic built for a device parses back to the same prefix, route and subtopic.
pub fn topic(data: &[u8]) {
    let [
        full_topic,
        topic,
        hostname,
        group,
        client,
        received,
        subtopic,
    ] = fields::<7>(data);
    let prefixes = Prefixes::DEFAULT;
    if let Ok(ft) = FullTopic::new(full_topic) {
        let _ = ft.parse(&prefixes, received);
    }
    let _ = crate::DiscoveryTopic::parse(received);
    let _ = Mac::parse(received);
    let Ok(mut dev) = DeviceTopics::new(full_topic, topic) else {
        return;
    };
    dev = dev.with_mac(Mac([0, 0, 0, 0x49, 0xA3, 0xBC]));
    if let Ok(d) = dev.with_hostname(hostname) {
        dev = d;
    }
    if let Ok(d) = dev.with_group_topic(1, group) {
        dev = d;
    }
    if let Ok(d) = dev.with_mqtt_client(client) {
        dev = d;
    }
    let _ = dev.parse(received);
    for s in dev.device_subscriptions().chain(dev.hub_subscriptions()) {
        let _ = s;
    }
    if subtopic.is_empty() || subtopic == "#" || subtopic == "+" {
        return;
    }
    for prefix in Prefix::ALL {
        let Ok(built) = dev.topic(prefix, subtopic) else {
            continue;
        };
        check_round_trip(&dev, &built, subtopic, Route::Device, prefix);
        if dev.with_hostname(hostname).is_ok() {
            check_template(&dev, hostname, &built, subtopic);
        }
    }
    if let Ok(built) = dev.group_topic(1, subtopic) {
        check_round_trip(&dev, &built, subtopic, Route::Group(1), Prefix::Cmnd);
    }
    if let Ok(built) = dev.fallback_topic(subtopic) {
        check_round_trip(&dev, &built, subtopic, Route::Fallback, Prefix::Cmnd);
    }
}

fn check_round_trip(
    dev: &DeviceTopics<'_>,
    built: &str,
    subtopic: &str,
    route: Route,
    prefix: Prefix,
) {
    match dev.parse(built) {
        Ok(p) => {
            assert_eq!(p.subtopic, subtopic, "subtopic of {built}");
            // Distinct routes may build the same topic (a group named like the device, a
            // custom prefix equal to another); the first match in parse order wins then.
            if p.route == route && dev.full_topic().has_prefix() {
                assert!(
                    p.prefix == Some(prefix) || ambiguous_prefix(dev, prefix),
                    "prefix of {built}: {:?}",
                    p.prefix
                );
            }
        }
        Err(TopicError::NoSubtopic) => assert!(subtopic.is_empty(), "{built}"),
        Err(e) => panic!("{built} does not parse back: {e}"),
    }
}

fn ambiguous_prefix(dev: &DeviceTopics<'_>, prefix: Prefix) -> bool {
    let mine = dev.topic(prefix, "x").ok();
    Prefix::ALL
        .iter()
        .any(|&other| other != prefix && dev.topic(other, "x").ok() == mine)
}

/// Whether every `%` of the template belongs to a token once the firmware has replaced them
/// in its order; overlapping text such as `%%topic%prefix%` hides a token.
fn tokens_only(template: &str) -> bool {
    // Values are never empty and never contain `%`; a placeholder keeps the adjacency.
    let mut t = alloc::string::String::from(template);
    for token in ["%prefix%", "%topic%", "%hostname%", "%id%"] {
        t = t.replace(token, "\u{1}");
    }
    !t.contains('%')
}

/// A topic built from a template parses back with the template alone when the values cannot
/// be confused with the template's own text: no `/` or `%` in them, and one wildcard token.
fn check_template(dev: &DeviceTopics<'_>, hostname: &str, built: &str, subtopic: &str) {
    let ft = dev.full_topic();
    let template = ft.as_str();
    let plain = |v: &str| !v.contains(['/', '%']);
    if !plain(dev.device_topic()) || !plain(hostname) || !tokens_only(template) {
        return;
    }
    let m = ft
        .parse(&dev.prefixes(), built)
        .unwrap_or_else(|e| panic!("{built} does not match {template}: {e}"));
    assert_eq!(m.subtopic, subtopic);
    let wildcards = template.matches("%topic%").count() + template.matches("%hostname%").count();
    if wildcards == 1 && ft.has_topic() {
        assert_eq!(
            m.topic,
            Some(dev.device_topic()),
            "{built} against {template}"
        );
    }
}

/// Parses arbitrary commands and Backlogs; a command that parses to a typed command and
/// encodes must parse back to the same command.
pub fn command(data: &[u8]) {
    let split = data.iter().position(|&b| b == b'\n').unwrap_or(data.len());
    let (head, payload) = data.split_at(split);
    let payload = payload.get(1..).unwrap_or_default();
    let subtopic = core::str::from_utf8(head).unwrap_or_default();
    let texts = StateText::DEFAULT;
    if let Ok(text) = core::str::from_utf8(data) {
        let mut backlog = Backlog::new();
        for entry in BacklogEntries::new(text) {
            if let BacklogEntry::Command(line) = entry {
                let _ = IncomingCommand::from_console(line).map(|c| c.to_command(&texts));
                let _ = backlog.push_raw(line);
            }
        }
        if let Ok(dev) = DeviceTopics::new("%prefix%/%topic%/", "fuzz")
            && let Ok(msg) = dev.backlog(&backlog)
        {
            let again: Vec<_> = BacklogEntries::new(msg.payload()).collect();
            assert_eq!(
                again.len(),
                backlog.len(),
                "backlog {:?} re-splits differently",
                msg.payload()
            );
        }
    }
    let Ok(incoming) = IncomingCommand::parse(subtopic, payload) else {
        return;
    };
    let _ = incoming.number();
    let Ok(command) = incoming.to_command(&texts) else {
        return;
    };
    let Ok(dev) = DeviceTopics::new("%prefix%/%topic%/", "fuzz") else {
        return;
    };
    let encode = |c: &crate::Command<'_>| {
        if incoming.silent {
            dev.silent_command(c)
        } else {
            dev.command(c)
        }
    };
    let Ok(msg) = encode(&command) else {
        return;
    };
    let parsed = dev
        .parse(msg.topic())
        .expect("an encoded command topic parses");
    let back = IncomingCommand::parse(parsed.subtopic, msg.payload().as_bytes())
        .expect("an encoded command parses");
    if let CommandPayload::Text(_) | CommandPayload::Query = back.payload {
        let again = back
            .to_command(&texts)
            .expect("an encoded command types again");
        assert_eq!(
            encode(&again)
                .map(|m| (m.topic().len(), m.payload().len()))
                .ok(),
            Some((msg.topic().len(), msg.payload().len())),
            "{command:?} -> {:?} -> {again:?}",
            msg.payload()
        );
    }
}

const SUBTOPICS: [&str; 16] = [
    "tele/fuzz/STATE",
    "tele/fuzz/SENSOR",
    "stat/fuzz/RESULT",
    "stat/fuzz/STATUS0",
    "stat/fuzz/STATUS10",
    "tele/fuzz/INFO1",
    "tele/fuzz/INFO2",
    "tele/fuzz/INFO3",
    "tele/fuzz/LWT",
    "stat/fuzz/POWER1",
    "stat/fuzz/SWITCH1",
    "cmnd/fuzz/Power1",
    "tele/fuzz/MARGINS",
    "tasmota/discovery/00000049A3BC/config",
    "tasmota/discovery/00000049A3BC/sensors",
    "stat/fuzz/STATE",
];

/// Decodes arbitrary payloads in lenient and strict mode (the first byte picks the topic) and
/// checks that the modes agree: strict succeeds exactly when lenient succeeds without issues,
/// with the same result.
pub fn telemetry(data: &[u8]) {
    let Some((&pick, payload)) = data.split_first() else {
        return;
    };
    let topic = SUBTOPICS[usize::from(pick) % SUBTOPICS.len()];
    let lenient = Decoder::new().decode(topic, payload);
    let strict = Decoder::new()
        .with_options(DecodeOptions::new().with_mode(Mode::Strict))
        .decode(topic, payload);
    for issue in lenient.iter().flat_map(|d| &d.issues) {
        assert!(issue.offset.is_none_or(|o| o <= payload.len()), "{issue}");
        let _ = alloc::format!("{issue}");
    }
    match (&lenient, &strict) {
        (Ok(l), Ok(s)) => {
            assert!(
                l.issues.is_empty(),
                "strict accepted what lenient repaired: {:?}",
                l.issues
            );
            assert_eq!(l.message, s.message);
        }
        (Ok(l), Err(_)) => assert!(!l.issues.is_empty(), "strict rejected a clean payload"),
        (Err(_), Ok(_)) => panic!("strict accepted what lenient rejected"),
        (Err(_), Err(_)) => {}
    }
    let _ = crate::json::parse(payload, Mode::Lenient);
}

/// Checks the invariants of a device derived from arbitrary discovery messages: bounded
/// entity counts, unique ids that start with the MAC and never repeat, and commands and polls
/// that never panic.
pub fn discovery(data: &[u8]) {
    let (config, sensors) = match data.iter().position(|b| *b == 0) {
        Some(at) => (&data[..at], Some(&data[at + 1..])),
        None => (data, None),
    };
    let Ok(c) = crate::DiscoveryConfig::parse(config, &DecodeOptions::new()) else {
        return;
    };
    let mut device = crate::Device::from_config(&c.value);
    if let Some(s) = sensors {
        let _ = device.set_sensors(s);
    }
    check_device(&device);
    let tracker = crate::Tracker::new(device);
    for i in 0..tracker.device().entities.len() {
        for r in REQUESTS {
            let _ = tracker.command(i, r);
        }
    }
    let _ = tracker.poll_commands();
}

const REQUESTS: [crate::Request; 8] = [
    crate::Request::Power(true),
    crate::Request::Light(
        crate::Request::light_on()
            .with_brightness(50)
            .with_transition(2.0),
    ),
    crate::Request::Light(crate::Request::light_on().with_hs(359, 100).with_ct(500)),
    crate::Request::Position(30),
    crate::Request::Tilt(100),
    crate::Request::TiltOpen,
    crate::Request::FanSpeed(3),
    crate::Request::Stop,
];

fn check_device(d: &crate::Device) {
    use crate::EntityKind;
    let count = |f: fn(&EntityKind) -> bool| d.entities.iter().filter(|e| f(&e.kind)).count();
    assert!(
        count(|k| matches!(k, EntityKind::Relay { .. } | EntityKind::Light(_)))
            <= crate::MAX_RELAYS
    );
    assert!(count(|k| matches!(k, EntityKind::Shutter(_))) <= crate::MAX_SHUTTERS);
    assert!(count(|k| matches!(k, EntityKind::BinarySensor(_))) <= crate::MAX_SWITCHES);
    assert!(count(|k| matches!(k, EntityKind::Sensor(_))) <= crate::MAX_SENSORS);
    let mac = d.mac.to_hex();
    let mut ids: Vec<&str> = d.entities.iter().map(|e| e.unique_id.as_str()).collect();
    assert!(ids.iter().all(|id| id.starts_with(mac.as_str())));
    ids.sort_unstable();
    let before = ids.len();
    ids.dedup();
    // Sensor paths come from object keys, which a payload may repeat; the rest never repeat.
    let sensors = count(|k| matches!(k, EntityKind::Sensor(_)));
    assert!(
        before - ids.len() <= sensors,
        "repeated unique ids outside sensors"
    );
}

/// The device the tracker target drives: an ESP32 with lights, a fan-less relay, PIR and
/// door switches, buttons, shutters and energy and climate sensors.
const TRACKER_CONFIG: &[u8] = br#"{"ip":"10.0.0.2","dn":"Fuzz","fn":["A","B",null],"hn":"fuzz","mac":"00000049A3BC","md":"Generic","ty":0,"if":1,"ofln":"Offline","onln":"Online","state":["OFF","ON","TOGGLE","HOLD"],"sw":"15.0.1","t":"fuzz","ft":"%prefix%/%topic%/","tp":["cmnd","stat","tele"],"rl":[2,2,1,3,3,0,0,0],"swc":[13,1,5,0,-1,-1,-1,-1],"swn":["Motion",null,null,null,null,null,null,null],"btn":[1,1,0,0],"so":{"4":0,"11":0,"13":0,"17":0,"20":1,"30":0,"68":0,"73":1,"82":0,"114":1,"117":0},"lk":0,"lt_st":5,"bat":1,"dslp":0,"sho":[1],"sht":[[-90,90,24]],"ver":1}"#;
const TRACKER_SENSORS: &[u8] = br#"{"sn":{"ENERGY":{"Total":[1,2],"Power":5,"TotalStartTime":"2020-01-01T00:00:00"},"AM2301":{"Temperature":[1,2],"Humidity":3},"TX23":{"Speed":{"Act":1}},"COUNTER":{"C1":1},"ANALOG":{"Temperature1":2},"Shutter1":{"Position":1},"TempUnit":"C"},"ver":1}"#;
const TRACKER_TOPICS: [&str; 12] = [
    "tele/fuzz/STATE",
    "stat/fuzz/RESULT",
    "tele/fuzz/SENSOR",
    "stat/fuzz/STATUS10",
    "stat/fuzz/STATUS11",
    "stat/fuzz/STATUS",
    "stat/fuzz/POWER1",
    "stat/fuzz/POWER",
    "tele/fuzz/LWT",
    "stat/fuzz/STATUS0",
    "stat/fuzz/SHUTTERPOSITION1",
    "stat/fuzz/STATUS2",
];

/// Feeds an arbitrary message sequence to a tracker (each message: one byte choosing the
/// topic, then the payload up to a `\n`) and checks the bounds after every message: one
/// state per entity, at most [`crate::MAX_EVENTS`] changes waiting beyond one per entity and
/// the availability.
pub fn tracker(data: &[u8]) {
    let Ok(c) = crate::DiscoveryConfig::parse(TRACKER_CONFIG, &DecodeOptions::new()) else {
        return;
    };
    let mut device = crate::Device::from_config(&c.value);
    let _ = device.set_sensors(TRACKER_SENSORS);
    let mut tracker = crate::Tracker::new(device);
    let entities = tracker.device().entities.len();
    let Ok(decoder) = tracker.device().decoder() else {
        return;
    };
    let decoder = decoder.with_options(DecodeOptions::new().with_mode(Mode::Lenient));
    let mut messages = Vec::new();
    for line in data.split(|b| *b == b'\n') {
        let Some((&selector, payload)) = line.split_first() else {
            continue;
        };
        let topic = TRACKER_TOPICS[usize::from(selector) % TRACKER_TOPICS.len()];
        if let Ok(m) = decoder.decode(topic, payload) {
            messages.push(m.message);
        }
    }
    for m in &messages {
        tracker.handle(m);
        let mut drained = 0;
        while tracker.poll_change().is_some() {
            drained += 1;
            assert!(
                drained <= entities + crate::MAX_EVENTS + 1,
                "unbounded changes"
            );
        }
        assert!(
            tracker.state(entities).is_none()
                && tracker.state(entities.saturating_sub(1)).is_some()
        );
    }
}
