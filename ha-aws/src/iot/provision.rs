//! Provisioning the custom authorizer without CloudFormation: what the `TasmotaAuth` stack
//! creates, done with the IoT and Lambda APIs, idempotent and safe to run again.

use std::fmt;

use aws_sdk_iot::types::AuthorizerStatus;
use serde_json::Value;

use super::password::IotAccount;
use crate::error::{ConfigError, Error, ErrorKind, from_sdk};
use crate::service::Operation;
use crate::session::Session;

/// The authorizer name TasmotaAuth uses (its `MQTTAuthorizerName` default).
pub const DEFAULT_AUTHORIZER_NAME: &str = "TasmotaAuth";

/// The principal AWS IoT Core invokes authorizers as.
const IOT_PRINCIPAL: &str = "iot.amazonaws.com";

/// What happens to the authorizer and its permission on [`Provisioner::remove`]: the stack's
/// `RetentionPolicy`.
///
/// # Examples
///
/// ```
/// assert_eq!(ha_aws::iot::Retention::default(), ha_aws::iot::Retention::Retain);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Retention {
    /// Leave them (TasmotaAuth's default): devices keep connecting.
    #[default]
    Retain,
    /// Remove everything provisioning created.
    Delete,
}

/// What to provision: the authorizer's name, the Lambda function that implements it (deployed
/// beforehand, for example the `tasmota_authorizer_lambda` example on `provided.al2023`),
/// whether it becomes the account's default authorizer, and the [`Retention`].
///
/// # Examples
///
/// ```
/// use ha_aws::iot::{ProvisionPlan, Retention};
///
/// let plan = ProvisionPlan::new("arn:aws:lambda:eu-central-1:123456789012:function:TasmotaAuth")?
///     .with_default_authorizer(true)
///     .with_retention(Retention::Delete);
/// assert_eq!(plan.authorizer_arn(), "arn:aws:iot:eu-central-1:123456789012:authorizer/TasmotaAuth");
/// # Ok::<(), ha_aws::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvisionPlan {
    authorizer_name: String,
    function_arn: String,
    account: IotAccount,
    default_authorizer: bool,
    retention: Retention,
}

impl ProvisionPlan {
    /// A plan for the authorizer [`DEFAULT_AUTHORIZER_NAME`] backed by the function
    /// `function_arn`, not the default authorizer, retained.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidArn`] when `function_arn` is not a Lambda function ARN.
    ///
    /// # Examples
    ///
    /// See [`ProvisionPlan`].
    pub fn new(function_arn: &str) -> Result<Self, ConfigError> {
        Ok(Self {
            authorizer_name: DEFAULT_AUTHORIZER_NAME.to_owned(),
            function_arn: function_arn.to_owned(),
            account: IotAccount::from_function_arn(function_arn)?,
            default_authorizer: false,
            retention: Retention::Retain,
        })
    }

