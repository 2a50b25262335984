//! What happened to each target of a notification.

use crate::error::Error;
use crate::notify::NotifyService;

/// The result of sending one notification: one [`Outcome`] per target, in target order.
///
/// One target's failure never hides another's: every target is tried and reported.
///
/// # Examples
///
/// ```no_run
/// # async fn demo(notifier: ha_aws::Notifier) -> Result<(), ha_aws::Error> {
/// let notification = ha_aws::Notification::new("Door open").with_targets(["arn:aws:sns:eu-west-1:123456789012:a", "arn:aws:sns:eu-west-1:123456789012:b"]);
/// let report = notifier.send(&notification).await?;
/// for (target, delivery) in report.deliveries() {
///     println!("{target}: message {:?}", delivery.message_id());
/// }
/// for (target, error) in report.failures() {
///     eprintln!("{target}: {error}");
/// }
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Report {
    service: NotifyService,
    outcomes: Vec<Outcome>,
}

impl Report {
    pub(crate) fn new(service: NotifyService, outcomes: Vec<Outcome>) -> Self {
        Self { service, outcomes }
    }

    /// The service the notification went through.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(report: &ha_aws::Report) {
    /// println!("sent through {}", report.service());
    /// # }
    /// ```
    pub fn service(&self) -> NotifyService {
        self.service
    }

    /// Every target's outcome, in target order.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(report: &ha_aws::Report) {
    /// for outcome in report.outcomes() {
    ///     println!("{}: {}", outcome.target(), if outcome.is_success() { "ok" } else { "failed" });
    /// }
    /// # }
    /// ```
    pub fn outcomes(&self) -> &[Outcome] {
        &self.outcomes
    }

    /// Whether every target succeeded.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(report: &ha_aws::Report) {
    /// if !report.is_success() {
    ///     eprintln!("{} targets failed", report.failures().count());
    /// }
    /// # }
    /// ```
    pub fn is_success(&self) -> bool {
        self.outcomes.iter().all(|outcome| outcome.result.is_ok())
    }

    /// The targets that succeeded, with what the service answered.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(report: &ha_aws::Report) {
    /// for (target, delivery) in report.deliveries() {
    ///     println!("{target}: {:?}", delivery.message_id());
    /// }
    /// # }
    /// ```
    pub fn deliveries(&self) -> impl Iterator<Item = (&str, &Delivery)> {
        self.outcomes.iter().filter_map(|outcome| {
            outcome
                .result
                .as_ref()
                .ok()
                .map(|delivery| (outcome.target.as_str(), delivery))
        })
    }

    /// The targets that failed, with why.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(report: &ha_aws::Report) {
    /// let throttled: Vec<&str> = report.failures().filter(|(_, error)| error.is_throttling()).map(|(target, _)| target).collect();
    /// # }
    /// ```
    pub fn failures(&self) -> impl Iterator<Item = (&str, &Error)> {
        self.outcomes.iter().filter_map(|outcome| {
            outcome
                .result
                .as_ref()
                .err()
                .map(|error| (outcome.target.as_str(), error))
        })
    }

    /// The outcomes, by value.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(report: ha_aws::Report) {
    /// let failed: Vec<ha_aws::Error> = report.into_outcomes().into_iter().filter_map(|outcome| outcome.into_result().err()).collect();
    /// # }
    /// ```
    pub fn into_outcomes(self) -> Vec<Outcome> {
        self.outcomes
    }
}

/// What happened to one target.
///
/// # Examples
///
/// ```
/// # fn demo(report: &ha_aws::Report) {
/// let first: &ha_aws::Outcome = &report.outcomes()[0];
/// println!("{} -> {:?}", first.target(), first.result().map(ha_aws::Delivery::message_id));
/// # }
/// ```
#[derive(Debug)]
pub struct Outcome {
    target: String,
    result: Result<Delivery, Error>,
}

impl Outcome {
    pub(crate) fn new(target: &str, result: Result<Delivery, Error>) -> Self {
        Self {
            target: target.to_owned(),
            result,
        }
    }

    /// The target as given (for EventBridge without targets: `default`, the default event bus).
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(outcome: &ha_aws::Outcome) {
    /// println!("{}", outcome.target());
    /// # }
    /// ```
    pub fn target(&self) -> &str {
        &self.target
    }

    /// What the service answered, or why the target failed.
    ///
    /// # Errors
    ///
    /// The target's error.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(outcome: &ha_aws::Outcome) {
    /// match outcome.result() {
    ///     Ok(delivery) => println!("delivered as {:?}", delivery.message_id()),
    ///     Err(error) => eprintln!("failed: {error}"),
    /// }
    /// # }
    /// ```
    pub fn result(&self) -> Result<&Delivery, &Error> {
        self.result.as_ref()
    }

    /// Whether the target succeeded.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(outcome: &ha_aws::Outcome) {
    /// let ok = outcome.is_success();
    /// # }
    /// ```
    pub fn is_success(&self) -> bool {
        self.result.is_ok()
    }

    /// The result, by value.
    ///
    /// # Errors
    ///
    /// The target's error.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(outcome: ha_aws::Outcome) -> Result<(), ha_aws::Error> {
    /// let delivery = outcome.into_result()?;
    /// # Ok(()) }
    /// ```
    pub fn into_result(self) -> Result<Delivery, Error> {
        self.result
    }
}

/// What a service answered for one delivered target.
///
/// # Examples
///
/// ```
/// # fn demo(delivery: &ha_aws::Delivery) {
/// println!("{:?} {:?}", delivery.message_id(), delivery.status_code());
/// # }
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Delivery {
    pub(crate) message_id: Option<String>,
    pub(crate) sequence_number: Option<String>,
    pub(crate) status_code: Option<i32>,
    pub(crate) payload: Option<Vec<u8>>,
}

impl Delivery {
    /// The SNS or SQS message id, or the EventBridge event id.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(delivery: &ha_aws::Delivery) {
    /// println!("{}", delivery.message_id().unwrap_or("-"));
    /// # }
    /// ```
    pub fn message_id(&self) -> Option<&str> {
        self.message_id.as_deref()
    }

    /// The SQS sequence number (FIFO queues).
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(delivery: &ha_aws::Delivery) {
    /// let ordered = delivery.sequence_number().is_some();
    /// # }
    /// ```
    pub fn sequence_number(&self) -> Option<&str> {
        self.sequence_number.as_deref()
    }

    /// The Lambda invocation's HTTP status: 200 for a synchronous call, 202 for an event.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(delivery: &ha_aws::Delivery) {
    /// let queued = delivery.status_code() == Some(202);
    /// # }
    /// ```
    pub fn status_code(&self) -> Option<i32> {
        self.status_code
    }

    /// What the Lambda function returned (synchronous calls).
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(delivery: &ha_aws::Delivery) {
    /// let reply: Option<serde_json::Value> = delivery.payload().and_then(|payload| serde_json::from_slice(payload).ok());
    /// # }
    /// ```
    pub fn payload(&self) -> Option<&[u8]> {
        self.payload.as_deref()
    }
}
