//! The hub's Tasmota devices: one tasmota-proto [`Tracker`] per device, fed with every decoded
//! message, and their Alexa view through `ha_alexa::tasmota`.
//!
//! The fleet knows nothing of MQTT or HTTP: [`Fleet::handle`] takes a received topic and
//! payload and returns the [`Effect`]s for the hub to carry out (poll commands to publish,
//! ChangeReports to queue, metered power to check), and [`Fleet::command`] turns an Alexa
//! directive into the command to publish.

use std::collections::BTreeMap;

use ha_alexa::tasmota;
use ha_alexa::{
    AlexaError, CauseType, DirectivePayload, DiscoveryEndpoint, EndpointId, PropertyValue,
};
use tasmota_proto::{
    Change, CommandMessage, Decoder, Device, DiscoveryKind, DiscoveryTopic, EntityKind,
    EntityState, FullTopic, Lwt, Message, Prefixes, Request, Segment, SensorValue, Tracker,
};

/// What the hub is to do after a message.
#[derive(Debug)]
pub enum Effect {
    /// Send these commands: the polls of a device just discovered or back online.
    Poll(Vec<CommandMessage>),
    /// Queue a ChangeReport.
    Report {
        /// The endpoint that changed.
        endpoint: EndpointId,
        /// Its changed properties.
        properties: Vec<PropertyValue>,
        /// Why it changed.
        cause: CauseType,
    },
    /// A device metering energy reported the power it draws now.
    Watts {
        /// The device topic.
        topic: String,
        /// The device name.
        name: String,
        /// Watts.
        watts: f64,
    },
}

/// What one message did.
#[derive(Debug, Default)]
pub struct Handled {
    /// What the hub is to do.
    pub effects: Vec<Effect>,
    /// Repairs tasmota-proto made while decoding it.
    pub repairs: usize,
}

/// A device as the summary shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct Discovered {
    /// The device topic.
    pub topic: String,
    /// Its name (`dn`).
    pub name: String,
    /// Its module (`md`).
    pub model: String,
    /// Its entities' unique ids and platforms, in tasmota-proto's (hatasmota's) order.
    pub entities: Vec<(String, &'static str)>,
    /// What Alexa discovers of it: endpointId, display category, interfaces.
    pub endpoints: Vec<(String, String, Vec<String>)>,
}

/// One device: its tracker and what the hub remembers around it.
#[derive(Debug)]
struct Tracked {
    tracker: Tracker,
    /// Entities whose state was seen once: their first state is the device's initial state,
    /// not a change to report.
    seen: Vec<bool>,
    /// The entity a directive changes and what it asked for, until the device confirms it:
    /// its state changes meanwhile are the directive's, which its response reports.
    awaiting: Option<(usize, Request)>,
}

impl Tracked {
    fn new(device: Device, online: Option<bool>) -> Self {
        let mut tracker = Tracker::new(device);
        if let Some(online) = online {
            let lwt = if online { Lwt::Online } else { Lwt::Offline };
            tracker.handle(&Message::Lwt(lwt));
            while tracker.poll_change().is_some() {}
        }
        let seen = vec![false; tracker.device().entities.len()];
        Self {
            tracker,
            seen,
            awaiting: None,
        }
    }
}

/// Every device the hub discovered, by device topic.
#[derive(Debug, Default)]
pub struct Fleet {
    devices: BTreeMap<String, Tracked>,
    /// The last LWT of device topics not discovered yet (the firmware publishes the LWT
    /// before discovery); a new tracker starts from it.
    online: BTreeMap<String, bool>,
    /// `sensors` discovery messages whose `config` has not come yet, by MAC.
    sensors: BTreeMap<String, Vec<u8>>,
}

fn internal(error: impl std::fmt::Display) -> AlexaError {
    AlexaError::internal_error(error.to_string())
}

impl Fleet {
    /// An empty fleet.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many devices are discovered.
    pub fn len(&self) -> usize {
        self.devices.len()
    }

    /// Whether no device is discovered yet.
    pub fn is_empty(&self) -> bool {
        self.devices.is_empty()
    }

