//! Property tests: topics built from arbitrary templates and names parse back; Backlogs
//! re-split into the lines they were built from; standard JSON is read exactly.

use std::fmt::Write as _;

use proptest::prelude::*;
use tasmota_proto::json::{self, Mode, Value};
use tasmota_proto::{
    Backlog, BacklogEntries, BacklogEntry, DeviceTopics, FullTopic, Mac, Prefix, Route, TopicError,
};

/// A FullTopic made of tokens, `/` and lowercase literals that cannot spell a prefix.
fn template() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("%prefix%".to_owned()),
        Just("%topic%".to_owned()),
        Just("%hostname%".to_owned()),
        Just("%id%".to_owned()),
        Just("/".to_owned()),
        Just("//".to_owned()),
        Just("#".to_owned()),
        "[x-z]{1,4}",
    ];
    prop::collection::vec(piece, 1..8)
        .prop_map(|p| p.concat())
        .prop_filter("at most 100 bytes", |t| t.len() <= 100)
}

/// Device values: uppercase, digits, `-`, `_`, two multi-byte letters, and `/` between segments.
fn name() -> impl Strategy<Value = String> {
    "[A-Z0-9_éƾ-]{1,12}(/[A-Z0-9_éƾ-]{1,8}){0,2}"
}

fn subtopic() -> impl Strategy<Value = String> {
    "[A-Za-z][A-Za-z0-9_]{0,22}"
}

proptest! {
    #[test]
    fn built_topics_parse_back(
        template in template(),
        topic in name(),
        hostname in name(),
        group in "[A-Z0-9]{1,10}",
        sub in subtopic(),
        mac in any::<[u8; 6]>(),
    ) {
        let dev = DeviceTopics::new(&template, &topic).unwrap()
            .with_hostname(&hostname).unwrap()
            .with_mac(Mac(mac))
            .with_group_topic(1, &group).unwrap()
            .with_mqtt_client("DVES_ABCDEF").unwrap();
        let ft = FullTopic::new(&template).unwrap();
        for prefix in Prefix::ALL {
            let built = match dev.topic(prefix, &sub) {
                Ok(t) => t,
                Err(TopicError::TooLong { .. }) => continue,
                Err(e) => panic!("{template}: {e}"),
            };
            prop_assert!(!built.contains('#'), "{}", built);
            prop_assert!(built.ends_with(&format!("/{sub}")), "{}", built);

            // Against the known device.
            let p = dev.parse(&built).unwrap();
            prop_assert_eq!(p.subtopic, sub.as_str());
            if p.route == Route::Device {
                let expected = (ft.has_prefix() || prefix == Prefix::Cmnd).then_some(prefix);
                prop_assert_eq!(p.prefix, expected, "{}", built);
            }

            // Against the template alone.
            let m = ft.parse(&tasmota_proto::Prefixes::DEFAULT, &built).unwrap();
            prop_assert_eq!(m.subtopic, sub.as_str());
            let wildcards = template.matches("%topic%").count() + template.matches("%hostname%").count();
            if wildcards == 1 {
                if ft.has_topic() {
                    prop_assert_eq!(m.topic, Some(topic.as_str()), "{} from {}", built, template);
                } else {
                    prop_assert_eq!(m.hostname, Some(hostname.as_str()), "{} from {}", built, template);
                }
            }
            if template.contains("%id%") && wildcards <= 1 {
                let hex = Mac(mac).to_hex();
                prop_assert_eq!(m.id, Some(hex.as_str()));
            }
        }
        if let Ok(built) = dev.fallback_topic(&sub) {
            prop_assert_eq!(dev.parse(&built).unwrap().route, Route::Fallback);
        }
        if let Ok(built) = dev.group_topic(1, &sub) {
            let route = dev.parse(&built).unwrap().route;
            // A group topic that builds the device's own command topic (same name, or no
            // %topic% in the template) is reported as the device route.
            let own = dev.topic(Prefix::Cmnd, &sub).ok();
            prop_assert!(route == Route::Group(1) || own.as_deref() == Some(&*built), "{:?}", route);
        }
    }

    #[test]
    fn mac_round_trips(mac in any::<[u8; 6]>()) {
        let m = Mac(mac);
        prop_assert_eq!(Mac::parse(&m.to_hex()).unwrap(), m);
        let colons = mac.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(":");
        prop_assert_eq!(Mac::parse(&colons).unwrap(), m);
    }

    #[test]
    fn backlogs_resplit_into_their_lines(
        lines in prop::collection::vec(("[A-Za-z][A-Za-z0-9_]{0,15}", "[ -:<-z|~]{0,30}"), 1..30)
    ) {
        let mut b = Backlog::new();
        let mut pushed = Vec::new();
        for (name, arg) in &lines {
            let line = if arg.trim().is_empty() { name.clone() } else { format!("{name} {}", arg.trim()) };
            if b.push_raw(&line).is_ok() {
                pushed.push(line);
            }
        }
        let entries: Vec<_> = BacklogEntries::new(b.payload()).collect();
        let expected: Vec<_> = pushed.iter().map(|l| BacklogEntry::Command(l.trim())).collect();
        prop_assert_eq!(entries, expected);
    }

    #[test]
    fn standard_json_reads_exactly(doc in json_doc()) {
        let text = doc.render();
        let strict = json::parse(text.as_bytes(), Mode::Strict).unwrap();
        prop_assert!(doc.same(&strict.value), "{}", text);
        let lenient = json::parse(text.as_bytes(), Mode::Lenient).unwrap();
        prop_assert!(lenient.issues.iter().all(|i| i.kind == json::IssueKind::DuplicateKey));
    }

    #[test]
    fn any_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let l = json::parse(&bytes, Mode::Lenient);
        let s = json::parse(&bytes, Mode::Strict);
        if let Ok(s) = s {
            let l = l.unwrap();
            prop_assert!(l.issues.is_empty());
            prop_assert_eq!(l.value, s.value);
        }
    }
}

