//! Sessions: a credential and a region made into a loaded AWS SDK configuration, and the
//! start-up checks of credentials.

use core::time::Duration;
use std::path::{Path, PathBuf};

use aws_config::profile::ProfileFileCredentialsProvider;
use aws_config::provider_config::ProviderConfig;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, SdkConfig};
use aws_runtime::env_config::file::{EnvConfigFileKind, EnvConfigFiles};

use crate::credential::{Credential, CredentialStore, Validate};
use crate::error::{Error, from_sdk};
use crate::region::Region;
use crate::service::Operation;

/// How the SDK clients of a session talk to AWS: endpoint, retries and timeouts.
///
/// The defaults are the SDK's: AWS's own endpoints, the standard retry strategy with 3 attempts,
/// no operation timeout.
///
/// # Examples
///
/// ```
/// use core::time::Duration;
///
/// let options = ha_aws::ClientOptions::default()
///     .with_endpoint_url("http://127.0.0.1:5000")
///     .with_max_attempts(1)
///     .with_operation_timeout(Duration::from_secs(10));
/// assert_eq!(options.endpoint_url(), Some("http://127.0.0.1:5000"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientOptions {
    endpoint_url: Option<String>,
    max_attempts: Option<u32>,
    initial_backoff: Option<Duration>,
    operation_timeout: Option<Duration>,
    config_file: Option<PathBuf>,
    credentials_file: Option<PathBuf>,
}

impl ClientOptions {
    /// Sends every request to `url` instead of AWS's endpoints: the emulator, moto, LocalStack.
    ///
    /// # Examples
    ///
    /// ```
    /// let options = ha_aws::ClientOptions::default().with_endpoint_url("http://127.0.0.1:4566");
    /// assert_eq!(options.endpoint_url(), Some("http://127.0.0.1:4566"));
    /// ```
    #[must_use]
    pub fn with_endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.endpoint_url = Some(url.into());
        self
    }

    /// Tries each request at most `attempts` times (at least once); 1 turns retries off.
    ///
    /// # Examples
    ///
    /// ```
    /// let no_retries = ha_aws::ClientOptions::default().with_max_attempts(1);
    /// # let _ = no_retries;
    /// ```
    #[must_use]
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = Some(attempts.max(1));
        self
    }

    /// Waits about `backoff` before the first retry, doubling for each further one (with jitter).
    ///
    /// # Examples
    ///
    /// ```
    /// let quick = ha_aws::ClientOptions::default().with_initial_backoff(core::time::Duration::from_millis(50));
    /// # let _ = quick;
    /// ```
    #[must_use]
    pub fn with_initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = Some(backoff);
        self
    }

    /// Gives up on an operation, retries included, after `timeout`.
    ///
    /// # Examples
    ///
    /// ```
    /// let bounded = ha_aws::ClientOptions::default().with_operation_timeout(core::time::Duration::from_secs(5));
    /// # let _ = bounded;
    /// ```
    #[must_use]
    pub fn with_operation_timeout(mut self, timeout: Duration) -> Self {
        self.operation_timeout = Some(timeout);
        self
    }

    /// Reads profiles' settings from `path` instead of `~/.aws/config` (what `AWS_CONFIG_FILE`
    /// does for the AWS CLI).
    ///
    /// # Examples
    ///
    /// ```
    /// let options = ha_aws::ClientOptions::default().with_config_file("/etc/home/aws-config");
    /// # let _ = options;
    /// ```
    #[must_use]
    pub fn with_config_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.config_file = Some(path.into());
        self
    }

    /// Reads profiles' keys from `path` instead of `~/.aws/credentials` (what
    /// `AWS_SHARED_CREDENTIALS_FILE` does for the AWS CLI).
    ///
    /// # Examples
    ///
    /// ```
    /// let options = ha_aws::ClientOptions::default().with_credentials_file("/etc/home/aws-credentials");
    /// # let _ = options;
    /// ```
    #[must_use]
    pub fn with_credentials_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.credentials_file = Some(path.into());
        self
    }

    /// The endpoint override, if any.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::ClientOptions::default().endpoint_url(), None);
    /// ```
    pub fn endpoint_url(&self) -> Option<&str> {
        self.endpoint_url.as_deref()
    }

    fn retry_config(&self) -> RetryConfig {
        let mut retry = RetryConfig::standard();
        if let Some(attempts) = self.max_attempts {
            retry = retry.with_max_attempts(attempts);
        }
        if let Some(backoff) = self.initial_backoff {
            retry = retry.with_initial_backoff(backoff);
        }
        retry
    }

    /// The profile files to read, when either default is replaced.
    fn profile_files(&self) -> Option<EnvConfigFiles> {
        if self.config_file.is_none() && self.credentials_file.is_none() {
            return None;
        }
        let mut files = EnvConfigFiles::builder()
            .include_default_config_file(self.config_file.is_none())
            .include_default_credentials_file(self.credentials_file.is_none());
        let custom = [
            (EnvConfigFileKind::Config, &self.config_file),
            (EnvConfigFileKind::Credentials, &self.credentials_file),
        ];
        for (kind, path) in custom {
            if let Some(path) = path {
                files = files.with_file(kind, Path::new(path));
            }
        }
        Some(files.build())
    }
}

