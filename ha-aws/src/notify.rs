//! Notifications through SNS, SQS, Lambda and EventBridge, with the payloads of Home Assistant's
//! `aws` notify platform.
//!
//! A [`Notifier`] is one configured notify service: a client for one service in one region with
//! one credential. [`Notifier::send`] checks the [`Notification`] against the service's rules
//! first (nothing is sent when it breaks one), then sends to every target concurrently, at most
//! [`NotifySettings::with_max_concurrency`] at a time, and reports each target in a [`Report`].

use core::fmt;
use core::future::Future;
use core::num::NonZeroUsize;
use std::sync::Arc;

use futures_util::future::BoxFuture;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::config::NotifyConfig;
use crate::credential::CredentialStore;
use crate::error::{ConfigError, Error, ErrorKind, NotificationError, ServiceError};
use crate::service::{AwsService, Operation};
use crate::session::{ClientOptions, Session};

/// A `String` message attribute of the SDK crate `$service` (`aws_sdk_sns`, `aws_sdk_sqs`).
#[cfg(any(feature = "sns", feature = "sqs"))]
macro_rules! string_attribute {
    ($service:ident, $value:expr) => {
        $service::types::MessageAttributeValue::builder()
            .data_type("String")
            .string_value($value)
            .build()
            .unwrap_or_else(|_| unreachable!("the data type, the only required field, is set"))
    };
}

#[cfg(feature = "eventbridge")]
mod eventbridge;
#[cfg(feature = "lambda")]
mod lambda;
mod notification;
mod report;
pub(crate) mod rule;
#[cfg(feature = "sns")]
mod sns;
#[cfg(feature = "sqs")]
mod sqs;

pub use notification::Notification;
pub use report::{Delivery, Outcome, Report};

/// The subject Home Assistant gives SNS messages without a title.
///
/// # Examples
///
/// ```
/// assert_eq!(ha_aws::DEFAULT_TITLE, "Home Assistant");
/// ```
pub const DEFAULT_TITLE: &str = "Home Assistant";

/// How many targets a notifier sends to at once unless told otherwise: enough for the usual
/// fan-outs (up to a hundred phones, queues or functions) to go out in one wave, while keeping the
/// number of open connections bounded.
///
/// # Examples
///
/// ```
/// let settings = ha_aws::NotifySettings::new(ha_aws::NotifyService::Sns);
/// assert_eq!(settings.max_concurrency().get(), ha_aws::DEFAULT_MAX_CONCURRENCY);
/// ```
pub const DEFAULT_MAX_CONCURRENCY: usize = 128;

/// The message size limit checked before sending unless told otherwise: 256 KiB, the SNS limit
/// and the default `MaximumMessageSize` of SQS queues and EventBridge `PutEvents` requests.
///
/// # Examples
///
/// ```
/// assert_eq!(ha_aws::DEFAULT_MAX_MESSAGE_BYTES, 262_144);
/// ```
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 256 * 1024;

