//! Proactive events as the configuration says: only for exposed endpoints, with
//! entity_config's names, a ChangeReport only when a reported property really changed, and
//! the difference announced when the hub's endpoints or the configuration change.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use super::{Change, ChangeReporter, GatewayError};
use crate::clock::{Clock, SystemClock};
use crate::config::SmartHomeConfig;
use crate::discovery::DiscoveryEndpoint;
use crate::lwa::LwaTokenStore;
use crate::message::{CauseType, EndpointId, Property};

/// What one announcement sent: how many endpoints were added or updated, how many deleted.
///
/// # Examples
///
/// ```
/// fn nothing(announced: &ha_alexa::gateway::Announced) -> bool {
///     announced.added_or_updated() == 0 && announced.deleted() == 0
/// }
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Announced {
    added_or_updated: usize,
    deleted: usize,
}

impl Announced {
    /// Endpoints sent in AddOrUpdateReports (new, renamed or otherwise changed).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_alexa::gateway::Announced::default().added_or_updated(), 0);
    /// ```
    pub fn added_or_updated(&self) -> usize {
        self.added_or_updated
    }

    /// Endpoints sent in a DeleteReport (gone, or no longer exposed).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_alexa::gateway::Announced::default().deleted(), 0);
    /// ```
    pub fn deleted(&self) -> usize {
        self.deleted
    }
}

/// What the reporter knows: the configuration, the hub's endpoints, and what Alexa was told.
#[derive(Debug, Default)]
struct Known {
    config: SmartHomeConfig,
    /// The hub's endpoints as it last gave them, before the configuration.
    hub: Vec<DiscoveryEndpoint>,
    /// The endpoints as last announced to Alexa, after the configuration.
    announced: BTreeMap<EndpointId, DiscoveryEndpoint>,
}

/// Proactive events that respect the `smart_home:` configuration, in front of a
/// [`ChangeReporter`].
///
/// * [`state_changed`](Self::state_changed) takes an endpoint's properties before and after a
///   change of state, as Home Assistant compares the old and new state: nothing is sent for an
///   endpoint the filter does not expose, or when no proactively reported property changed
///   value; otherwise a ChangeReport carries the changed properties, with the unchanged ones
///   in its context.
/// * [`endpoints_changed`](Self::endpoints_changed) takes the hub's whole list of endpoints
///   and [`set_config`](Self::set_config) a new configuration: the exposed endpoints, with
///   entity_config's names, descriptions and display categories, are compared with what Alexa
///   was last told; new or changed ones go in AddOrUpdateReports, gone or no longer exposed
///   ones in a DeleteReport.
///
/// Share it behind an `Arc`; every method takes `&self`.
///
/// # Examples
///
/// ```no_run
/// use std::sync::Arc;
/// use ha_alexa::config::SmartHomeConfig;
/// use ha_alexa::gateway::{ChangeReporter, EventGateway, ProactiveReporter};
/// use ha_alexa::lwa::FileLwaStore;
/// use ha_alexa::{CauseType, DiscoveryEndpoint, EndpointId, Property};
///
/// # async fn run(gateway: Arc<EventGateway<FileLwaStore>>, config: SmartHomeConfig,
/// #     endpoints: Vec<DiscoveryEndpoint>, id: EndpointId, old: Vec<Property>, new: Vec<Property>)
/// #     -> Result<(), ha_alexa::Error> {
/// let changes = ChangeReporter::new(gateway);
/// tokio::spawn({
///     let changes = changes.clone();
///     async move { changes.run().await }
/// });
/// let proactive = ProactiveReporter::new(changes, config);
/// // At start and whenever the hub's devices change:
/// proactive.endpoints_changed(endpoints).await?;
/// // On every state change of a device:
/// proactive.state_changed(&id, CauseType::PhysicalInteraction, &old, new)?;
/// # Ok(()) }
/// ```
pub struct ProactiveReporter<S, C = SystemClock> {
    changes: ChangeReporter<S, C>,
    known: Mutex<Known>,
    /// Held while announcing, so that two announcements do not interleave.
    announcing: tokio::sync::Mutex<()>,
}

