//! The second path: Alexa with no hub in the loop, through the skill Lambda of ha-aws's `skill`
//! feature on AWS IoT (here the AWS emulator, with its own account).
//!
//! Before the devices connect, [`SkillCloud::start`] registers a thing per device and the
//! mirroring topic rules (ha-aws `SkillProvisioner`), serves the skill as the Lambda function
//! the rules invoke, and connects the emulator's IoT core to the demo's broker through the TLS
//! front: the data plane's `Publish` goes to the broker, and everything devices publish reaches
//! the emulator's rules, which mirror it into each device's shadow. After the local-hub
//! scenario, [`Home::skill_path`] sends Alexa's directives to the skill's handler: AcceptGrant,
//! Discover, TurnOn on the plug (which answers), ReportState on the light, a switch by hand at
//! the plug (a ChangeReport), and TurnOn on the light after it dropped off the network.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use ha_alexa::config::ClientSecret;
use ha_alexa::gateway::GatewayConfig;
use ha_alexa::lwa::LwaConfig;
use ha_aws::emulator::{Emulator, MqttLink};
use ha_aws::iot::IotAccount;
use ha_aws::skill::{MIRROR_SHADOW, Skill, SkillConfig, SkillProvisioner};
use iot_tls::codec::Qos;
use iot_tls::tokio::{Client, Event, Message, Options};
use serde_json::Value;
use tokio::task::JoinHandle;

use super::{
    Amazon, Answered, DeviceKind, Home, LIGHT, PLUG, STEP, accept_grant, control, discover,
    wait_until,
};
use crate::Error;

/// The skill function's ARN on the emulator.
pub const SKILL_FUNCTION: &str =
    "arn:aws:lambda:us-east-1:123456789012:function:tasmota-alexa-skill";
/// The thing holding the skill's Login-with-Amazon tokens.
const TOKEN_THING: &str = "ha-rs-alexa-skill";

/// What the skill path did, for the summary.
#[derive(Clone, Debug, Default)]
pub struct SkillSummary {
    /// What provisioning created on the emulator.
    pub provisioned: Vec<String>,
    /// The directives the skill answered, each with how: `sync`, `deferred`, `error`.
    pub directives: Vec<(Answered, &'static str)>,
    /// The events the skill sent to its event-gateway stand-in (`Namespace.Name`).
    pub gateway_events: Vec<String>,
    /// The endpoints the skill's Discover listed.
    pub endpoints: usize,
}

impl fmt::Display for SkillSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "  Alexa through the skill Lambda on AWS IoT, no hub: {} directives (Discover found {} endpoints)",
            self.directives.len(),
            self.endpoints
        )?;
        for (answered, how) in &self.directives {
            writeln!(
                f,
                "    {} -> {} (skill, {how})",
                answered.directive, answered.answer
            )?;
        }
        writeln!(
            f,
            "  skill things and rules: {}",
            self.provisioned.join("; ")
        )?;
        write!(
            f,
            "  skill's event gateway received: {}",
            self.gateway_events.join(", ")
        )
    }
}

/// The broker as the emulator's data plane sees it.
struct Broker(Client);

impl MqttLink for Broker {
    fn publish(&self, topic: &str, payload: &[u8], qos: u8, retain: bool) {
        let qos = if qos == 0 {
            Qos::AtMostOnce
        } else {
            Qos::AtLeastOnce
        };
        let message = Message::new(topic, payload.to_vec())
            .with_qos(qos)
            .with_retain(retain);
        if let Err(error) = self.0.publish(message) {
            tracing::warn!(%topic, %error, "aws iot: data-plane publish not delivered");
        }
    }
}

/// The emulated AWS account of the skill path, connected to the demo's broker.
pub struct SkillCloud {
    emulator: Arc<Emulator>,
    skill: Arc<Skill>,
    amazon: Amazon,
    client: Client,
    bridge: JoinHandle<()>,
    provisioned: Vec<String>,
}