/// A notify service and what it sends.
///
/// Deserializes from Home Assistant's `service` option, case-insensitively: `lambda`, `sns`,
/// `sqs`, `events` (or `eventbridge`).
///
/// - **Lambda**: invokes each target (function name, ARN or partial ARN) with the event
///   `{"message", "title"?, "target": [every target], "data"?}` and the client context
///   `base64({"custom": context})`. A function error in the reply fails the target.
/// - **SNS**: publishes the message to each target ARN (`TargetArn`: topics and platform
///   endpoints). Subject: the title, or the default title (`Home Assistant`), at most 100
///   characters. Each `data` entry becomes a `String` message attribute: strings as they are,
///   other values as JSON, `null` skipped; an empty string is refused, as SNS refuses it.
/// - **SQS**: sends the event above as JSON to each queue URL. Every field but `message` also
///   becomes a `String` message attribute holding its JSON. The size limit is checked first.
///   FIFO queues (`.fifo`) get the message group id of the notification or the notifier, and the
///   notification's deduplication id.
/// - **EventBridge**: puts one event per target event bus (the default bus without targets), in
///   `PutEvents` calls of at most 10 entries: `Source` = `data.source` or `homeassistant`,
///   `DetailType` = `data.detail_type`, else the title, else the default title (Home Assistant
///   sends an empty one, which EventBridge refuses), `Detail` = `data.detail` or
///   `{"message": message}`, `Resources` = `data.resources`.
///
/// # Examples
///
/// ```
/// use ha_aws::NotifyService;
///
/// assert_eq!(serde_json::from_str::<NotifyService>("\"SNS\"")?, NotifyService::Sns);
/// assert_eq!(serde_json::from_str::<NotifyService>("\"events\"")?, NotifyService::EventBridge);
/// assert_eq!(NotifyService::EventBridge.to_string(), "events");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NotifyService {
    /// Lambda `Invoke`.
    Lambda,
    /// SNS `Publish`.
    Sns,
    /// SQS `SendMessage`.
    Sqs,
    /// EventBridge `PutEvents`.
    EventBridge,
}

impl NotifyService {
    /// The name in Home Assistant's configuration: `lambda`, `sns`, `sqs`, `events`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::NotifyService::Lambda.name(), "lambda");
    /// ```
    pub const fn name(self) -> &'static str {
        match self {
            Self::Lambda => "lambda",
            Self::Sns => "sns",
            Self::Sqs => "sqs",
            Self::EventBridge => "events",
        }
    }

    /// The AWS service behind it.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::NotifyService::Sqs.aws_service(), ha_aws::AwsService::Sqs);
    /// ```
    pub const fn aws_service(self) -> AwsService {
        match self {
            Self::Lambda => AwsService::Lambda,
            Self::Sns => AwsService::Sns,
            Self::Sqs => AwsService::Sqs,
            Self::EventBridge => AwsService::EventBridge,
        }
    }
}

impl fmt::Display for NotifyService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl core::str::FromStr for NotifyService {
    type Err = ConfigError;

    fn from_str(name: &str) -> Result<Self, ConfigError> {
        match name.to_ascii_lowercase().as_str() {
            "lambda" => Ok(Self::Lambda),
            "sns" => Ok(Self::Sns),
            "sqs" => Ok(Self::Sqs),
            "events" | "eventbridge" => Ok(Self::EventBridge),
            _ => Err(ConfigError::UnknownService {
                name: name.to_owned(),
            }),
        }
    }
}

impl Serialize for NotifyService {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for NotifyService {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// How Lambda runs the function.
///
/// # Examples
///
/// ```
/// assert_eq!(serde_json::from_str::<ha_aws::InvocationType>("\"Event\"")?, ha_aws::InvocationType::Event);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub enum InvocationType {
    /// Wait for the function and read its reply (Home Assistant's choice).
    #[default]
    RequestResponse,
    /// Queue the event and return at once (HTTP 202); function errors are not seen.
    Event,
}

/// The settings of one notifier.
///
/// # Examples
///
/// ```
/// use core::num::NonZeroUsize;
/// use ha_aws::{NotifyService, NotifySettings};
/// use serde_json::json;
///
/// let settings = NotifySettings::new(NotifyService::Lambda)
///     .with_name("phone")
///     .with_max_concurrency(NonZeroUsize::new(8).unwrap())
///     .with_context(json!({"two": "three", "test": "one"}).as_object().unwrap().clone());
/// assert_eq!(settings.name(), "phone");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct NotifySettings {
    service: NotifyService,
    name: String,
    default_title: String,
    max_concurrency: NonZeroUsize,
    max_message_bytes: usize,
    context: Option<Map<String, Value>>,
    invocation_type: InvocationType,
    message_group_id: Option<String>,
}