    /// Names the authorizer `name`.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidAuthorizerName`] unless `name` is 1..=128 characters of
    /// `[A-Za-z0-9_=,@-]` (AWS's pattern).
    ///
    /// # Examples
    ///
    /// ```
    /// let plan = ha_aws::iot::ProvisionPlan::new("arn:aws:lambda:eu-central-1:123456789012:function:auth")?;
    /// assert!(plan.clone().with_authorizer_name("HomeAuth").is_ok());
    /// assert!(plan.with_authorizer_name("Home Auth").is_err());
    /// # Ok::<(), ha_aws::ConfigError>(())
    /// ```
    pub fn with_authorizer_name(mut self, name: &str) -> Result<Self, ConfigError> {
        if name.is_empty()
            || name.len() > 128
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '=' | ',' | '@' | '-'))
        {
            return Err(ConfigError::InvalidAuthorizerName {
                name: name.to_owned(),
            });
        }
        name.clone_into(&mut self.authorizer_name);
        Ok(self)
    }

    /// Makes the authorizer the account's default (devices then need no
    /// `?x-amz-customauthorizer-name=` in their user name).
    ///
    /// # Examples
    ///
    /// See [`ProvisionPlan`].
    #[must_use]
    pub fn with_default_authorizer(mut self, default: bool) -> Self {
        self.default_authorizer = default;
        self
    }

    /// Sets the retention.
    ///
    /// # Examples
    ///
    /// See [`ProvisionPlan`].
    #[must_use]
    pub fn with_retention(mut self, retention: Retention) -> Self {
        self.retention = retention;
        self
    }

    /// The authorizer's name.
    ///
    /// # Examples
    ///
    /// ```
    /// let plan = ha_aws::iot::ProvisionPlan::new("arn:aws:lambda:eu-central-1:123456789012:function:auth")?;
    /// assert_eq!(plan.authorizer_name(), "TasmotaAuth");
    /// # Ok::<(), ha_aws::ConfigError>(())
    /// ```
    pub fn authorizer_name(&self) -> &str {
        &self.authorizer_name
    }

    /// The authorizer's ARN, which the Lambda permission is scoped to.
    ///
    /// # Examples
    ///
    /// See [`ProvisionPlan`].
    pub fn authorizer_arn(&self) -> String {
        self.account
            .arn(&format!("authorizer/{}", self.authorizer_name))
    }

    /// The account and region of the function (and so of the authorizer).
    ///
    /// # Examples
    ///
    /// ```
    /// let plan = ha_aws::iot::ProvisionPlan::new("arn:aws:lambda:eu-central-1:123456789012:function:auth")?;
    /// assert_eq!(plan.account().region(), "eu-central-1");
    /// # Ok::<(), ha_aws::ConfigError>(())
    /// ```
    pub fn account(&self) -> &IotAccount {
        &self.account
    }

    /// The statement id of the Lambda permission.
    fn statement_id(&self) -> String {
        format!("iot-authorizer-{}", self.authorizer_name)
    }

    /// Everything [`Provisioner::apply`] may do, in order, for `--dry-run` output; the real run
    /// skips the steps already in place.
    ///
    /// # Examples
    ///
    /// ```
    /// let plan = ha_aws::iot::ProvisionPlan::new("arn:aws:lambda:eu-central-1:123456789012:function:auth")?;
    /// let steps = plan.steps();
    /// assert_eq!(steps[0].to_string(), "iot:DescribeEndpoint iot:Data-ATS");
    /// assert!(steps[1].to_string().starts_with("lambda:AddPermission"));
    /// # Ok::<(), ha_aws::ConfigError>(())
    /// ```
    pub fn steps(&self) -> Vec<ProvisionStep> {
        let mut steps = vec![
            ProvisionStep::DescribeEndpoint,
            self.add_permission(),
            ProvisionStep::CreateAuthorizer {
                name: self.authorizer_name.clone(),
                function_arn: self.function_arn.clone(),
            },
        ];
        if self.default_authorizer {
            steps.push(ProvisionStep::SetDefaultAuthorizer {
                name: self.authorizer_name.clone(),
            });
        }
        steps
    }

    /// Everything [`Provisioner::remove`] may do, in order.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_aws::iot::{ProvisionPlan, Retention};
    /// let plan = ProvisionPlan::new("arn:aws:lambda:eu-central-1:123456789012:function:auth")?;
    /// assert!(plan.removal_steps().is_empty(), "retained");
    /// assert_eq!(plan.with_retention(Retention::Delete).removal_steps().len(), 4);
    /// # Ok::<(), ha_aws::ConfigError>(())
    /// ```
    pub fn removal_steps(&self) -> Vec<ProvisionStep> {
        if self.retention == Retention::Retain {
            return Vec::new();
        }
        let name = self.authorizer_name.clone();
        vec![
            ProvisionStep::ClearDefaultAuthorizer { name: name.clone() },
            ProvisionStep::DeactivateAuthorizer { name: name.clone() },
            ProvisionStep::DeleteAuthorizer { name },
            ProvisionStep::RemovePermission {
                function_arn: self.function_arn.clone(),
                statement_id: self.statement_id(),
            },
        ]
    }

    fn add_permission(&self) -> ProvisionStep {
        ProvisionStep::AddPermission {
            function_arn: self.function_arn.clone(),
            statement_id: self.statement_id(),
            source_arn: self.authorizer_arn(),
        }
    }
}

