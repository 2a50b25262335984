//! Lambda over restJson1: `Invoke`, and the resource policy: `AddPermission`, `GetPolicy`,
//! `RemovePermission`.

use std::collections::HashMap;
use std::sync::Mutex;

use serde_json::{Value, json};

use super::call::{Request, json_of};
use super::fault::FaultKind;
use super::protocol::{ErrorShape, Input, Protocol, Rejection, Reply, header};
use super::{ACCOUNT_ID, Context, REGION, ServiceModel, lock};
use crate::service::AwsService;

/// The path of `Invoke`: `/2015-03-31/functions/{FunctionName}/invocations`.
const FUNCTIONS_PATH: &str = "/2015-03-31/functions/";

/// The parameters of a Lambda `Invoke` call.
///
/// # Examples
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use ha_aws::emulator::{Emulator, LambdaInvoke};
/// use ha_aws::{Notification, Notifier, NotifyService, NotifySettings};
///
/// let emulator = Emulator::start().await;
/// let notifier = Notifier::new(&emulator.session().await, NotifySettings::new(NotifyService::Lambda))?;
/// notifier.send(&Notification::new("Door open").with_target("notify-phone")).await?;
/// let invoke = &emulator.requests::<LambdaInvoke>()[0];
/// assert_eq!(invoke.invocation_type, "RequestResponse");
/// # Ok::<(), ha_aws::Error>(())
/// # }).unwrap();
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LambdaInvoke {
    /// `FunctionName`: a name, ARN or partial ARN, as the caller sent it.
    pub function_name: String,
    /// `Qualifier`: a version or alias.
    pub qualifier: Option<String>,
    /// `InvocationType`: `RequestResponse` (the default), `Event` or `DryRun`.
    pub invocation_type: String,
    /// `LogType`.
    pub log_type: Option<String>,
    /// `ClientContext`, base64 as sent.
    pub client_context: Option<String>,
    /// `Payload`: the event.
    pub payload: Vec<u8>,
}

impl LambdaInvoke {
    /// The function.
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use ha_aws::emulator::{Emulator, LambdaInvoke};
    /// use ha_aws::{Notification, Notifier, NotifyService, NotifySettings};
    ///
    /// let emulator = Emulator::start().await;
    /// let notifier = Notifier::new(&emulator.session().await, NotifySettings::new(NotifyService::Lambda))?;
    /// notifier.send(&Notification::new("Door open").with_target("notify-phone")).await?;
    /// let invoke = &emulator.requests::<LambdaInvoke>()[0];
    /// assert_eq!(invoke.target(), Some("notify-phone"));
    /// # Ok::<(), ha_aws::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn target(&self) -> Option<&str> {
        Some(&self.function_name)
    }

    /// The event parsed as JSON, if it is JSON.
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use ha_aws::emulator::{Emulator, LambdaInvoke};
    /// use ha_aws::{Notification, Notifier, NotifyService, NotifySettings};
    ///
    /// let emulator = Emulator::start().await;
    /// let notifier = Notifier::new(&emulator.session().await, NotifySettings::new(NotifyService::Lambda))?;
    /// notifier.send(&Notification::new("Door open").with_target("notify-phone")).await?;
    /// let invoke = &emulator.requests::<LambdaInvoke>()[0];
    /// assert_eq!(invoke.payload_json().unwrap()["message"], "Door open");
    /// # Ok::<(), ha_aws::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn payload_json(&self) -> Option<Value> {
        json_of(&self.payload)
    }

    /// The client context decoded from base64 and parsed as JSON, if it is.
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use ha_aws::emulator::{Emulator, LambdaInvoke};
    /// use ha_aws::{Notification, Notifier, NotifyService, NotifySettings};
    ///
    /// let emulator = Emulator::start().await;
    /// let notifier = Notifier::new(&emulator.session().await, NotifySettings::new(NotifyService::Lambda))?;
    /// notifier.send(&Notification::new("Door open").with_target("notify-phone")).await?;
    /// let invoke = &emulator.requests::<LambdaInvoke>()[0];
    /// assert_eq!(invoke.client_context_json(), Some(serde_json::json!({"custom": {}})));
    /// # Ok::<(), ha_aws::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn client_context_json(&self) -> Option<Value> {
        let encoded = self.client_context.as_deref()?;
        json_of(&aws_smithy_types::base64::decode(encoded).ok()?)
    }
}

