//! The smart home of `cargo run --example smart_home`, in one process: an AWS-IoT-like
//! broker, three Tasmota devices, a hub exposing them to Alexa, power alerts through AWS.
//!
//! [`run`] plays the scripted scenario and returns its [`Summary`]; the example prints it,
//! and `tests/smart_home.rs` checks it. What happens, in order:
//!
//! 1. the custom authorizer is provisioned through the AWS emulator (ha-aws `iot`: the data
//!    endpoint, the Lambda permission, the authorizer), as `tasmota_aws_setup` does on AWS, and
//!    each device gets its own Backlog with its own password; certificates for the endpoint
//!    are generated (rcgen); rumqttd starts on loopback behind iot-tls's TLS front (SNI, ALPN
//!    `mqtt`), which asks ha-aws's custom authorizer about each CONNECT and holds each
//!    connection to the returned policy; a stand-in for Login with Amazon and the Alexa event
//!    gateway and the AWS emulator start on loopback;
//! 2. the hub connects with iot-tls's client and subscribes to discovery, `stat` and `tele`;
//! 3. a plug with an energy monitor, a dimmable light and an RGBCCT lamp with a temperature
//!    and humidity sensor read their Backlogs (the format of Tasmota's AWS IoT guide,
//!    [`SETUP_BACKLOG`], parsed by tasmota-proto), connect through the front and publish LWT,
//!    INFO, discovery (`config` and `sensors`), STATE and SENSOR; the hub derives each
//!    device's entities from its discovery (tasmota-proto's `Device`), keeps their state in a
//!    `Tracker` per device, answers the polls it sends, and maps the entities to Alexa
//!    endpoints with ha-alexa's `tasmota` feature, with no per-device code;
//! 4. a client with a wrong password is refused by the custom authorizer, and a client with
//!    the plug's credentials that publishes a command to the light is disconnected: its
//!    policy covers only the plug's own topics;
//! 5. Alexa's directives go through ha-alexa's dispatcher: AcceptGrant (tokens from the
//!    Login-with-Amazon stand-in), Discover, TurnOn (the plug), SetBrightness (the light),
//!    ReportState (the light), SetColor and SetColorTemperature (the lamp), ReportState (the
//!    lamp's temperature sensor); each directive becomes the entity's command (a Backlog with
//!    NoDelay for lights) and is answered once the device's RESULTs show the state asked for;
//! 6. someone switches the light off at its button, and the lamp's room warms up: the hub
//!    sends a ChangeReport for each to the event-gateway stand-in over HTTP;
//! 7. a kettle on the plug draws more than the threshold: the hub notifies SNS, SQS and
//!    Lambda through ha-aws (the emulator records the calls); the kettle switches off;
//! 8. the driveway camera takes a generated frame (a car and a person); ha-aws's object
//!    detector sends it to Rekognition (on the emulator, which answers with the labels the
//!    frame was drawn with) and saves the annotated image in [`Settings::out_dir`];
//! 9. with no hub in the loop, Alexa's directives go to the skill Lambda of ha-aws `skill`,
//!    which answers from the devices' state mirrored in AWS IoT ([`skill`]).

mod alerts;
mod amazon;
mod camera;
mod cloud;
mod device;
mod fleet;
mod hub;
pub mod skill;

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use ha_alexa::Dispatcher;
use ha_alexa::config::ClientSecret;
use ha_alexa::gateway::{EventGateway, GatewayConfig};
use ha_alexa::lwa::{LwaClient, LwaConfig, MemoryLwaStore};
use iot_tls::aws::CustomAuthorizer;
use iot_tls::codec::Qos;
use iot_tls::tls::{Alpn, TlsConfig, TrustAnchors};
use iot_tls::tokio::{Client, Message, Options};
use serde_json::{Value, json};

pub use alerts::{Alerts, LiveTargets, Sent};
pub use amazon::Amazon;
pub use camera::{CAMERA, Snapshot};
pub use cloud::{AUTHORIZER_FUNCTION, Access, Cloud, Pki, Provisioned, provision};
pub use device::{Device, DeviceKind, DeviceSpec, MqttSetup};
pub use fleet::{Discovered, Effect, Fleet, Handled};
pub use hub::{Hub, HubLog, HubState};

use crate::Error;

