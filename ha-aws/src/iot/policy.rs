//! AWS IoT policy documents, as the authorizer returns them, and their evaluation for the
//! actions a device takes.

use serde::Serialize;

/// The longest policy document AWS IoT Core takes from a custom authorizer, in characters.
pub const MAX_POLICY_LEN: usize = 2048;

/// An AWS IoT action a policy grants.
///
/// # Examples
///
/// ```
/// assert_eq!(ha_aws::iot::Action::RetainPublish.as_str(), "iot:RetainPublish");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub enum Action {
    /// `iot:Connect`, on `client/<client id>`.
    #[serde(rename = "iot:Connect")]
    Connect,
    /// `iot:Publish`, on `topic/<topic>`.
    #[serde(rename = "iot:Publish")]
    Publish,
    /// `iot:RetainPublish` (publishing with RETAIN also needs `iot:Publish`), on `topic/<topic>`.
    #[serde(rename = "iot:RetainPublish")]
    RetainPublish,
    /// `iot:Subscribe`, on `topicfilter/<filter>`.
    #[serde(rename = "iot:Subscribe")]
    Subscribe,
    /// `iot:Receive`, on `topic/<topic>`.
    #[serde(rename = "iot:Receive")]
    Receive,
}

impl Action {
    /// The action's name in a policy.
    ///
    /// # Examples
    ///
    /// See [`Action`].
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Connect => "iot:Connect",
            Self::Publish => "iot:Publish",
            Self::RetainPublish => "iot:RetainPublish",
            Self::Subscribe => "iot:Subscribe",
            Self::Receive => "iot:Receive",
        }
    }
}

/// One `Allow` statement: actions on resources (ARNs, where `*` and `?` are wildcards).
///
/// # Examples
///
/// ```
/// use ha_aws::iot::{Action, Statement};
///
/// let statement = Statement::allow([Action::Receive], ["arn:aws:iot:eu-central-1:123456789012:topic/cmnd/kitchen/*"]);
/// assert!(statement.allows(Action::Receive, "arn:aws:iot:eu-central-1:123456789012:topic/cmnd/kitchen/POWER"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Statement {
    effect: &'static str,
    action: Vec<Action>,
    resource: Vec<String>,
}

impl Statement {
    /// Allows `actions` on `resources`.
    ///
    /// # Examples
    ///
    /// See [`Statement`].
    pub fn allow(
        actions: impl IntoIterator<Item = Action>,
        resources: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        Self {
            effect: "Allow",
            action: actions.into_iter().collect(),
            resource: resources.into_iter().map(Into::into).collect(),
        }
    }

    /// Whether this statement allows `action` on the resource ARN `resource`.
    ///
    /// # Examples
    ///
    /// See [`Statement`].
    pub fn allows(&self, action: Action, resource: &str) -> bool {
        self.action.contains(&action)
            && self
                .resource
                .iter()
                .any(|pattern| wildcard_match(pattern.as_bytes(), resource.as_bytes()))
    }

    /// The resources.
    ///
    /// # Examples
    ///
    /// ```
    /// let statement = ha_aws::iot::Statement::allow([ha_aws::iot::Action::Connect], ["arn:aws:iot:eu-central-1:123456789012:client/a"]);
    /// assert_eq!(statement.resources().len(), 1);
    /// ```
    pub fn resources(&self) -> &[String] {
        &self.resource
    }
}

/// An IoT policy document (`Version` 2012-10-17).
///
/// # Examples
///
/// ```
/// use ha_aws::iot::{Action, PolicyDocument, Statement};
///
/// let document = PolicyDocument::new(vec![Statement::allow([Action::Connect], ["arn:aws:iot:eu-central-1:123456789012:client/a"])]);
/// assert!(serde_json::to_string(&document)?.starts_with(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow""#));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyDocument {
    version: &'static str,
    statement: Vec<Statement>,
}

impl PolicyDocument {
    /// A document of `statements`.
    ///
    /// # Examples
    ///
    /// See [`PolicyDocument`].
    pub fn new(statements: Vec<Statement>) -> Self {
        Self {
            version: "2012-10-17",
            statement: statements,
        }
    }

    /// The statements.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(ha_aws::iot::PolicyDocument::new(Vec::new()).statements().is_empty());
    /// ```
    pub fn statements(&self) -> &[Statement] {
        &self.statement
    }
}

/// What one device may do: the policy the authorizer returns for it, with the IoT resource
/// prefix of its account, so the front (or a test) can evaluate it for topics and client ids.
///
/// # Examples
///
/// ```
/// use ha_aws::iot::{Action, IotAccount, Policy, Statement};
///
/// let account = IotAccount::new("eu-central-1", "123456789012")?;
/// let policy = Policy::new(&account, vec![Statement::allow([Action::Publish], [account.arn("topic/stat/kitchen/*")])]);
/// assert!(policy.allows_publish("stat/kitchen/POWER"));
/// assert!(!policy.allows_publish("stat/garage/POWER"));
/// assert!(!policy.allows_subscribe("stat/kitchen/#"));
/// # Ok::<(), ha_aws::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    prefix: String,
    document: PolicyDocument,
}

impl Policy {
    /// A policy of `statements` for resources of `account`.
    ///
    /// # Examples
    ///
    /// See [`Policy`].
    pub fn new(account: &super::IotAccount, statements: Vec<Statement>) -> Self {
        Self {
            prefix: account.arn(""),
            document: PolicyDocument::new(statements),
        }
    }

