//! AWS IoT Core's control plane over restJson1: the data endpoint, custom authorizers and
//! policies. Resources live in the emulator until deleted. Things and topic rules are in
//! [`super::iot_things`], the data plane in [`super::iot_data`]; both share [`IotCore`].

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use super::fault::FaultKind;
use super::iot_core::IotCore;
use super::iot_data::IotData;
use super::protocol::{ErrorShape, Input, Protocol, Rejection, Reply};
use super::{ACCOUNT_ID, Context, REGION, ServiceModel, lock};
use crate::emulator::call::Request;
use crate::service::AwsService;

/// The emulator's `iot:Data-ATS` endpoint, stable as AWS's is per account and region.
pub const IOT_DATA_ATS_ENDPOINT: &str = "a1emulator0000-ats.iot.us-east-1.amazonaws.com";

/// The path prefixes of the operations emulated.
const PATHS: [&str; 6] = [
    "/endpoint",
    "/authorizer",
    "/default-authorizer",
    "/policies/",
    "/things",
    "/rules",
];

/// The parameters of an IoT `DescribeEndpoint` call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DescribeEndpoint {
    /// `endpointType` (`iot:Data-ATS`, `iot:Data`, `iot:CredentialProvider`, `iot:Jobs`).
    pub endpoint_type: Option<String>,
}

/// The parameters of an IoT `CreateAuthorizer` call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreateAuthorizer {
    /// `authorizerName`.
    pub authorizer_name: String,
    /// `authorizerFunctionArn`.
    pub authorizer_function_arn: String,
    /// `signingDisabled`.
    pub signing_disabled: Option<bool>,
    /// `status` (`ACTIVE` or `INACTIVE`).
    pub status: Option<String>,
    /// `tokenKeyName`.
    pub token_key_name: Option<String>,
}

/// The parameters of an IoT `UpdateAuthorizer` call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UpdateAuthorizer {
    /// `authorizerName`.
    pub authorizer_name: String,
    /// `authorizerFunctionArn`, when changed.
    pub authorizer_function_arn: Option<String>,
    /// `status`, when changed.
    pub status: Option<String>,
}

/// The parameters of an IoT `DescribeAuthorizer` call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DescribeAuthorizer {
    /// `authorizerName`.
    pub authorizer_name: String,
}

/// The parameters of an IoT `DeleteAuthorizer` call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeleteAuthorizer {
    /// `authorizerName`.
    pub authorizer_name: String,
}

/// The parameters of an IoT `SetDefaultAuthorizer` call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SetDefaultAuthorizer {
    /// `authorizerName`.
    pub authorizer_name: String,
}

/// An IoT `DescribeDefaultAuthorizer` call (it has no parameters).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DescribeDefaultAuthorizer {}

/// An IoT `ClearDefaultAuthorizer` call (it has no parameters).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClearDefaultAuthorizer {}

/// The parameters of an IoT `CreatePolicy` call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct IotCreatePolicy {
    /// `policyName`.
    pub policy_name: String,
    /// `policyDocument`, the JSON text.
    pub policy_document: String,
}

/// The parameters of an IoT `GetPolicy` call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct IotGetPolicy {
    /// `policyName`.
    pub policy_name: String,
}

/// The parameters of an IoT `DeletePolicy` call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct IotDeletePolicy {
    /// `policyName`.
    pub policy_name: String,
}

macro_rules! targets {
    ($($type:ty => $field:ident),* ; $($none:ty),*) => {
        $(impl $type {
            /// The resource the call names.
            pub fn target(&self) -> Option<&str> {
                Some(&self.$field)
            }
        })*
        $(impl $none {
            /// The call names no resource.
            pub fn target(&self) -> Option<&str> {
                None
            }
        })*
    };
}

pub(super) use targets;

targets! {
    CreateAuthorizer => authorizer_name,
    UpdateAuthorizer => authorizer_name,
    DescribeAuthorizer => authorizer_name,
    DeleteAuthorizer => authorizer_name,
    SetDefaultAuthorizer => authorizer_name,
    IotCreatePolicy => policy_name,
    IotGetPolicy => policy_name,
    IotDeletePolicy => policy_name;
    DescribeEndpoint, DescribeDefaultAuthorizer, ClearDefaultAuthorizer
}

