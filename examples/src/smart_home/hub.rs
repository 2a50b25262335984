//! The hub: discovers Tasmota devices with tasmota-proto over iot-tls, exposes them to Alexa
//! through ha-alexa's dispatcher, reports changes to the event gateway and raises power
//! alerts through ha-aws.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use ha_alexa::gateway::{Change, ChangeReporter, EventGateway};
use ha_alexa::interface::authorization::AcceptGrant;
use ha_alexa::interface::brightness_controller::BrightnessControllerDirective;
use ha_alexa::interface::power_controller::PowerControllerDirective;
use ha_alexa::interface::{Percentage, PowerState};
use ha_alexa::lwa::MemoryLwaStore;
use ha_alexa::{
    AlexaError, Capability, CauseType, DirectivePayload, DiscoveryEndpoint, DisplayCategory,
    EndpointId, Outcome, Property, PropertyValue, Request, Timestamp,
};
use iot_tls::codec::Qos;
use iot_tls::session::DisconnectReason;
use iot_tls::tokio::{Client, Event, Events, Message};
use serde_json::json;
use tasmota_proto::{
    Command, Decoder, DeviceTopics, Level, Lwt, Message as Tasmota, PowerAction, RelayType,
};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::alerts::{Alerts, Sent};
use crate::Error;

/// The kind of a discovered device, from its discovery message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A relay (a plug or a switch).
    Switch,
    /// A light with a dimmer.
    Light,
}

/// What the hub knows of one device.
#[derive(Clone, Debug)]
pub struct Known {
    /// The device topic.
    pub topic: String,
    /// Its friendly name.
    pub name: String,
    /// What it is.
    pub kind: Kind,
    /// Whether its LWT says Online.
    pub online: bool,
    /// Its power, once reported.
    pub power: Option<bool>,
    /// Its dimmer level, once reported (lights).
    pub dimmer: Option<u8>,
    /// The power it draws in watts, once reported (plugs with an energy monitor).
    pub watts: Option<f64>,
    /// Whether `watts` is above the alert threshold.
    alerting: bool,
    /// A directive's command awaits the device's confirmation: its RESULT is no ChangeReport.
    awaiting: bool,
}

impl Known {
    /// The Alexa endpoint id: `switch#<topic>` or `light#<topic>`.
    ///
    /// # Errors
    ///
    /// [`AlexaError`] INTERNAL_ERROR when the topic makes no valid endpoint id.
    pub fn endpoint_id(&self) -> Result<EndpointId, AlexaError> {
        let domain = match self.kind {
            Kind::Switch => "switch",
            Kind::Light => "light",
        };
        EndpointId::for_entity(&format!("{domain}.{}", self.topic)).map_err(internal)
    }
}

/// What the hub did, counted for the summary.
#[derive(Clone, Debug, Default)]
pub struct HubLog {
    /// ChangeReports queued for the event gateway.
    pub change_reports: usize,
    /// Power alerts raised, with what each service did.
    pub alerts: Vec<Vec<Sent>>,
    /// Tasmota messages decoded.
    pub messages: usize,
    /// Repairs tasmota-proto made while decoding.
    pub repairs: usize,
}

type Gateway = EventGateway<MemoryLwaStore>;

