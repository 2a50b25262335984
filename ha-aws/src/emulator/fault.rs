//! Faults the emulator can be told to inject: AWS errors and added latency, per operation and
//! target, for a number of calls or for good.

use core::time::Duration;

use crate::service::Operation;

/// What an injected fault does.
///
/// Each service answers the error kinds with its own code, status and message, as AWS would:
/// throttling is SNS `Throttling`, SQS `RequestThrottled`, Lambda `TooManyRequestsException`
/// (429), EventBridge `ThrottlingException`; not-found is SNS `NotFound` (404), SQS
/// `AWS.SimpleQueueService.NonExistentQueue`, Lambda and EventBridge
/// `ResourceNotFoundException`, IAM `NoSuchEntity`; access denied is SNS `AuthorizationError`,
/// STS `InvalidClientTokenId`, IAM `AccessDenied`, SQS `AccessDenied`, Lambda and EventBridge
/// `AccessDeniedException`.
///
/// # Examples
///
/// ```
/// use ha_aws::emulator::{Fault, FaultKind};
///
/// let fault = Fault::new(FaultKind::Error { status: 400, code: "InvalidParameter".into(), message: "Invalid parameter: PhoneNumber".into() });
/// assert!(matches!(fault.kind(), FaultKind::Error { status: 400, .. }));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FaultKind {
    /// The service throttles the request.
    Throttling,
    /// The target does not exist.
    NotFound,
    /// The credentials are refused or lack the permission.
    AccessDenied,
    /// The service fails (HTTP 500).
    ServerError,
    /// Any AWS error: the status, the error code, the message.
    Error {
        /// The HTTP status.
        status: u16,
        /// The AWS error code, such as `InvalidParameter`.
        code: String,
        /// The message.
        message: String,
    },
    /// The reply comes this much later (added to the replies of every matching call, whatever
    /// they are).
    Latency(Duration),
}

/// A fault to inject: what it does, which calls it hits, how many times.
///
/// Without [`Fault::on`] it hits every operation, without [`Fault::for_target`] every target,
/// without [`Fault::times`] every matching call from now on. Faults are tried in the order they
/// were injected; latencies add up, and the first matching error wins.
///
/// In a batch operation (EventBridge `PutEvents`), a fault for a target fails that target's
/// entry (`FailedEntryCount`, `ErrorCode`) while the other entries succeed; a fault without a
/// target fails the whole call.
///
/// # Examples
///
/// ```
/// use core::time::Duration;
/// use ha_aws::Operation;
/// use ha_aws::emulator::Fault;
///
/// // the first two publishes to this topic are throttled
/// let throttle = Fault::throttling().on(Operation::SNS_PUBLISH).for_target("arn:aws:sns:us-east-1:123456789012:home").times(2);
/// // every call is 20 ms slower
/// let slow = Fault::latency(Duration::from_millis(20));
/// # let _ = (throttle, slow);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    kind: FaultKind,
    operation: Option<Operation>,
    target: Option<String>,
    times: Option<u32>,
}

impl Fault {
    /// A fault of `kind` for every call.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_aws::emulator::{Fault, FaultKind};
    ///
    /// assert_eq!(Fault::new(FaultKind::Throttling), Fault::throttling());
    /// ```
    pub fn new(kind: FaultKind) -> Self {
        Self {
            kind,
            operation: None,
            target: None,
            times: None,
        }
    }

    /// Throttles matching calls.
    ///
    /// # Examples
    ///
    /// ```
    /// let fault = ha_aws::emulator::Fault::throttling().on(ha_aws::Operation::LAMBDA_INVOKE);
    /// # let _ = fault;
    /// ```
    pub fn throttling() -> Self {
        Self::new(FaultKind::Throttling)
    }