/// A stored authorizer.
#[derive(Debug, Clone)]
struct Authorizer {
    function_arn: String,
    status: String,
    signing_disabled: bool,
    token_key_name: Option<String>,
    created: u64,
    modified: u64,
}

/// A stored policy.
#[derive(Debug, Clone)]
struct Policy {
    document: String,
    created: u64,
}

/// What the emulated account holds.
#[derive(Debug, Default)]
struct IotState {
    authorizers: BTreeMap<String, Authorizer>,
    default_authorizer: Option<String>,
    policies: BTreeMap<String, Policy>,
}

#[derive(Debug)]
pub(super) struct Iot {
    state: Mutex<IotState>,
    /// Things, shadows, retained messages, rules and the broker.
    pub(super) core: Arc<IotCore>,
    /// The data plane, on the same account.
    pub(super) data: IotData,
}

impl Default for Iot {
    fn default() -> Self {
        let core = Arc::new(IotCore::default());
        Self {
            state: Mutex::default(),
            data: IotData {
                core: Arc::clone(&core),
            },
            core,
        }
    }
}

impl Iot {
    /// The authorizers' names and functions, in name order.
    pub(super) fn authorizers(&self) -> Vec<(String, String)> {
        lock(&self.state)
            .authorizers
            .iter()
            .map(|(name, authorizer)| (name.clone(), authorizer.function_arn.clone()))
            .collect()
    }

    /// The default authorizer's name.
    pub(super) fn default_authorizer(&self) -> Option<String> {
        lock(&self.state).default_authorizer.clone()
    }

    /// Decodes method and path into an operation.
    fn route(request: &wiremock::Request) -> Result<Request, Rejection> {
        let path = request.url.path();
        let method = request.method.as_str();
        let body = || -> Result<Value, Rejection> {
            if request.body.is_empty() {
                return Ok(json!({}));
            }
            serde_json::from_slice(&request.body).map_err(|error| {
                Rejection::Invalid(ErrorShape::sender(
                    400,
                    "InvalidRequestException",
                    format!("the body is not valid JSON: {error}"),
                ))
            })
        };
        let string = |body: &Value, field: &str| body[field].as_str().map(str::to_owned);
        if path == "/endpoint" && method == "GET" {
            let endpoint_type = request
                .url
                .query_pairs()
                .find(|(key, _)| key == "endpointType")
                .map(|(_, value)| value.into_owned());
            return Ok(DescribeEndpoint { endpoint_type }.into());
        }
        if path == "/default-authorizer" {
            return match method {
                "GET" => Ok(DescribeDefaultAuthorizer {}.into()),
                "DELETE" => Ok(ClearDefaultAuthorizer {}.into()),
                "POST" => {
                    let body = body()?;
                    let authorizer_name =
                        required(string(&body, "authorizerName"), "authorizerName")?;
                    Ok(SetDefaultAuthorizer { authorizer_name }.into())
                }
                _ => Err(Rejection::Unsupported(format!("{method} {path}"))),
            };
        }
        if let Some(name) = path.strip_prefix("/authorizer/") {
            let authorizer_name = checked_name(name, "authorizerName", 128)?;
            return match method {
                "GET" => Ok(DescribeAuthorizer { authorizer_name }.into()),
                "DELETE" => Ok(DeleteAuthorizer { authorizer_name }.into()),
                "POST" => {
                    let body = body()?;
                    Ok(CreateAuthorizer {
                        authorizer_name,
                        authorizer_function_arn: required(
                            string(&body, "authorizerFunctionArn"),
                            "authorizerFunctionArn",
                        )?,
                        signing_disabled: body["signingDisabled"].as_bool(),
                        status: string(&body, "status"),
                        token_key_name: string(&body, "tokenKeyName"),
                    }
                    .into())
                }
                "PUT" => {
                    let body = body()?;
                    Ok(UpdateAuthorizer {
                        authorizer_name,
                        authorizer_function_arn: string(&body, "authorizerFunctionArn"),
                        status: string(&body, "status"),
                    }
                    .into())
                }
                _ => Err(Rejection::Unsupported(format!("{method} {path}"))),
            };
        }
        if let Some(name) = path.strip_prefix("/policies/") {
            let policy_name = checked_name(name, "policyName", 128)?;
            return match method {
                "GET" => Ok(IotGetPolicy { policy_name }.into()),
                "DELETE" => Ok(IotDeletePolicy { policy_name }.into()),
                "POST" => {
                    let body = body()?;
                    Ok(IotCreatePolicy {
                        policy_name,
                        policy_document: required(
                            string(&body, "policyDocument"),
                            "policyDocument",
                        )?,
                    }
                    .into())
                }
                _ => Err(Rejection::Unsupported(format!("{method} {path}"))),
            };
        }
        super::iot_things::route(request)
            .unwrap_or_else(|| Err(Rejection::Unsupported(format!("{method} {path}"))))
    }
}

