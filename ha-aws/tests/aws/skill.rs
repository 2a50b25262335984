//! The Alexa skill for Tasmota devices on AWS IoT (feature `skill`) on the emulator: devices
//! simulated behind the emulator's MQTT link publish what Tasmota publishes; the emulator's
//! topic rules run the skill's function in-process; a stand-in for Login with Amazon and the
//! event gateway (wiremock on loopback) records what Alexa would receive. Every answer and
//! event is checked against the outbound schema (and Amazon's when
//! `ALEXA_SMART_HOME_SCHEMA` names it).
//!
//! Waits are short configured waits (a device that answers "late" answers after the skill's
//! configured wait, not after a measured time); nothing asserts on elapsed time.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ha_alexa::config::ClientSecret;
use ha_alexa::gateway::GatewayConfig;
use ha_alexa::lwa::LwaConfig;
use ha_aws::emulator::{Emulator, MqttLink};
use ha_aws::iot::IotAccount;
use ha_aws::skill::{MIRROR_SHADOW, Skill, SkillConfig, SkillProvisioner, TOKEN_SHADOW};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[path = "../../../ha-alexa/tests/schema/check.rs"]
pub(crate) mod schema;

const FUNCTION: &str = "arn:aws:lambda:us-east-1:123456789012:function:tasmota-alexa-skill";
const TOKEN_THING: &str = "skill-tokens";
const PLUG_MAC: &str = "DC4F22A1B2C3";

/// How a simulated device answers commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Behaviour {
    /// At once.
    Answers,
    /// Only after the test lets it ([`Rig::release`]).
    Late,
    /// Never.
    Silent,
}

/// The MQTT broker as the emulator's link sees it: data-plane publishes go to the devices.
struct Link(mpsc::UnboundedSender<(String, Vec<u8>)>);

impl MqttLink for Link {
    fn publish(&self, topic: &str, payload: &[u8], _qos: u8, _retain: bool) {
        let _ = self.0.send((topic.to_owned(), payload.to_vec()));
    }
}

pub(crate) fn plug_config(topic: &str, mac: &str) -> Value {
    json!({
        "ip": "192.168.1.50", "dn": "Kettle plug", "fn": ["Kettle plug", null, null, null, null, null, null, null],
        "hn": "tasmota-plug", "mac": mac, "md": "Sonoff S31", "ty": 0, "if": 0,
        "ofln": "Offline", "onln": "Online", "state": ["OFF", "ON", "TOGGLE", "HOLD"],
        "sw": "14.3.0", "t": topic, "ft": "%prefix%/%topic%/", "tp": ["cmnd", "stat", "tele"],
        "rl": [1, 0, 0, 0, 0, 0, 0, 0], "swc": [-1, -1, -1, -1, -1, -1, -1, -1],
        "swn": [null, null, null, null, null, null, null, null], "btn": [0, 0, 0, 0, 0, 0, 0, 0],
        "so": {"4": 0, "11": 0, "13": 0, "17": 0, "20": 0, "30": 0, "68": 0, "73": 0, "82": 0, "114": 0, "117": 0},
        "lk": 0, "lt_st": 0, "sho": [], "ver": 1
    })
}

/// Device messages held back (topic, payload) until a test lets them through.
type Held = Arc<Mutex<Vec<(String, Vec<u8>)>>>;

/// The emulator, the skill served as its function, simulated devices and Amazon's stand-in.
pub(crate) struct Rig {
    pub(crate) emulator: Arc<Emulator>,
    pub(crate) skill: Arc<Skill>,
    amazon: MockServer,
    behaviour: Arc<Mutex<HashMap<String, Behaviour>>>,
    held: Held,
}

