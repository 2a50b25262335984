//! The hub-less Alexa skill (`ha_aws::skill::Skill`) per directive, on the ha-aws emulator:
//! Discover with 50 registered devices (a ListThings and 50 GetThingShadow over loopback
//! HTTP, then tasmota-proto and the `tasmota` mapping), and TurnOn with the device answering
//! at once (shadow writes, Publish, the RESULT mirrored by the rule's invocation, the shadow
//! polled every 10 ms). Cold is a new `Skill` (SDK clients built, no caches) and its first
//! directive; warm is the same instance again.
//!
//! The peer, in the same run: ha-alexa's `Dispatcher` over an in-memory hub holding the same
//! 50 devices' trackers (the local-hub path of the smart_home demo). The bench also prints the
//! peak heap of one cold Discover and one TurnOn against a 128 MB Lambda.
//!
//! ```sh
//! cargo bench -p benches --bench skill_directive
//! ```
#![expect(clippy::print_stdout, reason = "the bench prints its figures")]

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use base64::Engine as _;
use benches::RunMode;
use criterion::{Criterion, criterion_group, criterion_main};
use ha_alexa::config::ClientSecret;
use ha_alexa::gateway::GatewayConfig;
use ha_alexa::lwa::LwaConfig;
use ha_alexa::tasmota;
use ha_alexa::{
    AlexaError, DiscoveryEndpoint, Dispatcher, EndpointId, Hub, Outcome, Property, Request,
};
use ha_aws::emulator::{Emulator, MqttLink};
use ha_aws::iot::IotAccount;
use ha_aws::skill::{Mirror, Mirrored, Skill, SkillConfig, SkillProvisioner};
use serde_json::{Value, json};
use tokio::sync::mpsc;

const DEVICES: usize = 50;
const FUNCTION: &str = "arn:aws:lambda:us-east-1:123456789012:function:tasmota-alexa-skill";

fn mac(i: usize) -> String {
    format!("DC4F22{i:06X}")
}

fn topic(i: usize) -> String {
    format!("plug{i}")
}

fn config(i: usize) -> String {
    json!({
        "ip": "192.168.1.50", "dn": format!("Plug {i}"), "fn": [format!("Plug {i}"), null, null, null, null, null, null, null],
        "hn": "tasmota", "mac": mac(i), "md": "Sonoff S31", "ty": 0, "if": 0,
        "ofln": "Offline", "onln": "Online", "state": ["OFF", "ON", "TOGGLE", "HOLD"],
        "sw": "14.3.0", "t": topic(i), "ft": "%prefix%/%topic%/", "tp": ["cmnd", "stat", "tele"],
        "rl": [1, 0, 0, 0, 0, 0, 0, 0], "swc": [-1, -1, -1, -1, -1, -1, -1, -1],
        "swn": [null, null, null, null, null, null, null, null], "btn": [0, 0, 0, 0, 0, 0, 0, 0],
        "so": {"4": 0, "11": 0, "13": 0, "17": 0, "20": 0, "30": 0, "68": 0, "73": 0, "82": 0, "114": 0, "117": 0},
        "lk": 0, "lt_st": 0, "sho": [], "ver": 1
    })
    .to_string()
}

/// Devices that answer every POWER command at once.
struct Devices(mpsc::UnboundedSender<(String, Vec<u8>)>);

impl MqttLink for Devices {
    fn publish(&self, topic: &str, payload: &[u8], _qos: u8, _retain: bool) {
        let _ = self.0.send((topic.to_owned(), payload.to_vec()));
    }
}

fn skill_config() -> SkillConfig {
    SkillConfig::default()
        .with_poll_every(Duration::from_millis(10))
        .with_token_thing("skill-tokens")
}

fn skill(session: &ha_aws::Session) -> Skill {
    let lwa = LwaConfig::new(
        "amzn1.application-oa2-client.bench",
        ClientSecret::try_new("s").expect("a secret"),
    )
    .expect("a valid client id");
    Skill::new(
        session,
        skill_config(),
        lwa,
        GatewayConfig::with_loopback_url("http://127.0.0.1:9/v3/events").expect("a URL"),
    )
}

fn discover() -> Value {
    json!({"directive": {"header": {"namespace": "Alexa.Discovery", "name": "Discover", "messageId": "m",
        "payloadVersion": "3"}, "payload": {"scope": {"type": "BearerToken", "token": "t"}}}})
}

fn turn_on() -> Value {
    json!({"directive": {"header": {"namespace": "Alexa.PowerController", "name": "TurnOn", "messageId": "m",
        "payloadVersion": "3"}, "endpoint": {"endpointId": "DC4F22000000_switch_relay_0"}, "payload": {}}})
}