/// What an emulated Lambda function answers.
///
/// # Examples
///
/// ```
/// use ha_aws::emulator::LambdaReply;
/// use serde_json::json;
///
/// let ok = LambdaReply::json(&json!({"delivered": true}));
/// let failed = LambdaReply::function_error("ValueError", "no such phone");
/// # let _ = (ok, failed);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LambdaReply {
    payload: Vec<u8>,
    function_error: Option<String>,
}

impl LambdaReply {
    /// The function returns `value`.
    ///
    /// # Examples
    ///
    /// ```
    /// let reply = ha_aws::emulator::LambdaReply::json(&serde_json::json!({"delivered": true}));
    /// # let _ = reply;
    /// ```
    pub fn json(value: &Value) -> Self {
        Self {
            payload: value.to_string().into_bytes(),
            function_error: None,
        }
    }

    /// The function returns these bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// let reply = ha_aws::emulator::LambdaReply::bytes("plain text");
    /// # let _ = reply;
    /// ```
    pub fn bytes(payload: impl Into<Vec<u8>>) -> Self {
        Self {
            payload: payload.into(),
            function_error: None,
        }
    }

    /// The function raises `error_type` with `error_message` (`X-Amz-Function-Error:
    /// Unhandled`, with the Lambda runtimes' error body).
    ///
    /// # Examples
    ///
    /// ```
    /// let reply = ha_aws::emulator::LambdaReply::function_error("ValueError", "no phone registered");
    /// # let _ = reply;
    /// ```
    pub fn function_error(error_type: &str, error_message: &str) -> Self {
        let body =
            json!({ "errorMessage": error_message, "errorType": error_type, "stackTrace": [] });
        Self {
            payload: body.to_string().into_bytes(),
            function_error: Some("Unhandled".to_owned()),
        }
    }
}

/// The parameters of a Lambda `AddPermission` call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LambdaAddPermission {
    /// `FunctionName`, as the caller sent it.
    pub function_name: String,
    /// `StatementId`.
    pub statement_id: String,
    /// `Action`.
    pub action: String,
    /// `Principal`.
    pub principal: String,
    /// `SourceArn`.
    pub source_arn: Option<String>,
    /// `SourceAccount`.
    pub source_account: Option<String>,
}

/// The parameters of a Lambda `GetPolicy` call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LambdaGetPolicy {
    /// `FunctionName`, as the caller sent it.
    pub function_name: String,
}

/// The parameters of a Lambda `RemovePermission` call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LambdaRemovePermission {
    /// `FunctionName`, as the caller sent it.
    pub function_name: String,
    /// `StatementId`.
    pub statement_id: String,
}

macro_rules! function_target {
    ($($type:ty),*) => {
        $(impl $type {
            /// The function.
            pub fn target(&self) -> Option<&str> {
                Some(&self.function_name)
            }
        })*
    };
}

function_target!(LambdaAddPermission, LambdaGetPolicy, LambdaRemovePermission);

#[derive(Debug, Default)]
pub(super) struct Lambda {
    replies: Mutex<HashMap<String, LambdaReply>>,
    /// The functions the emulator runs in-process.
    pub(super) functions: std::sync::Arc<super::functions::Functions>,
    /// Each function's resource-policy statements, by function name.
    policies: Mutex<HashMap<String, Vec<Value>>>,
}

/// The function name of a name, partial ARN or ARN (without a qualifier).
fn function_of(name: &str) -> &str {
    let name = name.split_once(":function:").map_or(name, |(_, rest)| rest);
    name.rsplit_once(':').map_or(name, |(rest, _)| rest)
}

fn function_arn(name: &str) -> String {
    format!(
        "arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{}",
        function_of(name)
    )
}

fn invalid(message: impl Into<String>) -> Rejection {
    Rejection::Invalid(ErrorShape::sender(
        400,
        "InvalidParameterValueException",
        message,
    ))
}