impl Rig {
    pub(crate) async fn start(config: SkillConfig) -> Self {
        let emulator = Arc::new(Emulator::start().await);
        let amazon = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/auth/o2/token"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "access_token": "Atza|test-access", "refresh_token": "Atzr|test-refresh",
                "token_type": "bearer", "expires_in": 3600
            })))
            .mount(&amazon)
            .await;
        Mock::given(method("POST"))
            .and(path("/v3/events"))
            .respond_with(ResponseTemplate::new(202))
            .mount(&amazon)
            .await;
        let session = emulator.session().await;
        let account =
            IotAccount::new(ha_aws::emulator::REGION, ha_aws::emulator::ACCOUNT_ID).unwrap();
        SkillProvisioner::new(&session, account)
            .apply(FUNCTION, TOKEN_THING, &["plug", "lamp"])
            .await
            .unwrap();
        let lwa = LwaConfig::new(
            "amzn1.application-oa2-client.test",
            ClientSecret::try_new("secret").unwrap(),
        )
        .unwrap()
        .with_loopback_token_url(&format!("{}/auth/o2/token", amazon.uri()))
        .unwrap();
        let gateway =
            GatewayConfig::with_loopback_url(&format!("{}/v3/events", amazon.uri())).unwrap();
        let skill = Arc::new(Skill::new(
            &session,
            config.with_token_thing(TOKEN_THING),
            lwa,
            gateway,
        ));
        skill.serve_on(&emulator, "tasmota-alexa-skill");
        let (sender, mut commands) = mpsc::unbounded_channel();
        emulator.connect_mqtt(Arc::new(Link(sender)));
        let behaviour: Arc<Mutex<HashMap<String, Behaviour>>> = Arc::default();
        let held: Held = Arc::default();
        let (devices, state, later) = (
            Arc::clone(&emulator),
            Arc::clone(&behaviour),
            Arc::clone(&held),
        );
        tokio::spawn(async move {
            while let Some((topic, payload)) = commands.recv().await {
                // `Power1` to the one relay; Tasmota answers `POWER`, as a one-relay device does.
                let Some((device, command)) =
                    topic.strip_prefix("cmnd/").and_then(|t| t.split_once('/'))
                else {
                    continue;
                };
                if !command.to_ascii_uppercase().starts_with("POWER") {
                    continue;
                }
                let answer = json!({ "POWER": String::from_utf8_lossy(&payload) }).to_string();
                let result = (format!("stat/{device}/RESULT"), answer.into_bytes());
                let how = state
                    .lock()
                    .unwrap()
                    .get(device)
                    .copied()
                    .unwrap_or(Behaviour::Answers);
                match how {
                    Behaviour::Answers => devices.mqtt_message(&result.0, &result.1, false),
                    Behaviour::Late => later.lock().unwrap().push(result),
                    Behaviour::Silent => {}
                }
            }
        });
        let rig = Self {
            emulator,
            skill,
            amazon,
            behaviour,
            held,
        };
        rig.announce("plug", PLUG_MAC).await;
        rig
    }

    /// What a Tasmota device publishes when it connects.
    pub(crate) async fn announce(&self, topic: &str, mac: &str) {
        let config = plug_config(topic, mac).to_string();
        self.emulator.mqtt_message(
            &format!("tasmota/discovery/{mac}/config"),
            config.as_bytes(),
            false,
        );
        self.emulator
            .mqtt_message(&format!("tele/{topic}/LWT"), b"Online", false);
        let state = json!({"POWER": "OFF", "UptimeSec": 10, "Wifi": {"RSSI": 78}}).to_string();
        self.emulator
            .mqtt_message(&format!("tele/{topic}/STATE"), state.as_bytes(), false);
        self.until(&format!("{topic}'s state mirrored"), |rig| {
            rig.mirrored(topic)
                .is_some_and(|r| r.get("state").is_some() && r.get("lwt").is_some())
        })
        .await;
    }

    pub(crate) fn set(&self, device: &str, behaviour: Behaviour) {
        self.behaviour
            .lock()
            .unwrap()
            .insert(device.to_owned(), behaviour);
    }

    /// Lets late devices answer now.
    pub(crate) fn release(&self) {
        for (topic, payload) in std::mem::take(&mut *self.held.lock().unwrap()) {
            self.emulator.mqtt_message(&topic, &payload, false);
        }
    }

    pub(crate) fn mirrored(&self, thing: &str) -> Option<Value> {
        self.emulator
            .iot_shadow(thing, Some(MIRROR_SHADOW))
            .map(|doc| doc["state"]["reported"].clone())
    }

    /// Waits (bounded) until `done`.
    pub(crate) async fn until(&self, what: &str, done: impl Fn(&Self) -> bool) {
        for _ in 0..500 {
            if done(self) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!(
            "{what}: not within 5 s; rule errors {:?}",
            self.emulator.iot_rule_errors()
        );
    }

    /// The events the event-gateway stand-in received.
    pub(crate) async fn events(&self) -> Vec<Value> {
        self.amazon
            .received_requests()
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|r| r.url.path() == "/v3/events")
            .filter_map(|r| serde_json::from_slice(&r.body).ok())
            .collect()
    }

    pub(crate) async fn wait_for_event(&self, name: &str) -> Value {
        for _ in 0..1000 {
            if let Some(event) = self
                .events()
                .await
                .into_iter()
                .find(|e| e["event"]["header"]["name"] == name)
            {
                schema::assert_schema_valid(&event);
                return event;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!(
            "no {name} at the event gateway within 10 s: {:?}",
            self.events().await
        );
    }

    /// Sends a directive through the skill's function entry point; the answer, checked
    /// against the schema.
    pub(crate) async fn directive(
        &self,
        namespace: &str,
        name: &str,
        endpoint: Option<&str>,
        payload: Value,
    ) -> Value {
        let mut directive = json!({"directive": {
            "header": {"namespace": namespace, "name": name, "messageId": "m-1",
                       "correlationToken": format!("token-{name}"), "payloadVersion": "3"},
            "payload": payload,
        }});
        if let Some(endpoint) = endpoint {
            directive["directive"]["endpoint"] = json!({
                "endpointId": endpoint, "scope": {"type": "BearerToken", "token": "user-token"}
            });
        }
        let answer = self.skill.handle(&directive).await.unwrap();
        schema::assert_schema_valid(&answer);
        answer
    }

    pub(crate) async fn link_account(&self) {
        let answer = self
            .directive(
                "Alexa.Authorization",
                "AcceptGrant",
                None,
                json!({"grant": {"type": "OAuth2.AuthorizationCode", "code": "grant-code"},
                       "grantee": {"type": "BearerToken", "token": "user-token"}}),
            )
            .await;
        assert_eq!(
            answer["event"]["header"]["name"], "AcceptGrant.Response",
            "{answer}"
        );
    }
}

fn name(answer: &Value) -> &str {
    answer["event"]["header"]["name"]
        .as_str()
        .unwrap_or_default()
}

fn property<'a>(event: &'a Value, name: &str) -> Option<&'a Value> {
    event["context"]["properties"]
        .as_array()?
        .iter()
        .find(|p| p["name"] == name)
}