#[derive(Debug, Clone)]
enum Doc {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Array(Vec<Self>),
    Object(Vec<(String, Self)>),
}

impl Doc {
    fn render(&self) -> String {
        match self {
            Self::Null => "null".into(),
            Self::Bool(b) => b.to_string(),
            Self::Int(i) => i.to_string(),
            Self::Float(f) => format!("{f:e}"),
            Self::Str(s) => quote(s),
            Self::Array(a) => format!(
                "[{}]",
                a.iter().map(Self::render).collect::<Vec<_>>().join(",")
            ),
            Self::Object(m) => format!(
                "{{{}}}",
                m.iter()
                    .map(|(k, v)| format!("{}:{}", quote(k), v.render()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    fn same(&self, v: &Value<'_>) -> bool {
        match (self, v) {
            (Self::Null, Value::Null) => true,
            (Self::Bool(a), Value::Bool(b)) => a == b,
            (Self::Int(i), Value::Number(n)) => n.as_i64() == Some(*i),
            (Self::Float(f), Value::Number(n)) => n.as_f64().to_bits() == f.to_bits(),
            (Self::Str(s), Value::String(t)) => *t == s.as_str(),
            (Self::Array(a), Value::Array(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same(y))
            }
            (Self::Object(a), Value::Object(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .zip(b)
                        .all(|((k, x), (l, y))| *l == k.as_str() && x.same(y))
            }
            _ => false,
        }
    }
}

fn quote(s: &str) -> String {
    let mut out = String::from('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c if u32::from(c) > 0xFFFF => {
                let v = u32::from(c) - 0x10000;
                let _ = write!(
                    out,
                    "\\u{:04x}\\u{:04x}",
                    0xD800 + (v >> 10),
                    0xDC00 + (v & 0x3FF)
                );
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn json_doc() -> impl Strategy<Value = Doc> {
    let leaf = prop_oneof![
        Just(Doc::Null),
        any::<bool>().prop_map(Doc::Bool),
        any::<i64>().prop_map(Doc::Int),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Doc::Float),
        any::<String>().prop_map(Doc::Str),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Doc::Array),
            prop::collection::btree_map("[A-Za-z0-9 _]{0,8}", inner, 0..8)
                .prop_map(|m| Doc::Object(m.into_iter().collect())),
        ]
    })
}

/// A JSON value built from the keys and shapes Tasmota devices send.
fn tasmota_value() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        (-1000i32..1000).prop_map(|n| n.to_string()),
        (-100.0f64..100.0).prop_map(|f| format!("{f:.2}")),
        prop::sample::select(vec![
            "\"ON\"",
            "\"OFF\"",
            "\"TOGGLE\"",
            "\"HOLD\"",
            "\"SINGLE\"",
            "null",
            "nan",
            "true",
            "\"255,128,0\"",
            "\"30,100,50\"",
            "\"FF8000\"",
            "\"12.5\"",
            "\"\"",
        ])
        .prop_map(str::to_owned),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        let key = prop::sample::select(vec![
            "POWER",
            "POWER1",
            "POWER2",
            "POWER3",
            "Dimmer",
            "Dimmer1",
            "Dimmer2",
            "Color",
            "HSBColor",
            "CT",
            "White",
            "Channel",
            "Channel2",
            "Scheme",
            "FanSpeed",
            "Shutter1",
            "Shutter2",
            "Position",
            "Direction",
            "Tilt",
            "Button1",
            "Button2",
            "Switch1",
            "Switch2",
            "Motion",
            "Action",
            "ENERGY",
            "Total",
            "Power",
            "AM2301",
            "Temperature",
            "Humidity",
            "TX23",
            "Speed",
            "Act",
            "COUNTER",
            "C1",
            "ANALOG",
            "Temperature1",
            "StatusSNS",
            "StatusSTS",
            "StatusPRM",
            "StatusFWR",
            "RestartReason",
            "Version",
            "UptimeSec",
            "Wifi",
            "RSSI",
            "Signal",
            "SSId",
            "LinkCount",
            "MqttCount",
            "BatteryPercentage",
        ]);
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(","))),
            prop::collection::vec((key, inner), 0..6).prop_map(|m| {
                let members: Vec<String> =
                    m.into_iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
                format!("{{{}}}", members.join(","))
            }),
        ]
    })
}