/// A credential and a region, loaded into an AWS SDK configuration that clients are built from.
///
/// A [`Credential::Profile`] uses that profile's credentials (keys, role, SSO, process) and never
/// the `AWS_ACCESS_KEY_ID` environment variables, as botocore does for an explicit profile.
/// Loading reads the shared config files and environment as the AWS CLI does; credentials
/// themselves are fetched (and refreshed) when first needed, so a bad profile shows up as an
/// [`ErrorKind::Auth`](crate::ErrorKind::Auth) error of the first request or of
/// [`Session::validate`].
///
/// # Examples
///
/// ```no_run
/// use ha_aws::{ClientOptions, Credential, Region, Session};
///
/// # async fn demo() -> Result<(), ha_aws::Error> {
/// let session = Session::load(&Credential::Profile("home".into()), Region::try_from("eu-west-1")?, &ClientOptions::default()).await;
/// let identity = session.caller_identity().await?;
/// println!("signed in as {}", identity.arn());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Session {
    sdk: SdkConfig,
    region: Region,
}

impl Session {
    /// Loads a session for `credential` in `region`.
    ///
    /// # Examples
    ///
    /// ```
    /// # async fn demo() -> Result<(), ha_aws::Error> {
    /// use ha_aws::{AccessKeys, ClientOptions, Credential, Region, Session};
    ///
    /// let keys = Credential::Keys(AccessKeys::new("AKIDHOME", "secret")?);
    /// let session = Session::load(&keys, Region::try_from("eu-west-1")?, &ClientOptions::default()).await;
    /// assert_eq!(session.region().as_str(), "eu-west-1");
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn load(credential: &Credential, region: Region, options: &ClientOptions) -> Self {
        let sdk_region = aws_config::Region::new(region.as_str().to_owned());
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .region(sdk_region.clone())
            .retry_config(options.retry_config());
        match credential {
            Credential::Keys(keys) => {
                loader = loader.credentials_provider(aws_credential_types::Credentials::new(
                    keys.access_key_id().as_str(),
                    keys.secret_access_key().expose_secret(),
                    None,
                    None,
                    "ha-aws",
                ));
            }
            Credential::Profile(profile) => {
                // the profile's own credentials, never the environment's: an explicit profile
                // negates the environment variables, as in botocore and the AWS CLI
                let mut provider = ProfileFileCredentialsProvider::builder()
                    .configure(&ProviderConfig::default().with_region(Some(sdk_region.clone())))
                    .profile_name(profile);
                if let Some(files) = options.profile_files() {
                    provider = provider.profile_files(files);
                }
                loader = loader
                    .profile_name(profile)
                    .credentials_provider(provider.build());
            }
            Credential::DefaultChain => {}
        }
        if let Some(files) = options.profile_files() {
            loader = loader.profile_files(files);
        }
        if let Some(url) = &options.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        if let Some(timeout) = options.operation_timeout {
            loader =
                loader.timeout_config(TimeoutConfig::builder().operation_timeout(timeout).build());
        }
        Self {
            sdk: loader.load().await,
            region,
        }
    }

    /// The session's region.
    ///
    /// # Examples
    ///
    /// ```
    /// # async fn demo() {
    /// use ha_aws::{ClientOptions, Credential, Region, Session};
    ///
    /// let session = Session::load(&Credential::DefaultChain, Region::us_east_1(), &ClientOptions::default()).await;
    /// assert_eq!(session.region(), &Region::us_east_1());
    /// # }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo());
    /// ```
    pub fn region(&self) -> &Region {
        &self.region
    }