fn required(value: Option<String>, field: &str) -> Result<String, Rejection> {
    value.ok_or_else(|| {
        Rejection::Invalid(ErrorShape::sender(
            400,
            "InvalidRequestException",
            format!("{field} is required"),
        ))
    })
}

/// A name from a path label, decoded and checked against AWS's `[\w=,@-]+` (authorizers) or
/// `[\w+=,.@-]+` (policies), 1..=`max`.
fn checked_name(label: &str, field: &str, max: usize) -> Result<String, Rejection> {
    let name = percent_encoding::percent_decode_str(label)
        .decode_utf8_lossy()
        .into_owned();
    let extra: &[char] = if field == "policyName" {
        &['_', '+', '=', ',', '.', '@', '-']
    } else {
        &['_', '=', ',', '@', '-']
    };
    if name.is_empty()
        || name.chars().count() > max
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || extra.contains(&c))
    {
        return Err(Rejection::Invalid(ErrorShape::sender(
            400,
            "InvalidRequestException",
            format!(
                "1 validation error detected: Value '{name}' at '{field}' failed to satisfy constraint"
            ),
        )));
    }
    Ok(name)
}

fn authorizer_arn(name: &str) -> String {
    format!("arn:aws:iot:{REGION}:{ACCOUNT_ID}:authorizer/{name}")
}

fn policy_arn(name: &str) -> String {
    format!("arn:aws:iot:{REGION}:{ACCOUNT_ID}:policy/{name}")
}

fn not_found(message: String) -> Reply {
    Reply::Error(ErrorShape::sender(
        404,
        "ResourceNotFoundException",
        message,
    ))
}

fn describe(name: &str, authorizer: &Authorizer) -> Value {
    let mut description = json!({
        "authorizerName": name,
        "authorizerArn": authorizer_arn(name),
        "authorizerFunctionArn": authorizer.function_arn,
        "status": authorizer.status,
        "signingDisabled": authorizer.signing_disabled,
        "enableCachingForHttp": false,
        "creationDate": authorizer.created,
        "lastModifiedDate": authorizer.modified,
        "tokenSigningPublicKeys": {},
    });
    if let Some(key) = &authorizer.token_key_name {
        description["tokenKeyName"] = json!(key);
    }
    description
}

fn valid_status(status: Option<&str>) -> Result<(), Reply> {
    match status {
        None | Some("ACTIVE" | "INACTIVE") => Ok(()),
        Some(other) => Err(Reply::Error(ErrorShape::sender(
            400,
            "InvalidRequestException",
            format!(
                "Value '{other}' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [ACTIVE, INACTIVE]"
            ),
        ))),
    }
}

impl ServiceModel for Iot {
    fn service(&self) -> AwsService {
        AwsService::Iot
    }

    fn protocol(&self) -> Protocol {
        Protocol::RestJson
    }

    fn recognizes(&self, request: &wiremock::Request) -> bool {
        let path = request.url.path();
        PATHS.iter().any(|prefix| path.starts_with(prefix))
    }

    fn decode(&self, input: Input<'_>) -> Result<Request, Rejection> {
        let Input::Rest(request) = input else {
            return Err(Rejection::mismatch());
        };
        Self::route(request)
    }