const PLUG: &str = "DC4F22A1B2C3_switch_relay_0";

/// Waits generous enough for a loaded machine: the device that answers does so well inside
/// them, and the ones that do not are held back by the test, not by time.
fn quick() -> SkillConfig {
    SkillConfig::default()
        .with_answer_within(Duration::from_secs(2))
        .with_poll_every(Duration::from_millis(10))
        .with_deferral(Duration::from_secs(5))
}

/// Short waits, for a device that never answers.
fn short() -> SkillConfig {
    quick()
        .with_answer_within(Duration::from_millis(200))
        .with_deferral(Duration::from_secs(1))
}

#[tokio::test]
async fn provisioning_registers_things_and_rules_once() {
    let rig = Rig::start(quick()).await;
    let things = rig.emulator.iot_things();
    let plug = things.iter().find(|(name, _)| name == "plug").unwrap();
    assert_eq!(plug.1.get("kind").map(String::as_str), Some("tasmota"));
    assert_eq!(
        plug.1.get("mac").map(String::as_str),
        Some(PLUG_MAC),
        "set by the config's mirror"
    );
    assert_eq!(rig.emulator.iot_rules().len(), 6);
    let session = rig.emulator.session().await;
    let account = IotAccount::new(ha_aws::emulator::REGION, ha_aws::emulator::ACCOUNT_ID).unwrap();
    let again = SkillProvisioner::new(&session, account.clone())
        .apply(FUNCTION, TOKEN_THING, &["plug", "lamp"])
        .await
        .unwrap();
    assert!(again.is_unchanged(), "{:?}", again.changes());
    let policy: Value = serde_json::from_str(
        &SkillProvisioner::new(&session, account).role_policy(FUNCTION, TOKEN_THING),
    )
    .unwrap();
    let text = policy.to_string();
    assert!(
        text.contains("topic/cmnd/*") && !text.contains("\"Resource\":\"*\",\"Sid\":\"Commands\""),
        "{text}"
    );
}

