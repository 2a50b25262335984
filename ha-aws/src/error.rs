//! The crate's error type and its parts.
//!
//! [`Error`] sorts failures by who is at fault: the configuration ([`ConfigError`]), the
//! notification as given ([`NotificationError`], detected before anything is sent), AWS or the
//! way to it ([`ServiceError`], classified by [`ErrorKind`]), and a Lambda function that ran and
//! failed ([`FunctionError`]). No SDK type appears in these signatures; the SDK's error stays
//! reachable through [`std::error::Error::source`].

use core::fmt;
use std::error::Error as StdError;
use std::sync::Arc;

use aws_credential_types::provider::error::CredentialsError;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use aws_smithy_types::retry::{ErrorKind as RetryKind, ProvideErrorKind};

use crate::service::{AwsService, Operation};

/// Everything that can go wrong in this crate.
///
/// Match on the variant to learn who is at fault, or use the helpers ([`Error::is_throttling`],
/// [`Error::is_not_found`], [`Error::is_auth`], [`Error::is_retryable`], [`Error::target`],
/// [`Error::operation`]) that answer the usual questions whatever the variant.
///
/// # Examples
///
/// ```
/// use ha_aws::{Error, Notification, NotificationError};
///
/// let error = Error::from(NotificationError::NoTarget);
/// assert_eq!(error.to_string(), "at least one target is required");
/// assert!(!error.is_retryable());
/// ```
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The configuration breaks one of its rules.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The notification cannot be sent as given; nothing was sent for it (or for the target the
    /// error names).
    #[error(transparent)]
    Notification(#[from] NotificationError),
    /// An AWS operation failed: refused by the service, or the service could not be reached.
    #[error(transparent)]
    Service(Box<ServiceError>),
    /// A Lambda function ran and reported an error.
    #[error(transparent)]
    Function(Box<FunctionError>),
    /// An image, image file, folder or vision setting is unusable; nothing was uploaded for it.
    #[error(transparent)]
    Vision(#[from] VisionError),
}

impl Error {
    /// How an AWS operation failed, for [`Error::Service`]; `None` for the other variants.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_aws::{Error, NotificationError};
    ///
    /// assert_eq!(Error::from(NotificationError::NoTarget).kind(), None);
    /// ```
    pub fn kind(&self) -> Option<ErrorKind> {
        match self {
            Self::Service(error) => Some(error.kind()),
            _ => None,
        }
    }

    /// Whether AWS throttled the request.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_aws::{Error, NotificationError};
    ///
    /// assert!(!Error::from(NotificationError::NoTarget).is_throttling());
    /// ```
    pub fn is_throttling(&self) -> bool {
        self.kind() == Some(ErrorKind::Throttling)
    }

    /// Whether the target (topic, queue, function, event bus, user) does not exist.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_aws::{Error, NotificationError};
    ///
    /// assert!(!Error::from(NotificationError::NoTarget).is_not_found());
    /// ```
    pub fn is_not_found(&self) -> bool {
        self.kind() == Some(ErrorKind::NotFound)
    }

    /// Whether the credentials were missing, invalid, expired or not allowed to do this.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_aws::{Error, NotificationError};
    ///
    /// assert!(!Error::from(NotificationError::NoTarget).is_auth());
    /// ```
    pub fn is_auth(&self) -> bool {
        self.kind() == Some(ErrorKind::Auth)
    }

    /// Whether sending the same request again later may succeed (throttling, server errors,
    /// timeouts, transport failures).
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_aws::{Error, NotificationError};
    ///
    /// assert!(!Error::from(NotificationError::EmptyMessage).is_retryable());
    /// ```
    pub fn is_retryable(&self) -> bool {
        self.kind().is_some_and(ErrorKind::is_retryable)
    }

    /// The target the failure concerns (topic ARN, queue URL, function, event bus, credential
    /// name), when it concerns one.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_aws::{Error, NotificationError};
    ///
    /// let error = Error::from(NotificationError::MissingMessageGroupId {
    ///     queue_url: "https://sqs.eu-west-1.amazonaws.com/123456789012/alerts.fifo".into(),
    /// });
    /// assert_eq!(error.target(), Some("https://sqs.eu-west-1.amazonaws.com/123456789012/alerts.fifo"));
    /// ```
    pub fn target(&self) -> Option<&str> {
        match self {
            Self::Service(error) => error.target(),
            Self::Function(error) => Some(error.function()),
            Self::Notification(error) => error.target(),
            Self::Vision(error) => error.path(),
            Self::Config(_) => None,
        }
    }

    /// The AWS operation that failed, for service and function errors.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_aws::{Error, NotificationError};
    ///
    /// assert_eq!(Error::from(NotificationError::NoTarget).operation(), None);
    /// ```
    pub fn operation(&self) -> Option<Operation> {
        match self {
            Self::Service(error) => Some(error.operation()),
            Self::Function(_) => Some(Operation::LAMBDA_INVOKE),
            Self::Config(_) | Self::Notification(_) | Self::Vision(_) => None,
        }
    }
}

impl From<ServiceError> for Error {
    fn from(error: ServiceError) -> Self {
        Self::Service(Box::new(error))
    }
}

impl From<FunctionError> for Error {
    fn from(error: FunctionError) -> Self {
        Self::Function(Box::new(error))
    }
}

impl From<RegionError> for Error {
    fn from(error: RegionError) -> Self {
        Self::Config(ConfigError::Region(error))
    }
}

/// How an AWS operation failed.
///
/// # Examples
///
/// ```
/// use ha_aws::ErrorKind;
///
/// assert!(ErrorKind::Throttling.is_retryable());
/// assert!(!ErrorKind::NotFound.is_retryable());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The service throttled the request (rate or concurrency limits); retry later.
    Throttling,
    /// The target (topic, queue, function, event bus, user) does not exist.
    NotFound,
    /// The credentials were missing, invalid or expired, or are not allowed to do this.
    Auth,
    /// The service refused the request as invalid (a parameter, a size, a state).
    Rejected,
    /// The service failed (HTTP 5xx); retry later.
    Server,
    /// The request timed out.
    Timeout,
    /// The service could not be reached (DNS, connection, TLS).
    Transport,
    /// The service's reply could not be understood.
    Response,
}

impl ErrorKind {
    /// Whether sending the same request again later may succeed.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(ha_aws::ErrorKind::Transport.is_retryable());
    /// assert!(!ha_aws::ErrorKind::Auth.is_retryable());
    /// ```
    pub const fn is_retryable(self) -> bool {
        matches!(
            self,
            Self::Throttling | Self::Server | Self::Timeout | Self::Transport
        )
    }

    const fn describe(self) -> &'static str {
        match self {
            Self::Throttling => "throttled",
            Self::NotFound => "not found",
            Self::Auth => "not authorized",
            Self::Rejected => "rejected",
            Self::Server => "service failure",
            Self::Timeout => "timed out",
            Self::Transport => "service unreachable",
            Self::Response => "unreadable response",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// An AWS operation that failed: which operation, for which target, how, and what AWS said.
///
/// # Examples
///
/// ```no_run
/// # async fn demo(notifier: ha_aws::Notifier) -> Result<(), ha_aws::Error> {
/// let report = notifier.send(&ha_aws::Notification::new("Door open").with_target("arn:aws:sns:eu-west-1:123456789012:home")).await?;
/// for (target, error) in report.failures() {
///     if let ha_aws::Error::Service(error) = error {
///         eprintln!("{target}: {} failed: {} ({:?})", error.operation(), error.kind(), error.code());
///     }
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct ServiceError {
    operation: Operation,
    target: Option<String>,
    kind: ErrorKind,
    code: Option<String>,
    message: Option<String>,
    status: Option<u16>,
    source: Option<Arc<dyn StdError + Send + Sync>>,
}

impl ServiceError {
    pub(crate) fn new(operation: Operation, target: Option<&str>, kind: ErrorKind) -> Self {
        Self {
            operation,
            target: target.map(str::to_owned),
            kind,
            code: None,
            message: None,
            status: None,
            source: None,
        }
    }

    pub(crate) fn with_code(mut self, code: Option<&str>, message: Option<&str>) -> Self {
        self.code = code.map(str::to_owned);
        self.message = message.map(str::to_owned);
        self
    }

    /// The same failure, for another target of the same request (a batch).
    #[cfg_attr(
        not(feature = "eventbridge"),
        expect(dead_code, reason = "only batches need it")
    )]
    pub(crate) fn with_target(mut self, target: &str) -> Self {
        self.target = Some(target.to_owned());
        self
    }

    /// The operation that failed.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(error: &ha_aws::ServiceError) {
    /// if error.operation() == ha_aws::Operation::SNS_PUBLISH {
    ///     eprintln!("publishing failed: {error}");
    /// }
    /// # }
    /// ```
    pub fn operation(&self) -> Operation {
        self.operation
    }

    /// The service the operation belongs to.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(error: &ha_aws::ServiceError) {
    /// eprintln!("{} refused the request", error.service());
    /// # }
    /// ```
    pub fn service(&self) -> AwsService {
        self.operation.service()
    }

    /// The target the operation was for (topic ARN, queue URL, function, event bus, credential
    /// name).
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(error: &ha_aws::ServiceError) {
    /// if let Some(target) = error.target() {
    ///     eprintln!("giving up on {target}");
    /// }
    /// # }
    /// ```
    pub fn target(&self) -> Option<&str> {
        self.target.as_deref()
    }

    /// How the operation failed.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(error: &ha_aws::ServiceError) {
    /// if error.kind() == ha_aws::ErrorKind::NotFound {
    ///     eprintln!("{:?} is gone; remove it from the configuration", error.target());
    /// }
    /// # }
    /// ```
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The AWS error code, such as `NotFound` or `AWS.SimpleQueueService.NonExistentQueue`, when
    /// the service answered with one.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(error: &ha_aws::ServiceError) {
    /// if error.code() == Some("AWS.SimpleQueueService.NonExistentQueue") {
    ///     eprintln!("the queue was deleted");
    /// }
    /// # }
    /// ```
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// The service's error message, when it sent one.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(error: &ha_aws::ServiceError) {
    /// eprintln!("AWS says: {}", error.message().unwrap_or("nothing"));
    /// # }
    /// ```
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The HTTP status of the reply, when there was one.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(error: &ha_aws::ServiceError) {
    /// let server_side = error.status().is_some_and(|status| status >= 500);
    /// # }
    /// ```
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// Whether sending the same request again later may succeed.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(error: &ha_aws::ServiceError) {
    /// if error.is_retryable() {
    ///     eprintln!("will try again later");
    /// }
    /// # }
    /// ```
    pub fn is_retryable(&self) -> bool {
        self.kind.is_retryable()
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} failed", self.operation)?;
        if let Some(target) = &self.target {
            write!(f, " for `{target}`")?;
        }
        write!(f, ": {}", self.kind)?;
        match (&self.code, &self.message) {
            (Some(code), Some(message)) => write!(f, " ({code}: {message})"),
            (Some(code), None) => write!(f, " ({code})"),
            (None, Some(message)) => write!(f, " ({message})"),
            (None, None) => Ok(()),
        }
    }
}

impl StdError for ServiceError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|source| source as &(dyn StdError + 'static))
    }
}

/// A Lambda function that ran and reported an error (the `X-Amz-Function-Error` reply header).
///
/// Home Assistant ignores these; here they fail the target. The function's reply is kept, and the
/// `errorType` and `errorMessage` fields of the Lambda runtimes' error shape are read from it.
///
/// # Examples
///
/// ```no_run
/// # async fn demo(notifier: ha_aws::Notifier) -> Result<(), ha_aws::Error> {
/// let report = notifier.send(&ha_aws::Notification::new("Door open").with_target("notify-phone")).await?;
/// for (_, error) in report.failures() {
///     if let ha_aws::Error::Function(error) = error {
///         eprintln!("{} raised {:?}: {:?}", error.function(), error.error_type(), error.error_message());
///     }
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionError {
    function: String,
    header: String,
    error_type: Option<String>,
    error_message: Option<String>,
    payload: Vec<u8>,
}

impl FunctionError {
    #[cfg_attr(
        not(feature = "lambda"),
        expect(dead_code, reason = "only the lambda notifier needs it")
    )]
    pub(crate) fn new(function: &str, function_error: &str, payload: Vec<u8>) -> Self {
        let parsed = serde_json::from_slice::<serde_json::Value>(&payload).ok();
        let field = |name: &str| {
            parsed
                .as_ref()
                .and_then(|value| value.get(name))
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned)
        };
        Self {
            function: function.to_owned(),
            header: function_error.to_owned(),
            error_type: field("errorType"),
            error_message: field("errorMessage"),
            payload,
        }
    }

    /// The function as the target named it (name, ARN or partial ARN).
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(error: &ha_aws::FunctionError) {
    /// eprintln!("{} failed", error.function());
    /// # }
    /// ```
    pub fn function(&self) -> &str {
        &self.function
    }

    /// The `X-Amz-Function-Error` value: `Unhandled` for an uncaught exception, `Handled` for an
    /// error the function reported itself.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(error: &ha_aws::FunctionError) {
    /// let uncaught = error.function_error() == "Unhandled";
    /// # }
    /// ```
    pub fn function_error(&self) -> &str {
        &self.header
    }

    /// The `errorType` field of the function's reply, such as `ValueError`.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(error: &ha_aws::FunctionError) {
    /// let timed_out = error.error_type() == Some("Sandbox.Timedout");
    /// # }
    /// ```
    pub fn error_type(&self) -> Option<&str> {
        self.error_type.as_deref()
    }

    /// The `errorMessage` field of the function's reply.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(error: &ha_aws::FunctionError) {
    /// eprintln!("{}", error.error_message().unwrap_or("no message"));
    /// # }
    /// ```
    pub fn error_message(&self) -> Option<&str> {
        self.error_message.as_deref()
    }

    /// The function's whole reply.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(error: &ha_aws::FunctionError) {
    /// let reply: Option<serde_json::Value> = serde_json::from_slice(error.payload()).ok();
    /// # }
    /// ```
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }
}