/// One change provisioning makes (or, in a dry run, would make).
///
/// # Examples
///
/// See [`ProvisionPlan::steps`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProvisionStep {
    /// Find the `iot:Data-ATS` endpoint.
    DescribeEndpoint,
    /// Let `iot.amazonaws.com` invoke the function, only for the authorizer `source_arn`.
    AddPermission {
        /// The function.
        function_arn: String,
        /// The statement's id.
        statement_id: String,
        /// The authorizer's ARN.
        source_arn: String,
    },
    /// Replace a permission statement that no longer matches the plan.
    RemovePermission {
        /// The function.
        function_arn: String,
        /// The statement's id.
        statement_id: String,
    },
    /// Create the authorizer: signing disabled, active.
    CreateAuthorizer {
        /// Its name.
        name: String,
        /// Its function.
        function_arn: String,
    },
    /// Point an existing authorizer at the function and activate it.
    UpdateAuthorizer {
        /// Its name.
        name: String,
        /// Its function.
        function_arn: String,
    },
    /// Make the authorizer the account's default.
    SetDefaultAuthorizer {
        /// Its name.
        name: String,
    },
    /// Stop the authorizer being the account's default.
    ClearDefaultAuthorizer {
        /// Its name.
        name: String,
    },
    /// Set the authorizer inactive (AWS deletes only inactive authorizers).
    DeactivateAuthorizer {
        /// Its name.
        name: String,
    },
    /// Delete the authorizer.
    DeleteAuthorizer {
        /// Its name.
        name: String,
    },
}

impl fmt::Display for ProvisionStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::DescribeEndpoint => f.write_str("iot:DescribeEndpoint iot:Data-ATS"),
            Self::AddPermission {
                function_arn,
                statement_id,
                source_arn,
            } => write!(
                f,
                "lambda:AddPermission {function_arn} {statement_id}: lambda:InvokeFunction for {IOT_PRINCIPAL} from {source_arn}"
            ),
            Self::RemovePermission {
                function_arn,
                statement_id,
            } => write!(f, "lambda:RemovePermission {function_arn} {statement_id}"),
            Self::CreateAuthorizer { name, function_arn } => write!(
                f,
                "iot:CreateAuthorizer {name} -> {function_arn} (signing disabled, ACTIVE)"
            ),
            Self::UpdateAuthorizer { name, function_arn } => {
                write!(f, "iot:UpdateAuthorizer {name} -> {function_arn} (ACTIVE)")
            }
            Self::SetDefaultAuthorizer { name } => write!(f, "iot:SetDefaultAuthorizer {name}"),
            Self::ClearDefaultAuthorizer { name } => {
                write!(f, "iot:ClearDefaultAuthorizer (was {name})")
            }
            Self::DeactivateAuthorizer { name } => {
                write!(f, "iot:UpdateAuthorizer {name} (INACTIVE)")
            }
            Self::DeleteAuthorizer { name } => write!(f, "iot:DeleteAuthorizer {name}"),
        }
    }
}

/// What [`Provisioner::apply`] found and did.
///
/// # Examples
///
/// See [`Provisioner`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provisioned {
    endpoint: String,
    authorizer_name: String,
    authorizer_arn: String,
    changes: Vec<ProvisionStep>,
}

impl Provisioned {
    /// The `iot:Data-ATS` endpoint devices connect to (port 443, ALPN `mqtt`).
    ///
    /// # Examples
    ///
    /// See [`Provisioner`].
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The authorizer's name.
    ///
    /// # Examples
    ///
    /// See [`Provisioner`].
    pub fn authorizer_name(&self) -> &str {
        &self.authorizer_name
    }

    /// The authorizer's ARN.
    ///
    /// # Examples
    ///
    /// See [`Provisioner`].
    pub fn authorizer_arn(&self) -> &str {
        &self.authorizer_arn
    }

    /// The changes made (empty when everything was already in place).
    ///
    /// # Examples
    ///
    /// See [`Provisioner`].
    pub fn changes(&self) -> &[ProvisionStep] {
        &self.changes
    }

    /// The set-up of one device with `password`, for its Backlog.
    ///
    /// # Examples
    ///
    /// See [`DeviceSetup`].
    #[cfg(feature = "tasmota")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tasmota")))]
    pub fn device(&self, user: &str, password: super::Password) -> DeviceSetup {
        DeviceSetup::new(&self.endpoint, &self.authorizer_name, user, password)
    }
}

