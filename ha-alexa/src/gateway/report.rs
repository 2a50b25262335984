//! The coalescing queue in front of ChangeReports.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::Notify;

use super::{EventGateway, GatewayError, ProactiveStatus};
use crate::clock::{Clock, SystemClock};
use crate::lwa::LwaTokenStore;
use crate::message::{CauseType, EndpointId, Property};

/// How many endpoints a [`ChangeReporter`] holds changes for unless told otherwise. Alexa
/// accepts 300 endpoints per user, so a hub that reports only what it discovered never
/// reaches it.
pub const DEFAULT_QUEUE_CAPACITY: usize = 1024;

/// A change of an endpoint's properties, to be sent as a ChangeReport.
///
/// # Examples
///
/// ```
/// use ha_alexa::gateway::Change;
/// use ha_alexa::interface::Percentage;
/// use ha_alexa::{CauseType, EndpointId, Property, PropertyValue, Timestamp};
///
/// let at = Timestamp::from_unix_seconds(1_714_564_800)?;
/// let dim = |level| Property::new(PropertyValue::Brightness(Percentage::try_new(level).unwrap()), at);
/// let id = EndpointId::for_entity("light.kitchen")?;
/// let mut change = Change::new(id.clone(), CauseType::PhysicalInteraction, vec![dim(40)]);
/// change.merge(Change::new(id, CauseType::AppInteraction, vec![dim(60)]));
/// assert_eq!(change.changed(), [dim(60)]);
/// assert_eq!(change.cause(), &CauseType::AppInteraction);
/// # Ok::<(), ha_alexa::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    endpoint_id: EndpointId,
    cause: CauseType,
    changed: Vec<Property>,
    unchanged: Vec<Property>,
}

impl Change {
    /// `changed` properties of `endpoint_id`, caused by `cause`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use ha_alexa::{gateway::Change, CauseType, EndpointId};
    /// let change = Change::new(EndpointId::for_entity("lock.door")?, CauseType::PhysicalInteraction, vec![]);
    /// assert!(change.unchanged().is_empty());
    /// # Ok::<(), ha_alexa::Error>(())
    /// ```
    pub fn new(endpoint_id: EndpointId, cause: CauseType, changed: Vec<Property>) -> Self {
        Self {
            endpoint_id,
            cause,
            changed,
            unchanged: Vec::new(),
        }
    }

    /// Adds the endpoint's other properties, which Amazon asks for in the report's context.
    ///
    /// # Examples
    ///
    /// ```
    /// # use ha_alexa::{gateway::Change, interface::PowerState, CauseType, EndpointId, Property, PropertyValue, Timestamp};
    /// let on = Property::new(PropertyValue::PowerState(PowerState::On), Timestamp::now());
    /// let change = Change::new(EndpointId::for_entity("light.hall")?, CauseType::AppInteraction, vec![])
    ///     .with_unchanged(vec![on.clone()]);
    /// assert_eq!(change.unchanged(), [on]);
    /// # Ok::<(), ha_alexa::Error>(())
    /// ```
    #[must_use]
    pub fn with_unchanged(mut self, unchanged: Vec<Property>) -> Self {
        self.unchanged = unchanged;
        self
    }

    /// The endpoint.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_alexa::{gateway::Change, CauseType, EndpointId};
    /// let change = Change::new(EndpointId::for_entity("light.hall")?, CauseType::AppInteraction, vec![]);
    /// assert_eq!(change.endpoint_id().as_str(), "light#hall");
    /// # Ok::<(), ha_alexa::Error>(())
    /// ```
    pub fn endpoint_id(&self) -> &EndpointId {
        &self.endpoint_id
    }

    /// What caused the change.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_alexa::{gateway::Change, CauseType, EndpointId};
    /// let change = Change::new(EndpointId::for_entity("light.hall")?, CauseType::AppInteraction, vec![]);
    /// assert_eq!(change.cause(), &CauseType::AppInteraction);
    /// # Ok::<(), ha_alexa::Error>(())
    /// ```
    pub fn cause(&self) -> &CauseType {
        &self.cause
    }