const TRACKED_CONFIG: &str = r#"{"ip":"10.0.0.2","dn":"P","fn":["A","B",null],"hn":"p","mac":"00000049A3BC","md":"Generic","ty":0,"if":1,"ofln":"Offline","onln":"Online","state":["OFF","ON","TOGGLE","HOLD"],"sw":"15.0.1","t":"p","ft":"%prefix%/%topic%/","tp":["cmnd","stat","tele"],"rl":[2,2,1,3,3,0,0,0],"swc":[13,1,5,0,-1,-1,-1,-1],"swn":["Motion",null,null,null,null,null,null,null],"btn":[1,1,0,0],"so":{"4":0,"11":0,"13":0,"17":0,"20":1,"30":0,"68":0,"73":1,"82":0,"114":1,"117":0},"lk":0,"lt_st":5,"bat":1,"dslp":0,"sho":[1],"sht":[[-90,90,24]],"ver":1}"#;
const TRACKED_SENSORS: &str = r#"{"sn":{"ENERGY":{"Total":[1,2],"Power":5},"AM2301":{"Temperature":1,"Humidity":3},"TX23":{"Speed":{"Act":1}},"COUNTER":{"C1":1},"ANALOG":{"Temperature1":2},"Shutter1":{"Position":1},"TempUnit":"C"},"ver":1}"#;