/// The local-hub peer: the same devices' trackers in memory.
struct LocalHub(Vec<Mirrored>);

#[async_trait]
impl Hub for LocalHub {
    async fn discover(&self) -> Result<Vec<DiscoveryEndpoint>, AlexaError> {
        let mut all = Vec::new();
        for m in &self.0 {
            all.extend(
                tasmota::endpoints(m.tracker.device())
                    .map_err(|e| AlexaError::internal_error(e.to_string()))?,
            );
        }
        Ok(all)
    }

    async fn endpoint(&self, id: &EndpointId) -> Result<Option<DiscoveryEndpoint>, AlexaError> {
        Ok(self
            .discover()
            .await?
            .into_iter()
            .find(|e| e.endpoint_id() == id))
    }

    async fn properties(&self, id: &EndpointId) -> Result<Vec<Property>, AlexaError> {
        for m in &self.0 {
            if let Some((i, entity)) = tasmota::entity_of(m.tracker.device(), id) {
                let state = m
                    .tracker
                    .state(i)
                    .cloned()
                    .unwrap_or(tasmota_proto::EntityState::Unknown);
                return Ok(tasmota::properties(entity, &state, m.tracker.available())
                    .into_iter()
                    .map(|v| Property::new(v, ha_alexa::Timestamp::now()))
                    .collect());
            }
        }
        Err(AlexaError::no_such_endpoint(id))
    }

    async fn execute(&self, request: &Request<'_>) -> Result<Outcome, AlexaError> {
        for m in &self.0 {
            if let Some((i, _)) = tasmota::entity_of(m.tracker.device(), request.endpoint_id()) {
                tasmota::command(&m.tracker, i, request.payload(), request.instance())?;
                return Ok(Outcome::Done);
            }
        }
        Err(AlexaError::no_such_endpoint(request.endpoint_id()))
    }
}

struct Setup {
    runtime: tokio::runtime::Runtime,
    emulator: Arc<Emulator>,
    session: ha_aws::Session,
    local: Dispatcher<LocalHub>,
}