/// The set-up Backlog of Tasmota's AWS IoT guide, as the CloudFormation stack prints it (the
/// guide elides the account part of the endpoint name); the demo gives each device a Backlog
/// of this format with its own user name and password instead.
pub const SETUP_BACKLOG: &str = "BackLog SetOption3 1; SetOption103 1; \
    MqttHost a1b2c3d4e5f6g7-ats.iot.eu-central-1.amazonaws.com; MqttPort 443; \
    MqttUser tasmota?x-amz-customauthorizer-name=TasmotaAuth; MqttPassword YknLuSd2tBY2HodwI/7RqA==";

/// The simulated plug.
pub const PLUG: DeviceSpec = DeviceSpec {
    kind: DeviceKind::Plug,
    mac: "DC4F22A1B2C3",
    name: "Kettle plug",
    module: "Sonoff S31",
};

/// The simulated light.
pub const LIGHT: DeviceSpec = DeviceSpec {
    kind: DeviceKind::Light,
    mac: "DC4F22D4E5F6",
    name: "Hall light",
    module: "Sonoff D1 Dimmer",
};

/// The simulated RGBCCT lamp with a temperature and humidity sensor.
pub const LAMP: DeviceSpec = DeviceSpec {
    kind: DeviceKind::ColorLight,
    mac: "24A16007F8A0",
    name: "Living room lamp",
    module: "ESP32-DevKit",
};

/// The devices of the demo.
pub const DEVICES: [DeviceSpec; 3] = [PLUG, LIGHT, LAMP];

/// What to run.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Where to save the annotated camera frame.
    pub out_dir: PathBuf,
    /// The plug's power that raises an alert, in watts.
    pub threshold_watts: f64,
    /// Notify real AWS instead of the emulator (needs [`LiveTargets`] and credentials).
    pub live_aws: Option<LiveTargets>,
    /// How often devices publish STATE and SENSOR unasked.
    pub tele_period: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            out_dir: std::env::temp_dir().join("ha-rs-smart_home"),
            threshold_watts: 1500.0,
            live_aws: None,
            tele_period: Duration::from_mins(5),
        }
    }
}

/// One Alexa directive and the event that answered it.
#[derive(Clone, Debug)]
pub struct Answered {
    /// `Namespace.Name` of the directive.
    pub directive: String,
    /// `Namespace.Name` of the answer.
    pub answer: String,
    /// The whole answer.
    pub event: Value,
}

/// What the scenario did.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    /// The devices the hub discovered, with their entities and Alexa endpoints.
    pub devices: Vec<Discovered>,
    /// The directives sent to the dispatcher, with their answers.
    pub directives: Vec<Answered>,
    /// The endpoints in the Discover.Response.
    pub endpoints: usize,
    /// The events the event-gateway stand-in received (`Namespace.Name`).
    pub gateway_events: Vec<String>,
    /// The ChangeReports the event-gateway stand-in received, whole.
    pub gateway_reports: Vec<Value>,
    /// The connections the TLS front refused, as it describes them.
    pub refused: Vec<String>,
    /// What provisioning the custom authorizer changed on the AWS emulator.
    pub provisioned: Vec<String>,
    /// The power alerts, with what each service did.
    pub alerts: Vec<Vec<Sent>>,
    /// The calls the AWS emulator recorded (`(operation, target)`), empty on real AWS.
    pub aws_calls: Vec<(String, String)>,
    /// Tasmota messages the hub decoded.
    pub messages: usize,
    /// Commands the hub sent to devices (the polls of discovery, the directives' commands).
    pub commands: usize,
    /// What the camera detected, per target label.
    pub objects: std::collections::BTreeMap<String, usize>,
    /// The annotated camera image.
    pub image: Option<PathBuf>,
    /// What the skill path (no hub) did.
    pub skill: skill::SkillSummary,
}