impl fmt::Display for FunctionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "lambda function `{}` failed ({})",
            self.function, self.header
        )?;
        match (&self.error_type, &self.error_message) {
            (Some(kind), Some(message)) => write!(f, ": {kind}: {message}"),
            (Some(text), None) | (None, Some(text)) => write!(f, ": {text}"),
            (None, None) => Ok(()),
        }
    }
}

impl StdError for FunctionError {}

/// A configuration that breaks one of its rules.
///
/// The messages name the credential or notifier and the option at fault.
///
/// # Examples
///
/// ```
/// let error = ha_aws::ConfigError::KeyWithoutSecret { credential: "home".into() };
/// assert_eq!(
///     error.to_string(),
///     "credential `home`: aws_access_key_id needs aws_secret_access_key"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A per-device key shorter than the authorizer accepts.
    #[error("the device key has {len} bytes, fewer than {min}")]
    WeakKey {
        /// Its length.
        len: usize,
        /// The shortest accepted.
        min: usize,
    },
    /// A device key that is not base64.
    #[error("the device key is not base64")]
    KeyEncoding,
    /// The OS has no random source to generate a key or password.
    #[error("the OS random source failed")]
    Random,
    /// An ARN (or its region or account) of the wrong shape.
    #[error("`{arn}`: {reason}")]
    InvalidArn {
        /// The ARN.
        arn: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// A topic that cannot stand in an IoT policy.
    #[error("topic `{topic}` {reason}")]
    InvalidTopic {
        /// The topic.
        topic: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// A session length outside AWS's limits for custom authorizers.
    #[error("{seconds} s is outside {min} to {max} s")]
    SessionLength {
        /// The value given.
        seconds: u32,
        /// The shortest accepted.
        min: u32,
        /// The longest accepted.
        max: u32,
    },
    /// An authorizer name outside AWS's pattern.
    #[error(
        "authorizer name `{name}` must be 1 to 128 characters of A-Z, a-z, 0-9, _, =, ,, @ and -"
    )]
    InvalidAuthorizerName {
        /// The name.
        name: String,
    },
    /// An existing authorizer of that name validates token signatures; AWS cannot turn that
    /// off, so provisioning needs another name.
    #[error(
        "authorizer `{name}` exists with token signing enabled, which cannot be changed; choose another name"
    )]
    SigningEnabled {
        /// The authorizer's name.
        name: String,
    },
    /// An access key id without its secret.
    #[error("credential `{credential}`: aws_access_key_id needs aws_secret_access_key")]
    KeyWithoutSecret {
        /// The credential's name, or the notifier's for inline keys.
        credential: String,
    },
    /// A secret access key without its id.
    #[error("credential `{credential}`: aws_secret_access_key needs aws_access_key_id")]
    SecretWithoutKey {
        /// The credential's name, or the notifier's for inline keys.
        credential: String,
    },
    /// Access keys and a profile in the same credential.
    #[error(
        "credential `{credential}`: aws_access_key_id and aws_secret_access_key exclude profile_name"
    )]
    KeysWithProfile {
        /// The credential's name, or the notifier's for inline keys.
        credential: String,
    },
    /// A notifier that names its credential in more than one way.
    #[error(
        "notifier `{notifier}`: give only one of credential_name, aws_access_key_id with aws_secret_access_key, or profile_name"
    )]
    ConflictingCredentials {
        /// The notifier's name.
        notifier: String,
    },
    /// A `credential_name` that matches no named credential.
    #[error("notifier `{notifier}`: no credential named `{name}` (known: {known})", known = list(.known))]
    UnknownCredential {
        /// The notifier's name.
        notifier: String,
        /// The name it asked for.
        name: String,
        /// The names of the configured credentials.
        known: Vec<String>,
    },
    /// Two credentials with the same name.
    #[error("two credentials are named `{name}`")]
    DuplicateCredential {
        /// The repeated name.
        name: String,
    },
    /// An empty name, id or key.
    #[error("{what} is empty")]
    Empty {
        /// The option that is empty, such as `credential name`.
        what: &'static str,
    },
    /// An unknown notify service.
    #[error("unknown notify service `{name}`; expected lambda, sns, sqs or events")]
    UnknownService {
        /// The name given.
        name: String,
    },
    /// A notify service whose cargo feature is not enabled.
    #[error("the {service} notify service needs the `{feature}` feature of ha-aws")]
    ServiceNotEnabled {
        /// The service.
        service: AwsService,
        /// The cargo feature that enables it.
        feature: &'static str,
    },
    /// A bad region name.
    #[error(transparent)]
    Region(#[from] RegionError),
    /// An option that only one notify service uses, given to another.
    #[error("notifier `{notifier}`: {option} only applies to the {applies_to} service")]
    OptionNotApplicable {
        /// The notifier's name.
        notifier: String,
        /// The option, such as `context`.
        option: &'static str,
        /// The service that uses it.
        applies_to: AwsService,
    },
    /// The Lambda client context is larger than Lambda accepts.
    #[error("the lambda client context is {len} bytes in base64; lambda accepts at most {max}")]
    ClientContextTooLarge {
        /// Its size in base64.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A notifier setting that the service would refuse: a default title that is no valid SNS
    /// subject, an invalid SQS message group id.
    #[error("{option}: {problem}")]
    InvalidSetting {
        /// The setting, such as `default_title`.
        option: &'static str,
        /// What is wrong with it.
        problem: NotificationError,
    },
    /// A size limit of zero.
    #[error("max_message_bytes must be at least 1")]
    ZeroMessageLimit,
}

/// An image, file, folder or vision setting that cannot be used.
///
/// Images are checked before upload, so these errors cost no AWS call.
///
/// # Examples
///
/// ```
/// let error = ha_aws::vision::SourceImage::new(b"GIF89a".to_vec()).unwrap_err();
/// assert_eq!(error.to_string(), "unsupported image format; rekognition accepts jpeg and png");
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum VisionError {
    /// An image larger than Rekognition accepts as bytes.
    #[error("{}image is {len} bytes; rekognition accepts at most {max}", at(.path.as_deref()))]
    ImageTooLarge {
        /// The file, when read from one.
        path: Option<String>,
        /// Its size.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// Neither JPEG nor PNG.
    #[error("{}unsupported image format; rekognition accepts jpeg and png", at(.path.as_deref()))]
    UnsupportedFormat {
        /// The file, when read from one.
        path: Option<String>,
    },
    /// Bytes that claim a format but do not decode.
    #[error("cannot decode image: {reason}")]
    Decode {
        /// The decoder's message.
        reason: String,
    },
    /// The annotated image could not be encoded.
    #[error("cannot encode jpeg: {reason}")]
    Encode {
        /// The encoder's message.
        reason: String,
    },
    /// A file or folder could not be read or written.
    #[error("{path}: {reason}")]
    Io {
        /// The file or folder.
        path: String,
        /// What kind of failure it was.
        kind: std::io::ErrorKind,
        /// The system's message.
        reason: String,
    },
    /// `save_file_folder` is missing, not a folder, or not writable.
    #[error("save_file_folder `{path}`: {reason}")]
    SaveFolder {
        /// The folder.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A region of interest outside the image or empty.
    #[error(
        "region of interest ({x_min}, {y_min})-({x_max}, {y_max}) must lie within 0..=1 with each minimum below its maximum"
    )]
    InvalidRegion {
        /// Left edge.
        x_min: f32,
        /// Top edge.
        y_min: f32,
        /// Right edge.
        x_max: f32,
        /// Bottom edge.
        y_max: f32,
    },
    /// A confidence or similarity outside 0..=100.
    #[error("{option} {value} must lie within 0..=100")]
    InvalidPercentage {
        /// The option, such as `confidence`.
        option: &'static str,
        /// The value given.
        value: f32,
    },
    /// An `image_id` Rekognition would refuse as an ExternalImageId.
    #[error("image_id `{id}`: {reason}")]
    InvalidImageId {
        /// The id given.
        id: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A `collection_id` Rekognition would refuse.
    #[error("collection_id `{id}`: {reason}")]
    InvalidCollectionId {
        /// The id given.
        id: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// Face identification or indexing without a `collection_id`.
    #[error("{what} needs a collection_id")]
    NoCollection {
        /// What was asked for, such as `identify_faces`.
        what: &'static str,
    },
    /// An image to index in which Rekognition found no face.
    #[error("{}no face found to index", at(.path.as_deref()))]
    NoFace {
        /// The file, when read from one.
        path: Option<String>,
    },
    /// `image_path` and `image_folder` together, or neither.
    #[error("index_face needs exactly one of image_path and image_folder")]
    IndexSource,
    /// A camera gave no usable frame.
    #[error("camera `{entity_id}`: {reason}")]
    Camera {
        /// The camera entity.
        entity_id: String,
        /// What went wrong.
        reason: String,
    },
    /// A scan asked for while the camera's previous scan still runs.
    #[error("`{entity_id}`: a scan is already running")]
    ScanBusy {
        /// The image processing entity.
        entity_id: String,
    },
    /// A scan that took longer than its timeout.
    #[error("`{entity_id}`: scan took longer than {seconds} s")]
    ScanTimeout {
        /// The image processing entity.
        entity_id: String,
        /// The timeout.
        seconds: f64,
    },
    /// A camera entity with neither `file` nor `snapshot_url` and no frame source given.
    #[error("camera `{entity_id}` has no frame source (give `file` or `snapshot_url`)")]
    NoFrameSource {
        /// The camera entity.
        entity_id: String,
    },
    /// No image processing entity with this id (or none of the face platform).
    #[error("no {platform} image processing entity `{entity_id}`")]
    UnknownEntity {
        /// The id asked for.
        entity_id: String,
        /// The platform looked in.
        platform: &'static str,
    },
    /// `scale` outside 0.1..=1.
    #[error("scale {value} must lie within 0.1..=1")]
    InvalidScale {
        /// The value given.
        value: f32,
    },
    /// An option whose cargo feature is off in this build (`snapshot_url` without `snapshot`,
    /// `s3_bucket` without `s3`).
    #[error("{option} needs ha-aws's cargo feature `{feature}`, which this build leaves out")]
    FeatureDisabled {
        /// The option and where it was given.
        option: String,
        /// The cargo feature to enable.
        feature: &'static str,
    },
    /// DetectLabels settings beyond Rekognition's limits.
    #[error("label_settings: {reason}")]
    InvalidLabelSettings {
        /// What is wrong.
        reason: String,
    },
    /// An S3 bucket name S3 refuses.
    #[error("s3_bucket `{bucket}` {reason}")]
    InvalidBucket {
        /// The name given.
        bucket: String,
        /// The rule it breaks.
        reason: &'static str,
    },
    /// An S3 key prefix S3 refuses.
    #[error("s3_key_prefix `{prefix}` {reason}")]
    InvalidKeyPrefix {
        /// The prefix given.
        prefix: String,
        /// The rule it breaks.
        reason: &'static str,
    },
}

impl VisionError {
    #[cfg_attr(
        not(feature = "vision"),
        expect(dead_code, reason = "only vision reads files")
    )]
    pub(crate) fn io(path: &std::path::Path, error: &std::io::Error) -> Self {
        Self::Io {
            path: path.display().to_string(),
            kind: error.kind(),
            reason: error.to_string(),
        }
    }

    /// The file or folder the error is about, if any.
    ///
    /// # Examples
    ///
    /// ```
    /// let error = ha_aws::vision::SourceImage::open("missing.jpg").unwrap_err();
    /// assert_eq!(error.target(), Some("missing.jpg"));
    /// ```
    pub fn path(&self) -> Option<&str> {
        match self {
            Self::ImageTooLarge { path, .. }
            | Self::UnsupportedFormat { path }
            | Self::NoFace { path } => path.as_deref(),
            Self::Io { path, .. } | Self::SaveFolder { path, .. } => Some(path),
            _ => None,
        }
    }
}

/// `"<path>: "` for messages about a file.
fn at(path: Option<&str>) -> String {
    path.map_or_else(String::new, |path| format!("{path}: "))
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    }
}