impl NotifySettings {
    /// Settings for `service` with Home Assistant's defaults: named `notify`, default title
    /// [`DEFAULT_TITLE`], [`DEFAULT_MAX_CONCURRENCY`] targets at once, size limit
    /// [`DEFAULT_MAX_MESSAGE_BYTES`], empty Lambda context, synchronous invocation.
    ///
    /// # Examples
    ///
    /// ```
    /// let settings = ha_aws::NotifySettings::new(ha_aws::NotifyService::Sns);
    /// assert_eq!(settings.default_title(), "Home Assistant");
    /// ```
    pub fn new(service: NotifyService) -> Self {
        Self {
            service,
            name: "notify".to_owned(),
            default_title: DEFAULT_TITLE.to_owned(),
            max_concurrency: NonZeroUsize::new(DEFAULT_MAX_CONCURRENCY)
                .unwrap_or(NonZeroUsize::MIN),
            max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
            context: None,
            invocation_type: InvocationType::default(),
            message_group_id: None,
        }
    }

    /// Names the notifier (Home Assistant's `name`, used in messages).
    ///
    /// # Examples
    ///
    /// ```
    /// let settings = ha_aws::NotifySettings::new(ha_aws::NotifyService::Sns).with_name("phones");
    /// assert_eq!(settings.name(), "phones");
    /// ```
    #[must_use]
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Sets the SNS subject and EventBridge detail type used when a notification has no title.
    ///
    /// # Examples
    ///
    /// ```
    /// let settings = ha_aws::NotifySettings::new(ha_aws::NotifyService::Sns).with_default_title("Villa");
    /// assert_eq!(settings.default_title(), "Villa");
    /// ```
    #[must_use]
    pub fn with_default_title(mut self, title: impl Into<String>) -> Self {
        self.default_title = title.into();
        self
    }

    /// Sends to at most `limit` targets (EventBridge: batches) at once.
    ///
    /// # Examples
    ///
    /// ```
    /// use core::num::NonZeroUsize;
    ///
    /// let settings = ha_aws::NotifySettings::new(ha_aws::NotifyService::Sqs).with_max_concurrency(NonZeroUsize::MIN);
    /// assert_eq!(settings.max_concurrency().get(), 1);
    /// ```
    #[must_use]
    pub fn with_max_concurrency(mut self, limit: NonZeroUsize) -> Self {
        self.max_concurrency = limit;
        self
    }

    /// Sets the size limit checked before sending (SNS and SQS messages, EventBridge requests);
    /// raise it for SQS queues whose `MaximumMessageSize` is larger.
    ///
    /// # Examples
    ///
    /// ```
    /// let settings = ha_aws::NotifySettings::new(ha_aws::NotifyService::Sqs).with_max_message_bytes(1024 * 1024);
    /// assert_eq!(settings.max_message_bytes(), 1_048_576);
    /// ```
    #[must_use]
    pub fn with_max_message_bytes(mut self, limit: usize) -> Self {
        self.max_message_bytes = limit;
        self
    }

    /// Sets the Lambda client context's `custom` object (Home Assistant's `context`).
    ///
    /// # Examples
    ///
    /// ```
    /// let context = serde_json::json!({"room": "hall"}).as_object().cloned().unwrap_or_default();
    /// let settings = ha_aws::NotifySettings::new(ha_aws::NotifyService::Lambda).with_context(context);
    /// assert_eq!(settings.context().and_then(|context| context.get("room")), Some(&serde_json::json!("hall")));
    /// ```
    #[must_use]
    pub fn with_context(mut self, context: Map<String, Value>) -> Self {
        self.context = Some(context);
        self
    }

    /// Sets how Lambda runs the function.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_aws::{InvocationType, NotifyService, NotifySettings};
    ///
    /// let settings = NotifySettings::new(NotifyService::Lambda).with_invocation_type(InvocationType::Event);
    /// assert_eq!(settings.invocation_type(), InvocationType::Event);
    /// ```
    #[must_use]
    pub fn with_invocation_type(mut self, invocation_type: InvocationType) -> Self {
        self.invocation_type = invocation_type;
        self
    }

