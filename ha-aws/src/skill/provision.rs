//! What the skill needs in the account: a thing per device, the mirroring rules, Lambda's
//! permission for each rule, and the IAM policy of the function's role.

use serde_json::json;

use super::mirror::{Kind, rule_sql};
use super::store::TOKEN_SHADOW;
use super::{KIND_ATTRIBUTE, KIND_VALUE, MIRROR_SHADOW};
use crate::error::{Error, from_sdk};
use crate::iot::{InvokeGrant, IotAccount, ProvisionStep};
use crate::service::Operation;
use crate::session::Session;

/// Creates or updates the skill's things and rules; reads before it writes, so running it
/// again changes nothing.
///
/// # Examples
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use ha_aws::iot::IotAccount;
/// use ha_aws::skill::SkillProvisioner;
///
/// let emulator = ha_aws::emulator::Emulator::start().await;
/// let account = IotAccount::new(ha_aws::emulator::REGION, ha_aws::emulator::ACCOUNT_ID)?;
/// let provisioner = SkillProvisioner::new(&emulator.session().await, account);
/// let function = "arn:aws:lambda:us-east-1:123456789012:function:tasmota-alexa-skill";
/// let first = provisioner.apply(function, "skill-tokens", &["plug", "lamp"]).await?;
/// assert_eq!(first.things_created(), ["plug", "lamp", "skill-tokens"]);
/// assert_eq!(first.rules().len(), 6);
/// let again = provisioner.apply(function, "skill-tokens", &["plug", "lamp"]).await?;
/// assert!(again.is_unchanged());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct SkillProvisioner {
    iot: aws_sdk_iot::Client,
    lambda: aws_sdk_lambda::Client,
    account: IotAccount,
}

/// What [`SkillProvisioner::apply`] changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SkillProvisioned {
    things_created: Vec<String>,
    things_marked: Vec<String>,
    rules: Vec<String>,
    rules_changed: Vec<String>,
    permissions: Vec<ProvisionStep>,
}

impl SkillProvisioned {
    /// The things created.
    pub fn things_created(&self) -> &[String] {
        &self.things_created
    }

    /// Existing things given the `kind=tasmota` attribute.
    pub fn things_marked(&self) -> &[String] {
        &self.things_marked
    }

    /// The names of the mirroring rules, one per [`Kind`].
    pub fn rules(&self) -> &[String] {
        &self.rules
    }

    /// The rules created or replaced.
    pub fn rules_changed(&self) -> &[String] {
        &self.rules_changed
    }

    /// The Lambda permissions added or replaced.
    pub fn permissions(&self) -> &[ProvisionStep] {
        &self.permissions
    }

    /// Whether nothing had to change.
    pub fn is_unchanged(&self) -> bool {
        self.things_created.is_empty()
            && self.things_marked.is_empty()
            && self.rules_changed.is_empty()
            && self.permissions.is_empty()
    }

    /// One line per change, for logs and the demo's summary.
    pub fn changes(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .things_created
            .iter()
            .map(|t| format!("iot:CreateThing {t}"))
            .collect();
        lines.extend(
            self.things_marked
                .iter()
                .map(|t| format!("iot:UpdateThing {t} ({KIND_ATTRIBUTE}={KIND_VALUE})")),
        );
        lines.extend(
            self.rules_changed
                .iter()
                .map(|r| format!("iot:CreateTopicRule {r}")),
        );
        lines.extend(self.permissions.iter().map(ToString::to_string));
        lines
    }
}

/// The name of the rule mirroring `kind`.
pub fn rule_name(kind: Kind) -> String {
    format!("tasmota_mirror_{}", kind.key())
}

impl SkillProvisioner {
    /// A provisioner on `session`'s account `account`.
    pub fn new(session: &Session, account: IotAccount) -> Self {
        Self {
            iot: aws_sdk_iot::Client::new(session.sdk_config()),
            lambda: aws_sdk_lambda::Client::new(session.sdk_config()),
            account,
        }
    }

    /// Registers a thing per device (named by its Tasmota topic) and the thing holding the
    /// skill's tokens (`token_thing`), creates the six mirroring rules invoking
    /// `function_arn`, and lets each rule (and only it) invoke the function.
    ///
    /// # Errors
    ///
    /// [`Error::Service`] for the first AWS call that fails (what came before it stays).
    pub async fn apply(
        &self,
        function_arn: &str,
        token_thing: &str,
        devices: &[&str],
    ) -> Result<SkillProvisioned, Error> {
        let mut done = SkillProvisioned::default();
        for device in devices {
            self.ensure_thing(device, true, &mut done).await?;
        }
        self.ensure_thing(token_thing, false, &mut done).await?;
        for kind in Kind::ALL {
            let name = rule_name(kind);
            Box::pin(self.ensure_rule(&name, &rule_sql(kind), function_arn, &mut done)).await?;
            let source_arn = self.account.arn(&format!("rule/{name}"));
            let grant = InvokeGrant {
                function_arn,
                statement_id: &format!("iot-rule-{name}"),
                source_arn: &source_arn,
                account: self.account.account(),
            };
            done.permissions.extend(grant.ensure(&self.lambda).await?);
            done.rules.push(name);
        }
        Ok(done)
    }