    /// Answers matching calls that their target does not exist.
    ///
    /// # Examples
    ///
    /// ```
    /// let fault = ha_aws::emulator::Fault::not_found().for_target("arn:aws:sns:us-east-1:123456789012:gone");
    /// # let _ = fault;
    /// ```
    pub fn not_found() -> Self {
        Self::new(FaultKind::NotFound)
    }

    /// Refuses matching calls' credentials.
    ///
    /// # Examples
    ///
    /// ```
    /// let fault = ha_aws::emulator::Fault::access_denied().on(ha_aws::Operation::STS_GET_CALLER_IDENTITY);
    /// # let _ = fault;
    /// ```
    pub fn access_denied() -> Self {
        Self::new(FaultKind::AccessDenied)
    }

    /// Fails matching calls with a service error (HTTP 500).
    ///
    /// # Examples
    ///
    /// ```
    /// let flaky = ha_aws::emulator::Fault::server_error().times(1);
    /// # let _ = flaky;
    /// ```
    pub fn server_error() -> Self {
        Self::new(FaultKind::ServerError)
    }

    /// Fails matching calls with any AWS error.
    ///
    /// # Examples
    ///
    /// ```
    /// let fault = ha_aws::emulator::Fault::error(400, "InvalidParameter", "Invalid parameter: Subject");
    /// # let _ = fault;
    /// ```
    pub fn error(status: u16, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(FaultKind::Error {
            status,
            code: code.into(),
            message: message.into(),
        })
    }

    /// Delays the replies of matching calls.
    ///
    /// # Examples
    ///
    /// ```
    /// let slow = ha_aws::emulator::Fault::latency(core::time::Duration::from_millis(20));
    /// # let _ = slow;
    /// ```
    pub fn latency(delay: Duration) -> Self {
        Self::new(FaultKind::Latency(delay))
    }

    /// Hits `operation` only.
    ///
    /// # Examples
    ///
    /// ```
    /// let fault = ha_aws::emulator::Fault::throttling().on(ha_aws::Operation::SQS_SEND_MESSAGE);
    /// # let _ = fault;
    /// ```
    #[must_use]
    pub fn on(mut self, operation: Operation) -> Self {
        self.operation = Some(operation);
        self
    }

    /// Hits calls for `target` only (topic ARN, queue URL, function name as sent, event bus).
    ///
    /// # Examples
    ///
    /// ```
    /// let fault = ha_aws::emulator::Fault::not_found().for_target("notify-phone");
    /// # let _ = fault;
    /// ```
    #[must_use]
    pub fn for_target(mut self, target: impl Into<String>) -> Self {
        self.target = Some(target.into());
        self
    }

    /// Hits the next `count` matching calls only.
    ///
    /// # Examples
    ///
    /// ```
    /// let twice = ha_aws::emulator::Fault::throttling().times(2);
    /// # let _ = twice;
    /// ```
    #[must_use]
    pub fn times(mut self, count: u32) -> Self {
        self.times = Some(count);
        self
    }

    /// What the fault does.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_aws::emulator::{Fault, FaultKind};
    ///
    /// assert_eq!(Fault::not_found().kind(), &FaultKind::NotFound);
    /// ```
    pub fn kind(&self) -> &FaultKind {
        &self.kind
    }

    fn matches(&self, operation: Operation, target: Option<&str>) -> bool {
        self.operation.is_none_or(|wanted| wanted == operation)
            && self
                .target
                .as_deref()
                .is_none_or(|wanted| Some(wanted) == target)
    }
}

/// The faults in force, in injection order.
#[derive(Debug, Default)]
pub(crate) struct Faults(Vec<Fault>);

/// What the faults do to one call.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Effect {
    pub(crate) delay: Duration,
    pub(crate) error: Option<FaultKind>,
}

impl Faults {
    pub(crate) fn push(&mut self, fault: Fault) {
        if fault.times != Some(0) {
            self.0.push(fault);
        }
    }

    pub(crate) fn clear(&mut self) {
        self.0.clear();
    }