impl Summary {
    /// The answers named `answer` (`Alexa.Response`, `Alexa.Discovery.Discover.Response`, ...).
    pub fn answers(&self, answer: &str) -> usize {
        self.directives
            .iter()
            .filter(|answered| answered.answer == answer)
            .count()
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "summary")?;
        writeln!(f, "  devices discovered: {}", self.devices.len())?;
        for device in &self.devices {
            writeln!(
                f,
                "    {} ({}, {}): {} entities, {} Alexa endpoints",
                device.name,
                device.topic,
                device.model,
                device.entities.len(),
                device.endpoints.len()
            )?;
            for (id, category, interfaces) in &device.endpoints {
                writeln!(f, "      {id} {category}: {}", interfaces.join(", "))?;
            }
        }
        writeln!(
            f,
            "  Alexa directives answered: {} (Discover found {} endpoints)",
            self.directives.len(),
            self.endpoints
        )?;
        for answered in &self.directives {
            writeln!(f, "    {} -> {} (hub)", answered.directive, answered.answer)?;
        }
        writeln!(f, "{}", self.skill)?;
        writeln!(
            f,
            "  event gateway received: {}",
            self.gateway_events.join(", ")
        )?;
        for report in &self.gateway_reports {
            let event = &report["event"];
            writeln!(
                f,
                "    ChangeReport {} ({})",
                event["endpoint"]["endpointId"].as_str().unwrap_or_default(),
                event["payload"]["change"]["cause"]["type"]
                    .as_str()
                    .unwrap_or_default()
            )?;
        }
        writeln!(
            f,
            "  custom authorizer provisioned: {}",
            self.provisioned.join("; ")
        )?;
        writeln!(
            f,
            "  connections refused by the front: {}",
            self.refused.len()
        )?;
        for refusal in &self.refused {
            writeln!(f, "    {refusal}")?;
        }
        writeln!(f, "  power alerts: {}", self.alerts.len())?;
        for sent in self.alerts.iter().flatten() {
            writeln!(
                f,
                "    {}: {} delivered, {} failed",
                sent.service, sent.delivered, sent.failed
            )?;
        }
        writeln!(f, "  AWS emulator recorded: {} calls", self.aws_calls.len())?;
        for (operation, target) in &self.aws_calls {
            writeln!(f, "    {operation} {target}")?;
        }
        writeln!(
            f,
            "  Tasmota messages decoded by the hub: {}; commands sent: {}",
            self.messages, self.commands
        )?;
        let objects: Vec<String> = self
            .objects
            .iter()
            .map(|(label, count)| format!("{count} {label}"))
            .collect();
        writeln!(f, "  camera detected: {}", objects.join(", "))?;
        match &self.image {
            Some(image) => write!(f, "  annotated image: {}", image.display()),
            None => write!(f, "  annotated image: none"),
        }
    }
}

/// Everything running: the cloud stand-ins, the hub, the devices.
pub struct Home {
    settings: Settings,
    cloud: Cloud,
    amazon: Amazon,
    hub: Hub,
    dispatcher: Dispatcher<Arc<HubState>>,
    devices: Vec<Device>,
    anchors: TrustAnchors,
    setup: MqttSetup,
    summary: Summary,
    skill: skill::SkillCloud,
}

const STEP: Duration = Duration::from_secs(10);