    /// Sets the SQS message group id for notifications that carry none (needed by FIFO queues).
    ///
    /// # Examples
    ///
    /// ```
    /// let settings = ha_aws::NotifySettings::new(ha_aws::NotifyService::Sqs).with_message_group_id("home");
    /// assert_eq!(settings.message_group_id(), Some("home"));
    /// ```
    #[must_use]
    pub fn with_message_group_id(mut self, id: impl Into<String>) -> Self {
        self.message_group_id = Some(id.into());
        self
    }

    /// The service.
    ///
    /// # Examples
    ///
    /// ```
    /// let settings = ha_aws::NotifySettings::new(ha_aws::NotifyService::Sqs);
    /// assert_eq!(settings.service(), ha_aws::NotifyService::Sqs);
    /// ```
    pub fn service(&self) -> NotifyService {
        self.service
    }

    /// The notifier's name.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::NotifySettings::new(ha_aws::NotifyService::Sqs).name(), "notify");
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The default title.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::NotifySettings::new(ha_aws::NotifyService::Sns).default_title(), "Home Assistant");
    /// ```
    pub fn default_title(&self) -> &str {
        &self.default_title
    }

    /// The concurrency limit.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::NotifySettings::new(ha_aws::NotifyService::Sns).max_concurrency().get(), 128);
    /// ```
    pub fn max_concurrency(&self) -> NonZeroUsize {
        self.max_concurrency
    }

    /// The size limit.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::NotifySettings::new(ha_aws::NotifyService::Sns).max_message_bytes(), 256 * 1024);
    /// ```
    pub fn max_message_bytes(&self) -> usize {
        self.max_message_bytes
    }

    /// The Lambda client context's `custom` object, if set.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::NotifySettings::new(ha_aws::NotifyService::Lambda).context(), None);
    /// ```
    pub fn context(&self) -> Option<&Map<String, Value>> {
        self.context.as_ref()
    }

    /// How Lambda runs the function.
    ///
    /// # Examples
    ///
    /// ```
    /// let settings = ha_aws::NotifySettings::new(ha_aws::NotifyService::Lambda);
    /// assert_eq!(settings.invocation_type(), ha_aws::InvocationType::RequestResponse);
    /// ```
    pub fn invocation_type(&self) -> InvocationType {
        self.invocation_type
    }

    /// The SQS message group id for notifications that carry none, if set.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::NotifySettings::new(ha_aws::NotifyService::Sqs).message_group_id(), None);
    /// ```
    pub fn message_group_id(&self) -> Option<&str> {
        self.message_group_id.as_deref()
    }

    /// Checks the options that belong to one service only, the size limit, and the values the
    /// service would refuse.
    pub(crate) fn check(&self) -> Result<(), ConfigError> {
        let only = |given: bool, option: &'static str, applies_to: NotifyService| {
            if given && self.service != applies_to {
                Err(ConfigError::OptionNotApplicable {
                    notifier: self.name.clone(),
                    option,
                    applies_to: applies_to.aws_service(),
                })
            } else {
                Ok(())
            }
        };
        only(self.context.is_some(), "context", NotifyService::Lambda)?;
        only(
            self.invocation_type != InvocationType::default(),
            "invocation_type",
            NotifyService::Lambda,
        )?;
        only(
            self.message_group_id.is_some(),
            "message_group_id",
            NotifyService::Sqs,
        )?;
        if self.max_message_bytes == 0 {
            return Err(ConfigError::ZeroMessageLimit);
        }
        let invalid = |option| move |problem| ConfigError::InvalidSetting { option, problem };
        if self.service == NotifyService::Sns {
            rule::check_subject(&self.default_title).map_err(invalid("default_title"))?;
        }
        if let Some(id) = &self.message_group_id {
            rule::check_fifo_id(id, "message_group_id").map_err(invalid("message_group_id"))?;
        }
        if self.service == NotifyService::Lambda {
            rule::client_context(self.context.as_ref())?;
        }
        Ok(())
    }
}