    /// Applies one received message: discovery creates or updates a device's tracker, any
    /// other message of a discovered device goes to its tracker.
    ///
    /// Devices are found by the firmware's default FullTopic (`%prefix%/%topic%/`), which is
    /// what the hub subscribes to; each is then decoded with its own texts (StateText, LWT).
    ///
    /// # Errors
    ///
    /// [`tasmota_proto::Error`] when the message does not decode.
    pub fn handle(&mut self, topic: &str, payload: &[u8]) -> Result<Handled, tasmota_proto::Error> {
        if topic.starts_with(DiscoveryTopic::PREFIX) {
            return self.discovery(topic, payload);
        }
        let token = FullTopic::DEFAULT
            .parse(&Prefixes::DEFAULT, topic)
            .ok()
            .and_then(|m| m.topic);
        let entry = token.and_then(|token| self.devices.get_mut(token));
        let Some(entry) = entry else {
            let decoded = Decoder::new().decode(topic, payload)?;
            if let (Some(device), Message::Lwt(lwt)) = (decoded.device, &decoded.message) {
                self.online
                    .insert(device.to_owned(), matches!(lwt, Lwt::Online));
            }
            return Ok(Handled {
                effects: Vec::new(),
                repairs: decoded.issues.len(),
            });
        };
        let decoded = entry.tracker.device().decoder()?.decode(topic, payload)?;
        let mut handled = Handled {
            effects: Vec::new(),
            repairs: decoded.issues.len(),
        };
        entry.tracker.handle(&decoded.message);
        let from_device = matches!(decoded.message, Message::Result(_) | Message::Power { .. });
        handled.effects = changes(entry, from_device)?;
        Ok(handled)
    }

    fn discovery(&mut self, topic: &str, payload: &[u8]) -> Result<Handled, tasmota_proto::Error> {
        let kind = DiscoveryTopic::parse(topic)?.kind;
        let decoded = Decoder::new().decode(topic, payload)?;
        let mut handled = Handled {
            effects: Vec::new(),
            repairs: decoded.issues.len(),
        };
        let mac = decoded.device.unwrap_or_default().to_owned();
        match (kind, decoded.message) {
            (DiscoveryKind::Config, Message::DiscoveryConfig(config)) => {
                let mut device = Device::from_config(&config);
                if let Some(sensors) = self.sensors.remove(&mac) {
                    device.set_sensors(&sensors)?;
                }
                tracing::info!(device = %device.topic, name = ?device.name, model = ?device.model, entities = device.entities.len(), notes = ?device.notes, "hub: discovered");
                handled.effects.push(self.insert(device)?);
            }
            (DiscoveryKind::Sensors, Message::DiscoverySensors(_)) => {
                let found = self
                    .devices
                    .values()
                    .find(|t| t.tracker.device().mac.to_hex().as_str() == mac);
                if let Some(entry) = found {
                    let mut device = entry.tracker.device().clone();
                    device.set_sensors(payload)?;
                    tracing::info!(device = %device.topic, entities = device.entities.len(), "hub: sensors discovered");
                    handled.effects.push(self.insert(device)?);
                } else {
                    self.sensors.insert(mac, payload.to_vec());
                }
            }
            (DiscoveryKind::Config, Message::DiscoveryRemoved(_)) => {
                self.devices
                    .retain(|_, t| t.tracker.device().mac.to_hex().as_str() != mac);
            }
            _ => {}
        }
        Ok(handled)
    }

    /// Starts tracking `device` (again), from the last LWT seen of it; returns its polls.
    fn insert(&mut self, device: Device) -> Result<Effect, tasmota_proto::Error> {
        let topic = device.topic.clone();
        let online = self
            .devices
            .get(&topic)
            .map_or_else(|| self.online.remove(&topic), |t| t.tracker.available());
        let entry = Tracked::new(device, online);
        let polls = entry.tracker.poll_commands()?;
        self.devices.insert(topic, entry);
        Ok(Effect::Poll(polls))
    }

    /// Every discovered device, as the summary shows it.
    pub fn discovered(&self) -> Vec<Discovered> {
        self.devices
            .values()
            .map(|entry| {
                let device = entry.tracker.device();
                let endpoints = tasmota::endpoints(device).unwrap_or_default();
                Discovered {
                    topic: device.topic.clone(),
                    name: device.name.clone().unwrap_or_default(),
                    model: device.model.clone().unwrap_or_default(),
                    entities: device
                        .entities
                        .iter()
                        .map(|e| (e.unique_id.clone(), e.kind.platform().0))
                        .collect(),
                    endpoints: endpoints
                        .iter()
                        .map(|e| {
                            let category = e
                                .display_categories()
                                .iter()
                                .map(|c| c.as_str().to_owned())
                                .collect::<Vec<_>>()
                                .join(",");
                            let interfaces = e
                                .capabilities()
                                .iter()
                                .map(|c| c.interface().as_str().to_owned())
                                .filter(|i| i != "Alexa" && i != "Alexa.EndpointHealth")
                                .collect();
                            (e.endpoint_id().as_str().to_owned(), category, interfaces)
                        })
                        .collect(),
                }
            })
            .collect()
    }