#[tokio::test]
async fn discover_report_state_and_a_device_that_answers() {
    let rig = Rig::start(quick()).await;
    let discovered = rig
        .directive(
            "Alexa.Discovery",
            "Discover",
            None,
            json!({"scope": {"type": "BearerToken", "token": "t"}}),
        )
        .await;
    let endpoints = discovered["event"]["payload"]["endpoints"]
        .as_array()
        .unwrap();
    assert_eq!(
        endpoints.len(),
        1,
        "the lamp has no mirrored config yet: {discovered}"
    );
    assert_eq!(endpoints[0]["endpointId"], PLUG);
    assert_eq!(endpoints[0]["displayCategories"][0], "SWITCH");

    let state_at = rig.mirrored("plug").unwrap()["state"]["at"]
        .as_i64()
        .unwrap();
    let report = rig
        .directive("Alexa", "ReportState", Some(PLUG), json!({}))
        .await;
    assert_eq!(name(&report), "StateReport");
    let power = property(&report, "powerState").unwrap();
    assert_eq!(power["value"], "OFF");
    let sampled = ha_alexa::Timestamp::from_unix_millis(state_at).unwrap();
    assert_eq!(
        power["timeOfSample"],
        json!(sampled),
        "the STATE's own time, not now"
    );

    let answer = rig
        .directive("Alexa.PowerController", "TurnOn", Some(PLUG), json!({}))
        .await;
    assert_eq!(name(&answer), "Response", "{answer}");
    assert_eq!(property(&answer, "powerState").unwrap()["value"], "ON");
    let result_at = rig.mirrored("plug").unwrap()["result"]["at"]
        .as_i64()
        .unwrap();
    assert_eq!(
        property(&answer, "powerState").unwrap()["timeOfSample"],
        json!(ha_alexa::Timestamp::from_unix_millis(result_at).unwrap())
    );
    assert!(
        rig.mirrored("plug").unwrap().get("pending").is_none(),
        "the RESULT cleared the pending directive"
    );
    let published = rig.emulator.requests::<ha_aws::emulator::IotPublish>();
    assert_eq!(published.len(), 1);
    assert_eq!(
        (
            published[0].topic.as_str(),
            published[0].qos,
            published[0].payload.as_slice()
        ),
        ("cmnd/plug/Power1", 1, &b"ON"[..])
    );
}

#[tokio::test]
async fn a_late_device_gets_a_deferred_response_then_the_response_at_the_gateway() {
    let rig = Rig::start(quick().with_answer_within(Duration::from_millis(200))).await;
    rig.link_account().await;
    rig.set("plug", Behaviour::Late);
    let answer = rig
        .directive("Alexa.PowerController", "TurnOn", Some(PLUG), json!({}))
        .await;
    assert_eq!(name(&answer), "DeferredResponse", "{answer}");
    assert_eq!(
        answer["event"]["header"]["correlationToken"],
        "token-TurnOn"
    );
    assert_eq!(answer["event"]["payload"]["estimatedDeferralInSeconds"], 5);
    assert_eq!(rig.mirrored("plug").unwrap()["pending"]["mode"], "deferred");
    rig.release();
    let response = rig.wait_for_event("Response").await;
    assert_eq!(
        response["event"]["header"]["correlationToken"],
        "token-TurnOn"
    );
    assert_eq!(response["event"]["endpoint"]["endpointId"], PLUG);
    assert_eq!(
        response["event"]["endpoint"]["scope"]["token"],
        "Atza|test-access"
    );
    assert_eq!(property(&response, "powerState").unwrap()["value"], "ON");
    assert!(
        !rig.events()
            .await
            .iter()
            .any(|e| e["event"]["header"]["name"] == "ChangeReport"),
        "the directive's own change is its Response, not a ChangeReport"
    );
}