/// The hub's shared state; [`ha_alexa::Hub`] is implemented on it.
pub struct HubState {
    client: Client,
    devices: Mutex<BTreeMap<String, Known>>,
    changed: watch::Sender<u64>,
    gateway: Arc<Gateway>,
    reporter: ChangeReporter<MemoryLwaStore>,
    alerts: Alerts,
    threshold_watts: f64,
    log: Mutex<HubLog>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn internal(error: impl std::fmt::Display) -> AlexaError {
    AlexaError::internal_error(error.to_string())
}

/// The running hub.
pub struct Hub {
    state: Arc<HubState>,
    tasks: Vec<JoinHandle<()>>,
}

impl Hub {
    /// Starts the hub on a connected-or-connecting iot-tls `client`: subscribes to discovery
    /// and to every device's `stat` and `tele` topics, and waits for the broker's SUBACK.
    ///
    /// # Errors
    ///
    /// [`Error::IotTls`] when the client refuses the subscription, [`Error::Timeout`] when the
    /// broker does not answer within 10 s.
    pub async fn start(
        client: Client,
        mut events: Events,
        gateway: Arc<Gateway>,
        alerts: Alerts,
        threshold_watts: f64,
    ) -> Result<Self, Error> {
        client.subscribe(&[
            ("tasmota/discovery/+/config", Qos::AtLeastOnce),
            ("stat/+/+", Qos::AtLeastOnce),
            ("tele/+/+", Qos::AtLeastOnce),
        ])?;
        let wait = Duration::from_secs(10);
        tokio::time::timeout(wait, async {
            while let Some(event) = events.recv().await {
                match event {
                    Event::Connected { .. } => tracing::info!("hub: connected through the front"),
                    Event::Subscribed { codes } => {
                        tracing::info!(?codes, "hub: subscribed to discovery, stat and tele");
                        return;
                    }
                    Event::Disconnected { reason, error, .. } => {
                        tracing::warn!(%reason, ?error, "hub: disconnected");
                    }
                    _ => {}
                }
            }
        })
        .await
        .map_err(|_| Error::Timeout {
            waiting_for: "the hub's subscription".to_owned(),
            after: wait,
        })?;
        let reporter = ChangeReporter::new(gateway.clone());
        let state = Arc::new(HubState {
            client,
            devices: Mutex::new(BTreeMap::new()),
            changed: watch::Sender::new(0),
            gateway,
            reporter: reporter.clone(),
            alerts,
            threshold_watts,
            log: Mutex::new(HubLog::default()),
        });
        let listen = tokio::spawn(listen(state.clone(), events));
        let report = tokio::spawn(async move { reporter.run().await });
        Ok(Self {
            state,
            tasks: vec![listen, report],
        })
    }

    /// The state the dispatcher works on.
    pub fn state(&self) -> Arc<HubState> {
        self.state.clone()
    }

    /// The devices known now, by topic.
    pub fn devices(&self) -> BTreeMap<String, Known> {
        lock(&self.state.devices).clone()
    }

    /// What the hub has done so far.
    pub fn log(&self) -> HubLog {
        lock(&self.state.log).clone()
    }

    /// Waits until `condition` holds for the devices.
    ///
    /// # Errors
    ///
    /// [`Error::Timeout`] naming `what` after `timeout`.
    pub async fn wait_for(
        &self,
        what: &str,
        timeout: Duration,
        condition: impl Fn(&BTreeMap<String, Known>) -> bool,
    ) -> Result<(), Error> {
        self.state.wait_for(what, timeout, condition).await
    }

    /// Disconnects the hub's client from the broker cleanly.
    pub async fn disconnect(&self) {
        self.state.client.disconnect().await;
    }