impl SkillCloud {
    /// Provisions the skill for the devices `topics`, serves it, and connects the emulator's
    /// IoT core to the broker with `options` (a client the front admits with no topic
    /// limits, as AWS IoT's own rules engine is); returns once the subscription holds.
    ///
    /// # Errors
    ///
    /// [`Error::Aws`] when provisioning fails, [`Error::IotTls`] when the client is refused,
    /// [`Error::Timeout`] when the broker does not answer within 10 s.
    pub async fn start(options: Options, topics: &[String]) -> Result<Self, Error> {
        let emulator = Arc::new(Emulator::start().await);
        let session = emulator.session().await;
        let account = IotAccount::from_function_arn(SKILL_FUNCTION)?;
        let names: Vec<&str> = topics.iter().map(String::as_str).collect();
        let provisioned = SkillProvisioner::new(&session, account)
            .apply(SKILL_FUNCTION, TOKEN_THING, &names)
            .await?;
        let amazon = Amazon::start().await?;
        let lwa = LwaConfig::new(
            "amzn1.application-oa2-client.smart-home-skill",
            ClientSecret::try_new("demo-skill-secret").map_err(ha_alexa::Error::from)?,
        )
        .map_err(ha_alexa::Error::from)?
        .with_loopback_token_url(&amazon.token_url())
        .map_err(ha_alexa::Error::from)?;
        let gateway = GatewayConfig::with_loopback_url(&amazon.events_url())
            .map_err(ha_alexa::Error::from)?;
        let skill = Arc::new(Skill::new(
            &session,
            SkillConfig::default().with_token_thing(TOKEN_THING),
            lwa,
            gateway,
        ));
        skill.serve_on(&emulator, "tasmota-alexa-skill");
        let (client, mut events) = Client::spawn(options)?;
        client.subscribe(&[
            ("tasmota/discovery/#", Qos::AtLeastOnce),
            ("tele/+/+", Qos::AtLeastOnce),
            ("stat/+/+", Qos::AtLeastOnce),
        ])?;
        tokio::time::timeout(STEP, async {
            while let Some(event) = events.recv().await {
                if let Event::Subscribed { .. } = event {
                    return;
                }
            }
        })
        .await
        .map_err(|_| Error::Timeout {
            waiting_for: "the AWS IoT rules' subscription".to_owned(),
            after: STEP,
        })?;
        emulator.connect_mqtt(Arc::new(Broker(client.clone())));
        let rules = Arc::clone(&emulator);
        let bridge = tokio::spawn(async move {
            while let Some(event) = events.recv().await {
                if let Event::Message(message) = event {
                    rules.mqtt_message(&message.topic, &message.payload, message.retain);
                }
            }
        });
        tracing::info!(
            rules = provisioned.rules().len(),
            "aws iot: things and mirroring rules provisioned; the skill is the rules' function"
        );
        Ok(Self {
            emulator,
            skill,
            amazon,
            client,
            bridge,
            provisioned: provisioned.changes(),
        })
    }

    /// The reported state of a device's mirror shadow.
    pub fn mirrored(&self, thing: &str) -> Option<Value> {
        self.emulator
            .iot_shadow(thing, Some(MIRROR_SHADOW))
            .map(|document| document["state"]["reported"].clone())
    }

    /// Disconnects the rules engine from the broker.
    pub async fn stop(&self) {
        self.client.disconnect().await;
        self.bridge.abort();
    }
}

fn named(event: &Value) -> String {
    let header = &event["event"]["header"];
    format!(
        "{}.{}",
        header["namespace"].as_str().unwrap_or_default(),
        header["name"].as_str().unwrap_or_default()
    )
}