impl Home {
    /// Starts the cloud stand-ins, the hub and the devices, and waits until the hub has
    /// discovered them all and knows the state of every entity Alexa will see.
    ///
    /// # Errors
    ///
    /// Any [`Error`] of the parts; [`Error::Timeout`] when a step does not happen within 10 s.
    pub async fn start(settings: Settings) -> Result<Self, Error> {
        let topics: Vec<String> = DEVICES.iter().map(DeviceSpec::topic).collect();
        let provisioned = provision(&topics).await?;
        tracing::info!(endpoint = %provisioned.endpoint, changes = ?provisioned.changes, "custom authorizer provisioned on the AWS emulator");
        let mut setups = Vec::new();
        for (topic, device) in &provisioned.devices {
            let backlog = device.backlog()?;
            let setup = MqttSetup::from_backlog(&backlog)?;
            tracing::info!(device = %topic, ?setup, "the device's own Backlog, parsed by tasmota-proto");
            setups.push(setup);
        }
        let setup = setups[0].clone();
        let user = iot_tls::aws::Username::parse(&setup.user).map_err(iot_tls::Error::from)?;
        let hub_password = ha_aws::iot::Password::generate()?;
        let access = Access::new(provisioned.key.clone(), "hub", hub_password.expose())?;
        let pki = Pki::generate(&setup.host)?;
        let anchors = pki.anchors()?;
        let cloud = Cloud::start(&pki, &setup.host, access).await?;
        let amazon = Amazon::start().await?;
        let alerts = match &settings.live_aws {
            Some(targets) => Alerts::live(targets).await?,
            None => Alerts::emulated().await?,
        };

        let lwa = LwaClient::new(
            LwaConfig::new(
                "amzn1.application-oa2-client.smart-home-demo",
                ClientSecret::try_new("demo-client-secret").map_err(ha_alexa::Error::from)?,
            )
            .map_err(ha_alexa::Error::from)?
            .with_loopback_token_url(&amazon.token_url())
            .map_err(ha_alexa::Error::from)?,
            MemoryLwaStore::new(),
        )
        .map_err(ha_alexa::Error::from)?;
        let gateway = EventGateway::open(
            GatewayConfig::with_loopback_url(&amazon.events_url())
                .map_err(ha_alexa::Error::from)?,
            lwa,
        )
        .await
        .map_err(ha_alexa::Error::from)?;

        let hub_user = CustomAuthorizer::new("hub")
            .with_authorizer(&user.authorizer().map(|a| a.decode()).unwrap_or_default())
            .to_string();
        let skill = skill::SkillCloud::start(
            endpoint_options(&setup, cloud.front_addr(), "aws-iot-rules", &anchors)?
                .with_credentials(hub_user.clone(), hub_password.expose().as_bytes()),
            &[PLUG.topic(), LIGHT.topic()],
        )
        .await?;
        let (client, events) = Client::spawn(
            endpoint_options(&setup, cloud.front_addr(), "smart-home-hub", &anchors)?
                .with_credentials(hub_user, hub_password.expose().as_bytes()),
        )?;
        let hub = Hub::start(
            client,
            events,
            Arc::new(gateway),
            alerts,
            settings.threshold_watts,
        )
        .await?;
        let dispatcher = Dispatcher::new(hub.state());

        let mut devices = Vec::new();
        for (spec, setup) in DEVICES.into_iter().zip(&setups) {
            devices.push(Device::start(
                spec,
                setup,
                cloud.front_addr(),
                anchors.clone(),
                settings.tele_period,
            )?);
        }
        hub.wait_for("every device's discovery and state", STEP, |fleet| {
            fleet.len() == DEVICES.len() && fleet.settled()
        })
        .await?;
        let summary = Summary {
            devices: hub.with_fleet(Fleet::discovered),
            provisioned: provisioned.changes.clone(),
            ..Summary::default()
        };
        Ok(Self {
            settings,
            cloud,
            amazon,
            hub,
            dispatcher,
            devices,
            anchors,
            setup,
            summary,
            skill,
        })
    }

    /// A client with the wrong password tries to connect; the front's custom authorizer
    /// refuses it.
    ///
    /// # Errors
    ///
    /// [`Error::Timeout`] when no refusal comes.
    pub async fn intruder(&mut self) -> Result<(), Error> {
        let mut refusals = self.cloud.front().refusals();
        let (client, _events) = Client::spawn(
            endpoint_options(
                &self.setup,
                self.cloud.front_addr(),
                "intruder",
                &self.anchors,
            )?
            .with_credentials(self.setup.user.clone(), b"guessed-password"),
        )?;
        let refusal = tokio::time::timeout(STEP, refusals.recv())
            .await
            .map_err(|_| Error::Timeout {
                waiting_for: "the front to refuse a wrong password".to_owned(),
                after: STEP,
            })?
            .map_err(|_| Error::Unexpected {
                step: "intruder",
                expected: "a refusal".to_owned(),
                got: "the front stopped".to_owned(),
            })?;
        tracing::info!(%refusal, "front: refused a client with a wrong password");
        self.summary.refused.push(refusal.to_string());
        client.disconnect().await;
        Ok(())
    }

    /// A client with the plug's own credentials publishes a command to the light; the front
    /// disconnects it, as AWS IoT does for a publish outside the connection's policy.
    ///
    /// # Errors
    ///
    /// [`Error::Timeout`] when no refusal comes.
    pub async fn trespasser(&mut self) -> Result<(), Error> {
        let mut refusals = self.cloud.front().refusals();
        let (client, _events) = Client::spawn(
            endpoint_options(
                &self.setup,
                self.cloud.front_addr(),
                "trespasser",
                &self.anchors,
            )?
            .with_credentials(self.setup.user.clone(), self.setup.password.as_bytes()),
        )?;
        let command = format!("cmnd/{}/POWER", LIGHT.topic());
        client.publish(Message::new(command.as_str(), "OFF").with_qos(Qos::AtMostOnce))?;
        let refusal = tokio::time::timeout(STEP, refusals.recv())
            .await
            .map_err(|_| Error::Timeout {
                waiting_for: "the front to disconnect a publish outside the policy".to_owned(),
                after: STEP,
            })?
            .map_err(|_| Error::Unexpected {
                step: "trespasser",
                expected: "a refusal".to_owned(),
                got: "the front stopped".to_owned(),
            })?;
        tracing::info!(%refusal, "front: disconnected a client publishing outside its policy");
        self.summary.refused.push(refusal.to_string());
        client.disconnect().await;
        Ok(())
    }