    /// The properties that changed.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_alexa::{gateway::Change, CauseType, EndpointId};
    /// let change = Change::new(EndpointId::for_entity("light.hall")?, CauseType::AppInteraction, vec![]);
    /// assert!(change.changed().is_empty());
    /// # Ok::<(), ha_alexa::Error>(())
    /// ```
    pub fn changed(&self) -> &[Property] {
        &self.changed
    }

    /// The endpoint's other properties.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_alexa::{gateway::Change, CauseType, EndpointId};
    /// let change = Change::new(EndpointId::for_entity("light.hall")?, CauseType::AppInteraction, vec![]);
    /// assert!(change.unchanged().is_empty());
    /// # Ok::<(), ha_alexa::Error>(())
    /// ```
    pub fn unchanged(&self) -> &[Property] {
        &self.unchanged
    }

    /// Folds a later change of the same endpoint into this one: the latest value of each
    /// property wins; a property that changed in either stays changed; the latest cause
    /// wins.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_alexa::gateway::Change;
    /// use ha_alexa::interface::{Percentage, PowerState};
    /// use ha_alexa::{CauseType, EndpointId, Property, PropertyValue, Timestamp};
    ///
    /// let at = Timestamp::now();
    /// let on = Property::new(PropertyValue::PowerState(PowerState::On), at);
    /// let dim = Property::new(PropertyValue::Brightness(Percentage::try_new(30).unwrap()), at);
    /// let id = EndpointId::for_entity("light.hall")?;
    /// let mut first = Change::new(id.clone(), CauseType::AppInteraction, vec![on.clone()]);
    /// // Later the brightness changed; power is reported as unchanged, but it changed since
    /// // the last report that was sent, so it stays among the changed properties.
    /// first.merge(Change::new(id, CauseType::AppInteraction, vec![dim.clone()]).with_unchanged(vec![on.clone()]));
    /// assert_eq!(first.changed(), [on, dim]);
    /// assert!(first.unchanged().is_empty());
    /// # Ok::<(), ha_alexa::Error>(())
    /// ```
    pub fn merge(&mut self, newer: Self) {
        self.cause = newer.cause;
        for property in newer.changed {
            upsert(&mut self.changed, property);
        }
        for property in newer.unchanged {
            if let Some(slot) = find(&mut self.changed, &property) {
                *slot = property;
            } else {
                upsert(&mut self.unchanged, property);
            }
        }
        let changed = &self.changed;
        self.unchanged
            .retain(|p| !changed.iter().any(|c| c.value.same_property(&p.value)));
    }
}

fn find<'a>(properties: &'a mut [Property], like: &Property) -> Option<&'a mut Property> {
    properties
        .iter_mut()
        .find(|p| p.value.same_property(&like.value))
}

fn upsert(properties: &mut Vec<Property>, property: Property) {
    match find(properties, &property) {
        Some(slot) => *slot = property,
        None => properties.push(property),
    }
}

/// Pending changes: at most one per endpoint, in the order their endpoints first changed.
#[derive(Debug, Default)]
struct Pending {
    order: VecDeque<EndpointId>,
    changes: HashMap<EndpointId, Change>,
}

impl Pending {
    fn push(&mut self, change: Change, capacity: usize) -> Result<(), GatewayError> {
        if let Some(pending) = self.changes.get_mut(&change.endpoint_id) {
            pending.merge(change);
            return Ok(());
        }
        if self.changes.len() >= capacity {
            return Err(GatewayError::QueueFull { capacity });
        }
        self.order.push_back(change.endpoint_id.clone());
        self.changes.insert(change.endpoint_id.clone(), change);
        Ok(())
    }

    fn pop(&mut self) -> Option<Change> {
        let id = self.order.pop_front()?;
        self.changes.remove(&id)
    }

    fn clear(&mut self) -> usize {
        let dropped = self.changes.len();
        self.order.clear();
        self.changes.clear();
        dropped
    }
}