#[tokio::test]
async fn a_silent_device_gets_endpoint_unreachable_at_the_deadline() {
    let rig = Rig::start(short()).await;
    rig.link_account().await;
    rig.set("plug", Behaviour::Silent);
    let answer = rig
        .directive("Alexa.PowerController", "TurnOn", Some(PLUG), json!({}))
        .await;
    assert_eq!(name(&answer), "DeferredResponse", "{answer}");
    // The follow-up is a real asynchronous invocation of the function.
    let invoked = rig.emulator.requests::<ha_aws::emulator::LambdaInvoke>();
    let follow_up: Value = serde_json::from_slice(&invoked.last().unwrap().payload).unwrap();
    assert_eq!(invoked.last().unwrap().invocation_type, "Event");
    assert_eq!(follow_up["ha-rs-skill"], "expire");
    let error = rig.wait_for_event("ErrorResponse").await;
    assert_eq!(error["event"]["payload"]["type"], "ENDPOINT_UNREACHABLE");
    assert_eq!(error["event"]["header"]["correlationToken"], "token-TurnOn");
    assert!(rig.mirrored("plug").unwrap().get("pending").is_none());
}

#[tokio::test]
async fn without_a_correlation_token_a_silent_device_is_unreachable_synchronously() {
    let rig = Rig::start(short()).await;
    rig.set("plug", Behaviour::Silent);
    let directive = json!({"directive": {
        "header": {"namespace": "Alexa.PowerController", "name": "TurnOn", "messageId": "m-2", "payloadVersion": "3"},
        "endpoint": {"endpointId": PLUG}, "payload": {}}});
    let answer = rig.skill.handle(&directive).await.unwrap();
    schema::assert_schema_valid(&answer);
    assert_eq!(
        answer["event"]["payload"]["type"], "ENDPOINT_UNREACHABLE",
        "{answer}"
    );
}

#[tokio::test]
async fn an_offline_device_is_unreachable() {
    let rig = Rig::start(quick()).await;
    rig.link_account().await;
    rig.emulator
        .mqtt_message("tele/plug/LWT", b"Offline", false);
    rig.until("the LWT mirrored", |rig| {
        rig.mirrored("plug")
            .is_some_and(|r| r["lwt"]["text"] == "Offline")
    })
    .await;
    let report = rig
        .directive("Alexa", "ReportState", Some(PLUG), json!({}))
        .await;
    assert_eq!(
        report["event"]["payload"]["type"], "ENDPOINT_UNREACHABLE",
        "{report}"
    );
    let answer = rig
        .directive("Alexa.PowerController", "TurnOn", Some(PLUG), json!({}))
        .await;
    assert_eq!(
        answer["event"]["payload"]["type"], "ENDPOINT_UNREACHABLE",
        "{answer}"
    );
    assert!(
        rig.emulator
            .requests::<ha_aws::emulator::IotPublish>()
            .is_empty(),
        "nothing sent to an offline device"
    );
    let change = rig.wait_for_event("ChangeReport").await;
    let connectivity = &change["event"]["payload"]["change"]["properties"][0];
    assert_eq!(connectivity["name"], "connectivity");
    assert_eq!(connectivity["value"]["value"], "UNREACHABLE");
}