    /// Sends one directive through the dispatcher, as the skill's Lambda would, and checks
    /// the answer's name.
    ///
    /// # Errors
    ///
    /// [`Error::Alexa`] when the directive does not decode, [`Error::Unexpected`] when the
    /// answer is not `expected`.
    pub async fn directive(&mut self, directive: &Value, expected: &str) -> Result<Value, Error> {
        let header = &directive["directive"]["header"];
        let name = format!(
            "{}.{}",
            header["namespace"].as_str().unwrap_or_default(),
            header["name"].as_str().unwrap_or_default()
        );
        tracing::info!(directive = %name, endpoint = directive["directive"]["endpoint"]["endpointId"].as_str().unwrap_or("-"), "alexa: directive");
        let event = self
            .dispatcher
            .handle_slice(directive.to_string().as_bytes())
            .await
            .map_err(ha_alexa::Error::from)?;
        let event = serde_json::to_value(&event).map_err(|error| Error::Unexpected {
            step: "serializing an answer",
            expected: "JSON".to_owned(),
            got: error.to_string(),
        })?;
        let answer_header = &event["event"]["header"];
        let answer = format!(
            "{}.{}",
            answer_header["namespace"].as_str().unwrap_or_default(),
            answer_header["name"].as_str().unwrap_or_default()
        );
        tracing::info!(%answer, "alexa: answered");
        self.summary.directives.push(Answered {
            directive: name.clone(),
            answer: answer.clone(),
            event: event.clone(),
        });
        if answer != expected {
            return Err(Error::Unexpected {
                step: "an Alexa directive",
                expected: format!("{name} answered by {expected}"),
                got: event.to_string(),
            });
        }
        Ok(event)
    }

    /// Plays the scripted scenario (steps 4 to 9 of the module documentation).
    ///
    /// # Errors
    ///
    /// The first step that fails.
    pub async fn script(&mut self) -> Result<(), Error> {
        self.intruder().await?;
        self.trespasser().await?;

        self.directive(&accept_grant(), "Alexa.Authorization.AcceptGrant.Response")
            .await?;
        let discovered = self
            .directive(&discover(), "Alexa.Discovery.Discover.Response")
            .await?;
        self.summary.endpoints = discovered["event"]["payload"]["endpoints"]
            .as_array()
            .map_or(0, Vec::len);
        let plug = entity(&PLUG, "switch_relay_0");
        let light = entity(&LIGHT, "light_light_0");
        self.directive(
            &control(&plug, "Alexa.PowerController", "TurnOn", &json!({})),
            "Alexa.Response",
        )
        .await?;
        self.directive(
            &control(
                &light,
                "Alexa.BrightnessController",
                "SetBrightness",
                &json!({"brightness": 40}),
            ),
            "Alexa.Response",
        )
        .await?;
        let report = self
            .directive(
                &control(&light, "Alexa", "ReportState", &json!({})),
                "Alexa.StateReport",
            )
            .await?;
        expect_property(&report, "ReportState", "brightness", &json!(40))?;
        self.lamp().await?;

        // Someone switches the light off at the wall: a ChangeReport.
        let light_device = self.device(DeviceKind::Light)?;
        light_device.press_button().await;
        let topic = LIGHT.topic();
        self.hub
            .wait_for("the light's button press", STEP, |fleet| {
                fleet.power(&topic) == Some(false)
            })
            .await?;

        // The lamp's room warms up: a ChangeReport for its temperature sensor.
        self.device(DeviceKind::ColorLight)?
            .set_temperature(23.5)
            .await;
        let topic = LAMP.topic();
        self.hub
            .wait_for("the lamp's warmer reading", STEP, |fleet| {
                fleet.sensor(&topic, &["SHT3X", "Temperature"]) == Some(23.5)
            })
            .await?;

        // A kettle on the plug: above the threshold, then off again.
        let plug_device = self.device(DeviceKind::Plug)?;
        plug_device.set_load(2200.0).await;
        let hub = &self.hub;
        wait_until("the power alert to be sent", STEP, || {
            !hub.log().alerts.is_empty()
        })
        .await?;
        plug_device.set_load(0.0).await;
        let topic = PLUG.topic();
        self.hub
            .wait_for("the kettle to switch off", STEP, |fleet| {
                fleet.sensor(&topic, &["ENERGY", "Power"]) == Some(0.0)
            })
            .await?;

        self.camera().await?;

        self.hub.flush_reports().await;
        let amazon = &self.amazon;
        wait_until("both ChangeReports at the gateway", STEP, || {
            amazon
                .events()
                .iter()
                .filter(|event| event["event"]["header"]["name"] == "ChangeReport")
                .count()
                >= 2
        })
        .await?;
        self.skill_path().await
    }

