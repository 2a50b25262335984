//! The event-gateway reporter of proactive mode: sends ChangeReport, AddOrUpdateReport,
//! DeleteReport and asynchronous responses to Alexa, with the user's Login-with-Amazon
//! token.
//!
//! [`EventGateway`] posts one event at a time and handles every answer of the gateway:
//!
//! | answer | what happens |
//! |---|---|
//! | 202 (any 2xx) | delivered |
//! | 401 `INVALID_ACCESS_TOKEN_EXCEPTION` | one refresh of the access token and one retry; refused again, proactive mode turns off |
//! | `SKILL_DISABLED_EXCEPTION`, any 403 | proactive mode turns off; the hub is told |
//! | 429, 5xx, no answer | retried with exponential backoff (honouring `Retry-After`) within [`RetryPolicy`] |
//! | any other 4xx | refused, not retried ([`GatewayError::Refused`]) |
//!
//! Proactive mode is on while Login-with-Amazon tokens are stored. It turns off when the
//! gateway refuses the skill or the token, or when the tokens cannot be renewed
//! ([`LwaError::RelinkRequired`]); the hub observes this through
//! [`EventGateway::subscribe`] (a [`tokio::sync::watch`] channel of [`ProactiveStatus`]).
//! The next AcceptGrant ([`EventGateway::accept_grant`]) turns it on again.
//!
//! [`ChangeReporter`] puts a queue in front of ChangeReports: changes to one endpoint that
//! arrive faster than they can be sent are merged, the latest value of each property
//! winning, so the gateway sees at most one pending report per endpoint.
//!
//! [`ProactiveReporter`] applies the `smart_home:` configuration in front of both: reports
//! only for endpoints the filter exposes, AddOrUpdateReports with entity_config's names, a
//! ChangeReport only when a proactively reported property changed value (the unchanged ones
//! in its context), and the difference announced when the hub's endpoints or the
//! configuration change.
//!
//! # Memory
//!
//! The gateway holds no queue: each call sends one event and returns. The
//! [`ChangeReporter`] holds at most one pending change per endpoint, and at most
//! [`DEFAULT_QUEUE_CAPACITY`] endpoints (configurable); a change for one more
//! endpoint is refused with [`GatewayError::QueueFull`] rather than grown into. Error
//! bodies of the gateway are read up to 64 KiB.
//!
//! # Examples
//!
//! ```no_run
//! use std::sync::Arc;
//! use ha_alexa::config::ClientSecret;
//! use ha_alexa::gateway::{Change, ChangeReporter, EventGateway, GatewayConfig, Region};
//! use ha_alexa::interface::PowerState;
//! use ha_alexa::lwa::{FileLwaStore, LwaClient, LwaConfig};
//! use ha_alexa::{CauseType, EndpointId, Property, PropertyValue, Timestamp};
//!
//! # async fn run() -> Result<(), ha_alexa::Error> {
//! let lwa = LwaClient::new(
//!     LwaConfig::new("amzn1.application-oa2-client.0123", ClientSecret::try_new("secret")?)?,
//!     FileLwaStore::open("alexa-lwa.json")?,
//! )?;
//! let gateway = Arc::new(EventGateway::open(GatewayConfig::new(Region::Europe), lwa).await?);
//!
//! // Tell the hub when proactive mode turns off.
//! let mut status = gateway.subscribe();
//! tokio::spawn(async move {
//!     while status.changed().await.is_ok() {
//!         tracing::warn!(status = %*status.borrow(), "alexa proactive mode changed");
//!     }
//! });
//!
//! // Report state changes through the coalescing queue.
//! let reporter = ChangeReporter::new(gateway.clone());
//! tokio::spawn({
//!     let reporter = reporter.clone();
//!     async move { reporter.run().await }
//! });
//! let on = Property::new(PropertyValue::PowerState(PowerState::On), Timestamp::now());
//! let kitchen = EndpointId::for_entity("light.kitchen")?;
//! reporter.report(Change::new(kitchen, CauseType::PhysicalInteraction, vec![on]))?;
//! # Ok(()) }
//! ```

use std::time::Duration;

use serde::Deserialize;
use tokio::sync::watch;

use crate::clock::{Clock, SystemClock};
use crate::config::SmartHomeConfig;
use crate::discovery::DiscoveryEndpoint;
use crate::error::{ConfigError, TransportError, ValidationError};
use crate::https;
use crate::interface::authorization::AcceptGrant;
use crate::lwa::{LwaClient, LwaError, LwaTokenStore, RelinkReason};
use crate::message::{
    BearerToken, CauseType, Endpoint, EndpointId, Event, Property, Scope, Timestamp,
};
use crate::wire::wire_enum;

mod proactive;
mod report;

pub use self::proactive::{Announced, ProactiveReporter};
pub use self::report::{Change, ChangeReporter, DEFAULT_QUEUE_CAPACITY};

/// The largest error body read from the gateway, in bytes.
const MAX_ERROR_BYTES: usize = 64 * 1024;