    /// The loaded SDK configuration, for building the service clients of this crate.
    #[cfg_attr(
        not(any(
            feature = "sns",
            feature = "sqs",
            feature = "lambda",
            feature = "eventbridge",
            feature = "vision"
        )),
        expect(dead_code, reason = "no service client")
    )]
    pub(crate) fn sdk_config(&self) -> &SdkConfig {
        &self.sdk
    }

    /// Who the credentials belong to, by STS GetCallerIdentity (no permission needed).
    ///
    /// # Errors
    ///
    /// [`Error::Service`] when STS refuses the credentials ([`Error::is_auth`]) or cannot be
    /// reached.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn demo(session: ha_aws::Session) -> Result<(), ha_aws::Error> {
    /// println!("account {:?}", session.caller_identity().await?.account());
    /// # Ok(()) }
    /// ```
    pub async fn caller_identity(&self) -> Result<Identity, Error> {
        self.caller_identity_for(None).await
    }

    async fn caller_identity_for(&self, target: Option<&str>) -> Result<Identity, Error> {
        let output = aws_sdk_sts::Client::new(&self.sdk)
            .get_caller_identity()
            .send()
            .await
            .map_err(|error| from_sdk(error, Operation::STS_GET_CALLER_IDENTITY, target))?;
        Ok(Identity {
            account: output.account,
            arn: output.arn.unwrap_or_default(),
            user_id: output.user_id.unwrap_or_default(),
        })
    }

    /// Who the credentials belong to, by IAM GetUser as Home Assistant checks them (needs
    /// `iam:GetUser` on oneself; fails for roles).
    ///
    /// # Errors
    ///
    /// [`Error::Service`] when IAM refuses the credentials or the permission, or cannot be
    /// reached.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn demo(session: ha_aws::Session) -> Result<(), ha_aws::Error> {
    /// println!("user {}", session.iam_user().await?.arn());
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "iam")]
    #[cfg_attr(docsrs, doc(cfg(feature = "iam")))]
    pub async fn iam_user(&self) -> Result<Identity, Error> {
        self.iam_user_for(None).await
    }

    #[cfg(feature = "iam")]
    async fn iam_user_for(&self, target: Option<&str>) -> Result<Identity, Error> {
        let output = aws_sdk_iam::Client::new(&self.sdk)
            .get_user()
            .send()
            .await
            .map_err(|error| from_sdk(error, Operation::IAM_GET_USER, target))?;
        let user = output.user;
        Ok(Identity {
            account: user.as_ref().and_then(|user| account_of(&user.arn)),
            arn: user
                .as_ref()
                .map(|user| user.arn.clone())
                .unwrap_or_default(),
            user_id: user.map(|user| user.user_id).unwrap_or_default(),
        })
    }

    /// Checks the credentials as `method` says; `Ok(None)` for [`Validate::Off`].
    ///
    /// # Errors
    ///
    /// [`Error::Service`] when the check fails, [`crate::ConfigError::ServiceNotEnabled`] for
    /// [`Validate::IamUser`] without the `iam` feature.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn demo(session: ha_aws::Session) -> Result<(), ha_aws::Error> {
    /// session.validate(ha_aws::Validate::CallerIdentity).await?;
    /// # Ok(()) }
    /// ```
    pub async fn validate(&self, method: Validate) -> Result<Option<Identity>, Error> {
        self.validate_for(method, None).await
    }

    async fn validate_for(
        &self,
        method: Validate,
        target: Option<&str>,
    ) -> Result<Option<Identity>, Error> {
        match method {
            Validate::Off => Ok(None),
            Validate::CallerIdentity => self.caller_identity_for(target).await.map(Some),
            #[cfg(feature = "iam")]
            Validate::IamUser => self.iam_user_for(target).await.map(Some),
            #[cfg(not(feature = "iam"))]
            Validate::IamUser => {
                let _ = target;
                Err(crate::ConfigError::ServiceNotEnabled {
                    service: crate::AwsService::Iam,
                    feature: "iam",
                }
                .into())
            }
        }
    }
}

/// The account number in an ARN (`arn:partition:service:region:account:resource`).
#[cfg(feature = "iam")]
fn account_of(arn: &str) -> Option<String> {
    arn.split(':')
        .nth(4)
        .filter(|account| !account.is_empty())
        .map(str::to_owned)
}