    /// Sends the pending ChangeReports now; returns how many were sent.
    pub async fn flush_reports(&self) -> usize {
        self.state.reporter.flush().await
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl HubState {
    /// The notifiers of power alerts.
    pub fn alerts(&self) -> &Alerts {
        &self.alerts
    }

    async fn wait_for(
        &self,
        what: &str,
        timeout: Duration,
        condition: impl Fn(&BTreeMap<String, Known>) -> bool,
    ) -> Result<(), Error> {
        let mut changed = self.changed.subscribe();
        let wait = async {
            loop {
                if condition(&lock(&self.devices)) {
                    return;
                }
                if changed.changed().await.is_err() {
                    std::future::pending::<()>().await;
                }
            }
        };
        tokio::time::timeout(timeout, wait)
            .await
            .map_err(|_| Error::Timeout {
                waiting_for: what.to_owned(),
                after: timeout,
            })
    }

    fn device(&self, endpoint_id: &EndpointId) -> Result<Known, AlexaError> {
        let entity = endpoint_id.entity_id().map_err(internal)?;
        let topic = entity.split_once('.').map_or(entity.as_str(), |(_, t)| t);
        lock(&self.devices)
            .get(topic)
            .cloned()
            .ok_or_else(|| AlexaError::no_such_endpoint(endpoint_id))
    }

    fn properties_of(known: &Known) -> Vec<Property> {
        let now = Timestamp::now();
        let mut values = Vec::new();
        if let Some(on) = known.power {
            values.push(PropertyValue::PowerState(if on {
                PowerState::On
            } else {
                PowerState::Off
            }));
        }
        if let (Kind::Light, Some(level)) = (known.kind, known.dimmer) {
            values.push(PropertyValue::Brightness(Percentage::clamped(i64::from(
                level,
            ))));
        }
        values
            .into_iter()
            .map(|value| Property::new(value, now))
            .collect()
    }

    /// Updates one device and reports what changed when no directive caused it.
    fn update(&self, topic: &str, apply: impl FnOnce(&mut Known)) {
        let change = {
            let mut devices = lock(&self.devices);
            let Some(known) = devices.get_mut(topic) else {
                return;
            };
            let before = (known.power, known.dimmer);
            apply(known);
            let after = (known.power, known.dimmer);
            let physical = before != after && before.0.is_some() && !known.awaiting;
            physical.then(|| known.clone())
        };
        self.changed.send_modify(|version| *version += 1);
        if let Some(known) = change {
            let Ok(id) = known.endpoint_id() else { return };
            let changed = Self::properties_of(&known);
            tracing::info!(device = %known.topic, "hub: changed by hand; ChangeReport (PHYSICAL_INTERACTION)");
            match self
                .reporter
                .report(Change::new(id, CauseType::PhysicalInteraction, changed))
            {
                Ok(()) => lock(&self.log).change_reports += 1,
                Err(error) => tracing::warn!(%error, "hub: ChangeReport not queued"),
            }
        }
    }

    async fn check_power(&self, topic: &str, watts: f64) {
        let crossed = {
            let mut devices = lock(&self.devices);
            let Some(known) = devices.get_mut(topic) else {
                return;
            };
            known.watts = Some(watts);
            let was = known.alerting;
            // Hysteresis: the alert re-arms once the power falls below 90 % of the threshold.
            if watts > self.threshold_watts {
                known.alerting = true;
            } else if watts < self.threshold_watts * 0.9 {
                known.alerting = false;
            }
            (!was && known.alerting).then(|| known.name.clone())
        };
        self.changed.send_modify(|version| *version += 1);
        if let Some(name) = crossed {
            let message = format!(
                "{name} draws {watts:.0} W, above the {:.0} W threshold",
                self.threshold_watts
            );
            tracing::info!(
                device = topic,
                watts,
                "hub: power above threshold; notifying SNS, SQS and Lambda"
            );
            let data = json!({"device": topic, "watts": watts, "threshold": self.threshold_watts});
            let sent = self.alerts.send("Power alert", &message, data).await;
            lock(&self.log).alerts.push(sent);
            self.changed.send_modify(|version| *version += 1);
        }
    }

    async fn on_message(&self, decoder: &Decoder<'_>, message: &Message) {
        let incoming = match decoder.decode(&message.topic, &message.payload) {
            Ok(incoming) => incoming,
            Err(error) => {
                tracing::warn!(topic = %message.topic, %error, "hub: undecodable message");
                return;
            }
        };
        {
            let mut log = lock(&self.log);
            log.messages += 1;
            log.repairs += incoming.issues.len();
        }
        let topic = incoming.device.unwrap_or_default().to_owned();
        match incoming.message {
            Tasmota::DiscoveryConfig(config) => {
                let kind = match (config.relays.first(), config.light_subtype) {
                    (Some(RelayType::Light), _) => Kind::Light,
                    _ => Kind::Switch,
                };
                let name = config
                    .friendly_names
                    .first()
                    .copied()
                    .flatten()
                    .or(config.device_name)
                    .map_or_else(|| config.topic.to_owned(), |n| n.to_cow().into_owned());
                tracing::info!(device = config.topic, %name, ?kind, mac = %config.mac, module = ?config.module.map(|m| m.to_cow().into_owned()), "hub: discovered");
                let mut devices = lock(&self.devices);
                let new = !devices.contains_key(config.topic);
                devices
                    .entry(config.topic.to_owned())
                    .or_insert_with(|| Known {
                        topic: config.topic.to_owned(),
                        name,
                        kind,
                        online: true,
                        power: None,
                        dimmer: None,
                        watts: None,
                        alerting: false,
                        awaiting: false,
                    });
                drop(devices);
                self.changed.send_modify(|version| *version += 1);
                if new {
                    // Ask for the state at once rather than wait for the next TelePeriod.
                    self.query_state(config.topic);
                }
            }
            Tasmota::Lwt(lwt) => {
                let online = matches!(lwt, Lwt::Online);
                tracing::info!(device = %topic, online, "hub: LWT");
                self.update(&topic, |known| known.online = online);
            }
            Tasmota::Info(info) => {
                tracing::debug!(device = %topic, ?info, "hub: INFO");
            }
            Tasmota::State(state) => {
                let power = state.power.first().map(|p| is_on(&p.state));
                let dimmer = state.light.dimmer;
                self.update(&topic, |known| {
                    known.power = power.or(known.power);
                    known.dimmer = dimmer.or(known.dimmer);
                });
            }
            Tasmota::Result(result) => {
                let power = result.power(1).map(|p| is_on(&p));
                let dimmer = result.light.dimmer;
                if power.is_some() || dimmer.is_some() {
                    tracing::info!(device = %topic, ?power, ?dimmer, "hub: RESULT");
                    self.update(&topic, |known| {
                        known.power = power.or(known.power);
                        known.dimmer = dimmer.or(known.dimmer);
                    });
                    // A confirmation ends the directive's wait after the update, so that it is no
                    // ChangeReport.
                    if let Some(known) = lock(&self.devices).get_mut(&topic) {
                        known.awaiting = false;
                    }
                    self.changed.send_modify(|version| *version += 1);
                }
            }
            Tasmota::Sensor(sensor) => {
                let watts = sensor
                    .energy
                    .as_ref()
                    .and_then(|energy| energy.power.as_ref())
                    .and_then(|power| power.get(0));
                if let Some(watts) = watts {
                    tracing::info!(device = %topic, watts, "hub: SENSOR ENERGY");
                    self.check_power(&topic, watts).await;
                }
            }
            _ => {}
        }
    }

    fn query_state(&self, topic: &str) {
        let sent = DeviceTopics::new("%prefix%/%topic%/", topic)
            .map_err(tasmota_proto::Error::from)
            .and_then(|topics| topics.command(&Command::State))
            .map_err(Error::from)
            .and_then(|message| {
                self.client
                    .publish(Message::new(message.topic(), message.payload().to_owned()))
                    .map_err(Error::from)
            });
        if let Err(error) = sent {
            tracing::warn!(device = topic, %error, "hub: cannot ask for the state");
        }
    }

    async fn command(&self, known: &Known, command: &Command<'_>) -> Result<(), AlexaError> {
        if !known.online {
            return Err(AlexaError::endpoint_unreachable(format!(
                "{} is offline",
                known.name
            )));
        }
        let topics = DeviceTopics::new("%prefix%/%topic%/", &known.topic).map_err(internal)?;
        let message = topics.command(command).map_err(internal)?;
        if let Some(known) = lock(&self.devices).get_mut(&known.topic) {
            known.awaiting = true;
        }
        tracing::info!(
            topic = message.topic(),
            payload = message.payload(),
            "hub: command"
        );
        self.client
            .publish(
                Message::new(message.topic(), message.payload().to_owned())
                    .with_qos(Qos::AtLeastOnce),
            )
            .map_err(internal)?;
        let topic = known.topic.clone();
        self.wait_for(
            "the device's confirmation",
            Duration::from_secs(5),
            |devices| devices.get(&topic).is_some_and(|known| !known.awaiting),
        )
        .await
        .map_err(|_| AlexaError::endpoint_unreachable(format!("{} did not confirm", known.name)))
    }
}

fn is_on(state: &tasmota_proto::PowerState<'_>) -> bool {
    matches!(state, tasmota_proto::PowerState::On)
}

async fn listen(state: Arc<HubState>, mut events: Events) {
    let decoder = Decoder::new();
    while let Some(event) = events.recv().await {
        match event {
            Event::Message(message) => state.on_message(&decoder, &message).await,
            Event::Disconnected {
                reason: DisconnectReason::Requested,
                ..
            } => {
                tracing::info!("hub: disconnected");
            }
            Event::Disconnected { reason, error, .. } => {
                tracing::warn!(%reason, ?error, "hub: disconnected");
            }
            _ => {}
        }
    }
}

/// The discovery object of one Tasmota device.
fn discovery_endpoint(known: &Known) -> Result<DiscoveryEndpoint, AlexaError> {
    let (category, capabilities) = match known.kind {
        Kind::Switch => (
            DisplayCategory::Smartplug,
            vec![Capability::power_controller()],
        ),
        Kind::Light => (
            DisplayCategory::Light,
            vec![
                Capability::power_controller(),
                Capability::brightness_controller(),
            ],
        ),
    };
    DiscoveryEndpoint::builder(known.endpoint_id()?)
        .friendly_name(&known.name)
        .description(format!("Tasmota {} via the smart_home hub", known.topic))
        .manufacturer_name("Tasmota")
        .display_category(category)
        .capabilities(capabilities)
        .capability(Capability::alexa())
        .build()
        .map_err(internal)
}

#[async_trait]
impl ha_alexa::Hub for HubState {
    async fn discover(&self) -> Result<Vec<DiscoveryEndpoint>, AlexaError> {
        let devices: Vec<Known> = lock(&self.devices).values().cloned().collect();
        devices.iter().map(discovery_endpoint).collect()
    }

    async fn endpoint(
        &self,
        endpoint_id: &EndpointId,
    ) -> Result<Option<DiscoveryEndpoint>, AlexaError> {
        match self.device(endpoint_id) {
            Ok(known) => discovery_endpoint(&known).map(Some),
            Err(_) => Ok(None),
        }
    }

    async fn properties(&self, endpoint_id: &EndpointId) -> Result<Vec<Property>, AlexaError> {
        Ok(Self::properties_of(&self.device(endpoint_id)?))
    }

    async fn execute(&self, request: &Request<'_>) -> Result<Outcome, AlexaError> {
        let known = self.device(request.endpoint_id())?;
        let command = match request.payload() {
            DirectivePayload::PowerController(PowerControllerDirective::TurnOn) => Command::Power {
                index: None,
                action: PowerAction::On,
            },
            DirectivePayload::PowerController(PowerControllerDirective::TurnOff) => {
                Command::Power {
                    index: None,
                    action: PowerAction::Off,
                }
            }
            DirectivePayload::BrightnessController(
                BrightnessControllerDirective::SetBrightness(set),
            ) if known.kind == Kind::Light => Command::Dimmer {
                index: None,
                level: Level::Set(Percentage::clamped(set.brightness).get()),
            },
            _ => {
                return Err(AlexaError::invalid_directive(format!(
                    "{} cannot do that",
                    known.name
                )));
            }
        };
        self.command(&known, &command).await?;
        Ok(Outcome::Done)
    }

    async fn accept_grant(&self, grant: &AcceptGrant) -> Result<(), AlexaError> {
        self.gateway
            .accept_grant(grant)
            .await
            .map_err(|error| AlexaError::accept_grant_failed(error.to_string()))?;
        tracing::info!(status = %self.gateway.status(), "hub: AcceptGrant: Login-with-Amazon tokens stored; proactive events on");
        Ok(())
    }
}