/// How long a request to the gateway may take, connection included.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// A region of the Alexa event gateway. Events go to the region of the user's skill
/// endpoint (the Lambda function that received the AcceptGrant).
///
/// # Examples
///
/// ```
/// use ha_alexa::gateway::Region;
/// assert_eq!(Region::Europe.url(), "https://api.eu.amazonalexa.com/v3/events");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Region {
    /// North America: `https://api.amazonalexa.com/v3/events`.
    NorthAmerica,
    /// Europe and India: `https://api.eu.amazonalexa.com/v3/events`.
    Europe,
    /// Far East and Australia: `https://api.fe.amazonalexa.com/v3/events`.
    FarEast,
}

impl Region {
    /// Every region.
    pub const ALL: [Self; 3] = [Self::NorthAmerica, Self::Europe, Self::FarEast];

    /// The region's event endpoint.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_alexa::gateway::Region;
    /// assert_eq!(Region::NorthAmerica.url(), "https://api.amazonalexa.com/v3/events");
    /// assert_eq!(Region::FarEast.url(), "https://api.fe.amazonalexa.com/v3/events");
    /// ```
    pub const fn url(self) -> &'static str {
        match self {
            Self::NorthAmerica => "https://api.amazonalexa.com/v3/events",
            Self::Europe => "https://api.eu.amazonalexa.com/v3/events",
            Self::FarEast => "https://api.fe.amazonalexa.com/v3/events",
        }
    }
}

/// How often and how patiently throttled (429) and failed (5xx, no answer) requests are
/// retried: exponential backoff from `initial_backoff`, doubling up to `max_backoff`, at
/// most `max_retries` times. Each wait is drawn at random between half the backoff and the
/// backoff, so that hubs throttled at the same moment do not retry in step. A `Retry-After`
/// of the gateway (in seconds) replaces the computed wait, capped at `max_backoff`.
///
/// The default is 3 retries after 1 s, 2 s and 4 s, so one event takes at most about
/// 4 × [`TIMEOUT`] + 7 s.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use ha_alexa::gateway::RetryPolicy;
///
/// let policy = RetryPolicy::default();
/// assert_eq!(policy.max_retries(), 3);
/// assert_eq!(policy.backoff(0), Duration::from_secs(1));
/// assert_eq!(policy.backoff(2), Duration::from_secs(4));
/// assert_eq!(policy.backoff(20), Duration::from_secs(30));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    max_retries: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self::new(3, Duration::from_secs(1), Duration::from_secs(30))
    }
}

impl RetryPolicy {
    /// A policy of `max_retries` retries, the first after `initial_backoff`, none waiting
    /// longer than `max_backoff`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use ha_alexa::gateway::RetryPolicy;
    /// let none = RetryPolicy::new(0, Duration::ZERO, Duration::ZERO);
    /// assert_eq!(none.max_retries(), 0);
    /// ```
    pub const fn new(max_retries: u32, initial_backoff: Duration, max_backoff: Duration) -> Self {
        Self {
            max_retries,
            initial_backoff,
            max_backoff,
        }
    }

    /// How many times a request is retried.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_alexa::gateway::RetryPolicy::default().max_retries(), 3);
    /// ```
    pub const fn max_retries(&self) -> u32 {
        self.max_retries
    }

    /// The wait before retry number `retry` (from 0): `initial_backoff × 2^retry`, at most
    /// `max_backoff`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let policy = ha_alexa::gateway::RetryPolicy::default();
    /// assert_eq!(policy.backoff(1), Duration::from_secs(2));
    /// ```
    pub fn backoff(&self, retry: u32) -> Duration {
        let factor = 2_u32.checked_pow(retry).unwrap_or(u32::MAX);
        self.initial_backoff
            .checked_mul(factor)
            .map_or(self.max_backoff, |wait| wait.min(self.max_backoff))
    }

    /// The wait before retry `retry` when the gateway asked for `retry_after`: that, capped,
    /// or a random wait between half the backoff and the backoff.
    fn wait(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        retry_after.map_or_else(
            || jittered(self.backoff(retry)),
            |after| after.min(self.max_backoff),
        )
    }
}

/// A random duration between half of `backoff` and `backoff`. Without randomness from the
/// operating system, `backoff` itself.
fn jittered(backoff: Duration) -> Duration {
    let half = backoff / 2;
    let span = u64::try_from(half.as_nanos()).unwrap_or(u64::MAX);
    let random = getrandom::u64().unwrap_or(u64::MAX);
    half + Duration::from_nanos(random % span.saturating_add(1)).min(backoff.saturating_sub(half))
}

/// Settings of the [`EventGateway`]: where events go, how failures are retried, how long
/// a request may take.
///
/// # Examples
///
/// ```
/// use ha_alexa::gateway::{GatewayConfig, Region};
///
/// let config = GatewayConfig::new(Region::NorthAmerica);
/// assert_eq!(config.url(), "https://api.amazonalexa.com/v3/events");
/// ```
#[derive(Debug, Clone)]
pub struct GatewayConfig {
    url: String,
    retry: RetryPolicy,
    timeout: Duration,
}