    async fn ensure_thing(
        &self,
        name: &str,
        device: bool,
        done: &mut SkillProvisioned,
    ) -> Result<(), Error> {
        match self.iot.describe_thing().thing_name(name).send().await {
            Ok(_) if !device => Ok(()),
            Ok(thing) => {
                let marked = thing
                    .attributes()
                    .and_then(|a| a.get(KIND_ATTRIBUTE))
                    .is_some_and(|v| v == KIND_VALUE);
                if !marked {
                    self.iot
                        .update_thing()
                        .thing_name(name)
                        .attribute_payload(
                            aws_sdk_iot::types::AttributePayload::builder()
                                .attributes(KIND_ATTRIBUTE, KIND_VALUE)
                                .merge(true)
                                .build(),
                        )
                        .send()
                        .await
                        .map_err(|e| from_sdk(e, Operation::IOT_UPDATE_THING, Some(name)))?;
                    done.things_marked.push(name.to_owned());
                }
                Ok(())
            }
            Err(e) => {
                let error = from_sdk(e, Operation::IOT_DESCRIBE_THING, Some(name));
                if error.kind() != crate::ErrorKind::NotFound {
                    return Err(error.into());
                }
                let mut create = self.iot.create_thing().thing_name(name);
                if device {
                    create = create.attribute_payload(
                        aws_sdk_iot::types::AttributePayload::builder()
                            .attributes(KIND_ATTRIBUTE, KIND_VALUE)
                            .build(),
                    );
                }
                create
                    .send()
                    .await
                    .map_err(|e| from_sdk(e, Operation::IOT_CREATE_THING, Some(name)))?;
                done.things_created.push(name.to_owned());
                Ok(())
            }
        }
    }

    async fn ensure_rule(
        &self,
        name: &str,
        sql: &str,
        function_arn: &str,
        done: &mut SkillProvisioned,
    ) -> Result<(), Error> {
        let payload = aws_sdk_iot::types::TopicRulePayload::builder()
            .sql(sql)
            .description("Mirrors Tasmota messages into the device's shadow for the Alexa skill")
            .aws_iot_sql_version("2016-03-23")
            .rule_disabled(false)
            .actions(
                aws_sdk_iot::types::Action::builder()
                    .lambda(
                        aws_sdk_iot::types::LambdaAction::builder()
                            .function_arn(function_arn)
                            .build()
                            .map_err(|_| crate::ConfigError::Empty {
                                what: "the rule's function ARN",
                            })?,
                    )
                    .build(),
            )
            .build()
            .map_err(|_| crate::ConfigError::Empty {
                what: "the rule's function ARN",
            })?;
        let existing = match self.iot.get_topic_rule().rule_name(name).send().await {
            Ok(output) => output.rule,
            Err(e) => {
                let error = from_sdk(e, Operation::IOT_GET_TOPIC_RULE, Some(name));
                // AWS answers a missing rule with UnauthorizedException (401).
                if !matches!(
                    error.kind(),
                    crate::ErrorKind::NotFound | crate::ErrorKind::Auth
                ) {
                    return Err(error.into());
                }
                None
            }
        };
        if let Some(rule) = existing {
            let same = rule.sql() == Some(sql)
                && rule.rule_disabled() != Some(true)
                && rule.actions().len() == 1
                && rule.actions()[0]
                    .lambda()
                    .map(aws_sdk_iot::types::LambdaAction::function_arn)
                    == Some(function_arn);
            if !same {
                self.iot
                    .replace_topic_rule()
                    .rule_name(name)
                    .topic_rule_payload(payload)
                    .send()
                    .await
                    .map_err(|e| from_sdk(e, Operation::IOT_REPLACE_TOPIC_RULE, Some(name)))?;
                done.rules_changed.push(name.to_owned());
            }
        } else {
            self.iot
                .create_topic_rule()
                .rule_name(name)
                .topic_rule_payload(payload)
                .send()
                .await
                .map_err(|e| from_sdk(e, Operation::IOT_CREATE_TOPIC_RULE, Some(name)))?;
            done.rules_changed.push(name.to_owned());
        }
        Ok(())
    }

    /// The IAM policy of the skill function's role, least privilege: the mirror shadow of
    /// the account's things, the token shadow of `token_thing` only, `cmnd/` topics only,
    /// reading the registry, updating thing attributes, and invoking itself (its follow-ups).
    pub fn role_policy(&self, function_arn: &str, token_thing: &str) -> String {
        let arn = |resource: &str| self.account.arn(resource);
        json!({
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "MirrorShadows",
                    "Effect": "Allow",
                    "Action": ["iot:GetThingShadow", "iot:UpdateThingShadow"],
                    "Resource": arn("thing/*"),
                    "Condition": { "StringEquals": { "iot:ShadowName": [MIRROR_SHADOW] } }
                },
                {
                    "Sid": "TokenShadow",
                    "Effect": "Allow",
                    "Action": ["iot:GetThingShadow", "iot:UpdateThingShadow"],
                    "Resource": arn(&format!("thing/{token_thing}")),
                    "Condition": { "StringEquals": { "iot:ShadowName": [TOKEN_SHADOW] } }
                },
                {
                    "Sid": "Commands",
                    "Effect": "Allow",
                    "Action": "iot:Publish",
                    "Resource": arn("topic/cmnd/*")
                },
                {
                    "Sid": "Registry",
                    "Effect": "Allow",
                    "Action": ["iot:ListThings", "iot:DescribeThing", "iot:UpdateThing"],
                    "Resource": "*"
                },
                {
                    "Sid": "FollowUps",
                    "Effect": "Allow",
                    "Action": "lambda:InvokeFunction",
                    "Resource": function_arn
                }
            ]
        })
        .to_string()
    }
}