/// A queue of ChangeReports in front of an [`EventGateway`] that coalesces changes to one
/// endpoint: while a change waits to be sent, later changes to the same endpoint are merged
/// into it ([`Change::merge`]: latest property values win). Changes arriving faster than
/// the gateway takes them cost one report per endpoint, not one per change.
///
/// [`report`](Self::report) queues without waiting. The hub spawns [`run`](Self::run),
/// which sends queued changes one at a time, in the order their endpoints first changed;
/// [`flush`](Self::flush) sends what is queued and returns (at shutdown, in tests).
/// Clones share the queue.
///
/// A change whose report fails after the gateway's retries is dropped (and logged): the
/// next change of that endpoint carries the current state again. When proactive mode
/// turns off, the queue is emptied and reports are refused.
///
/// # Memory
///
/// One [`Change`] per endpoint with pending changes, at most `capacity` endpoints
/// ([`DEFAULT_QUEUE_CAPACITY`]); merging replaces properties in place.
///
/// # Examples
///
/// ```no_run
/// use std::sync::Arc;
/// use ha_alexa::gateway::{Change, ChangeReporter, EventGateway};
/// use ha_alexa::lwa::FileLwaStore;
/// use ha_alexa::{CauseType, EndpointId, Property};
///
/// fn on_state_change(reporter: &ChangeReporter<FileLwaStore>, entity: &str, changed: Vec<Property>) {
///     let Ok(id) = EndpointId::for_entity(entity) else { return };
///     if let Err(error) = reporter.report(Change::new(id, CauseType::PhysicalInteraction, changed)) {
///         tracing::debug!(%error, "change not reported");
///     }
/// }
///
/// fn start(gateway: Arc<EventGateway<FileLwaStore>>) -> ChangeReporter<FileLwaStore> {
///     let reporter = ChangeReporter::new(gateway);
///     let driver = reporter.clone();
///     tokio::spawn(async move { driver.run().await });
///     reporter
/// }
/// ```
pub struct ChangeReporter<S, C = SystemClock> {
    shared: Arc<Shared<S, C>>,
}

struct Shared<S, C> {
    gateway: Arc<EventGateway<S, C>>,
    pending: Mutex<Pending>,
    capacity: usize,
    wake: Notify,
    /// Held while sending, so that two drivers never send for one endpoint out of order.
    sending: tokio::sync::Mutex<()>,
}

impl<S, C> Clone for ChangeReporter<S, C> {
    fn clone(&self) -> Self {
        Self {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<S, C> core::fmt::Debug for ChangeReporter<S, C> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ChangeReporter")
            .field("pending", &self.pending())
            .field("capacity", &self.shared.capacity)
            .finish_non_exhaustive()
    }
}

impl<S, C> ChangeReporter<S, C> {
    /// How many endpoints have changes waiting.
    ///
    /// # Examples
    ///
    /// ```
    /// fn idle(reporter: &ha_alexa::gateway::ChangeReporter<ha_alexa::lwa::MemoryLwaStore>) -> bool {
    ///     reporter.pending() == 0
    /// }
    /// ```
    pub fn pending(&self) -> usize {
        self.lock().changes.len()
    }