/// Who a set of credentials belongs to.
///
/// # Examples
///
/// ```no_run
/// # async fn demo(session: ha_aws::Session) -> Result<(), ha_aws::Error> {
/// let identity = session.caller_identity().await?;
/// println!("{} in account {:?} ({})", identity.arn(), identity.account(), identity.user_id());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    account: Option<String>,
    arn: String,
    user_id: String,
}

impl Identity {
    /// The AWS account number.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(identity: &ha_aws::Identity) {
    /// println!("account {}", identity.account().unwrap_or("unknown"));
    /// # }
    /// ```
    pub fn account(&self) -> Option<&str> {
        self.account.as_deref()
    }

    /// The user's or role's ARN.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(identity: &ha_aws::Identity) {
    /// let is_role = identity.arn().contains(":assumed-role/");
    /// # }
    /// ```
    pub fn arn(&self) -> &str {
        &self.arn
    }

    /// The unique id of the user or role session.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(identity: &ha_aws::Identity) {
    /// println!("{}", identity.user_id());
    /// # }
    /// ```
    pub fn user_id(&self) -> &str {
        &self.user_id
    }
}

/// The start-up check of one named credential.
///
/// # Examples
///
/// ```
/// # async fn demo(store: ha_aws::CredentialStore) {
/// let checks = store.validate(&ha_aws::Region::us_east_1(), &ha_aws::ClientOptions::default()).await;
/// let usable: Vec<&str> = checks.iter().filter(|check| check.is_ok()).map(ha_aws::CredentialCheck::name).collect();
/// # }
/// ```
#[derive(Debug)]
pub struct CredentialCheck {
    name: String,
    result: Result<Option<Identity>, Error>,
}

impl CredentialCheck {
    /// The credential's name.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(check: &ha_aws::CredentialCheck) {
    /// println!("credential {}", check.name());
    /// # }
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Who it belongs to, `Ok(None)` when it is not validated, or why the check failed; the
    /// error's [`target`](Error::target) is the credential's name.
    ///
    /// # Errors
    ///
    /// The check's error.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(check: &ha_aws::CredentialCheck) {
    /// match check.result() {
    ///     Ok(Some(identity)) => println!("{} is {}", check.name(), identity.arn()),
    ///     Ok(None) => println!("{} is not validated", check.name()),
    ///     Err(error) => eprintln!("validating credential [{}] failed: {error}", check.name()),
    /// }
    /// # }
    /// ```
    pub fn result(&self) -> Result<Option<&Identity>, &Error> {
        self.result.as_ref().map(Option::as_ref)
    }

    /// Whether the check passed or was not asked for.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(check: &ha_aws::CredentialCheck) {
    /// if !check.is_ok() {
    ///     eprintln!("{} cannot be used", check.name());
    /// }
    /// # }
    /// ```
    pub fn is_ok(&self) -> bool {
        self.result.is_ok()
    }

    /// The result, by value.
    ///
    /// # Errors
    ///
    /// The check's error.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(check: ha_aws::CredentialCheck) -> Result<(), ha_aws::Error> {
    /// let identity = check.into_result()?;
    /// # Ok(()) }
    /// ```
    pub fn into_result(self) -> Result<Option<Identity>, Error> {
        self.result
    }
}

impl CredentialStore {
    /// Checks every credential as its `validate` option says, concurrently, in `region` (any
    /// region the credentials may use; IAM is global). A failure affects that credential only,
    /// as in Home Assistant.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn demo(store: ha_aws::CredentialStore) -> Result<(), ha_aws::Error> {
    /// let checks = store.validate(&ha_aws::Region::us_east_1(), &ha_aws::ClientOptions::default()).await;
    /// for check in &checks {
    ///     if let Err(error) = check.result() {
    ///         eprintln!("validating credential [{}] failed: {error}", check.name());
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn validate(&self, region: &Region, options: &ClientOptions) -> Vec<CredentialCheck> {
        let checks = self.iter().map(|named| async move {
            let result = if named.validate() == Validate::Off {
                Ok(None)
            } else {
                Session::load(named.credential(), region.clone(), options)
                    .await
                    .validate_for(named.validate(), Some(named.name()))
                    .await
            };
            CredentialCheck {
                name: named.name().to_owned(),
                result,
            }
        });
        futures_util::future::join_all(checks).await
    }
}