#[tokio::test]
async fn a_change_by_hand_reaches_alexa_as_a_change_report() {
    let rig = Rig::start(quick()).await;
    rig.link_account().await;
    let tokens = rig
        .emulator
        .iot_shadow(TOKEN_THING, Some(TOKEN_SHADOW))
        .unwrap();
    assert_eq!(
        tokens["state"]["reported"]["tokens"]["refresh_token"],
        "Atzr|test-refresh"
    );
    rig.emulator
        .mqtt_message("stat/plug/RESULT", br#"{"POWER":"ON"}"#, false);
    let change = rig.wait_for_event("ChangeReport").await;
    assert_eq!(change["event"]["endpoint"]["endpointId"], PLUG);
    assert_eq!(
        change["event"]["payload"]["change"]["cause"]["type"],
        "PHYSICAL_INTERACTION"
    );
    let power = &change["event"]["payload"]["change"]["properties"][0];
    assert_eq!(
        (power["name"].as_str(), power["value"].as_str()),
        (Some("powerState"), Some("ON"))
    );
}

#[tokio::test]
async fn an_older_message_does_not_replace_a_newer_one_and_strangers_are_skipped() {
    use base64::Engine as _;
    let rig = Rig::start(quick()).await;
    let newer = rig.mirrored("plug").unwrap()["state"]["at"]
        .as_i64()
        .unwrap();
    let old = json!({"topic": "tele/plug/STATE", "at": newer - 1000,
        "payload": base64::engine::general_purpose::STANDARD.encode(br#"{"POWER":"ON"}"#)});
    let outcome = rig.skill.handle(&old).await.unwrap();
    assert!(
        outcome["skipped"].as_str().unwrap().contains("older"),
        "{outcome}"
    );
    let stranger = json!({"topic": "tasmota/discovery/AABBCCDDEEFF/config", "at": newer,
        "payload": base64::engine::general_purpose::STANDARD.encode(plug_config("garage", "AABBCCDDEEFF").to_string())});
    let outcome = rig.skill.handle(&stranger).await.unwrap();
    assert!(
        outcome["skipped"]
            .as_str()
            .unwrap()
            .contains("not a registered device"),
        "{outcome}"
    );
    let error = rig
        .skill
        .handle(&json!({"topic": "tele/plug/STATE", "payload": "%%%", "at": 1}))
        .await
        .unwrap_err();
    assert!(error.to_string().contains("payload"), "{error}");
}

#[tokio::test]
async fn the_emulator_keeps_retained_messages_and_hands_publishes_to_the_broker() {
    use aws_sdk_iotdataplane::primitives::Blob;
    let emulator = Emulator::start().await;
    let data = crate::support::sdk_client!(
        aws_sdk_iotdataplane,
        emulator.endpoint_url(),
        "us-east-1",
        "testing"
    );
    let (sender, mut published) = mpsc::unbounded_channel();
    emulator.connect_mqtt(Arc::new(Link(sender)));
    data.publish()
        .topic("cmnd/plug/POWER")
        .qos(1)
        .payload(Blob::new("ON"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        published.recv().await.unwrap(),
        ("cmnd/plug/POWER".to_owned(), b"ON".to_vec())
    );
    for topic in ["tele/a/INFO1", "tele/b/INFO1"] {
        data.publish()
            .topic(topic)
            .retain(true)
            .payload(Blob::new(r#"{"Info1":{}}"#))
            .send()
            .await
            .unwrap();
    }
    let kept = data
        .get_retained_message()
        .topic("tele/a/INFO1")
        .send()
        .await
        .unwrap();
    assert_eq!(kept.payload().unwrap().as_ref(), br#"{"Info1":{}}"#);
    let page = data
        .list_retained_messages()
        .max_results(1)
        .send()
        .await
        .unwrap();
    assert_eq!(page.retained_topics().len(), 1);
    let rest = data
        .list_retained_messages()
        .set_next_token(page.next_token().map(str::to_owned))
        .send()
        .await
        .unwrap();
    assert_eq!(rest.retained_topics()[0].topic(), Some("tele/b/INFO1"));
    assert_eq!(rest.retained_topics()[0].payload_size(), 12);
    data.publish()
        .topic("tele/a/INFO1")
        .retain(true)
        .send()
        .await
        .unwrap();
    let gone = data
        .get_retained_message()
        .topic("tele/a/INFO1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        gone.raw_response().unwrap().status().as_u16(),
        404,
        "an empty retained publish deletes"
    );
    let too_big = data
        .update_thing_shadow()
        .thing_name("plug")
        .payload(Blob::new(
            json!({"state": {"reported": {"x": "y".repeat(9000)}}}).to_string(),
        ))
        .send()
        .await
        .unwrap_err();
    assert_eq!(too_big.raw_response().unwrap().status().as_u16(), 413);
}

#[tokio::test]
async fn a_rule_the_emulator_cannot_evaluate_is_refused_when_created() {
    let emulator = Emulator::start().await;
    let iot =
        crate::support::sdk_client!(aws_sdk_iot, emulator.endpoint_url(), "us-east-1", "testing");
    let payload = aws_sdk_iot::types::TopicRulePayload::builder()
        .sql("SELECT upper(name) AS n FROM 'tele/+/STATE' WHERE x > 1")
        .set_actions(Some(Vec::new()))
        .build()
        .unwrap();
    let error = iot
        .create_topic_rule()
        .rule_name("odd")
        .topic_rule_payload(payload)
        .send()
        .await
        .unwrap_err();
    let service = error.into_service_error();
    assert!(service.is_sql_parse_exception(), "{service:?}");
}