/// Provisions the custom authorizer with the IoT and Lambda APIs.
///
/// [`apply`](Self::apply) reads before it writes and changes only what differs, so running it
/// again changes nothing; [`remove`](Self::remove) undoes it when the plan says
/// [`Retention::Delete`].
///
/// # Examples
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use ha_aws::emulator::Emulator;
/// use ha_aws::iot::{ProvisionPlan, Provisioner};
///
/// let emulator = Emulator::start().await;
/// let provisioner = Provisioner::new(&emulator.session().await);
/// let plan = ProvisionPlan::new("arn:aws:lambda:us-east-1:123456789012:function:TasmotaAuth")?;
/// let first = provisioner.apply(&plan).await?;
/// assert!(first.endpoint().ends_with("-ats.iot.us-east-1.amazonaws.com"));
/// assert_eq!(first.changes().len(), 2, "permission and authorizer");
/// assert!(provisioner.apply(&plan).await?.changes().is_empty(), "idempotent");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct Provisioner {
    iot: aws_sdk_iot::Client,
    lambda: aws_sdk_lambda::Client,
}

impl Provisioner {
    /// A provisioner with the session's credentials, region and client options.
    ///
    /// # Examples
    ///
    /// See [`Provisioner`].
    pub fn new(session: &Session) -> Self {
        Self {
            iot: aws_sdk_iot::Client::new(session.sdk_config()),
            lambda: aws_sdk_lambda::Client::new(session.sdk_config()),
        }
    }

    /// Provisions `plan`: finds the endpoint, adds the Lambda permission, creates or updates
    /// the authorizer, and sets the default authorizer if asked.
    ///
    /// # Errors
    ///
    /// [`Error::Service`] naming the operation that failed; what was done before stays done,
    /// and running again resumes.
    ///
    /// # Examples
    ///
    /// See [`Provisioner`].
    pub async fn apply(&self, plan: &ProvisionPlan) -> Result<Provisioned, Error> {
        let endpoint = self.endpoint().await?;
        let mut changes = Vec::new();
        self.ensure_permission(plan, &mut changes).await?;
        let authorizer_arn = self.ensure_authorizer(plan, &mut changes).await?;
        if plan.default_authorizer {
            self.ensure_default(plan, &mut changes).await?;
        }
        Ok(Provisioned {
            endpoint,
            authorizer_name: plan.authorizer_name.clone(),
            authorizer_arn,
            changes,
        })
    }