/// One configured notify service: sends [`Notification`]s to their targets.
///
/// Cheap to clone; clones share the SDK client and its connection pool.
///
/// # Examples
///
/// ```no_run
/// use ha_aws::{ClientOptions, Credential, Notification, Notifier, NotifyService, NotifySettings, Region, Session};
///
/// # async fn demo() -> Result<(), ha_aws::Error> {
/// let session = Session::load(&Credential::DefaultChain, Region::try_from("eu-west-1")?, &ClientOptions::default()).await;
/// let notifier = Notifier::new(&session, NotifySettings::new(NotifyService::Sns))?;
/// let report = notifier
///     .send(&Notification::new("The garage door is open").with_target("arn:aws:sns:eu-west-1:123456789012:home"))
///     .await?;
/// assert!(report.is_success());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Notifier {
    name: String,
    service: NotifyService,
    max_concurrency: NonZeroUsize,
    channel: Arc<dyn Channel>,
}

/// How one service delivers a notification; each service module implements it (directly, or
/// through [`PerTarget`] when it sends one request per target).
trait Channel: fmt::Debug + Send + Sync {
    /// Checks `notification` against the service's rules, sends it to every target (at most
    /// `limit` requests at once) and returns one outcome per target.
    fn deliver(
        self: Arc<Self>,
        notification: &Notification,
        limit: NonZeroUsize,
    ) -> BoxFuture<'_, Result<Vec<Outcome>, Error>>;
}

/// A service that sends one request per target, built once per notification and shared by the
/// targets' tasks (SNS `Publish`, SQS `SendMessage`, Lambda `Invoke`).
trait PerTarget: fmt::Debug + Send + Sync + 'static {
    /// The operation of each request, named when a send is cancelled.
    const OPERATION: Operation;

    /// The notification checked and mapped for the service.
    type Request: Send + Sync + 'static;

    /// Checks `notification` and maps it to the request every target gets.
    fn prepare(&self, notification: &Notification) -> Result<Self::Request, NotificationError>;

    /// Sends `request` to `target`.
    fn send_one(
        &self,
        request: &Self::Request,
        target: &str,
    ) -> impl Future<Output = Result<Delivery, Error>> + Send;
}

impl<T: PerTarget> Channel for T {
    fn deliver(
        self: Arc<Self>,
        notification: &Notification,
        limit: NonZeroUsize,
    ) -> BoxFuture<'_, Result<Vec<Outcome>, Error>> {
        Box::pin(async move {
            let targets = notification.required_targets()?;
            let request = Arc::new(self.prepare(notification)?);
            let results = fan_out(targets.to_vec(), limit, |target| {
                let (service, request) = (Arc::clone(&self), Arc::clone(&request));
                async move { service.send_one(&request, &target).await }
            })
            .await;
            Ok(targets
                .iter()
                .zip(results)
                .map(|(target, result)| {
                    Outcome::new(
                        target,
                        result.unwrap_or_else(|| Err(cancelled(T::OPERATION, target))),
                    )
                })
                .collect())
        })
    }
}

/// The channel of `settings`' service, or the error naming the cargo feature it needs.
fn channel(session: &Session, settings: &NotifySettings) -> Result<Arc<dyn Channel>, ConfigError> {
    match settings.service {
        #[cfg(feature = "sns")]
        NotifyService::Sns => Ok(Arc::new(sns::Sns::new(session, settings))),
        #[cfg(feature = "sqs")]
        NotifyService::Sqs => Ok(Arc::new(sqs::Sqs::new(session, settings))),
        #[cfg(feature = "lambda")]
        NotifyService::Lambda => Ok(Arc::new(lambda::Lambda::new(session, settings)?)),
        #[cfg(feature = "eventbridge")]
        NotifyService::EventBridge => {
            Ok(Arc::new(eventbridge::EventBridge::new(session, settings)))
        }
        #[cfg(not(all(
            feature = "sns",
            feature = "sqs",
            feature = "lambda",
            feature = "eventbridge"
        )))]
        disabled => {
            let _ = session;
            let feature = match disabled {
                NotifyService::Lambda => "lambda",
                NotifyService::Sns => "sns",
                NotifyService::Sqs => "sqs",
                NotifyService::EventBridge => "eventbridge",
            };
            Err(ConfigError::ServiceNotEnabled {
                service: disabled.aws_service(),
                feature,
            })
        }
    }
}