impl Lambda {
    /// Decodes the resource-policy operations on `function`; `rest` is the path after
    /// `/policy`.
    fn decode_policy(
        request: &wiremock::Request,
        function: String,
        rest: &str,
    ) -> Result<Request, Rejection> {
        match (request.method.as_str(), rest) {
            ("GET", "") => Ok(LambdaGetPolicy {
                function_name: function,
            }
            .into()),
            ("POST", "") => {
                let body: Value = serde_json::from_slice(&request.body)
                    .map_err(|error| invalid(format!("the body is not valid JSON: {error}")))?;
                let field = |name: &str| body[name].as_str().map(str::to_owned);
                let required =
                    |name: &str| field(name).ok_or_else(|| invalid(format!("{name} is required")));
                let statement_id = required("StatementId")?;
                if statement_id.is_empty()
                    || statement_id.len() > 100
                    || !statement_id
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                {
                    return Err(invalid(format!(
                        "1 validation error detected: Value '{statement_id}' at 'statementId' failed to satisfy constraint: Member must satisfy regular expression pattern: ([a-zA-Z0-9-_]+)"
                    )));
                }
                Ok(LambdaAddPermission {
                    function_name: function,
                    statement_id,
                    action: required("Action")?,
                    principal: required("Principal")?,
                    source_arn: field("SourceArn"),
                    source_account: field("SourceAccount"),
                }
                .into())
            }
            ("DELETE", sid) if sid.len() > 1 => Ok(LambdaRemovePermission {
                function_name: function,
                statement_id: percent_encoding::percent_decode_str(&sid[1..])
                    .decode_utf8_lossy()
                    .into_owned(),
            }
            .into()),
            (method, _) => Err(Rejection::Unsupported(format!(
                "{method} {}",
                request.url.path()
            ))),
        }
    }

    /// Answers the resource-policy operations.
    fn reply_policy(&self, request: &Request) -> Option<Reply> {
        let mut policies = lock(&self.policies);
        let reply = match request {
            Request::LambdaAddPermission(call) => {
                let function = function_of(&call.function_name);
                let statements = policies.entry(function.to_owned()).or_default();
                if statements
                    .iter()
                    .any(|statement| statement["Sid"] == call.statement_id.as_str())
                {
                    return Some(Reply::Error(ErrorShape::sender(
                        409,
                        "ResourceConflictException",
                        format!(
                            "The statement id ({}) provided already exists. Please provide a new statement id, or remove the existing statement.",
                            call.statement_id
                        ),
                    )));
                }
                let principal = if call.principal.contains(".amazonaws.com") {
                    json!({ "Service": call.principal })
                } else {
                    json!({ "AWS": call.principal })
                };
                let mut statement = json!({
                    "Sid": call.statement_id,
                    "Effect": "Allow",
                    "Principal": principal,
                    "Action": call.action,
                    "Resource": function_arn(function),
                });
                if let Some(source_arn) = &call.source_arn {
                    statement["Condition"]["ArnLike"] = json!({ "AWS:SourceArn": source_arn });
                }
                if let Some(account) = &call.source_account {
                    statement["Condition"]["StringEquals"] =
                        json!({ "AWS:SourceAccount": account });
                }
                let body = json!({ "Statement": statement.to_string() });
                statements.push(statement);
                Reply::Http {
                    status: 201,
                    headers: Vec::new(),
                    body: body.to_string().into_bytes(),
                    content_type: "application/json",
                }
            }
            Request::LambdaGetPolicy(call) => {
                let function = function_of(&call.function_name);
                match policies
                    .get(function)
                    .filter(|statements| !statements.is_empty())
                {
                    Some(statements) => {
                        let policy = json!({
                            "Version": "2012-10-17",
                            "Id": "default",
                            "Statement": statements,
                        });
                        Reply::Json(json!({
                            "Policy": policy.to_string(),
                            "RevisionId": format!("00000000-0000-4000-8000-{:012x}", statements.len()),
                        }))
                    }
                    None => not_found_policy(),
                }
            }
            Request::LambdaRemovePermission(call) => {
                let function = function_of(&call.function_name);
                let statements = policies.entry(function.to_owned()).or_default();
                let before = statements.len();
                statements.retain(|statement| statement["Sid"] != call.statement_id.as_str());
                if statements.len() == before {
                    return Some(Reply::Error(ErrorShape::sender(
                        404,
                        "ResourceNotFoundException",
                        "The resource you requested does not exist.",
                    )));
                }
                Reply::Http {
                    status: 204,
                    headers: Vec::new(),
                    body: Vec::new(),
                    content_type: "application/json",
                }
            }
            _ => return None,
        };
        Some(reply)
    }
}

fn not_found_policy() -> Reply {
    Reply::Error(ErrorShape::sender(
        404,
        "ResourceNotFoundException",
        "The resource you requested does not exist.",
    ))
}

impl Lambda {
    pub(super) fn set_reply(&self, function: &str, reply: LambdaReply) {
        lock(&self.replies).insert(function.to_owned(), reply);
    }
}

impl ServiceModel for Lambda {
    fn service(&self) -> AwsService {
        AwsService::Lambda
    }

    fn protocol(&self) -> Protocol {
        Protocol::RestJson
    }