    /// Removes what `plan` provisioned, when its retention is [`Retention::Delete`]; with
    /// [`Retention::Retain`] it changes nothing. Missing pieces are skipped, so it can run again.
    ///
    /// # Errors
    ///
    /// [`Error::Service`] naming the operation that failed.
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use ha_aws::emulator::Emulator;
    /// use ha_aws::iot::{ProvisionPlan, Provisioner, Retention};
    ///
    /// let emulator = Emulator::start().await;
    /// let provisioner = Provisioner::new(&emulator.session().await);
    /// let plan = ProvisionPlan::new("arn:aws:lambda:us-east-1:123456789012:function:TasmotaAuth")?
    ///     .with_retention(Retention::Delete);
    /// provisioner.apply(&plan).await?;
    /// assert_eq!(provisioner.remove(&plan).await?.len(), 3, "deactivate, delete, permission");
    /// assert!(provisioner.remove(&plan).await?.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub async fn remove(&self, plan: &ProvisionPlan) -> Result<Vec<ProvisionStep>, Error> {
        let mut changes = Vec::new();
        if plan.retention == Retention::Retain {
            return Ok(changes);
        }
        let name = plan.authorizer_name.as_str();
        let default = self
            .iot
            .describe_default_authorizer()
            .send()
            .await
            .map(|output| {
                output
                    .authorizer_description()
                    .and_then(|d| d.authorizer_name())
                    == Some(name)
            })
            .or_else(|error| {
                not_found_as(
                    from_sdk(error, Operation::IOT_DESCRIBE_DEFAULT_AUTHORIZER, None),
                    false,
                )
            })?;
        if default {
            self.iot
                .clear_default_authorizer()
                .send()
                .await
                .map_err(|e| from_sdk(e, Operation::IOT_CLEAR_DEFAULT_AUTHORIZER, Some(name)))?;
            changes.push(ProvisionStep::ClearDefaultAuthorizer {
                name: name.to_owned(),
            });
        }
        if let Some(description) = self.describe_authorizer(name).await? {
            if description.status() != Some(&AuthorizerStatus::Inactive) {
                self.iot
                    .update_authorizer()
                    .authorizer_name(name)
                    .status(AuthorizerStatus::Inactive)
                    .send()
                    .await
                    .map_err(|e| from_sdk(e, Operation::IOT_UPDATE_AUTHORIZER, Some(name)))?;
                changes.push(ProvisionStep::DeactivateAuthorizer {
                    name: name.to_owned(),
                });
            }
            self.iot
                .delete_authorizer()
                .authorizer_name(name)
                .send()
                .await
                .map_err(|e| from_sdk(e, Operation::IOT_DELETE_AUTHORIZER, Some(name)))?;
            changes.push(ProvisionStep::DeleteAuthorizer {
                name: name.to_owned(),
            });
        }
        let statement_id = plan.statement_id();
        let grant = InvokeGrant {
            function_arn: &plan.function_arn,
            statement_id: &statement_id,
            source_arn: &plan.authorizer_arn(),
            account: plan.account.account(),
        };
        if grant.remove(&self.lambda).await? {
            changes.push(ProvisionStep::RemovePermission {
                function_arn: plan.function_arn.clone(),
                statement_id,
            });
        }
        Ok(changes)
    }

    /// The account's `iot:Data-ATS` endpoint (read only; what a dry run shows).
    ///
    /// # Errors
    ///
    /// [`Error::Service`] when DescribeEndpoint fails.
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let emulator = ha_aws::emulator::Emulator::start().await;
    /// let provisioner = ha_aws::iot::Provisioner::new(&emulator.session().await);
    /// assert_eq!(provisioner.endpoint().await?, ha_aws::emulator::IOT_DATA_ATS_ENDPOINT);
    /// # Ok::<(), ha_aws::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn endpoint(&self) -> Result<String, Error> {
        let output = self
            .iot
            .describe_endpoint()
            .endpoint_type("iot:Data-ATS")
            .send()
            .await
            .map_err(|e| from_sdk(e, Operation::IOT_DESCRIBE_ENDPOINT, None))?;
        output.endpoint_address.ok_or_else(|| {
            crate::error::ServiceError::new(
                Operation::IOT_DESCRIBE_ENDPOINT,
                None,
                ErrorKind::Response,
            )
            .with_code(None, Some("no endpointAddress in the reply"))
            .into()
        })
    }

    /// Adds the permission, or replaces a statement of the same id that grants something else.
    async fn ensure_permission(
        &self,
        plan: &ProvisionPlan,
        changes: &mut Vec<ProvisionStep>,
    ) -> Result<(), Error> {
        let grant = InvokeGrant {
            function_arn: &plan.function_arn,
            statement_id: &plan.statement_id(),
            source_arn: &plan.authorizer_arn(),
            account: plan.account.account(),
        };
        changes.extend(grant.ensure(&self.lambda).await?);
        Ok(())
    }

    async fn describe_authorizer(
        &self,
        name: &str,
    ) -> Result<Option<aws_sdk_iot::types::AuthorizerDescription>, Error> {
        match self
            .iot
            .describe_authorizer()
            .authorizer_name(name)
            .send()
            .await
        {
            Ok(output) => Ok(output.authorizer_description),
            Err(error) => not_found_as(
                from_sdk(error, Operation::IOT_DESCRIBE_AUTHORIZER, Some(name)),
                None,
            ),
        }
    }

    /// Creates the authorizer, or updates it when its function or status differ; its ARN.
    async fn ensure_authorizer(
        &self,
        plan: &ProvisionPlan,
        changes: &mut Vec<ProvisionStep>,
    ) -> Result<String, Error> {
        let name = plan.authorizer_name.as_str();
        let function_arn = plan.function_arn.as_str();
        let Some(existing) = self.describe_authorizer(name).await? else {
            let output = self
                .iot
                .create_authorizer()
                .authorizer_name(name)
                .authorizer_function_arn(function_arn)
                .signing_disabled(true)
                .status(AuthorizerStatus::Active)
                .send()
                .await
                .map_err(|e| from_sdk(e, Operation::IOT_CREATE_AUTHORIZER, Some(name)))?;
            changes.push(ProvisionStep::CreateAuthorizer {
                name: name.to_owned(),
                function_arn: function_arn.to_owned(),
            });
            return Ok(output
                .authorizer_arn
                .unwrap_or_else(|| plan.authorizer_arn()));
        };
        if existing.signing_disabled() != Some(true) {
            // AWS cannot change signingDisabled after creation
            return Err(ConfigError::SigningEnabled {
                name: name.to_owned(),
            }
            .into());
        }
        if existing.authorizer_function_arn() != Some(function_arn)
            || existing.status() != Some(&AuthorizerStatus::Active)
        {
            self.iot
                .update_authorizer()
                .authorizer_name(name)
                .authorizer_function_arn(function_arn)
                .status(AuthorizerStatus::Active)
                .send()
                .await
                .map_err(|e| from_sdk(e, Operation::IOT_UPDATE_AUTHORIZER, Some(name)))?;
            changes.push(ProvisionStep::UpdateAuthorizer {
                name: name.to_owned(),
                function_arn: function_arn.to_owned(),
            });
        }
        Ok(existing
            .authorizer_arn
            .unwrap_or_else(|| plan.authorizer_arn()))
    }

    async fn ensure_default(
        &self,
        plan: &ProvisionPlan,
        changes: &mut Vec<ProvisionStep>,
    ) -> Result<(), Error> {
        let name = plan.authorizer_name.as_str();
        let current = match self.iot.describe_default_authorizer().send().await {
            Ok(output) => output
                .authorizer_description
                .and_then(|d| d.authorizer_name),
            Err(error) => not_found_as(
                from_sdk(error, Operation::IOT_DESCRIBE_DEFAULT_AUTHORIZER, None),
                None,
            )?,
        };
        if current.as_deref() == Some(name) {
            return Ok(());
        }
        self.iot
            .set_default_authorizer()
            .authorizer_name(name)
            .send()
            .await
            .map_err(|e| from_sdk(e, Operation::IOT_SET_DEFAULT_AUTHORIZER, Some(name)))?;
        changes.push(ProvisionStep::SetDefaultAuthorizer {
            name: name.to_owned(),
        });
        Ok(())
    }
}