impl GatewayConfig {
    /// Settings for the gateway of `region`, with the default [`RetryPolicy`] and [`TIMEOUT`].
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_alexa::gateway::{GatewayConfig, Region};
    /// assert_eq!(GatewayConfig::new(Region::FarEast).url(), Region::FarEast.url());
    /// ```
    pub fn new(region: Region) -> Self {
        Self {
            url: region.url().to_owned(),
            retry: RetryPolicy::default(),
            timeout: TIMEOUT,
        }
    }

    /// Settings for the gateway at `url` (the `endpoint:` of the configuration).
    ///
    /// # Errors
    ///
    /// [`ConfigError::Url`] unless `url` is an absolute https URL without query.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_alexa::gateway::GatewayConfig;
    /// let config = GatewayConfig::with_url("https://api.eu.amazonalexa.com/v3/events")?;
    /// assert!(GatewayConfig::with_url("api.eu.amazonalexa.com/v3/events").is_err());
    /// assert!(GatewayConfig::with_url("http://api.eu.amazonalexa.com/v3/events").is_err());
    /// # Ok::<(), ha_alexa::ConfigError>(())
    /// ```
    pub fn with_url(url: &str) -> Result<Self, ConfigError> {
        Self::checked(url, false)
    }

    /// Loopback testing: as [`with_url`](Self::with_url), but an `http` URL is accepted when
    /// its host is on the loopback interface (a stand-in of the gateway in tests and demos).
    ///
    /// # Errors
    ///
    /// [`ConfigError::Url`] unless `url` is https, or http on the loopback interface.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_alexa::gateway::GatewayConfig;
    /// assert!(GatewayConfig::with_loopback_url("http://127.0.0.1:8080/v3/events").is_ok());
    /// assert!(GatewayConfig::with_loopback_url("http://192.0.2.1/v3/events").is_err());
    /// # Ok::<(), ha_alexa::ConfigError>(())
    /// ```
    pub fn with_loopback_url(url: &str) -> Result<Self, ConfigError> {
        Self::checked(url, true)
    }

    fn checked(url: &str, loopback_http: bool) -> Result<Self, ConfigError> {
        Ok(Self {
            url: ConfigError::check_url("endpoint", url, loopback_http)?.into(),
            ..Self::new(Region::NorthAmerica)
        })
    }

    /// The settings of the `smart_home:` configuration's `endpoint`; `None` when it is not
    /// set, as proactive mode is then off.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Url`] when the endpoint is not a usable URL.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_alexa::config::SmartHomeConfig;
    /// use ha_alexa::gateway::GatewayConfig;
    ///
    /// let config: SmartHomeConfig =
    ///     serde_json::from_str(r#"{"endpoint": "https://api.fe.amazonalexa.com/v3/events"}"#)?;
    /// let gateway = GatewayConfig::from_smart_home(&config)?.unwrap();
    /// assert_eq!(gateway.url(), "https://api.fe.amazonalexa.com/v3/events");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_smart_home(config: &SmartHomeConfig) -> Result<Option<Self>, ConfigError> {
        config.endpoint.as_deref().map(Self::with_url).transpose()
    }

    /// Retries with `policy` instead of the default.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_alexa::gateway::{GatewayConfig, Region, RetryPolicy};
    /// let policy = RetryPolicy::new(5, std::time::Duration::from_secs(2), std::time::Duration::from_secs(60));
    /// assert_eq!(GatewayConfig::new(Region::Europe).with_retry(policy).retry(), policy);
    /// ```
    #[must_use]
    pub fn with_retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Bounds each request, connection included, to `timeout` instead of [`TIMEOUT`].
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use ha_alexa::gateway::{GatewayConfig, Region};
    /// let config = GatewayConfig::new(Region::Europe).with_timeout(Duration::from_secs(5));
    /// assert_eq!(config.timeout(), Duration::from_secs(5));
    /// ```
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The event endpoint.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_alexa::gateway::{GatewayConfig, Region};
    /// assert!(GatewayConfig::new(Region::Europe).url().ends_with("/v3/events"));
    /// ```
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The retry policy.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_alexa::gateway::{GatewayConfig, Region, RetryPolicy};
    /// assert_eq!(GatewayConfig::new(Region::Europe).retry(), RetryPolicy::default());
    /// ```
    pub fn retry(&self) -> RetryPolicy {
        self.retry
    }

    /// How long a request may take.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_alexa::gateway::{GatewayConfig, Region};
    /// assert_eq!(GatewayConfig::new(Region::Europe).timeout().as_secs(), 10);
    /// ```
    pub fn timeout(&self) -> Duration {
        self.timeout
    }
}