    /// The effect on a call of `operation` for `target`, using up counted faults.
    pub(crate) fn apply(&mut self, operation: Operation, target: Option<&str>) -> Effect {
        let mut effect = Effect::default();
        for fault in &mut self.0 {
            if !fault.matches(operation, target) {
                continue;
            }
            match &fault.kind {
                FaultKind::Latency(delay) => effect.delay += *delay,
                _ if effect.error.is_some() => continue,
                error => effect.error = Some(error.clone()),
            }
            fault.times = fault.times.map(|times| times - 1);
        }
        self.0.retain(|fault| fault.times != Some(0));
        effect
    }

    /// The error for one entry of a batch call: only faults that name the entry's target apply.
    pub(crate) fn apply_to_entry(
        &mut self,
        operation: Operation,
        target: &str,
    ) -> Option<FaultKind> {
        let fault = self.0.iter_mut().find(|fault| {
            fault.target.is_some()
                && !matches!(fault.kind, FaultKind::Latency(_))
                && fault.matches(operation, Some(target))
        })?;
        fault.times = fault.times.map(|times| times - 1);
        let kind = fault.kind.clone();
        self.0.retain(|fault| fault.times != Some(0));
        Some(kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_match_operation_and_target_and_run_out() {
        let mut faults = Faults::default();
        faults.push(
            Fault::throttling()
                .on(Operation::SNS_PUBLISH)
                .for_target("a")
                .times(1),
        );
        assert_eq!(
            faults.apply(Operation::SQS_SEND_MESSAGE, Some("a")),
            Effect::default()
        );
        assert_eq!(
            faults.apply(Operation::SNS_PUBLISH, Some("b")),
            Effect::default()
        );
        assert_eq!(
            faults.apply(Operation::SNS_PUBLISH, Some("a")).error,
            Some(FaultKind::Throttling)
        );
        assert_eq!(
            faults.apply(Operation::SNS_PUBLISH, Some("a")),
            Effect::default()
        );
    }

    #[test]
    fn latencies_add_up_and_the_first_error_wins() {
        let mut faults = Faults::default();
        faults.push(Fault::latency(Duration::from_millis(5)));
        faults.push(Fault::not_found().times(1));
        faults.push(Fault::access_denied());
        faults.push(Fault::latency(Duration::from_millis(7)).on(Operation::LAMBDA_INVOKE));
        let effect = faults.apply(Operation::LAMBDA_INVOKE, Some("f"));
        assert_eq!(
            effect,
            Effect {
                delay: Duration::from_millis(12),
                error: Some(FaultKind::NotFound)
            }
        );
        let effect = faults.apply(Operation::SNS_PUBLISH, None);
        assert_eq!(
            effect,
            Effect {
                delay: Duration::from_millis(5),
                error: Some(FaultKind::AccessDenied)
            }
        );
        faults.clear();
        assert_eq!(
            faults.apply(Operation::SNS_PUBLISH, None),
            Effect::default()
        );
    }

    #[test]
    fn entry_faults_need_a_target() {
        let mut faults = Faults::default();
        faults.push(Fault::server_error());
        faults.push(Fault::latency(Duration::from_millis(5)).for_target("bus"));
        faults.push(Fault::not_found().for_target("bus").times(1));
        assert_eq!(
            faults.apply_to_entry(Operation::EVENTBRIDGE_PUT_EVENTS, "other"),
            None
        );
        assert_eq!(
            faults.apply_to_entry(Operation::EVENTBRIDGE_PUT_EVENTS, "bus"),
            Some(FaultKind::NotFound)
        );
        assert_eq!(
            faults.apply_to_entry(Operation::EVENTBRIDGE_PUT_EVENTS, "bus"),
            None
        );
        assert_eq!(faults.0.len(), 2);
        assert_eq!(Fault::throttling().times(0).times, Some(0));
        faults.push(Fault::throttling().times(0));
        assert_eq!(faults.0.len(), 2);
    }
}