    /// Whether every entity Alexa sees of every discovered device has a state.
    pub fn settled(&self) -> bool {
        self.devices.values().all(|entry| {
            let device = entry.tracker.device();
            device.entities.iter().enumerate().all(|(i, entity)| {
                let alexa = tasmota::endpoint_id(entity)
                    .is_ok_and(|id| tasmota::entity_of(device, &id).is_some());
                !alexa || entry.tracker.state(i) != Some(&EntityState::Unknown)
            })
        })
    }

    /// The number a sensor of device `topic` holds, by its path (`["ENERGY", "Power"]`).
    pub fn sensor(&self, topic: &str, path: &[&str]) -> Option<f64> {
        let tracker = &self.devices.get(topic)?.tracker;
        let i = tracker
            .device()
            .entities
            .iter()
            .position(|e| matches!(&e.kind, EntityKind::Sensor(s) if is_path(&s.path, path)))?;
        match tracker.state(i)? {
            EntityState::Sensor(SensorValue::Number(n)) => Some(*n),
            _ => None,
        }
    }

    /// Whether the power of device `topic`'s first relay or light is known to be `on`.
    pub fn power(&self, topic: &str) -> Option<bool> {
        let tracker = &self.devices.get(topic)?.tracker;
        tracker
            .device()
            .entities
            .iter()
            .enumerate()
            .find_map(|(i, e)| match (&e.kind, tracker.state(i)?) {
                (EntityKind::Relay { .. }, EntityState::Relay { on }) => Some(*on),
                (EntityKind::Light(_), EntityState::Light(l)) => l.on,
                _ => None,
            })
    }

    /// Every discovery endpoint of every device.
    ///
    /// # Errors
    ///
    /// [`AlexaError`] INTERNAL_ERROR when an entity makes no valid endpoint.
    pub fn endpoints(&self) -> Result<Vec<DiscoveryEndpoint>, AlexaError> {
        let mut all = Vec::new();
        for entry in self.devices.values() {
            all.extend(tasmota::endpoints(entry.tracker.device()).map_err(internal)?);
        }
        Ok(all)
    }

    /// The discovery endpoint `id`, if an entity of a device has it.
    ///
    /// # Errors
    ///
    /// As [`Fleet::endpoints`].
    pub fn endpoint(&self, id: &EndpointId) -> Result<Option<DiscoveryEndpoint>, AlexaError> {
        let Some((entry, _)) = self.find(id) else {
            return Ok(None);
        };
        let endpoints = tasmota::endpoints(entry.tracker.device()).map_err(internal)?;
        Ok(endpoints.into_iter().find(|e| e.endpoint_id() == id))
    }

    /// The properties of endpoint `id` as its device's tracker holds them.
    ///
    /// # Errors
    ///
    /// [`AlexaError`] NO_SUCH_ENDPOINT when no entity has it.
    pub fn properties(&self, id: &EndpointId) -> Result<Vec<PropertyValue>, AlexaError> {
        let (entry, i) = self
            .find(id)
            .ok_or_else(|| AlexaError::no_such_endpoint(id))?;
        let tracker = &entry.tracker;
        let entity = &tracker.device().entities[i];
        let state = tracker.state(i).unwrap_or(&EntityState::Unknown);
        Ok(tasmota::properties(entity, state, tracker.available()))
    }

    /// The command that carries out `directive` on endpoint `id`, and the device topic to
    /// wait on for its confirmation ([`Fleet::confirmed`]).
    ///
    /// # Errors
    ///
    /// [`AlexaError`] NO_SUCH_ENDPOINT when no entity has the id, otherwise as
    /// [`tasmota::command`].
    pub fn command(
        &mut self,
        id: &EndpointId,
        directive: &DirectivePayload,
        instance: Option<&str>,
    ) -> Result<(String, CommandMessage), AlexaError> {
        let (topic, i) = {
            let (entry, i) = self
                .find(id)
                .ok_or_else(|| AlexaError::no_such_endpoint(id))?;
            (entry.tracker.device().topic.clone(), i)
        };
        let entry = self
            .devices
            .get_mut(&topic)
            .ok_or_else(|| AlexaError::no_such_endpoint(id))?;
        let tracker = &entry.tracker;
        let message = tasmota::command(tracker, i, directive, instance)?;
        let entity = &tracker.device().entities[i];
        let state = tracker.state(i).unwrap_or(&EntityState::Unknown);
        let request = tasmota::request(entity, state, directive, instance)?;
        entry.awaiting = Some((i, request));
        Ok((topic, message))
    }

    /// Whether device `topic` has confirmed the last directive's command (or is gone).
    pub fn confirmed(&self, topic: &str) -> bool {
        self.devices
            .get(topic)
            .is_none_or(|entry| entry.awaiting.is_none())
    }