impl<S, C> core::fmt::Debug for ProactiveReporter<S, C> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ProactiveReporter")
            .field("announced", &self.known().announced.len())
            .finish_non_exhaustive()
    }
}

impl<S, C> ProactiveReporter<S, C> {
    fn known(&self) -> std::sync::MutexGuard<'_, Known> {
        // Every mutation of `Known` completes without panicking.
        self.known.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The endpoints as Alexa was last told of them.
    ///
    /// # Examples
    ///
    /// ```
    /// fn count(proactive: &ha_alexa::gateway::ProactiveReporter<ha_alexa::lwa::MemoryLwaStore>) -> usize {
    ///     proactive.announced().len()
    /// }
    /// ```
    pub fn announced(&self) -> Vec<DiscoveryEndpoint> {
        self.known().announced.values().cloned().collect()
    }
}

impl<S: LwaTokenStore, C: Clock> ProactiveReporter<S, C> {
    /// A reporter queueing ChangeReports on `changes` and announcing endpoints through its
    /// gateway, under `config`. Nothing is announced until
    /// [`endpoints_changed`](Self::endpoints_changed).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use std::sync::Arc;
    /// # use ha_alexa::gateway::{ChangeReporter, EventGateway, ProactiveReporter};
    /// # use ha_alexa::lwa::MemoryLwaStore;
    /// # fn example(gateway: Arc<EventGateway<MemoryLwaStore>>) {
    /// let proactive = ProactiveReporter::new(ChangeReporter::new(gateway), Default::default());
    /// assert!(proactive.announced().is_empty());
    /// # }
    /// ```
    pub fn new(changes: ChangeReporter<S, C>, config: SmartHomeConfig) -> Self {
        Self {
            changes,
            known: Mutex::new(Known {
                config,
                ..Known::default()
            }),
            announcing: tokio::sync::Mutex::new(()),
        }
    }

    /// The queue ChangeReports go through.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use ha_alexa::gateway::ProactiveReporter;
    /// # use ha_alexa::lwa::MemoryLwaStore;
    /// # async fn example(proactive: &ProactiveReporter<MemoryLwaStore>) {
    /// proactive.changes().flush().await;
    /// # }
    /// ```
    pub fn changes(&self) -> &ChangeReporter<S, C> {
        &self.changes
    }

    /// Reports a change of state of `endpoint_id` from `old` to `new` (each the endpoint's
    /// properties, as the hub reads them). Returns whether a ChangeReport was queued.
    ///
    /// Nothing is queued when the filter does not expose the endpoint, or when no property
    /// that the announced endpoint reports proactively (or, for an endpoint not announced
    /// through this reporter, no property) changed value; the time of sample alone is not a
    /// change. The report carries the changed properties, and the rest of `new` as the
    /// unchanged properties of its context.
    ///
    /// # Errors
    ///
    /// As [`ChangeReporter::report`].
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use ha_alexa::gateway::ProactiveReporter;
    /// # use ha_alexa::lwa::MemoryLwaStore;
    /// use ha_alexa::interface::PowerState;
    /// use ha_alexa::{CauseType, EndpointId, Property, PropertyValue, Timestamp};
    /// # fn example(proactive: &ProactiveReporter<MemoryLwaStore>) -> Result<(), ha_alexa::Error> {
    /// let power = |state| vec![Property::new(PropertyValue::PowerState(state), Timestamp::now())];
    /// let lamp = EndpointId::for_entity("light.lamp")?;
    /// let queued = proactive.state_changed(
    ///     &lamp,
    ///     CauseType::PhysicalInteraction,
    ///     &power(PowerState::Off),
    ///     power(PowerState::On),
    /// )?;
    /// # Ok(()) }
    /// ```
    pub fn state_changed(
        &self,
        endpoint_id: &EndpointId,
        cause: CauseType,
        old: &[Property],
        new: Vec<Property>,
    ) -> Result<bool, GatewayError> {
        let (changed, unchanged): (Vec<Property>, Vec<Property>) = {
            let known = self.known();
            if !known.config.exposes_endpoint(endpoint_id) {
                return Ok(false);
            }
            let announced = known.announced.get(endpoint_id);
            new.into_iter().partition(|property| {
                let reported = announced.is_none_or(|endpoint| {
                    endpoint
                        .capability(&property.value.namespace(), property.value.instance())
                        .and_then(|capability| capability.properties())
                        .is_some_and(|properties| {
                            properties.proactively_reported
                                && properties
                                    .supported
                                    .iter()
                                    .any(|supported| supported.name == property.value.name())
                        })
                });
                let before = old
                    .iter()
                    .find(|earlier| earlier.value.same_property(&property.value));
                reported && before.is_none_or(|earlier| earlier.value != property.value)
            })
        };
        if changed.is_empty() {
            return Ok(false);
        }
        let change = Change::new(endpoint_id.clone(), cause, changed).with_unchanged(unchanged);
        self.changes.report(change)?;
        Ok(true)
    }