    #[expect(clippy::too_many_lines, reason = "one arm per operation, each short")]
    fn reply(&self, request: &Request, context: &mut Context<'_>) -> Reply {
        let mut state = lock(&self.state);
        let now = 1_700_000_000 + context.sequence();
        match request {
            Request::IotDescribeEndpoint(call) => {
                let address = match call.endpoint_type.as_deref() {
                    None | Some("iot:Data") => {
                        "a1emulator0000.iot.us-east-1.amazonaws.com".to_owned()
                    }
                    Some("iot:Data-ATS") => IOT_DATA_ATS_ENDPOINT.to_owned(),
                    Some("iot:CredentialProvider") => {
                        "c1emulator0000.credentials.iot.us-east-1.amazonaws.com".to_owned()
                    }
                    Some("iot:Jobs") => {
                        "j1emulator0000.jobs.iot.us-east-1.amazonaws.com".to_owned()
                    }
                    Some(other) => {
                        return Reply::Error(ErrorShape::sender(
                            400,
                            "InvalidRequestException",
                            format!("Endpoint type {other} is not valid."),
                        ));
                    }
                };
                Reply::Json(json!({ "endpointAddress": address }))
            }
            Request::IotCreateAuthorizer(call) => {
                if let Err(reply) = valid_status(call.status.as_deref()) {
                    return reply;
                }
                let name = &call.authorizer_name;
                if state.authorizers.contains_key(name) {
                    return Reply::Error(ErrorShape::sender(
                        409,
                        "ResourceAlreadyExistsException",
                        format!("Authorizer {name} already exists"),
                    ));
                }
                let signing_disabled = call.signing_disabled.unwrap_or(false);
                if !signing_disabled && call.token_key_name.is_none() {
                    return Reply::Error(ErrorShape::sender(
                        400,
                        "InvalidRequestException",
                        "tokenKeyName and tokenSigningPublicKeys are required when signing is enabled",
                    ));
                }
                state.authorizers.insert(
                    name.clone(),
                    Authorizer {
                        function_arn: call.authorizer_function_arn.clone(),
                        status: call.status.clone().unwrap_or_else(|| "ACTIVE".to_owned()),
                        signing_disabled,
                        token_key_name: call.token_key_name.clone(),
                        created: now,
                        modified: now,
                    },
                );
                Reply::Json(
                    json!({ "authorizerName": name, "authorizerArn": authorizer_arn(name) }),
                )
            }
            Request::IotUpdateAuthorizer(call) => {
                if let Err(reply) = valid_status(call.status.as_deref()) {
                    return reply;
                }
                let name = &call.authorizer_name;
                let Some(authorizer) = state.authorizers.get_mut(name) else {
                    return not_found(format!("Authorizer {name} not found"));
                };
                if let Some(function_arn) = &call.authorizer_function_arn {
                    function_arn.clone_into(&mut authorizer.function_arn);
                }
                if let Some(status) = &call.status {
                    status.clone_into(&mut authorizer.status);
                }
                authorizer.modified = now;
                Reply::Json(
                    json!({ "authorizerName": name, "authorizerArn": authorizer_arn(name) }),
                )
            }
            Request::IotDescribeAuthorizer(call) => {
                let name = &call.authorizer_name;
                match state.authorizers.get(name) {
                    Some(authorizer) => {
                        Reply::Json(json!({ "authorizerDescription": describe(name, authorizer) }))
                    }
                    None => not_found(format!("Authorizer {name} not found")),
                }
            }
            Request::IotDeleteAuthorizer(call) => {
                let name = &call.authorizer_name;
                match state.authorizers.get(name) {
                    None => not_found(format!("Authorizer {name} not found")),
                    Some(authorizer) if authorizer.status == "ACTIVE" => {
                        Reply::Error(ErrorShape::sender(
                            409,
                            "DeleteConflictException",
                            format!(
                                "Authorizer {name} is ACTIVE; set it INACTIVE before deleting it"
                            ),
                        ))
                    }
                    Some(_) if state.default_authorizer.as_deref() == Some(name) => {
                        Reply::Error(ErrorShape::sender(
                            409,
                            "DeleteConflictException",
                            format!("Authorizer {name} is the default authorizer"),
                        ))
                    }
                    Some(_) => {
                        state.authorizers.remove(name);
                        Reply::Json(json!({}))
                    }
                }
            }
            Request::IotSetDefaultAuthorizer(call) => {
                let name = &call.authorizer_name;
                if !state.authorizers.contains_key(name) {
                    return not_found(format!("Authorizer {name} not found"));
                }
                state.default_authorizer = Some(name.clone());
                Reply::Json(
                    json!({ "authorizerName": name, "authorizerArn": authorizer_arn(name) }),
                )
            }
            Request::IotDescribeDefaultAuthorizer(_) => {
                let described = state.default_authorizer.as_ref().and_then(|name| {
                    state
                        .authorizers
                        .get(name)
                        .map(|authorizer| describe(name, authorizer))
                });
                match described {
                    Some(description) => {
                        Reply::Json(json!({ "authorizerDescription": description }))
                    }
                    None => not_found("No default authorizer is set".to_owned()),
                }
            }
            Request::IotClearDefaultAuthorizer(_) => {
                if state.default_authorizer.take().is_none() {
                    return not_found("No default authorizer is set".to_owned());
                }
                Reply::Json(json!({}))
            }
            Request::IotCreatePolicy(call) => {
                let name = &call.policy_name;
                if state.policies.contains_key(name) {
                    return Reply::Error(ErrorShape::sender(
                        409,
                        "ResourceAlreadyExistsException",
                        format!("Policy cannot be created - name already exists (name={name})"),
                    ));
                }
                if serde_json::from_str::<Value>(&call.policy_document).is_err() {
                    return Reply::Error(ErrorShape::sender(
                        400,
                        "MalformedPolicyException",
                        "Policy document is not valid JSON",
                    ));
                }
                state.policies.insert(
                    name.clone(),
                    Policy {
                        document: call.policy_document.clone(),
                        created: now,
                    },
                );
                Reply::Json(json!({
                    "policyName": name,
                    "policyArn": policy_arn(name),
                    "policyDocument": call.policy_document,
                    "policyVersionId": "1",
                }))
            }
            Request::IotGetPolicy(call) => {
                let name = &call.policy_name;
                match state.policies.get(name) {
                    Some(policy) => Reply::Json(json!({
                        "policyName": name,
                        "policyArn": policy_arn(name),
                        "policyDocument": policy.document,
                        "defaultVersionId": "1",
                        "creationDate": policy.created,
                        "lastModifiedDate": policy.created,
                        "generationId": format!("{:064x}", policy.created),
                    })),
                    None => not_found(format!("Policy not found (name={name})")),
                }
            }
            Request::IotDeletePolicy(call) => {
                let name = &call.policy_name;
                if state.policies.remove(name).is_none() {
                    return not_found(format!("Policy not found (name={name})"));
                }
                Reply::Json(json!({}))
            }
            other => super::iot_things::reply(&self.core, other, &context.next_id())
                .unwrap_or_else(|| {
                    Reply::Error(ErrorShape::receiver(
                        500,
                        "InternalFailureException",
                        "not an IoT operation",
                    ))
                }),
        }
    }

    fn fault(&self, request: &Request, kind: &FaultKind) -> ErrorShape {
        let target = request.target().unwrap_or_default();
        match kind {
            FaultKind::Throttling => {
                ErrorShape::sender(429, "ThrottlingException", "Rate exceeded")
            }
            FaultKind::NotFound => ErrorShape::sender(
                404,
                "ResourceNotFoundException",
                format!("{target} not found"),
            ),
            FaultKind::AccessDenied => ErrorShape::sender(
                403,
                "AccessDeniedException",
                format!(
                    "User: arn:aws:iam::{ACCOUNT_ID}:user/emulator is not authorized to perform: iot:{} on resource: {target}",
                    request.operation().name()
                ),
            ),
            _ => ErrorShape::receiver(
                500,
                "InternalFailureException",
                "An internal failure occurred",
            ),
        }
    }
}