    /// Stops waiting for device `topic`'s confirmation.
    pub fn give_up(&mut self, topic: &str) {
        if let Some(entry) = self.devices.get_mut(topic) {
            entry.awaiting = None;
        }
    }

    fn find(&self, id: &EndpointId) -> Option<(&Tracked, usize)> {
        self.devices.values().find_map(|entry| {
            let (i, _) = tasmota::entity_of(entry.tracker.device(), id)?;
            Some((entry, i))
        })
    }
}

fn is_path(path: &[Segment], keys: &[&str]) -> bool {
    path.len() == keys.len()
        && path
            .iter()
            .zip(keys)
            .all(|(segment, key)| matches!(segment, Segment::Key(k) if k.as_str() == *key))
}

/// The effects of the changes a message made on `entry`. `from_device` says the message is
/// a device's answer (RESULT, POWER), which confirms a directive.
fn changes(entry: &mut Tracked, from_device: bool) -> Result<Vec<Effect>, tasmota_proto::Error> {
    let mut changed = Vec::new();
    let mut availability = None;
    while let Some(change) = entry.tracker.poll_change() {
        match change {
            Change::State { entity, .. } => changed.push(entity.unique_id.clone()),
            Change::Availability { online } => availability = Some(online),
            _ => {}
        }
    }
    let tracker = &entry.tracker;
    let device = tracker.device();
    let mut effects = Vec::new();
    if let Some(online) = availability {
        tracing::info!(device = %device.topic, online, "hub: availability");
        let change = Change::Availability { online };
        effects.extend(reports(device, &change, &CauseType::PeriodicPoll));
        if online {
            effects.push(Effect::Poll(tracker.poll_commands()?));
        }
    }
    for unique_id in changed {
        let Some(i) = device
            .entities
            .iter()
            .position(|e| e.unique_id == unique_id)
        else {
            continue;
        };
        let (entity, state) = (
            &device.entities[i],
            tracker.state(i).unwrap_or(&EntityState::Unknown),
        );
        if let (EntityKind::Sensor(s), EntityState::Sensor(SensorValue::Number(watts))) =
            (&entity.kind, state)
            && is_path(&s.path, &["ENERGY", "Power"])
        {
            effects.push(Effect::Watts {
                topic: device.topic.clone(),
                name: device.name.clone().unwrap_or_else(|| device.topic.clone()),
                watts: *watts,
            });
        }
        let first = !std::mem::replace(&mut entry.seen[i], true);
        match entry.awaiting {
            Some((awaited, request)) if awaited == i => {
                if from_device && satisfied(state, &request) {
                    entry.awaiting = None;
                }
                continue;
            }
            _ => {}
        }
        if first {
            continue;
        }
        let cause = match entity.kind {
            EntityKind::Sensor(_) | EntityKind::Status(_) => CauseType::PeriodicPoll,
            _ => CauseType::PhysicalInteraction,
        };
        let change = Change::State { entity, state };
        effects.extend(reports(device, &change, &cause));
    }
    Ok(effects)
}

fn reports(device: &Device, change: &Change<'_>, cause: &CauseType) -> Vec<Effect> {
    match tasmota::change_report(device, change) {
        Ok(reports) => reports
            .into_iter()
            .map(|(endpoint, properties)| Effect::Report {
                endpoint,
                properties,
                cause: cause.clone(),
            })
            .collect(),
        Err(error) => {
            tracing::warn!(%error, "hub: no ChangeReport for an entity");
            Vec::new()
        }
    }
}

/// Whether `state` shows what `request` asked for.
fn satisfied(state: &EntityState, request: &Request) -> bool {
    let light = match state {
        EntityState::Light(l) => *l,
        _ => tasmota_proto::LightState::default(),
    };
    match (state, request) {
        (EntityState::Relay { on }, Request::Power(want)) => on == want,
        (EntityState::Light(_), Request::Power(want)) => light.on == Some(*want),
        (EntityState::Light(_), Request::Light(r)) => {
            light.on == Some(r.on)
                && r.brightness.is_none_or(|b| light.brightness == Some(b))
                && r.hs.is_none_or(|hs| light.hs == Some(hs))
                && r.ct.is_none_or(|ct| light.ct == Some(ct))
        }
        (EntityState::Fan { speed }, Request::FanSpeed(want)) => speed == want,
        (EntityState::Shutter(s), Request::Position(want)) => s.position == Some(*want),
        (EntityState::Shutter(s), Request::Open) => s.position == Some(100),
        (EntityState::Shutter(s), Request::Close) => s.position == Some(0),
        // Nothing to compare: the device's first answer confirms.
        _ => true,
    }
}