/// A region name that is malformed or names no known region.
///
/// # Examples
///
/// ```
/// let error = ha_aws::Region::try_from("us-est-1").unwrap_err();
/// assert_eq!(error.to_string(), "unknown region `us-est-1`; expected a name such as us-east-1 or eu-west-2");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RegionError {
    /// Not a known AWS region.
    #[error("unknown region `{name}`; expected a name such as us-east-1 or eu-west-2")]
    Unknown {
        /// The name given.
        name: String,
    },
    /// Not even shaped like a region name (lower-case letters, digits and dashes, such as
    /// `us-east-1`).
    #[error(
        "malformed region `{name}`; expected lower-case words and a number joined by dashes, such as us-east-1"
    )]
    Malformed {
        /// The name given.
        name: String,
    },
}

/// A notification that cannot be sent as given, detected before anything is sent.
///
/// Problems of the whole notification (an SNS subject too long) stop every target; problems of
/// one target (a FIFO queue without a message group id) fail that target only and name it.
///
/// # Examples
///
/// ```
/// let error = ha_aws::NotificationError::SubjectTooLong { chars: 120, max: 100 };
/// assert_eq!(error.to_string(), "the subject (title) is 120 characters long; sns accepts at most 100");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NotificationError {
    /// No target given, for a service that needs one.
    #[error("at least one target is required")]
    NoTarget,
    /// An empty target string.
    #[error("target {index} is empty")]
    EmptyTarget {
        /// Its position in the target list, from 0.
        index: usize,
    },
    /// An empty message, which SNS refuses.
    #[error("the message is empty; sns refuses empty messages")]
    EmptyMessage,
    /// An SNS subject (the title or the default title) longer than SNS accepts.
    #[error("the subject (title) is {chars} characters long; sns accepts at most {max}")]
    SubjectTooLong {
        /// Its length in characters.
        chars: usize,
        /// The limit.
        max: usize,
    },
    /// An SNS subject that is empty or holds characters SNS refuses.
    #[error("the subject (title) {problem}; sns accepts one line of printable ASCII text")]
    InvalidSubject {
        /// What is wrong, such as `holds a line break at character 12`.
        problem: String,
    },
    /// A `data` entry whose value would become an empty message attribute, which SNS refuses.
    #[error("data entry `{name}` is empty; sns refuses empty message attribute values")]
    EmptyAttribute {
        /// The entry's key.
        name: String,
    },
    /// More message attributes than the service accepts.
    #[error("{count} message attributes; {service} accepts at most {max}")]
    TooManyAttributes {
        /// The service.
        service: AwsService,
        /// How many the notification would send.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// A `data` key that is not a valid message attribute name.
    #[error("data key `{name}` is not a valid message attribute name: {problem}")]
    InvalidAttributeName {
        /// The key.
        name: String,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// A message (with its attributes) larger than the service accepts.
    #[error("the {service} message is {size} bytes; the limit is {limit}")]
    TooLarge {
        /// The service.
        service: AwsService,
        /// Its size as the service counts it.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// Characters SQS does not accept in a message (U+FFFE, U+FFFF).
    #[error("the sqs message holds {character:?}, which sqs does not accept")]
    InvalidCharacter {
        /// The character.
        character: char,
    },
    /// A FIFO queue target and no message group id (neither on the notification nor in the
    /// notifier's settings).
    #[error("`{queue_url}` is a fifo queue and needs a message group id")]
    MissingMessageGroupId {
        /// The queue.
        queue_url: String,
    },
    /// A message group or deduplication id that SQS would refuse.
    #[error("{field} must be 1 to 128 characters of letters, digits and punctuation")]
    InvalidFifoId {
        /// `message_group_id` or `message_deduplication_id`.
        field: &'static str,
    },
    /// An EventBridge `data` field of the wrong type.
    #[error("data.{field} must be {expected}")]
    InvalidEventField {
        /// The field: `detail`, `detail_type`, `source` or `resources`.
        field: &'static str,
        /// What it must be.
        expected: &'static str,
    },
}

impl NotificationError {
    /// The target this error concerns, for per-target errors.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::NotificationError::NoTarget.target(), None);
    /// ```
    pub fn target(&self) -> Option<&str> {
        match self {
            Self::MissingMessageGroupId { queue_url } => Some(queue_url),
            _ => None,
        }
    }
}

/// AWS error codes that mean "throttled" beyond the SDK's own list.
const MORE_THROTTLING_CODES: &[&str] = &["Throttled", "KMSThrottling", "KMS.ThrottlingException"];

/// AWS error codes that mean "no such target".
const NOT_FOUND_CODES: &[&str] = &[
    "NotFound",
    "ResourceNotFoundException",
    "AWS.SimpleQueueService.NonExistentQueue",
    "QueueDoesNotExist",
    "NoSuchEntity",
    "EndpointDisabled",
];

/// AWS error codes that mean "bad, expired or insufficient credentials".
const AUTH_CODES: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "AuthorizationError",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "SignatureDoesNotMatch",
    "InvalidSignatureException",
    "IncompleteSignature",
    "MissingAuthenticationToken",
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidSecurity",
    "NotAuthorizedForSourceException",
];

/// Classifies an AWS error code and HTTP status.
pub(crate) fn classify_code(code: Option<&str>, status: Option<u16>) -> ErrorKind {
    let known = |list: &[&str]| code.is_some_and(|code| list.contains(&code));
    if known(aws_runtime::retries::classifiers::THROTTLING_ERRORS)
        || known(MORE_THROTTLING_CODES)
        || status == Some(429)
    {
        ErrorKind::Throttling
    } else if known(NOT_FOUND_CODES) || status == Some(404) {
        ErrorKind::NotFound
    } else if known(AUTH_CODES) || matches!(status, Some(401 | 403)) {
        ErrorKind::Auth
    } else if known(aws_runtime::retries::classifiers::TRANSIENT_ERRORS)
        || status.is_some_and(|status| status >= 500)
    {
        ErrorKind::Server
    } else {
        ErrorKind::Rejected
    }
}

/// Turns an SDK error into the crate's error, keeping the SDK error as the source.
pub(crate) fn from_sdk<E>(
    error: SdkError<E, HttpResponse>,
    operation: Operation,
    target: Option<&str>,
) -> ServiceError
where
    E: ProvideErrorMetadata + ProvideErrorKind + StdError + Send + Sync + 'static,
{
    let status = error
        .raw_response()
        .map(|response| response.status().as_u16());
    let (kind, code, message) = match &error {
        SdkError::ServiceError(context) => {
            let inner = context.err();
            let kind = match inner.retryable_error_kind() {
                Some(RetryKind::ThrottlingError) => ErrorKind::Throttling,
                _ => classify_code(ProvideErrorMetadata::code(inner), status),
            };
            (kind, ProvideErrorMetadata::code(inner), inner.message())
        }
        SdkError::TimeoutError(_) => (ErrorKind::Timeout, None, None),
        SdkError::DispatchFailure(failure) if failure.is_timeout() => {
            (ErrorKind::Timeout, None, None)
        }
        SdkError::DispatchFailure(_) if caused_by_credentials(&error) => {
            (ErrorKind::Auth, None, None)
        }
        SdkError::DispatchFailure(_) => (ErrorKind::Transport, None, None),
        SdkError::ResponseError(_) => (ErrorKind::Response, None, None),
        // construction failures (the request could not be built) and future variants
        _ if caused_by_credentials(&error) => (ErrorKind::Auth, None, None),
        _ => (ErrorKind::Rejected, None, None),
    };
    let mut service_error = ServiceError::new(operation, target, kind).with_code(code, message);
    service_error.status = status;
    service_error.source = Some(Arc::new(error));
    service_error
}

/// Whether a credentials provider failure is somewhere in the error's chain.
fn caused_by_credentials(error: &(dyn StdError + 'static)) -> bool {
    let mut next = Some(error);
    while let Some(error) = next {
        if error.is::<CredentialsError>() {
            return true;
        }
        next = error.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_classified_like_the_services_use_them() {
        let cases = [
            (Some("Throttling"), Some(400), ErrorKind::Throttling),
            (
                Some("ThrottlingException"),
                Some(400),
                ErrorKind::Throttling,
            ),
            (
                Some("TooManyRequestsException"),
                Some(429),
                ErrorKind::Throttling,
            ),
            (Some("RequestThrottled"), Some(403), ErrorKind::Throttling),
            (Some("NotFound"), Some(404), ErrorKind::NotFound),
            (
                Some("AWS.SimpleQueueService.NonExistentQueue"),
                Some(400),
                ErrorKind::NotFound,
            ),
            (
                Some("ResourceNotFoundException"),
                Some(400),
                ErrorKind::NotFound,
            ),
            (Some("NoSuchEntity"), Some(404), ErrorKind::NotFound),
            (Some("AuthorizationError"), Some(403), ErrorKind::Auth),
            (Some("InvalidClientTokenId"), Some(403), ErrorKind::Auth),
            (Some("AccessDeniedException"), Some(400), ErrorKind::Auth),
            (Some("InternalError"), Some(500), ErrorKind::Server),
            (None, Some(503), ErrorKind::Server),
            (Some("InvalidParameter"), Some(400), ErrorKind::Rejected),
            (None, None, ErrorKind::Rejected),
        ];
        for (code, status, kind) in cases {
            assert_eq!(classify_code(code, status), kind, "{code:?} {status:?}");
        }
    }

    #[test]
    fn service_error_display_names_operation_target_kind_and_code() {
        let error = ServiceError::new(
            Operation::SNS_PUBLISH,
            Some("arn:aws:sns:us-east-1:1:t"),
            ErrorKind::NotFound,
        )
        .with_code(Some("NotFound"), Some("Topic does not exist"));
        assert_eq!(
            error.to_string(),
            "sns:Publish failed for `arn:aws:sns:us-east-1:1:t`: not found (NotFound: Topic does not exist)"
        );
        let error = Error::from(error);
        assert!(error.is_not_found());
        assert_eq!(error.target(), Some("arn:aws:sns:us-east-1:1:t"));
        assert_eq!(error.operation(), Some(Operation::SNS_PUBLISH));
    }

    #[test]
    fn function_error_reads_the_runtime_error_shape() {
        let error = FunctionError::new(
            "notify",
            "Unhandled",
            br#"{"errorMessage":"boom","errorType":"ValueError","stackTrace":[]}"#.to_vec(),
        );
        assert_eq!(error.error_type(), Some("ValueError"));
        assert_eq!(
            error.to_string(),
            "lambda function `notify` failed (Unhandled): ValueError: boom"
        );
        let error = FunctionError::new("notify", "Handled", b"not json".to_vec());
        assert_eq!(
            error.to_string(),
            "lambda function `notify` failed (Handled)"
        );
    }

    #[test]
    fn errors_are_send_sync_and_small() {
        const fn assert_traits<T: Send + Sync + 'static>() {}
        assert_traits::<Error>();
        assert!(size_of::<Error>() <= 80, "{}", size_of::<Error>());
    }
}