    /// The gateway the changes go to.
    ///
    /// # Examples
    ///
    /// ```
    /// fn status(reporter: &ha_alexa::gateway::ChangeReporter<ha_alexa::lwa::MemoryLwaStore>) -> String {
    ///     reporter.gateway().status().to_string()
    /// }
    /// ```
    pub fn gateway(&self) -> &Arc<EventGateway<S, C>> {
        &self.shared.gateway
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Pending> {
        // Every mutation of `Pending` completes without panicking, so a poisoned lock
        // still guards a consistent queue.
        self.shared
            .pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl<S: LwaTokenStore, C: Clock> ChangeReporter<S, C> {
    /// A queue in front of `gateway` for up to [`DEFAULT_QUEUE_CAPACITY`] endpoints.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use std::sync::Arc;
    /// # use ha_alexa::gateway::{Change, ChangeReporter, EventGateway};
    /// # use ha_alexa::lwa::MemoryLwaStore;
    /// # async fn example(gateway: Arc<EventGateway<MemoryLwaStore>>) -> Result<(), ha_alexa::Error> {
    /// let reporter = ChangeReporter::new(gateway);
    /// assert_eq!(reporter.pending(), 0);
    /// # Ok(()) }
    /// ```
    pub fn new(gateway: Arc<EventGateway<S, C>>) -> Self {
        Self::with_capacity(gateway, DEFAULT_QUEUE_CAPACITY)
    }

    /// A queue in front of `gateway` for up to `capacity` endpoints.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use std::sync::Arc;
    /// # use ha_alexa::gateway::{Change, ChangeReporter, EventGateway};
    /// # use ha_alexa::lwa::MemoryLwaStore;
    /// # async fn example(gateway: Arc<EventGateway<MemoryLwaStore>>) -> Result<(), ha_alexa::Error> {
    /// let reporter = ChangeReporter::with_capacity(gateway, 300);
    /// # Ok(()) }
    /// ```
    pub fn with_capacity(gateway: Arc<EventGateway<S, C>>, capacity: usize) -> Self {
        Self {
            shared: Arc::new(Shared {
                gateway,
                pending: Mutex::new(Pending::default()),
                capacity,
                wake: Notify::new(),
                sending: tokio::sync::Mutex::new(()),
            }),
        }
    }

    /// Queues `change`, merged into the endpoint's pending change if it has one, and wakes
    /// [`run`](Self::run). Does not wait.
    ///
    /// # Errors
    ///
    /// [`GatewayError::Disabled`] when proactive mode is off (the change is dropped);
    /// [`GatewayError::QueueFull`] when the endpoint has no pending change and `capacity`
    /// endpoints do.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use std::sync::Arc;
    /// # use ha_alexa::gateway::{Change, ChangeReporter, EventGateway};
    /// # use ha_alexa::lwa::MemoryLwaStore;
    /// # async fn example(gateway: Arc<EventGateway<MemoryLwaStore>>) -> Result<(), ha_alexa::Error> {
    /// use ha_alexa::{CauseType, EndpointId};
    /// let reporter = ChangeReporter::new(gateway);
    /// let hall = EndpointId::for_entity("light.hall")?;
    /// reporter.report(Change::new(hall, CauseType::AppInteraction, vec![]))?;
    /// # Ok(()) }
    /// ```
    pub fn report(&self, change: Change) -> Result<(), GatewayError> {
        if let ProactiveStatus::Disabled(reason) = self.shared.gateway.status() {
            self.lock().clear();
            return Err(GatewayError::Disabled(reason));
        }
        self.lock().push(change, self.shared.capacity)?;
        self.shared.wake.notify_one();
        Ok(())
    }

    /// Sends every queued change, one report at a time, and returns how many were
    /// delivered. Changes queued meanwhile are sent too.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use std::sync::Arc;
    /// # use ha_alexa::gateway::{Change, ChangeReporter, EventGateway};
    /// # use ha_alexa::lwa::MemoryLwaStore;
    /// # async fn example(gateway: Arc<EventGateway<MemoryLwaStore>>) -> Result<(), ha_alexa::Error> {
    /// let reporter = ChangeReporter::new(gateway);
    /// // At shutdown: send what is queued.
    /// let delivered = reporter.flush().await;
    /// # Ok(()) }
    /// ```
    pub async fn flush(&self) -> usize {
        let _sending = self.shared.sending.lock().await;
        let mut delivered = 0;
        loop {
            let Some(change) = self.lock().pop() else {
                break;
            };
            let id = change.endpoint_id.clone();
            let result = self
                .shared
                .gateway
                .change_report(
                    change.endpoint_id,
                    change.cause,
                    change.changed,
                    change.unchanged,
                )
                .await;
            match result {
                Ok(()) => delivered += 1,
                Err(error) => {
                    tracing::warn!(endpoint = %id, %error, "change report not delivered");
                }
            }
            if !self.shared.gateway.status().is_enabled() {
                let dropped = self.lock().clear();
                if dropped > 0 {
                    tracing::info!(dropped, "proactive mode is off; queued changes dropped");
                }
                break;
            }
        }
        delivered
    }

    /// Sends changes as they are queued, for ever: the driver the hub spawns. Stop it by
    /// aborting its task (then [`flush`](Self::flush) to send what is left).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use std::sync::Arc;
    /// # use ha_alexa::gateway::{Change, ChangeReporter, EventGateway};
    /// # use ha_alexa::lwa::MemoryLwaStore;
    /// # async fn example(gateway: Arc<EventGateway<MemoryLwaStore>>) -> Result<(), ha_alexa::Error> {
    /// let reporter = ChangeReporter::new(gateway);
    /// let driver = tokio::spawn({
    ///     let reporter = reporter.clone();
    ///     async move { reporter.run().await }
    /// });
    /// // ... at shutdown:
    /// driver.abort();
    /// reporter.flush().await;
    /// # Ok(()) }
    /// ```
    pub async fn run(&self) {
        loop {
            self.shared.wake.notified().await;
            self.flush().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interface::{Percentage, PowerState};
    use crate::message::{PropertyValue, Timestamp};

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_unix_seconds(1_714_564_800 + seconds).unwrap()
    }

    fn brightness(level: u8, t: i64) -> Property {
        Property::new(
            PropertyValue::Brightness(Percentage::try_new(level).unwrap()),
            at(t),
        )
    }

    fn power(on: bool, t: i64) -> Property {
        let state = if on { PowerState::On } else { PowerState::Off };
        Property::new(PropertyValue::PowerState(state), at(t))
    }

    fn change(entity: &str, changed: Vec<Property>) -> Change {
        Change::new(
            EndpointId::for_entity(entity).unwrap(),
            CauseType::PhysicalInteraction,
            changed,
        )
    }

    #[test]
    fn one_pending_change_per_endpoint_latest_values_win_order_of_first_change() {
        let mut pending = Pending::default();
        pending
            .push(change("light.a", vec![brightness(10, 0)]), 8)
            .unwrap();
        pending
            .push(change("light.b", vec![power(true, 1)]), 8)
            .unwrap();
        pending
            .push(
                change("light.a", vec![brightness(20, 2), power(true, 2)]),
                8,
            )
            .unwrap();
        pending
            .push(change("light.a", vec![brightness(30, 3)]), 8)
            .unwrap();
        assert_eq!(pending.changes.len(), 2);

        let a = pending.pop().unwrap();
        assert_eq!(a.endpoint_id().as_str(), "light#a");
        assert_eq!(a.changed(), [brightness(30, 3), power(true, 2)]);
        let b = pending.pop().unwrap();
        assert_eq!(b.changed(), [power(true, 1)]);
        assert!(pending.pop().is_none());
    }

    #[test]
    fn unchanged_properties_follow_the_latest_report_and_never_repeat_changed_ones() {
        let mut first =
            change("light.a", vec![power(true, 0)]).with_unchanged(vec![brightness(10, 0)]);
        first
            .merge(change("light.a", vec![brightness(50, 1)]).with_unchanged(vec![power(true, 1)]));
        // Power changed since the last sent report, with its latest sample; brightness too.
        assert_eq!(first.changed(), [power(true, 1), brightness(50, 1)]);
        assert!(first.unchanged().is_empty());

        let mut second = change("light.a", vec![]).with_unchanged(vec![power(false, 0)]);
        second.merge(
            change("light.a", vec![]).with_unchanged(vec![power(true, 5), brightness(1, 5)]),
        );
        assert_eq!(second.unchanged(), [power(true, 5), brightness(1, 5)]);
    }

    #[test]
    fn a_full_queue_refuses_new_endpoints_but_merges_known_ones() {
        let mut pending = Pending::default();
        pending.push(change("light.a", vec![]), 1).unwrap();
        assert!(matches!(
            pending.push(change("light.b", vec![]), 1),
            Err(GatewayError::QueueFull { capacity: 1 })
        ));
        pending
            .push(change("light.a", vec![power(false, 9)]), 1)
            .unwrap();
        assert_eq!(pending.pop().unwrap().changed(), [power(false, 9)]);
        assert_eq!(pending.clear(), 0);
    }
}