proptest! {
    /// Any order of a device's messages, with any content of the shapes devices send, never
    /// panics, keeps one state per entity, and queues at most one change per entity plus the
    /// bounded trigger events and the availability.
    #[test]
    fn tracker_takes_any_message_order_within_bounds(
        messages in prop::collection::vec((0usize..10, tasmota_value()), 0..24),
    ) {
        use tasmota_proto::{DecodeOptions, Device, DiscoveryConfig, MAX_EVENTS, Tracker};
        let c = DiscoveryConfig::parse(TRACKED_CONFIG.as_bytes(), &DecodeOptions::default()).unwrap().value;
        let mut device = Device::from_config(&c);
        device.set_sensors(TRACKED_SENSORS.as_bytes()).unwrap();
        let mut tracker = Tracker::new(device.clone());
        let decoder = device.decoder().unwrap();
        let topics = [
            "tele/p/STATE", "stat/p/RESULT", "tele/p/SENSOR", "stat/p/STATUS10", "stat/p/STATUS11",
            "stat/p/STATUS", "stat/p/POWER1", "tele/p/LWT", "stat/p/STATUS1", "stat/p/DIMMER",
        ];
        let n = device.entities.len();
        for (t, payload) in &messages {
            let payload = if *t == 6 || *t == 7 { payload.trim_matches('"').to_owned() } else { payload.clone() };
            let Ok(m) = decoder.decode(topics[*t], payload.as_bytes()) else { continue };
            tracker.handle(&m.message);
        }
        let mut changes = 0;
        while tracker.poll_change().is_some() {
            changes += 1;
            prop_assert!(changes <= n + MAX_EVENTS + 1);
        }
        prop_assert!(tracker.state(n - 1).is_some() && tracker.state(n).is_none());
        for i in 0..n {
            let _ = tracker.command(i, tasmota_proto::Request::light_on().with_brightness(10).with_transition(1.0));
        }
    }

    /// Discovery messages with arbitrary relay, switch and button arrays give bounded,
    /// unique entities.
    #[test]
    fn discovery_entities_are_bounded_and_unique(
        relays in prop::collection::vec(0u8..5, 0..40),
        switches in prop::collection::vec(-2i8..20, 0..40),
        buttons in prop::collection::vec(0u8..2, 0..40),
        so in prop::collection::vec(0u8..2, 11),
        lt_st in 0u8..7,
    ) {
        use tasmota_proto::{DecodeOptions, Device, DiscoveryConfig, EntityKind, MAX_RELAYS, MAX_SHUTTERS, MAX_SWITCHES};
        let list = |v: Vec<String>| v.join(",");
        let config = format!(
            r#"{{"mac":"00000049A3BC","t":"p","ft":"%prefix%/%topic%/","rl":[{}],"swc":[{}],"btn":[{}],"so":{{"4":{},"11":{},"13":{},"17":{},"20":{},"30":{},"68":{},"73":{},"82":{},"114":{},"117":{}}},"lk":{},"lt_st":{lt_st},"if":{}}}"#,
            list(relays.iter().map(ToString::to_string).collect()),
            list(switches.iter().map(ToString::to_string).collect()),
            list(buttons.iter().map(ToString::to_string).collect()),
            so[0], so[1], so[2], so[3], so[4], so[5], so[6], so[7], so[8], so[9], so[10], so[1], so[2],
        );
        let c = DiscoveryConfig::parse(config.as_bytes(), &DecodeOptions::default()).unwrap().value;
        let d = Device::from_config(&c);
        let count = |f: &dyn Fn(&EntityKind) -> bool| d.entities.iter().filter(|e| f(&e.kind)).count();
        let outputs = count(&|k| matches!(k, EntityKind::Relay { .. } | EntityKind::Light(_)));
        prop_assert!(outputs <= MAX_RELAYS);
        prop_assert!(count(&|k| matches!(k, EntityKind::Shutter(_))) <= MAX_SHUTTERS);
        prop_assert!(count(&|k| matches!(k, EntityKind::BinarySensor(_))) <= MAX_SWITCHES);
        let mut ids: Vec<&str> = d.entities.iter().map(|e| e.unique_id.as_str()).collect();
        ids.sort_unstable();
        let before = ids.len();
        ids.dedup();
        prop_assert_eq!(before, ids.len());
        let mut triggers: Vec<&str> = d.triggers.iter().map(|t| t.id.as_str()).collect();
        triggers.sort_unstable();
        let before = triggers.len();
        triggers.dedup();
        prop_assert_eq!(before, triggers.len());
    }
}