fn setup() -> Setup {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let (emulator, session, local) = runtime.block_on(async {
        let emulator = Arc::new(Emulator::start().await);
        let session = emulator.session().await;
        let account = IotAccount::new(ha_aws::emulator::REGION, ha_aws::emulator::ACCOUNT_ID).expect("an account");
        let topics: Vec<String> = (0..DEVICES).map(topic).collect();
        let names: Vec<&str> = topics.iter().map(String::as_str).collect();
        SkillProvisioner::new(&session, account)
            .apply(FUNCTION, "skill-tokens", &names)
            .await
            .expect("provisioned");
        let writer = skill(&session);
        let mut mirrors = Vec::new();
        for i in 0..DEVICES {
            let messages = [
                (format!("tasmota/discovery/{}/config", mac(i)), config(i)),
                (format!("tele/{}/LWT", topic(i)), "Online".to_owned()),
                (format!("tele/{}/STATE", topic(i)), r#"{"POWER":"OFF"}"#.to_owned()),
            ];
            for (n, (topic, payload)) in messages.iter().enumerate() {
                let event = json!({"topic": topic, "at": 1_765_000_000_000_i64 + i64::try_from(n).unwrap_or(0),
                    "payload": base64::engine::general_purpose::STANDARD.encode(payload)});
                writer.handle(&event).await.expect("mirrored");
            }
            let document = emulator.iot_shadow(&topic(i), Some("tasmota")).expect("a shadow").to_string();
            mirrors.push(Mirror::from_shadow(document.as_bytes()).expect("a mirror").mirrored().expect("decodes").expect("a device"));
        }
        Arc::new(skill(&session)).serve_on(&emulator, "tasmota-alexa-skill");
        let (sender, mut commands) = mpsc::unbounded_channel::<(String, Vec<u8>)>();
        emulator.connect_mqtt(Arc::new(Devices(sender)));
        let devices = Arc::clone(&emulator);
        tokio::spawn(async move {
            while let Some((topic, payload)) = commands.recv().await {
                let command = topic.strip_prefix("cmnd/").and_then(|t| t.split_once('/'));
                if let Some((device, _)) = command.filter(|(_, c)| c.to_ascii_uppercase().starts_with("POWER")) {
                    let answer = json!({"POWER": String::from_utf8_lossy(&payload)}).to_string();
                    devices.mqtt_message(&format!("stat/{device}/RESULT"), answer.as_bytes(), false);
                }
            }
        });
        (emulator, session, Dispatcher::new(LocalHub(mirrors)))
    });
    Setup {
        runtime,
        emulator,
        session,
        local,
    }
}

fn answer_name(answer: &Value) -> &str {
    answer["event"]["header"]["name"]
        .as_str()
        .unwrap_or_default()
}

#[allow(
    clippy::cast_precision_loss,
    clippy::too_many_lines,
    reason = "byte counts far below 2^52; one bench, its figures printed in order"
)]
fn bench(c: &mut Criterion) {
    let mode = RunMode::from_args();
    if mode == RunMode::List {
        return;
    }
    let s = setup();
    let warm = s.runtime.block_on(async { skill(&s.session) });
    let run = |skill: &Skill, directive: &Value| {
        let answer = s
            .runtime
            .block_on(skill.handle(directive))
            .expect("an answer");
        assert!(
            matches!(answer_name(&answer), "Discover.Response" | "Response"),
            "{answer}"
        );
        answer
    };
    let endpoints = run(&warm, &discover())["event"]["payload"]["endpoints"]
        .as_array()
        .map_or(0, Vec::len);
    assert_eq!(endpoints, DEVICES);

    let mut group = c.benchmark_group("skill_directive");
    group
        .sample_size(10)
        .warm_up_time(mode.pick(Duration::from_secs(1), Duration::from_millis(10)))
        .measurement_time(mode.pick(Duration::from_secs(2), Duration::from_millis(50)));
    group.bench_function("discover_50/skill_warm", |b| {
        b.iter(|| run(&warm, &discover()));
    });
    group.bench_function("discover_50/skill_cold", |b| {
        b.iter(|| run(&skill(&s.session), &discover()));
    });
    group.bench_function("discover_50/local_hub", |b| {
        b.iter(|| {
            s.runtime
                .block_on(s.local.handle_slice(discover().to_string().as_bytes()))
        });
    });
    group.bench_function("turn_on/skill_warm", |b| b.iter(|| run(&warm, &turn_on())));
    group.bench_function("turn_on/skill_cold", |b| {
        b.iter(|| run(&skill(&s.session), &turn_on()));
    });
    group.bench_function("turn_on/local_hub", |b| {
        b.iter(|| {
            s.runtime
                .block_on(s.local.handle_slice(turn_on().to_string().as_bytes()))
        });
    });
    group.finish();
    s.emulator.clear_calls();

    // Same-run medians, alternating the sides.
    mode.announce();
    let median = |f: &mut dyn FnMut()| {
        let rounds = mode.pick(9, 1);
        let mut times: Vec<Duration> = (0..rounds)
            .map(|_| {
                let start = Instant::now();
                f();
                start.elapsed()
            })
            .collect();
        times.sort();
        times[times.len() / 2]
    };
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let discover_warm = median(&mut || {
        run(&warm, &discover());
    });
    let discover_cold = median(&mut || {
        run(&skill(&s.session), &discover());
    });
    let discover_local = median(&mut || {
        let _ = s
            .runtime
            .block_on(s.local.handle_slice(discover().to_string().as_bytes()));
    });
    let on_warm = median(&mut || {
        run(&warm, &turn_on());
    });
    let on_cold = median(&mut || {
        run(&skill(&s.session), &turn_on());
    });
    let on_local = median(&mut || {
        let _ = s
            .runtime
            .block_on(s.local.handle_slice(turn_on().to_string().as_bytes()));
    });
    println!(
        "\nthe skill on the emulator (loopback HTTP), median per directive, against the local-hub dispatcher:"
    );
    println!(
        "  Discover, {DEVICES} devices: cold {:.2} ms, warm {:.2} ms; local hub {:.3} ms (warm/local = {:.0}x)",
        ms(discover_cold),
        ms(discover_warm),
        ms(discover_local),
        discover_warm.as_secs_f64() / discover_local.as_secs_f64().max(1e-9)
    );
    println!(
        "  TurnOn, device answering at once (10 ms shadow polls): cold {:.2} ms, warm {:.2} ms; local hub {:.3} ms",
        ms(on_cold),
        ms(on_warm),
        ms(on_local)
    );
    let cold_discover = allocation_counter::measure(|| {
        run(&skill(&s.session), &discover());
    });
    let cold_on = allocation_counter::measure(|| {
        run(&skill(&s.session), &turn_on());
    });
    let mib = |bytes: u64| bytes as f64 / (1024.0 * 1024.0);
    println!(
        "  peak heap: cold Discover {:.2} MiB ({} allocations), cold TurnOn {:.2} MiB; a 128 MB Lambda has {:.0}x the larger",
        mib(cold_discover.bytes_max),
        cold_discover.count_total,
        mib(cold_on.bytes_max),
        128.0 * 1000.0 * 1000.0 / (cold_discover.bytes_max.max(cold_on.bytes_max).max(1)) as f64
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