/// `Ok(value)` for a not-found error, the error otherwise.
/// Lambda's permission for AWS IoT Core to invoke a function from one source (an authorizer,
/// a topic rule), in one statement.
pub(crate) struct InvokeGrant<'a> {
    pub(crate) function_arn: &'a str,
    pub(crate) statement_id: &'a str,
    pub(crate) source_arn: &'a str,
    pub(crate) account: &'a str,
}

impl InvokeGrant<'_> {
    /// The function's statement of this id, if present.
    async fn statement(&self, lambda: &aws_sdk_lambda::Client) -> Result<Option<Value>, Error> {
        let function = self.function_arn;
        let policy = match lambda.get_policy().function_name(function).send().await {
            Ok(output) => output.policy.unwrap_or_default(),
            Err(error) => {
                return not_found_as(
                    from_sdk(error, Operation::LAMBDA_GET_POLICY, Some(function)),
                    None,
                );
            }
        };
        let policy: Value = serde_json::from_str(&policy).unwrap_or_default();
        Ok(policy["Statement"]
            .as_array()
            .and_then(|statements| {
                statements
                    .iter()
                    .find(|statement| statement["Sid"] == self.statement_id)
            })
            .cloned())
    }

    /// Adds the statement, or replaces a statement of the same id that grants something
    /// else; the changes made.
    pub(crate) async fn ensure(
        &self,
        lambda: &aws_sdk_lambda::Client,
    ) -> Result<Vec<ProvisionStep>, Error> {
        let mut changes = Vec::new();
        let function = self.function_arn;
        if let Some(statement) = self.statement(lambda).await? {
            let condition = &statement["Condition"];
            let matches = statement["Principal"]["Service"] == IOT_PRINCIPAL
                && statement["Action"] == "lambda:InvokeFunction"
                && condition["ArnLike"]["AWS:SourceArn"] == self.source_arn
                && condition["StringEquals"]["AWS:SourceAccount"] == self.account;
            if matches {
                return Ok(changes);
            }
            self.delete(lambda).await?;
            changes.push(ProvisionStep::RemovePermission {
                function_arn: function.to_owned(),
                statement_id: self.statement_id.to_owned(),
            });
        }
        lambda
            .add_permission()
            .function_name(function)
            .statement_id(self.statement_id)
            .action("lambda:InvokeFunction")
            .principal(IOT_PRINCIPAL)
            .source_arn(self.source_arn)
            .source_account(self.account)
            .send()
            .await
            .map_err(|e| from_sdk(e, Operation::LAMBDA_ADD_PERMISSION, Some(function)))?;
        changes.push(ProvisionStep::AddPermission {
            function_arn: function.to_owned(),
            statement_id: self.statement_id.to_owned(),
            source_arn: self.source_arn.to_owned(),
        });
        Ok(changes)
    }

    /// Removes the statement when present; whether it was.
    pub(crate) async fn remove(&self, lambda: &aws_sdk_lambda::Client) -> Result<bool, Error> {
        if self.statement(lambda).await?.is_none() {
            return Ok(false);
        }
        self.delete(lambda).await?;
        Ok(true)
    }

    async fn delete(&self, lambda: &aws_sdk_lambda::Client) -> Result<(), Error> {
        let function = self.function_arn;
        lambda
            .remove_permission()
            .function_name(function)
            .statement_id(self.statement_id)
            .send()
            .await
            .map_err(|e| from_sdk(e, Operation::LAMBDA_REMOVE_PERMISSION, Some(function)))?;
        Ok(())
    }
}