    /// Takes the hub's whole list of endpoints (new devices, renamed ones, removed ones) and
    /// announces the difference to what Alexa was last told, under the configuration.
    ///
    /// # Errors
    ///
    /// As [`EventGateway::add_or_update`](super::EventGateway::add_or_update) and
    /// [`EventGateway::delete`](super::EventGateway::delete); what failed is announced again
    /// at the next call.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use ha_alexa::gateway::ProactiveReporter;
    /// # use ha_alexa::lwa::MemoryLwaStore;
    /// # async fn example(proactive: &ProactiveReporter<MemoryLwaStore>, endpoints: Vec<ha_alexa::DiscoveryEndpoint>) -> Result<(), ha_alexa::Error> {
    /// let announced = proactive.endpoints_changed(endpoints).await?;
    /// tracing::info!(added = announced.added_or_updated(), deleted = announced.deleted(), "told Alexa");
    /// # Ok(()) }
    /// ```
    pub async fn endpoints_changed(
        &self,
        endpoints: Vec<DiscoveryEndpoint>,
    ) -> Result<Announced, GatewayError> {
        let _announcing = self.announcing.lock().await;
        self.known().hub = endpoints;
        self.announce().await
    }

    /// Replaces the configuration (filter, entity_config, locale) and announces the
    /// difference it makes: newly exposed or renamed endpoints in AddOrUpdateReports, no
    /// longer exposed ones in a DeleteReport.
    ///
    /// # Errors
    ///
    /// As [`endpoints_changed`](Self::endpoints_changed).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use ha_alexa::gateway::ProactiveReporter;
    /// # use ha_alexa::lwa::MemoryLwaStore;
    /// # async fn example(proactive: &ProactiveReporter<MemoryLwaStore>) -> Result<(), Box<dyn std::error::Error>> {
    /// let config = serde_json::from_value(serde_json::json!({"filter": {"include_domains": ["light"]}}))?;
    /// proactive.set_config(config).await?;
    /// # Ok(()) }
    /// ```
    pub async fn set_config(&self, config: SmartHomeConfig) -> Result<Announced, GatewayError> {
        let _announcing = self.announcing.lock().await;
        self.known().config = config;
        self.announce().await
    }

    /// Announces the difference between the exposed endpoints and what Alexa was told.
    async fn announce(&self) -> Result<Announced, GatewayError> {
        let (updated, deleted) = {
            let known = self.known();
            let exposed = known.config.expose(known.hub.clone());
            let deleted: Vec<EndpointId> = known
                .announced
                .keys()
                .filter(|id| !exposed.iter().any(|e| e.endpoint_id() == *id))
                .cloned()
                .collect();
            let updated: Vec<DiscoveryEndpoint> = exposed
                .into_iter()
                .filter(|e| known.announced.get(e.endpoint_id()) != Some(e))
                .collect();
            (updated, deleted)
        };
        let announced = Announced {
            added_or_updated: updated.len(),
            deleted: deleted.len(),
        };
        let gateway = self.changes.gateway();
        if !updated.is_empty() {
            gateway.add_or_update(updated.clone()).await?;
            let mut known = self.known();
            for endpoint in updated {
                known
                    .announced
                    .insert(endpoint.endpoint_id().clone(), endpoint);
            }
        }
        if !deleted.is_empty() {
            gateway.delete(deleted.clone()).await?;
            let mut known = self.known();
            for id in &deleted {
                known.announced.remove(id);
            }
        }
        Ok(announced)
    }
}
