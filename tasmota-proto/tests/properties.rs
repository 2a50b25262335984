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