    /// The RGBCCT lamp: a colour, a colour temperature, then its temperature sensor's state.
    ///
    /// # Errors
    ///
    /// The first directive that fails or is not answered as expected.
    pub async fn lamp(&mut self) -> Result<(), Error> {
        let lamp = entity(&LAMP, "light_light_0");
        let green = json!({"color": {"hue": 120.0, "saturation": 1.0, "brightness": 1.0}});
        let answer = self
            .directive(
                &control(&lamp, "Alexa.ColorController", "SetColor", &green),
                "Alexa.Response",
            )
            .await?;
        expect_property(&answer, "SetColor", "color", &green["color"])?;
        let warm = json!({"colorTemperatureInKelvin": 2700});
        let answer = self
            .directive(
                &control(
                    &lamp,
                    "Alexa.ColorTemperatureController",
                    "SetColorTemperature",
                    &warm,
                ),
                "Alexa.Response",
            )
            .await?;
        // 2700 K is CT 370 (mireds), which reads back as 2702 K.
        expect_property(
            &answer,
            "SetColorTemperature",
            "colorTemperatureInKelvin",
            &json!(2702),
        )?;
        let thermometer = entity(&LAMP, "sensor_sensor_SHT3X_Temperature");
        let report = self
            .directive(
                &control(&thermometer, "Alexa", "ReportState", &json!({})),
                "Alexa.StateReport",
            )
            .await?;
        expect_property(
            &report,
            "ReportState",
            "temperature",
            &json!({"value": 21.4, "scale": "CELSIUS"}),
        )
    }

    /// The camera takes a frame; objects are detected and the annotated image saved.
    ///
    /// # Errors
    ///
    /// [`Error::Aws`] when detection fails, [`Error::Io`] when the image cannot be saved.
    pub async fn camera(&mut self) -> Result<(), Error> {
        let state = self.hub.state();
        let alerts = state.alerts();
        if let Some(emulator) = alerts.emulator() {
            camera::script(emulator);
        }
        let snapshot = camera::snapshot(alerts.session(), &self.settings.out_dir).await?;
        self.summary.objects = snapshot.counts;
        self.summary.image = Some(snapshot.image);
        Ok(())
    }

    fn device(&self, kind: DeviceKind) -> Result<&Device, Error> {
        self.devices
            .iter()
            .find(|device| device.spec().kind == kind)
            .ok_or(Error::Unexpected {
                step: "finding a device",
                expected: format!("a {kind:?}"),
                got: "none".to_owned(),
            })
    }

    /// Keeps the home running until Ctrl-C: the kettle boils every half minute.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when Ctrl-C cannot be watched.
    pub async fn forever(&self) -> Result<(), Error> {
        tracing::info!("running until Ctrl-C; the kettle boils every 30 s");
        let plug = self.device(DeviceKind::Plug)?;
        let cycle = async {
            loop {
                plug.set_load(2200.0).await;
                tokio::time::sleep(Duration::from_secs(10)).await;
                plug.set_load(0.0).await;
                tokio::time::sleep(Duration::from_secs(20)).await;
            }
        };
        tokio::select! {
            result = tokio::signal::ctrl_c() => result.map_err(Error::io("waiting for Ctrl-C")),
            () = cycle => Ok(()),
        }
    }

    /// Disconnects the devices and the hub cleanly.
    pub async fn stop(&self) {
        self.skill.stop().await;
        for device in &self.devices {
            device.disconnect().await;
        }
        self.hub.disconnect().await;
    }