wire_enum! {
    /// The `payload.code` of an event-gateway error.
    pub enum GatewayErrorCode {
        /// 400: the event is malformed.
        InvalidRequest = "INVALID_REQUEST_EXCEPTION",
        /// 401: the access token is invalid or expired.
        InvalidAccessToken = "INVALID_ACCESS_TOKEN_EXCEPTION",
        /// 403: the user disabled the skill.
        SkillDisabled = "SKILL_DISABLED_EXCEPTION",
        /// 403: the skill may not send this event ("Send Alexa Events" is off).
        InsufficientPermission = "INSUFFICIENT_PERMISSION_EXCEPTION",
        /// 404: the skill does not exist (in this region).
        SkillNotFound = "SKILL_NOT_FOUND_EXCEPTION",
        /// 413: the event is too large.
        RequestEntityTooLarge = "REQUEST_ENTITY_TOO_LARGE_EXCEPTION",
        /// 429: too many events.
        Throttling = "THROTTLING_EXCEPTION",
        /// 500: the gateway failed.
        InternalService = "INTERNAL_SERVICE_EXCEPTION",
        /// 503: the gateway is unavailable.
        ServiceUnavailable = "SERVICE_UNAVAILABLE_EXCEPTION",
    }
}

/// Whether proactive events are sent.
///
/// # Examples
///
/// ```
/// use ha_alexa::gateway::{DisabledReason, ProactiveStatus};
/// let status = ProactiveStatus::Disabled(DisabledReason::Hub);
/// assert!(!status.is_enabled());
/// assert_eq!(status.to_string(), "disabled: turned off by the hub");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProactiveStatus {
    /// Events are sent.
    Enabled,
    /// Events are not sent until the next AcceptGrant (or [`EventGateway::enable`]).
    Disabled(DisabledReason),
}

impl ProactiveStatus {
    /// Whether events are sent.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(ha_alexa::gateway::ProactiveStatus::Enabled.is_enabled());
    /// ```
    pub fn is_enabled(&self) -> bool {
        matches!(self, Self::Enabled)
    }
}

impl core::fmt::Display for ProactiveStatus {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Enabled => f.write_str("enabled"),
            Self::Disabled(reason) => write!(f, "disabled: {reason}"),
        }
    }
}

/// Why proactive mode is off.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DisabledReason {
    /// There are no usable Login-with-Amazon tokens: the user must link the skill again.
    RelinkRequired(RelinkReason),
    /// The gateway answered `SKILL_DISABLED_EXCEPTION`: the user disabled the skill.
    SkillDisabled {
        /// The gateway's description.
        description: String,
    },
    /// The gateway answered 403 with another code (`INSUFFICIENT_PERMISSION_EXCEPTION`
    /// when "Send Alexa Events" is off).
    Forbidden {
        /// The code.
        code: GatewayErrorCode,
        /// The gateway's description.
        description: String,
    },
    /// The gateway refused a freshly refreshed access token
    /// (`INVALID_ACCESS_TOKEN_EXCEPTION` twice): usually the client id and secret are not
    /// those of Alexa Skill Messaging, or the skill was linked before "Send Alexa Events"
    /// was enabled.
    TokenRejected {
        /// The gateway's description.
        description: String,
    },
    /// The hub turned it off ([`EventGateway::disable`]).
    Hub,
}

impl core::fmt::Display for DisabledReason {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::RelinkRequired(reason) => write!(f, "relink required ({reason})"),
            Self::SkillDisabled { description } => {
                write!(
                    f,
                    "the skill is disabled (SKILL_DISABLED_EXCEPTION: {description})"
                )
            }
            Self::Forbidden { code, description } => {
                write!(
                    f,
                    "the event gateway forbids events (403 {code}: {description})"
                )
            }
            Self::TokenRejected { description } => write!(
                f,
                "the event gateway refused a fresh access token (INVALID_ACCESS_TOKEN_EXCEPTION: \
                 {description}); check the Alexa Skill Messaging client id and secret, then link again"
            ),
            Self::Hub => f.write_str("turned off by the hub"),
        }
    }
}

/// Sending an event failed.
///
/// # Examples
///
/// ```
/// use ha_alexa::gateway::{DisabledReason, GatewayError};
/// let error = GatewayError::Disabled(DisabledReason::Hub);
/// assert_eq!(error.to_string(), "proactive mode is off (turned off by the hub); nothing was sent");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GatewayError {
    /// Proactive mode is off; nothing was sent.
    #[error("proactive mode is off ({0}); nothing was sent")]
    Disabled(DisabledReason),
    /// No access token could be had (proactive mode turned off if the user must relink).
    #[error(transparent)]
    Token(#[from] LwaError),
    /// The gateway refused the event; it was not retried.
    #[error("the event gateway refused the event with {status} {code}: {description}")]
    Refused {
        /// The HTTP status.
        status: u16,
        /// The error code.
        code: GatewayErrorCode,
        /// The gateway's description.
        description: String,
    },
    /// The gateway throttled or failed on every attempt.
    #[error("the event gateway answered {status} {code} to all {attempts} attempts: {description}")]
    Unavailable {
        /// How many requests were sent.
        attempts: u32,
        /// The last HTTP status.
        status: u16,
        /// The last error code.
        code: GatewayErrorCode,
        /// The last description.
        description: String,
    },
    /// The gateway could not be reached on any attempt.
    #[error("the event gateway could not be reached in {attempts} attempts")]
    Unreachable {
        /// How many requests were tried.
        attempts: u32,
        /// The last failure.
        #[source]
        source: TransportError,
    },
    /// An AddOrUpdateReport could not be built within Alexa's limits.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// The [`ChangeReporter`] already holds changes for as many endpoints as it may.
    #[error("the change queue holds changes for {capacity} endpoints, its limit")]
    QueueFull {
        /// The limit.
        capacity: usize,
    },
}