impl Notifier {
    /// A notifier for `settings`, with clients from `session`.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when an option does not apply to the service, the Lambda context is
    /// too large, the default title is not a valid SNS subject, the SQS message group id is
    /// invalid, or the service's cargo feature is off.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn demo(session: ha_aws::Session) -> Result<(), ha_aws::Error> {
    /// let notifier = ha_aws::Notifier::new(&session, ha_aws::NotifySettings::new(ha_aws::NotifyService::Sqs))?;
    /// # Ok(()) }
    /// ```
    pub fn new(session: &Session, settings: NotifySettings) -> Result<Self, Error> {
        settings.check()?;
        let channel = channel(session, &settings)?;
        Ok(Self {
            name: settings.name,
            service: settings.service,
            max_concurrency: settings.max_concurrency,
            channel,
        })
    }

    /// A notifier for one entry of Home Assistant's `notify:` list: its credential resolved
    /// against `credentials`, its session loaded with `options`.
    ///
    /// # Errors
    ///
    /// As [`Notifier::new`], plus [`ConfigError::UnknownCredential`] when `credential_name`
    /// names no credential.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// let config: ha_aws::AwsConfig = serde_json::from_str(
    ///     r#"{"notify": [{"service": "lambda", "region_name": "us-east-1"}]}"#,
    /// )?;
    /// for entry in config.notify() {
    ///     let notifier = ha_aws::Notifier::from_config(entry, config.credentials(), &ha_aws::ClientOptions::default()).await?;
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn from_config(
        config: &NotifyConfig,
        credentials: &CredentialStore,
        options: &ClientOptions,
    ) -> Result<Self, Error> {
        let credential = credentials.resolve(config.credential(), config.settings().name())?;
        let session = Session::load(&credential, config.region().clone(), options).await;
        Self::new(&session, config.settings().clone())
    }

    /// The notifier's name.
    ///
    /// # Examples
    ///
    /// ```
    /// # async fn demo(session: ha_aws::Session) -> Result<(), ha_aws::Error> {
    /// use ha_aws::{Notifier, NotifyService, NotifySettings};
    ///
    /// let notifier = Notifier::new(&session, NotifySettings::new(NotifyService::Sns).with_name("phones"))?;
    /// assert_eq!(notifier.name(), "phones");
    /// # Ok(()) }
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The service it sends through.
    ///
    /// # Examples
    ///
    /// ```
    /// # async fn demo(session: ha_aws::Session) -> Result<(), ha_aws::Error> {
    /// use ha_aws::{Notifier, NotifyService, NotifySettings};
    ///
    /// let notifier = Notifier::new(&session, NotifySettings::new(NotifyService::Sqs))?;
    /// assert_eq!(notifier.service(), NotifyService::Sqs);
    /// # Ok(()) }
    /// ```
    pub fn service(&self) -> NotifyService {
        self.service
    }

    /// Sends `notification` to each of its targets and reports each one.
    ///
    /// Each target's request runs as a task of the current tokio runtime, at most
    /// [`NotifySettings::max_concurrency`] at once, so that serializing and signing use every
    /// worker thread; dropping the returned future aborts the requests still running.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime (which the AWS SDK clients need anyway).
    ///
    /// # Errors
    ///
    /// [`Error::Notification`] when the notification breaks a rule of the service (no target,
    /// a subject too long, an empty SNS attribute, a message too large): nothing is sent. Failures
    /// of single targets are in the [`Report`], not here.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn demo(notifier: ha_aws::Notifier) -> Result<(), ha_aws::Error> {
    /// let report = notifier.send(&ha_aws::Notification::new("Motion in the hall").with_target("alerts")).await?;
    /// println!("{} of {} delivered", report.deliveries().count(), report.outcomes().len());
    /// # Ok(()) }
    /// ```
    pub async fn send(&self, notification: &Notification) -> Result<Report, Error> {
        let outcomes = Arc::clone(&self.channel)
            .deliver(notification, self.max_concurrency)
            .await?;
        let report = Report::new(self.service, outcomes);
        for (target, error) in report.failures() {
            tracing::warn!(notifier = %self.name, %target, %error, "notification not delivered");
        }
        Ok(report)
    }
}