    /// The document.
    ///
    /// # Examples
    ///
    /// ```
    /// let account = ha_aws::iot::IotAccount::new("eu-central-1", "123456789012")?;
    /// assert!(ha_aws::iot::Policy::new(&account, Vec::new()).document().statements().is_empty());
    /// # Ok::<(), ha_aws::ConfigError>(())
    /// ```
    pub fn document(&self) -> &PolicyDocument {
        &self.document
    }

    /// The document as JSON.
    ///
    /// # Examples
    ///
    /// ```
    /// let account = ha_aws::iot::IotAccount::new("eu-central-1", "123456789012")?;
    /// assert_eq!(ha_aws::iot::Policy::new(&account, Vec::new()).to_json(), r#"{"Version":"2012-10-17","Statement":[]}"#);
    /// # Ok::<(), ha_aws::ConfigError>(())
    /// ```
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.document)
            .unwrap_or_else(|_| unreachable!("a policy document is plain strings"))
    }

    /// Whether `action` is allowed on the resource `resource` (`topic/…`, `client/…`).
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_aws::iot::{Action, IotAccount, Policy, Statement};
    /// let account = IotAccount::new("eu-central-1", "123456789012")?;
    /// let policy = Policy::new(&account, vec![Statement::allow([Action::Connect], [account.arn("client/DVES_1")])]);
    /// assert!(policy.allows(Action::Connect, "client/DVES_1"));
    /// # Ok::<(), ha_aws::ConfigError>(())
    /// ```
    pub fn allows(&self, action: Action, resource: &str) -> bool {
        let arn = format!("{}{resource}", self.prefix);
        self.document
            .statement
            .iter()
            .any(|statement| statement.allows(action, &arn))
    }

    /// Whether the device may connect with client id `client_id`.
    ///
    /// # Examples
    ///
    /// See [`Policy::allows`].
    pub fn allows_connect(&self, client_id: &str) -> bool {
        self.allows(Action::Connect, &format!("client/{client_id}"))
    }

    /// Whether the device may publish on `topic`.
    ///
    /// # Examples
    ///
    /// See [`Policy`].
    pub fn allows_publish(&self, topic: &str) -> bool {
        self.allows(Action::Publish, &format!("topic/{topic}"))
    }

    /// Whether the device may publish on `topic` with RETAIN (`iot:Publish` and
    /// `iot:RetainPublish`).
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_aws::iot::{Action, IotAccount, Policy, Statement};
    /// let account = IotAccount::new("eu-central-1", "123456789012")?;
    /// let policy = Policy::new(&account, vec![Statement::allow([Action::Publish], [account.arn("topic/tele/a/LWT")])]);
    /// assert!(policy.allows_publish("tele/a/LWT"));
    /// assert!(!policy.allows_retained_publish("tele/a/LWT"));
    /// # Ok::<(), ha_aws::ConfigError>(())
    /// ```
    pub fn allows_retained_publish(&self, topic: &str) -> bool {
        let resource = format!("topic/{topic}");
        self.allows(Action::Publish, &resource) && self.allows(Action::RetainPublish, &resource)
    }

    /// Whether the device may subscribe to the MQTT topic filter `filter`.
    ///
    /// # Examples
    ///
    /// See [`Policy`].
    pub fn allows_subscribe(&self, filter: &str) -> bool {
        self.allows(Action::Subscribe, &format!("topicfilter/{filter}"))
    }

    /// Whether the device may receive a message published on `topic`.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_aws::iot::{Action, IotAccount, Policy, Statement};
    /// let account = IotAccount::new("eu-central-1", "123456789012")?;
    /// let policy = Policy::new(&account, vec![Statement::allow([Action::Receive], [account.arn("topic/cmnd/a/*")])]);
    /// assert!(policy.allows_receive("cmnd/a/POWER"));
    /// # Ok::<(), ha_aws::ConfigError>(())
    /// ```
    pub fn allows_receive(&self, topic: &str) -> bool {
        self.allows(Action::Receive, &format!("topic/{topic}"))
    }
}

/// IoT policy resource matching: `*` matches any run of characters (`/` included), `?` any one
/// character. Iterative with one backtrack point, so linear in practice and never recursive.
fn wildcard_match(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == b'?' || c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((star_p, star_t)) => {
                    p = star_p + 1;
                    t = star_t + 1;
                    star = Some((star_p, star_t + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::wildcard_match;

    #[test]
    fn wildcards_match_as_iot_policies_do() {
        let m = |p: &str, t: &str| wildcard_match(p.as_bytes(), t.as_bytes());
        assert!(m("topic/stat/a/*", "topic/stat/a/POWER"));
        assert!(m("topic/stat/a/*", "topic/stat/a/x/y"));
        assert!(m("topic/stat/a/*", "topic/stat/a/"));
        assert!(!m("topic/stat/a/*", "topic/stat/a"));
        assert!(!m("topic/stat/a/*", "topic/stat/ab/POWER"));
        assert!(m("client/?", "client/x"));
        assert!(!m("client/?", "client/xy"));
        assert!(m("*a*b", "xxaxxb"));
        assert!(!m("*a*b", "xxaxxbc"));
        assert!(m("topicfilter/cmnd/a/*", "topicfilter/cmnd/a/#"));
        assert!(m("", ""));
        assert!(!m("", "a"));
    }
}