/// The body of a gateway error: `{"header": {...}, "payload": {"code", "description"}}`.
#[derive(Deserialize)]
struct ErrorBody {
    payload: ErrorPayload,
}

#[derive(Deserialize)]
struct ErrorPayload {
    code: GatewayErrorCode,
    #[serde(default)]
    description: Option<String>,
}

/// What one request came to.
enum Attempt {
    Delivered,
    Failed {
        status: u16,
        code: GatewayErrorCode,
        description: String,
        retry_after: Option<Duration>,
    },
    Unreachable(TransportError),
}

/// The Alexa event gateway for one user: sends events with the user's Login-with-Amazon
/// token and keeps track of whether proactive mode is on.
///
/// Share it behind an `Arc`; every method takes `&self`.
///
/// # Examples
///
/// The hub hands AcceptGrant to the gateway:
///
/// ```no_run
/// use std::sync::Arc;
/// use async_trait::async_trait;
/// use ha_alexa::gateway::EventGateway;
/// use ha_alexa::interface::authorization::AcceptGrant;
/// use ha_alexa::lwa::FileLwaStore;
/// use ha_alexa::{AlexaError, DiscoveryEndpoint, EndpointId, Hub, Outcome, Property, Request};
///
/// struct MyHub {
///     gateway: Arc<EventGateway<FileLwaStore>>,
/// }
///
/// #[async_trait]
/// impl Hub for MyHub {
///     async fn discover(&self) -> Result<Vec<DiscoveryEndpoint>, AlexaError> {
///         Ok(Vec::new())
///     }
///     async fn endpoint(&self, _: &EndpointId) -> Result<Option<DiscoveryEndpoint>, AlexaError> {
///         Ok(None)
///     }
///     async fn properties(&self, _: &EndpointId) -> Result<Vec<Property>, AlexaError> {
///         Ok(Vec::new())
///     }
///     async fn execute(&self, _: &Request<'_>) -> Result<Outcome, AlexaError> {
///         Ok(Outcome::Done)
///     }
///     async fn accept_grant(&self, grant: &AcceptGrant) -> Result<(), AlexaError> {
///         self.gateway
///             .accept_grant(grant)
///             .await
///             .map_err(|e| AlexaError::accept_grant_failed(e.to_string()))
///     }
/// }
/// ```
pub struct EventGateway<S, C = SystemClock> {
    config: GatewayConfig,
    http: https::Client,
    lwa: LwaClient<S, C>,
    status: watch::Sender<ProactiveStatus>,
}

impl<S, C> core::fmt::Debug for EventGateway<S, C> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EventGateway")
            .field("config", &self.config)
            .field("status", &*self.status.borrow())
            .finish_non_exhaustive()
    }
}

impl<S: LwaTokenStore, C: Clock> EventGateway<S, C> {
    /// The gateway of `config`, with the tokens of `lwa`. Proactive mode starts on when
    /// `lwa`'s store holds tokens, and off ([`RelinkReason::NotLinked`]) otherwise.
    ///
    /// # Errors
    ///
    /// [`GatewayError::Token`] when the store cannot be read or the HTTPS client cannot
    /// be built.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_alexa::config::ClientSecret;
    /// use ha_alexa::gateway::{EventGateway, GatewayConfig, Region};
    /// use ha_alexa::lwa::{LwaClient, LwaConfig, MemoryLwaStore};
    ///
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// let lwa = LwaClient::new(LwaConfig::new("id", ClientSecret::try_new("s")?)?, MemoryLwaStore::new())?;
    /// let gateway = EventGateway::open(GatewayConfig::new(Region::Europe), lwa).await?;
    /// assert!(!gateway.status().is_enabled(), "nothing linked yet");
    /// # Ok::<(), ha_alexa::Error>(()) }).unwrap();
    /// ```
    pub async fn open(config: GatewayConfig, lwa: LwaClient<S, C>) -> Result<Self, GatewayError> {
        let http = https::Client::new(&https::Settings {
            connect_timeout: config.timeout,
            read_timeout: config.timeout,
            total_timeout: Some(config.timeout),
            verification: https::Verification::Roots(Vec::new()),
        })
        .map_err(LwaError::from)?;
        let status = if lwa.is_linked().await.map_err(LwaError::from)? {
            ProactiveStatus::Enabled
        } else {
            ProactiveStatus::Disabled(DisabledReason::RelinkRequired(RelinkReason::NotLinked))
        };
        Ok(Self {
            config,
            http,
            lwa,
            status: watch::Sender::new(status),
        })
    }

    /// The settings.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use ha_alexa::gateway::EventGateway;
    /// # use ha_alexa::lwa::MemoryLwaStore;
    /// # async fn example(gateway: &EventGateway<MemoryLwaStore>) -> Result<(), ha_alexa::Error> {
    /// tracing::info!(url = gateway.config().url(), "sending events");
    /// # Ok(()) }
    /// ```
    pub fn config(&self) -> &GatewayConfig {
        &self.config
    }