/// Runs `send` for every item as a task of the current tokio runtime, at most `limit` at once
/// (so that serializing and signing spread over the runtime's threads), and returns the results
/// in item order; `None` for a task the runtime cancelled while shutting down. A panic in a
/// task is resumed here. Dropping the returned future aborts the tasks.
pub(crate) async fn fan_out<T, R, F, Fut>(
    items: Vec<T>,
    limit: NonZeroUsize,
    send: F,
) -> Vec<Option<R>>
where
    F: Fn(T) -> Fut,
    Fut: Future<Output = R> + Send + 'static,
    R: Send + 'static,
{
    let mut results: Vec<Option<R>> = Vec::with_capacity(items.len());
    results.resize_with(items.len(), || None);
    let mut items = items.into_iter().enumerate();
    let mut tasks = tokio::task::JoinSet::new();
    loop {
        while tasks.len() < limit.get() {
            let Some((index, item)) = items.next() else {
                break;
            };
            let sending = send(item);
            tasks.spawn(async move { (index, sending.await) });
        }
        match tasks.join_next().await {
            Some(Ok((index, result))) => {
                if let Some(slot) = results.get_mut(index) {
                    *slot = Some(result);
                }
            }
            Some(Err(error)) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
            Some(Err(_cancelled)) => {}
            None => break,
        }
    }
    results
}

/// The error of a send whose task the runtime cancelled.
pub(crate) fn cancelled(operation: Operation, target: &str) -> Error {
    ServiceError::new(operation, Some(target), ErrorKind::Transport)
        .with_code(
            None,
            Some("the send was cancelled: the tokio runtime is shutting down"),
        )
        .into()
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test]
    async fn fan_out_keeps_item_order_and_bounds_concurrency() {
        let items: Vec<usize> = (0..25).collect();
        let counters = Arc::new((AtomicUsize::new(0), AtomicUsize::new(0)));
        let limit = NonZeroUsize::new(4).unwrap();

        let results = fan_out(items.clone(), limit, |item| {
            let counters = Arc::clone(&counters);
            async move {
                let (in_flight, most) = &*counters;
                let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                // later items finish first, so the order is kept by the fan-out, not by luck
                for _ in 0..30 - item {
                    tokio::task::yield_now().await;
                }
                in_flight.fetch_sub(1, Ordering::SeqCst);
                item * 10
            }
        })
        .await;

        let expected: Vec<_> = items.iter().map(|item| Some(item * 10)).collect();
        assert_eq!(results, expected);
        assert_eq!(counters.1.load(Ordering::SeqCst), 4);
    }

    #[tokio::test]
    #[should_panic(expected = "boom")]
    async fn fan_out_resumes_a_panic_of_a_send() {
        let _ = fan_out(vec![1, 2], NonZeroUsize::MIN, |item: i32| async move {
            assert!(item != 2, "boom");
            item
        })
        .await;
    }

    #[test]
    fn notify_services_parse_case_insensitively() {
        for (name, service) in [
            ("lambda", NotifyService::Lambda),
            ("SNS", NotifyService::Sns),
            ("Sqs", NotifyService::Sqs),
            ("events", NotifyService::EventBridge),
            ("EventBridge", NotifyService::EventBridge),
        ] {
            assert_eq!(name.parse::<NotifyService>().unwrap(), service);
        }
        assert_eq!(
            "email".parse::<NotifyService>(),
            Err(ConfigError::UnknownService {
                name: "email".into()
            })
        );
    }
}