impl Home {
    /// Sends one directive to the skill's handler, as Alexa invokes the Lambda, and checks the
    /// answer's name.
    async fn skill_directive(
        &mut self,
        directive: &Value,
        expected: &str,
        how: &'static str,
    ) -> Result<Value, Error> {
        let event =
            self.skill
                .skill
                .handle(directive)
                .await
                .map_err(|error| Error::Unexpected {
                    step: "the skill Lambda",
                    expected: expected.to_owned(),
                    got: error.to_string(),
                })?;
        let directive_name = named(&serde_json::json!({ "event": directive["directive"] }));
        let answer = named(&event);
        tracing::info!(directive = %directive_name, %answer, "skill: answered with no hub");
        self.summary.skill.directives.push((
            Answered {
                directive: directive_name.clone(),
                answer: answer.clone(),
                event: event.clone(),
            },
            how,
        ));
        if answer != expected {
            return Err(Error::Unexpected {
                step: "a directive to the skill",
                expected: format!("{directive_name} answered by {expected}"),
                got: event.to_string(),
            });
        }
        Ok(event)
    }

    /// The skill path's scenario (see the [module documentation](self)).
    ///
    /// # Errors
    ///
    /// The first step that fails.
    pub async fn skill_path(&mut self) -> Result<(), Error> {
        // The hub is switched off: from here on no hub is in the loop.
        self.hub.disconnect().await;
        let plug = PLUG.topic();
        let light = LIGHT.topic();
        let cloud = &self.skill;
        wait_until("both devices mirrored in AWS IoT", STEP, || {
            [&plug, &light].iter().all(|thing| {
                cloud
                    .mirrored(thing)
                    .is_some_and(|r| r.get("config").is_some() && r.get("state").is_some())
            })
        })
        .await?;
        self.skill_directive(
            &accept_grant(),
            "Alexa.Authorization.AcceptGrant.Response",
            "sync",
        )
        .await?;
        let discovered = self
            .skill_directive(&discover(), "Alexa.Discovery.Discover.Response", "sync")
            .await?;
        self.summary.skill.endpoints = discovered["event"]["payload"]["endpoints"]
            .as_array()
            .map_or(0, Vec::len);
        let plug_endpoint = format!("{}_switch_relay_0", PLUG.mac);
        let light_endpoint = format!("{}_light_light_0", LIGHT.mac);
        self.skill_directive(
            &control(
                &plug_endpoint,
                "Alexa.PowerController",
                "TurnOn",
                &serde_json::json!({}),
            ),
            "Alexa.Response",
            "sync, after the plug's RESULT reached its shadow",
        )
        .await?;
        self.skill_directive(
            &control(
                &light_endpoint,
                "Alexa",
                "ReportState",
                &serde_json::json!({}),
            ),
            "Alexa.StateReport",
            "from the light's shadow",
        )
        .await?;

        // Someone switches the plug on at its button: the rule's invocation sends a ChangeReport.
        self.device(DeviceKind::Plug)?.press_button().await;
        let amazon = &self.skill.amazon;
        wait_until("the skill's ChangeReport", STEP, || {
            amazon
                .events()
                .iter()
                .any(|event| event["event"]["header"]["name"] == "ChangeReport")
        })
        .await?;

        // The light drops off the network (no clean disconnect): the broker publishes its will.
        if let Some(index) = self
            .devices
            .iter()
            .position(|d| d.spec().kind == DeviceKind::Light)
        {
            drop(self.devices.remove(index));
        }
        let cloud = &self.skill;
        wait_until("the light's LWT Offline in its shadow", STEP, || {
            cloud
                .mirrored(&light)
                .is_some_and(|r| r["lwt"]["text"] == "Offline")
        })
        .await?;
        let unreachable = self
            .skill_directive(
                &control(
                    &light_endpoint,
                    "Alexa.PowerController",
                    "TurnOn",
                    &serde_json::json!({}),
                ),
                "Alexa.ErrorResponse",
                "error: its LWT says offline",
            )
            .await?;
        if unreachable["event"]["payload"]["type"] != "ENDPOINT_UNREACHABLE" {
            return Err(Error::Unexpected {
                step: "a directive to an offline device",
                expected: "ENDPOINT_UNREACHABLE".to_owned(),
                got: unreachable.to_string(),
            });
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        self.summary.skill.gateway_events = self.skill.amazon.events().iter().map(named).collect();
        self.summary
            .skill
            .provisioned
            .clone_from(&self.skill.provisioned);
        Ok(())
    }
}
