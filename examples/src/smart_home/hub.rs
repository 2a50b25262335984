//! The hub: receives Tasmota devices' messages over iot-tls, keeps them in its [`Fleet`] (a
//! tasmota-proto tracker per device, mapped to Alexa by `ha_alexa::tasmota`), answers Alexa
//! through ha-alexa's dispatcher, reports changes to the event gateway and raises power
//! alerts through ha-aws.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use ha_alexa::gateway::{Change, ChangeReporter, EventGateway};
use ha_alexa::interface::authorization::AcceptGrant;
use ha_alexa::lwa::MemoryLwaStore;
use ha_alexa::{AlexaError, DiscoveryEndpoint, EndpointId, Outcome, Property, Request, Timestamp};
use iot_tls::codec::Qos;
use iot_tls::session::DisconnectReason;
use iot_tls::tokio::{Client, Event, Events, Message};
use serde_json::json;
use tasmota_proto::CommandMessage;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::alerts::{Alerts, Sent};
use super::fleet::{Effect, Fleet};
use crate::Error;

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
    /// Commands sent to devices (polls and directives).
    pub commands: usize,
}

type Gateway = EventGateway<MemoryLwaStore>;

/// The hub's shared state; [`ha_alexa::Hub`] is implemented on it.
pub struct HubState {
    client: Client,
    fleet: Mutex<Fleet>,
    changed: watch::Sender<u64>,
    gateway: Arc<Gateway>,
    reporter: ChangeReporter<MemoryLwaStore>,
    alerts: Alerts,
    threshold_watts: f64,
    /// The devices whose power is above the threshold, by topic.
    alerting: Mutex<BTreeMap<String, bool>>,
    log: Mutex<HubLog>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
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
            (tasmota_proto::DISCOVERY_FILTER, Qos::AtLeastOnce),
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
            fleet: Mutex::new(Fleet::new()),
            changed: watch::Sender::new(0),
            gateway,
            reporter: reporter.clone(),
            alerts,
            threshold_watts,
            alerting: Mutex::new(BTreeMap::new()),
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

    /// What the hub has done so far.
    pub fn log(&self) -> HubLog {
        lock(&self.state.log).clone()
    }

    /// Reads the devices as the hub knows them now.
    pub fn with_fleet<T>(&self, read: impl FnOnce(&Fleet) -> T) -> T {
        read(&lock(&self.state.fleet))
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
        condition: impl Fn(&Fleet) -> bool,
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
        condition: impl Fn(&Fleet) -> bool,
    ) -> Result<(), Error> {
        let mut changed = self.changed.subscribe();
        let wait = async {
            loop {
                if condition(&lock(&self.fleet)) {
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

    async fn on_message(&self, message: &Message) {
        let handled = lock(&self.fleet).handle(&message.topic, &message.payload);
        self.changed.send_modify(|version| *version += 1);
        let handled = match handled {
            Ok(handled) => handled,
            Err(error) => {
                tracing::warn!(topic = %message.topic, %error, "hub: undecodable message");
                return;
            }
        };
        {
            let mut log = lock(&self.log);
            log.messages += 1;
            log.repairs += handled.repairs;
        }
        for effect in handled.effects {
            match effect {
                Effect::Poll(commands) => {
                    for command in &commands {
                        self.send(command, Qos::AtMostOnce);
                    }
                }
                Effect::Report {
                    endpoint,
                    properties,
                    cause,
                } => {
                    let now = Timestamp::now();
                    let changed = properties
                        .into_iter()
                        .map(|value| Property::new(value, now))
                        .collect();
                    tracing::info!(endpoint = %endpoint, ?cause, "hub: ChangeReport");
                    match self.reporter.report(Change::new(endpoint, cause, changed)) {
                        Ok(()) => lock(&self.log).change_reports += 1,
                        Err(error) => tracing::warn!(%error, "hub: ChangeReport not queued"),
                    }
                }
                Effect::Watts { topic, name, watts } => {
                    self.check_power(&topic, &name, watts).await;
                }
            }
        }
    }

    async fn check_power(&self, topic: &str, name: &str, watts: f64) {
        let crossed = {
            let mut alerting = lock(&self.alerting);
            let alerting = alerting.entry(topic.to_owned()).or_default();
            let was = *alerting;
            // Hysteresis: the alert re-arms once the power falls below 90 % of the threshold.
            if watts > self.threshold_watts {
                *alerting = true;
            } else if watts < self.threshold_watts * 0.9 {
                *alerting = false;
            }
            !was && *alerting
        };
        if crossed {
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

    /// Publishes a command; says why when the client refuses it.
    fn send(&self, command: &CommandMessage, qos: Qos) -> bool {
        tracing::info!(
            topic = command.topic(),
            payload = command.payload(),
            "hub: command"
        );
        let message = Message::new(command.topic(), command.payload().to_owned()).with_qos(qos);
        match self.client.publish(message) {
            Ok(()) => {
                lock(&self.log).commands += 1;
                true
            }
            Err(error) => {
                tracing::warn!(topic = command.topic(), %error, "hub: command not sent");
                false
            }
        }
    }
}

async fn listen(state: Arc<HubState>, mut events: Events) {
    while let Some(event) = events.recv().await {
        match event {
            Event::Message(message) => state.on_message(&message).await,
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

/// How long a directive waits for the device to confirm its command.
const CONFIRMATION: Duration = Duration::from_secs(5);

#[async_trait]
impl ha_alexa::Hub for HubState {
    async fn discover(&self) -> Result<Vec<DiscoveryEndpoint>, AlexaError> {
        lock(&self.fleet).endpoints()
    }

    async fn endpoint(
        &self,
        endpoint_id: &EndpointId,
    ) -> Result<Option<DiscoveryEndpoint>, AlexaError> {
        lock(&self.fleet).endpoint(endpoint_id)
    }

    async fn properties(&self, endpoint_id: &EndpointId) -> Result<Vec<Property>, AlexaError> {
        let now = Timestamp::now();
        let values = lock(&self.fleet).properties(endpoint_id)?;
        Ok(values
            .into_iter()
            .map(|value| Property::new(value, now))
            .collect())
    }

    /// Publishes the entity's command and waits until the device's answers show the state
    /// the directive asked for.
    async fn execute(&self, request: &Request<'_>) -> Result<Outcome, AlexaError> {
        let (topic, command) = lock(&self.fleet).command(
            request.endpoint_id(),
            request.payload(),
            request.instance(),
        )?;
        if !self.send(&command, Qos::AtLeastOnce) {
            lock(&self.fleet).give_up(&topic);
            return Err(AlexaError::internal_error(
                "the hub's MQTT client is closed",
            ));
        }
        let confirmed = self
            .wait_for("the device's confirmation", CONFIRMATION, |fleet| {
                fleet.confirmed(&topic)
            })
            .await;
        if confirmed.is_err() {
            lock(&self.fleet).give_up(&topic);
            return Err(AlexaError::endpoint_unreachable(format!(
                "{topic} did not confirm"
            )));
        }
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