    /// The Login-with-Amazon client.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use ha_alexa::gateway::EventGateway;
    /// # use ha_alexa::lwa::MemoryLwaStore;
    /// # async fn example(gateway: &EventGateway<MemoryLwaStore>) -> Result<(), ha_alexa::Error> {
    /// let token = gateway.lwa().access_token().await?;
    /// # Ok(()) }
    /// ```
    pub fn lwa(&self) -> &LwaClient<S, C> {
        &self.lwa
    }

    /// Whether proactive mode is on, and why not.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use ha_alexa::gateway::EventGateway;
    /// # use ha_alexa::lwa::MemoryLwaStore;
    /// # async fn example(gateway: &EventGateway<MemoryLwaStore>) -> Result<(), ha_alexa::Error> {
    /// if !gateway.status().is_enabled() {
    ///     tracing::warn!(status = %gateway.status(), "proactive events are off");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn status(&self) -> ProactiveStatus {
        self.status.borrow().clone()
    }

    /// A receiver that sees every change of [`status`](Self::status): the hub awaits
    /// `changed()` to learn that proactive mode turned off (and persist it, tell the user).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use ha_alexa::gateway::EventGateway;
    /// # use ha_alexa::lwa::MemoryLwaStore;
    /// # async fn example(gateway: &EventGateway<MemoryLwaStore>) -> Result<(), ha_alexa::Error> {
    /// let mut status = gateway.subscribe();
    /// while status.changed().await.is_ok() {
    ///     let now = status.borrow_and_update().clone();
    ///     tracing::warn!(%now, "alexa proactive mode changed");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn subscribe(&self) -> watch::Receiver<ProactiveStatus> {
        self.status.subscribe()
    }

    /// Handles the AcceptGrant directive: exchanges the grant code for tokens and turns
    /// proactive mode on.
    ///
    /// # Errors
    ///
    /// The [`LwaError`] of the exchange; proactive mode is then unchanged. The hub answers
    /// Alexa with ACCEPT_GRANT_FAILED.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use ha_alexa::interface::authorization::AcceptGrant;
    /// use ha_alexa::gateway::EventGateway;
    /// use ha_alexa::lwa::FileLwaStore;
    /// use ha_alexa::AlexaError;
    ///
    /// // The body of the hub's `Hub::accept_grant`.
    /// async fn accept_grant(gateway: &EventGateway<FileLwaStore>, grant: &AcceptGrant) -> Result<(), AlexaError> {
    ///     gateway
    ///         .accept_grant(grant)
    ///         .await
    ///         .map_err(|e| AlexaError::accept_grant_failed(e.to_string()))
    /// }
    /// ```
    pub async fn accept_grant(&self, grant: &AcceptGrant) -> Result<(), LwaError> {
        self.lwa.accept_grant(&grant.grant.code).await?;
        self.enable();
        Ok(())
    }

    /// Turns proactive mode on (after the hub restored a link by other means).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use ha_alexa::gateway::EventGateway;
    /// # use ha_alexa::lwa::MemoryLwaStore;
    /// # async fn example(gateway: &EventGateway<MemoryLwaStore>) -> Result<(), ha_alexa::Error> {
    /// gateway.enable();
    /// assert!(gateway.status().is_enabled());
    /// # Ok(()) }
    /// ```
    pub fn enable(&self) {
        self.set_status(ProactiveStatus::Enabled);
    }

    /// Turns proactive mode off; events are refused with [`GatewayError::Disabled`] until
    /// [`enable`](Self::enable) or the next AcceptGrant.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use ha_alexa::gateway::EventGateway;
    /// # use ha_alexa::lwa::MemoryLwaStore;
    /// # async fn example(gateway: &EventGateway<MemoryLwaStore>) -> Result<(), ha_alexa::Error> {
    /// gateway.disable();
    /// assert!(!gateway.status().is_enabled());
    /// # Ok(()) }
    /// ```
    pub fn disable(&self) {
        self.set_status(ProactiveStatus::Disabled(DisabledReason::Hub));
    }

    fn set_status(&self, status: ProactiveStatus) {
        self.status.send_if_modified(|current| {
            if *current == status {
                return false;
            }
            match &status {
                ProactiveStatus::Disabled(reason) => {
                    tracing::warn!(%reason, "alexa proactive mode turned off");
                }
                ProactiveStatus::Enabled => tracing::info!("alexa proactive mode turned on"),
            }
            *current = status;
            true
        });
    }

    /// Sends a ChangeReport for one endpoint now, without coalescing (see
    /// [`ChangeReporter`] for that).
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use ha_alexa::gateway::EventGateway;
    /// # use ha_alexa::lwa::MemoryLwaStore;
    /// # async fn example(gateway: &EventGateway<MemoryLwaStore>) -> Result<(), ha_alexa::Error> {
    /// use ha_alexa::interface::lock_controller::LockState;
    /// use ha_alexa::{CauseType, EndpointId, Property, PropertyValue, Timestamp};
    /// let locked = Property::new(PropertyValue::LockState(LockState::Locked), Timestamp::now());
    /// let door = EndpointId::for_entity("lock.front_door")?;
    /// gateway.change_report(door, CauseType::PhysicalInteraction, vec![locked], vec![]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn change_report(
        &self,
        endpoint_id: EndpointId,
        cause: CauseType,
        changed: Vec<Property>,
        unchanged: Vec<Property>,
    ) -> Result<(), GatewayError> {
        self.send(Event::change_report(
            Endpoint::new(endpoint_id),
            cause,
            changed,
            unchanged,
        ))
        .await
    }

    /// Announces new or changed endpoints: AddOrUpdateReports of at most 300 endpoints and
    /// 256 KiB each, sent in order. Returns how many reports were sent.
    ///
    /// # Errors
    ///
    /// [`GatewayError::Invalid`] when an endpoint alone exceeds 256 KiB or two share an id
    /// (nothing is sent); otherwise as [`send`](Self::send), for the first report that
    /// fails (the reports after it are not sent).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use ha_alexa::gateway::EventGateway;
    /// # use ha_alexa::lwa::MemoryLwaStore;
    /// # async fn example(gateway: &EventGateway<MemoryLwaStore>) -> Result<(), ha_alexa::Error> {
    /// # let endpoints: Vec<ha_alexa::DiscoveryEndpoint> = Vec::new();
    /// let reports = gateway.add_or_update(endpoints).await?;
    /// # Ok(()) }
    /// ```
    pub async fn add_or_update(
        &self,
        endpoints: Vec<DiscoveryEndpoint>,
    ) -> Result<usize, GatewayError> {
        if endpoints.is_empty() {
            return Ok(0);
        }
        // The scope is replaced with the current token when each report is sent.
        let placeholder = Scope::bearer(BearerToken::try_new("-")?);
        let reports = Event::add_or_update_reports(endpoints, placeholder)?;
        let count = reports.len();
        for report in reports {
            self.send(report).await?;
        }
        Ok(count)
    }

    /// Announces removed endpoints with a DeleteReport.
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use ha_alexa::gateway::EventGateway;
    /// # use ha_alexa::lwa::MemoryLwaStore;
    /// # async fn example(gateway: &EventGateway<MemoryLwaStore>) -> Result<(), ha_alexa::Error> {
    /// use ha_alexa::EndpointId;
    /// gateway.delete(vec![EndpointId::for_entity("light.removed")?]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete(&self, endpoint_ids: Vec<EndpointId>) -> Result<(), GatewayError> {
        let placeholder = Scope::bearer(BearerToken::try_new("-")?);
        self.send(Event::delete_report(endpoint_ids, placeholder))
            .await
    }

    /// Announces a doorbell press.
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use ha_alexa::gateway::EventGateway;
    /// # use ha_alexa::lwa::MemoryLwaStore;
    /// # async fn example(gateway: &EventGateway<MemoryLwaStore>) -> Result<(), ha_alexa::Error> {
    /// use ha_alexa::{CauseType, EndpointId, Timestamp};
    /// let door = EndpointId::for_entity("binary_sensor.doorbell")?;
    /// gateway.doorbell_press(door, CauseType::PhysicalInteraction, Timestamp::now()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn doorbell_press(
        &self,
        endpoint_id: EndpointId,
        cause: CauseType,
        timestamp: Timestamp,
    ) -> Result<(), GatewayError> {
        self.send(Event::doorbell_press(
            Endpoint::new(endpoint_id),
            cause,
            timestamp,
        ))
        .await
    }

    /// Sends one event: a ChangeReport, AddOrUpdateReport, DeleteReport, DoorbellPress, or
    /// an asynchronous Response or ErrorResponse to a deferred directive. The user's current
    /// access token replaces any scope the event carries (on its endpoint, or in the payload
    /// of AddOrUpdateReport and DeleteReport), and is sent as the `Authorization` header.
    ///
    /// Answers are handled as the [module](self) documents: one refresh and retry after
    /// `INVALID_ACCESS_TOKEN_EXCEPTION`, retries with backoff after 429, 5xx and network
    /// failures, proactive mode off after a 403.
    ///
    /// # Errors
    ///
    /// [`GatewayError::Disabled`] when proactive mode is off (nothing is sent);
    /// [`GatewayError::Token`] when no access token can be had;
    /// [`GatewayError::Refused`] for a 4xx answer (after the one retry for an invalid token);
    /// [`GatewayError::Unavailable`] or [`GatewayError::Unreachable`] when every attempt
    /// was throttled, failed or got no answer.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # use ha_alexa::gateway::EventGateway;
    /// # use ha_alexa::lwa::MemoryLwaStore;
    /// # async fn example(gateway: &EventGateway<MemoryLwaStore>) -> Result<(), ha_alexa::Error> {
    /// use ha_alexa::{Context, CorrelationToken, EndpointId, Event, ReplyTo};
    /// // The real answer to a directive that was answered with a DeferredResponse.
    /// let reply = ReplyTo::new(
    ///     Some(CorrelationToken::try_new("token-from-the-directive")?),
    ///     Some(EndpointId::for_entity("lock.front_door")?),
    /// );
    /// gateway.send(Event::response(&reply, Context::default())).await?;
    /// # Ok(()) }
    /// ```
    pub async fn send(&self, mut event: Event) -> Result<(), GatewayError> {
        if let ProactiveStatus::Disabled(reason) = self.status() {
            return Err(GatewayError::Disabled(reason));
        }
        let mut token = self.token().await?;
        let mut refreshed = false;
        let mut retries = 0;
        loop {
            event.set_scope(Scope::bearer(token.clone()));
            let (status, code, description, retry_after) = match self.post(&event, &token).await {
                Attempt::Delivered => return Ok(()),
                Attempt::Unreachable(source) => {
                    if retries < self.config.retry.max_retries {
                        self.pause(retries, None, &source).await;
                        retries += 1;
                        continue;
                    }
                    return Err(GatewayError::Unreachable {
                        attempts: retries + 1,
                        source,
                    });
                }
                Attempt::Failed {
                    status,
                    code,
                    description,
                    retry_after,
                } => (status, code, description, retry_after),
            };
            if code == GatewayErrorCode::InvalidAccessToken || (status == 401 && !code.is_known()) {
                if !refreshed {
                    tracing::info!("the event gateway refused the access token; refreshing it");
                    self.lwa.invalidate(&token).await;
                    token = self.token().await?;
                    refreshed = true;
                    continue;
                }
                self.set_status(ProactiveStatus::Disabled(DisabledReason::TokenRejected {
                    description: description.clone(),
                }));
            } else if code == GatewayErrorCode::SkillDisabled {
                self.set_status(ProactiveStatus::Disabled(DisabledReason::SkillDisabled {
                    description: description.clone(),
                }));
            } else if status == 403 {
                self.set_status(ProactiveStatus::Disabled(DisabledReason::Forbidden {
                    code: code.clone(),
                    description: description.clone(),
                }));
            } else if status == 429 || status >= 500 {
                if retries < self.config.retry.max_retries {
                    let failure = format!("{status} {code}");
                    self.pause(retries, retry_after, &failure).await;
                    retries += 1;
                    continue;
                }
                return Err(GatewayError::Unavailable {
                    attempts: retries + 1,
                    status,
                    code,
                    description,
                });
            }
            return Err(GatewayError::Refused {
                status,
                code,
                description,
            });
        }
    }

    /// The current access token; turns proactive mode off when the user must relink.
    async fn token(&self) -> Result<BearerToken, GatewayError> {
        match self.lwa.access_token().await {
            Ok(token) => Ok(token),
            Err(LwaError::RelinkRequired { reason }) => {
                self.set_status(ProactiveStatus::Disabled(DisabledReason::RelinkRequired(
                    reason,
                )));
                Err(LwaError::RelinkRequired { reason }.into())
            }
            Err(error) => Err(error.into()),
        }
    }

    /// Waits before retry `retry`.
    async fn pause(
        &self,
        retry: u32,
        retry_after: Option<Duration>,
        failure: &(dyn core::fmt::Display + Sync),
    ) {
        let wait = self.config.retry.wait(retry, retry_after);
        tracing::debug!(%failure, ?wait, retry = retry + 1, "retrying the event gateway");
        tokio::time::sleep(wait).await;
    }

    /// Posts `event` once.
    async fn post(&self, event: &Event, token: &BearerToken) -> Attempt {
        let reply = self
            .http
            .post(https::Post {
                url: &self.config.url,
                content_type: "application/json",
                bearer: Some(token.expose_secret()),
                body: serde_json::to_vec(event).expect("events serialise to JSON"),
                limit: MAX_ERROR_BYTES,
            })
            .await;
        let https::Reply {
            status,
            retry_after,
            body,
        } = match reply {
            Ok(reply) => reply,
            Err(error) => return Attempt::Unreachable(error),
        };
        if (200..300).contains(&status) {
            if status != 202 {
                tracing::debug!(status, "the event gateway answered other than 202 Accepted");
            }
            return Attempt::Delivered;
        }
        let (code, description) = match serde_json::from_slice::<ErrorBody>(&body) {
            Ok(ErrorBody { payload }) => (payload.code, payload.description.unwrap_or_default()),
            Err(_) => (
                GatewayErrorCode::Unknown(String::new()),
                https::excerpt(&body),
            ),
        };
        tracing::warn!(status, %code, %description, "the event gateway refused an event");
        Attempt::Failed {
            status,
            code,
            description,
            retry_after,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_waits_are_jittered_within_half_the_backoff() {
        let policy = RetryPolicy::default();
        let waits: Vec<Duration> = (0..64).map(|_| policy.wait(2, None)).collect();
        assert!(
            waits
                .iter()
                .all(|w| (Duration::from_secs(2)..=Duration::from_secs(4)).contains(w)),
            "{waits:?}"
        );
        assert!(waits.iter().any(|w| *w != waits[0]), "no jitter: {waits:?}");
        assert_eq!(
            policy.wait(0, Some(Duration::from_secs(90))),
            Duration::from_secs(30)
        );
    }
}