fn not_found_as<T>(error: crate::error::ServiceError, value: T) -> Result<T, Error> {
    if error.kind() == ErrorKind::NotFound {
        Ok(value)
    } else {
        Err(error.into())
    }
}

/// One device's AWS IoT set-up: its Backlog, with its own user name and password.
///
/// # Examples
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use ha_aws::emulator::Emulator;
/// use ha_aws::iot::{DeviceKey, ProvisionPlan, Provisioner};
///
/// let emulator = Emulator::start().await;
/// let plan = ProvisionPlan::new("arn:aws:lambda:us-east-1:123456789012:function:TasmotaAuth")?;
/// let provisioned = Provisioner::new(&emulator.session().await).apply(&plan).await?;
/// let key = DeviceKey::new([7; 32])?;
/// let kitchen = provisioned.device("kitchen", key.password("kitchen"));
/// let backlog = kitchen.backlog()?;
/// assert!(backlog.starts_with("SetOption3 1;SetOption103 1;MqttHost "));
/// assert!(backlog.contains(";MqttUser kitchen?x-amz-customauthorizer-name=TasmotaAuth;"));
/// assert!(!format!("{kitchen:?}").contains(key.password("kitchen").expose()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[cfg(feature = "tasmota")]
#[cfg_attr(docsrs, doc(cfg(feature = "tasmota")))]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceSetup {
    endpoint: String,
    authorizer: String,
    user: String,
    password: super::Password,
}

#[cfg(feature = "tasmota")]
impl DeviceSetup {
    /// The set-up of the device `user` connecting to `endpoint` through the authorizer
    /// `authorizer` with `password` (see also [`Provisioned::device`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_aws::iot::{DeviceSetup, Password};
    /// let setup = DeviceSetup::new("a1b2-ats.iot.eu-central-1.amazonaws.com", "TasmotaAuth", "kitchen", Password::new("hunter22"));
    /// assert_eq!(setup.mqtt_user(), "kitchen?x-amz-customauthorizer-name=TasmotaAuth");
    /// ```
    pub fn new(endpoint: &str, authorizer: &str, user: &str, password: super::Password) -> Self {
        Self {
            endpoint: endpoint.to_owned(),
            authorizer: authorizer.to_owned(),
            user: user.to_owned(),
            password,
        }
    }

    /// The endpoint the device connects to.
    ///
    /// # Examples
    ///
    /// See [`DeviceSetup`].
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The MQTT user name the device sends.
    ///
    /// # Examples
    ///
    /// See [`DeviceSetup`].
    pub fn mqtt_user(&self) -> String {
        format!(
            "{}?x-amz-customauthorizer-name={}",
            self.user, self.authorizer
        )
    }

    /// The device's password.
    ///
    /// # Examples
    ///
    /// See [`DeviceSetup`].
    pub fn password(&self) -> &super::Password {
        &self.password
    }

    /// The Backlog payload (`SetOption3 1;SetOption103 1;MqttHost …;MqttPort 443;MqttUser
    /// …;MqttPassword …`), encoded and checked by tasmota-proto's `AwsIotSetup`. It contains
    /// the password: hand it to the device only.
    ///
    /// # Errors
    ///
    /// tasmota-proto's `CommandError` when a value is unfit for the firmware.
    ///
    /// # Examples
    ///
    /// See [`DeviceSetup`].
    pub fn backlog(&self) -> Result<String, tasmota_proto::CommandError> {
        let setup = tasmota_proto::AwsIotSetup::new(
            &self.endpoint,
            &self.user,
            &self.authorizer,
            tasmota_proto::Secret::new(self.password.expose()),
        )?;
        Ok(setup.backlog()?.payload().to_owned())
    }
}