    fn recognizes(&self, request: &wiremock::Request) -> bool {
        request.url.path().starts_with(FUNCTIONS_PATH)
    }

    fn decode(&self, input: Input<'_>) -> Result<Request, Rejection> {
        let Input::Rest(request) = input else {
            return Err(Rejection::mismatch());
        };
        let path = request.url.path();
        if let Some((function, rest)) = path
            .strip_prefix(FUNCTIONS_PATH)
            .and_then(|rest| rest.split_once("/policy"))
            .filter(|(_, rest)| rest.is_empty() || rest.starts_with('/'))
        {
            let function_name = percent_encoding::percent_decode_str(function)
                .decode_utf8_lossy()
                .into_owned();
            return Self::decode_policy(request, function_name, rest);
        }
        let function = path
            .strip_prefix(FUNCTIONS_PATH)
            .and_then(|rest| rest.strip_suffix("/invocations"))
            .filter(|_| request.method.as_str() == "POST");
        let Some(function) = function else {
            return Err(Rejection::Unsupported(format!("{} {path}", request.method)));
        };
        let function_name = percent_encoding::percent_decode_str(function)
            .decode_utf8_lossy()
            .into_owned();
        if function_name.is_empty() {
            return Err(Rejection::Invalid(ErrorShape::sender(
                400,
                "ValidationException",
                "FunctionName must not be empty",
            )));
        }
        let invocation_type = header(request, "x-amz-invocation-type")
            .unwrap_or("RequestResponse")
            .to_owned();
        if !matches!(
            invocation_type.as_str(),
            "RequestResponse" | "Event" | "DryRun"
        ) {
            return Err(Rejection::Invalid(ErrorShape::sender(
                400,
                "InvalidParameterValueException",
                format!("Invalid InvocationType: {invocation_type}"),
            )));
        }
        Ok(LambdaInvoke {
            function_name,
            qualifier: request
                .url
                .query_pairs()
                .find(|(key, _)| key == "Qualifier")
                .map(|(_, value)| value.into_owned()),
            invocation_type,
            log_type: header(request, "x-amz-log-type").map(str::to_owned),
            client_context: header(request, "x-amz-client-context").map(str::to_owned),
            payload: request.body.clone(),
        }
        .into())
    }

    fn reply(&self, request: &Request, _context: &mut Context<'_>) -> Reply {
        if let Some(reply) = self.reply_policy(request) {
            return reply;
        }
        let Request::LambdaInvoke(invoke) = request else {
            return Reply::Error(ErrorShape::receiver(
                500,
                "ServiceException",
                "not an invocation",
            ));
        };
        let executed = ("X-Amz-Executed-Version", "$LATEST".to_owned());
        match invoke.invocation_type.as_str() {
            "Event" => {
                self.functions
                    .invoke(&invoke.function_name, &invoke.payload);
                return Reply::Http {
                    status: 202,
                    headers: vec![executed],
                    body: Vec::new(),
                    content_type: "application/json",
                };
            }
            "DryRun" => {
                return Reply::Http {
                    status: 204,
                    headers: vec![executed],
                    body: Vec::new(),
                    content_type: "application/json",
                };
            }
            _ => {}
        }
        let reply = lock(&self.replies).get(&invoke.function_name).cloned();
        let (payload, function_error) = match reply {
            Some(reply) => (reply.payload, reply.function_error),
            None => (invoke.payload.clone(), None),
        };
        let mut headers = vec![executed];
        if let Some(function_error) = function_error {
            headers.push(("X-Amz-Function-Error", function_error));
        }
        Reply::Http {
            status: 200,
            headers,
            body: payload,
            content_type: "application/json",
        }
    }

    fn fault(&self, request: &Request, kind: &FaultKind) -> ErrorShape {
        let function = request.target().unwrap_or_default();
        match kind {
            FaultKind::Throttling => {
                ErrorShape::sender(429, "TooManyRequestsException", "Rate Exceeded.")
            }
            FaultKind::NotFound => ErrorShape::sender(
                404,
                "ResourceNotFoundException",
                format!(
                    "Function not found: arn:aws:lambda:us-east-1:123456789012:function:{function}"
                ),
            ),
            FaultKind::AccessDenied => ErrorShape::sender(
                403,
                "AccessDeniedException",
                format!(
                    "User: arn:aws:iam::123456789012:user/emulator is not authorized to perform: lambda:InvokeFunction on resource: {function}"
                ),
            ),
            _ => ErrorShape::receiver(
                500,
                "ServiceException",
                "An error occurred (ServiceException)",
            ),
        }
    }
}