    /// The summary of what happened so far.
    pub fn summary(&self) -> Summary {
        let mut summary = self.summary.clone();
        let log = self.hub.log();
        summary.alerts = log.alerts;
        summary.messages = log.messages;
        summary.commands = log.commands;
        summary.gateway_events = self
            .amazon
            .events()
            .iter()
            .map(|event| {
                let header = &event["event"]["header"];
                format!(
                    "{}.{}",
                    header["namespace"].as_str().unwrap_or_default(),
                    header["name"].as_str().unwrap_or_default()
                )
            })
            .collect();
        summary.gateway_reports = self
            .amazon
            .events()
            .into_iter()
            .filter(|event| event["event"]["header"]["name"] == "ChangeReport")
            .collect();
        if let Some(emulator) = self.hub.state().alerts().emulator() {
            summary.aws_calls = emulator
                .calls()
                .iter()
                .map(|call| {
                    (
                        call.operation().to_string(),
                        call.target().unwrap_or_default().to_owned(),
                    )
                })
                .collect();
        }
        summary
    }

    /// The settings the home runs with.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }
}

/// Runs the whole scripted scenario and returns its summary.
///
/// # Errors
///
/// The first step that fails.
pub async fn run(settings: Settings) -> Result<Summary, Error> {
    let mut home = Box::pin(Home::start(settings)).await?;
    home.script().await?;
    let summary = home.summary();
    home.stop().await;
    Ok(summary)
}

/// Client options for the endpoint of `setup`, reached at `front` (the demo's name
/// resolution), with SNI naming the endpoint and ALPN `mqtt`.
fn endpoint_options(
    setup: &MqttSetup,
    front: std::net::SocketAddr,
    client_id: &str,
    anchors: &TrustAnchors,
) -> Result<Options, Error> {
    let tls = TlsConfig::builder(&setup.host, anchors.clone())
        .alpn(Alpn::for_aws(setup.port, false))
        .build()
        .map_err(iot_tls::Error::from)?;
    Ok(
        Options::new(front.ip().to_string(), front.port(), client_id)
            .with_tls(tls)
            .with_limits(iot_tls::aws::LIMITS)
            .with_keep_alive(60),
    )
}

async fn wait_until(what: &str, timeout: Duration, done: impl Fn() -> bool) -> Result<(), Error> {
    let poll = async {
        while !done() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(timeout, poll)
        .await
        .map_err(|_| Error::Timeout {
            waiting_for: what.to_owned(),
            after: timeout,
        })
}

/// The endpointId of a device's entity: its unique id, `<MAC>_<platform>_<endpoint>_<index>`.
fn entity(spec: &DeviceSpec, suffix: &str) -> String {
    format!("{}_{suffix}", spec.mac)
}

/// Checks that an answer's context holds property `name` with `value`.
fn expect_property(
    answer: &Value,
    step: &'static str,
    name: &str,
    value: &Value,
) -> Result<(), Error> {
    let found = answer["context"]["properties"]
        .as_array()
        .and_then(|properties| properties.iter().find(|property| property["name"] == name))
        .map(|property| &property["value"]);
    if found == Some(value) {
        return Ok(());
    }
    Err(Error::Unexpected {
        step,
        expected: format!("{name} {value}"),
        got: answer.to_string(),
    })
}

fn message_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn accept_grant() -> Value {
    json!({"directive": {
        "header": {"namespace": "Alexa.Authorization", "name": "AcceptGrant",
                   "messageId": message_id(), "payloadVersion": "3"},
        "payload": {
            "grant": {"type": "OAuth2.AuthorizationCode", "code": "ANUdvhELLXkNwQqaHmHV"},
            "grantee": {"type": "BearerToken", "token": "access-token-from-account-linking"}
        }
    }})
}

fn discover() -> Value {
    json!({"directive": {
        "header": {"namespace": "Alexa.Discovery", "name": "Discover",
                   "messageId": message_id(), "payloadVersion": "3"},
        "payload": {"scope": {"type": "BearerToken", "token": "access-token-from-account-linking"}}
    }})
}

fn control(endpoint: &str, namespace: &str, name: &str, payload: &Value) -> Value {
    json!({"directive": {
        "header": {"namespace": namespace, "name": name, "messageId": message_id(),
                   "correlationToken": "dFMb0z+PgpgdDmluhJ1LddFvSqZ/jCc8ptlAKulUj90jSqg==",
                   "payloadVersion": "3"},
        "endpoint": {"scope": {"type": "BearerToken", "token": "access-token-from-account-linking"},
                     "endpointId": endpoint, "cookie": {}},
        "payload": payload
    }})
}
