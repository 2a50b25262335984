//! AWS IoT Core's registry and rules over restJson1 (signing name `iot`): `CreateThing`,
//! `DescribeThing`, `UpdateThing`, `DeleteThing`, `ListThings`, and `CreateTopicRule`,
//! `ReplaceTopicRule`, `GetTopicRule`, `DeleteTopicRule`, `ListTopicRules`.
//!
//! Rules are evaluated by the emulator for the SQL subset of
//! [`parse_sql`](super::iot_core::parse_sql) (a rule it cannot evaluate is refused at
//! creation with `SqlParseException`, naming what is missing); their Lambda actions run the
//! functions the emulator serves.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::iot_core::{IotCore, MAX_THINGS, Rule, Thing, now_secs, parse_sql};
use super::iot_data::page;
use super::protocol::{ErrorShape, Rejection, Reply};
use super::{ACCOUNT_ID, REGION, lock};
use crate::emulator::call::Request;

/// The parameters of an IoT `CreateThing` call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreateThing {
    /// `thingName`.
    pub thing_name: String,
    /// `thingTypeName`.
    pub thing_type_name: Option<String>,
    /// `attributePayload.attributes`.
    pub attributes: BTreeMap<String, String>,
}

/// The parameters of an IoT `DescribeThing` call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DescribeThing {
    /// `thingName`.
    pub thing_name: String,
}

/// The parameters of an IoT `UpdateThing` call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UpdateThing {
    /// `thingName`.
    pub thing_name: String,
    /// `attributePayload.attributes`; an empty value removes the attribute.
    pub attributes: BTreeMap<String, String>,
    /// `attributePayload.merge`: keep the attributes not named.
    pub merge: bool,
    /// `expectedVersion`.
    pub expected_version: Option<i64>,
}

/// The parameters of an IoT `DeleteThing` call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeleteThing {
    /// `thingName`.
    pub thing_name: String,
}

/// The parameters of an IoT `ListThings` call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListThings {
    /// `attributeName`.
    pub attribute_name: Option<String>,
    /// `attributeValue`.
    pub attribute_value: Option<String>,
    /// `maxResults`, 1 to 250.
    pub max_results: Option<usize>,
    /// `nextToken`.
    pub next_token: Option<String>,
}

/// The parameters of an IoT `CreateTopicRule` or `ReplaceTopicRule` call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TopicRuleCall {
    /// `ruleName`.
    pub rule_name: String,
    /// `sql`.
    pub sql: String,
    /// The function ARNs of the `lambda` actions.
    pub lambda_functions: Vec<String>,
    /// `description`.
    pub description: Option<String>,
    /// `ruleDisabled`.
    pub rule_disabled: bool,
    /// Actions other than `lambda`, by their key (`republish`, `s3`, ...), which the emulator
    /// records but does not run.
    pub other_actions: Vec<String>,
}

/// The parameters of an IoT `CreateTopicRule` call.
pub type CreateTopicRule = TopicRuleCall;

/// The parameters of an IoT `ReplaceTopicRule` call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReplaceTopicRule(pub TopicRuleCall);

/// The parameters of an IoT `GetTopicRule` call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetTopicRule {
    /// `ruleName`.
    pub rule_name: String,
}

/// The parameters of an IoT `DeleteTopicRule` call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeleteTopicRule {
    /// `ruleName`.
    pub rule_name: String,
}

/// The parameters of an IoT `ListTopicRules` call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListTopicRules {
    /// `topic`: only the rules of this topic filter.
    pub topic: Option<String>,
    /// `nextToken`.
    pub next_token: Option<String>,
}

super::iot::targets! {
    CreateThing => thing_name,
    DescribeThing => thing_name,
    UpdateThing => thing_name,
    DeleteThing => thing_name,
    TopicRuleCall => rule_name,
    GetTopicRule => rule_name,
    DeleteTopicRule => rule_name;
    ListThings, ListTopicRules
}

impl ReplaceTopicRule {
    /// The rule.
    pub fn target(&self) -> Option<&str> {
        Some(&self.0.rule_name)
    }
}

fn invalid(message: impl Into<String>) -> Rejection {
    Rejection::Invalid(ErrorShape::sender(400, "InvalidRequestException", message))
}

fn name_of(label: &str, field: &str, allowed: impl Fn(char) -> bool) -> Result<String, Rejection> {
    let name = percent_encoding::percent_decode_str(label)
        .decode_utf8_lossy()
        .into_owned();
    if name.is_empty() || name.len() > 128 || !name.chars().all(allowed) {
        return Err(invalid(format!(
            "1 validation error detected: Value '{name}' at '{field}' failed to satisfy constraint"
        )));
    }
    Ok(name)
}

fn query(request: &wiremock::Request, key: &str) -> Option<String> {
    request
        .url
        .query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

fn body(request: &wiremock::Request) -> Result<Value, Rejection> {
    if request.body.is_empty() {
        return Ok(json!({}));
    }
    serde_json::from_slice(&request.body)
        .map_err(|error| invalid(format!("the body is not valid JSON: {error}")))
}

fn attributes(body: &Value) -> Result<BTreeMap<String, String>, Rejection> {
    let mut out = BTreeMap::new();
    if let Some(fields) = body["attributePayload"]["attributes"].as_object() {
        if fields.len() > 50 {
            return Err(invalid("a thing has at most 50 attributes"));
        }
        for (key, value) in fields {
            let value = value
                .as_str()
                .ok_or_else(|| invalid(format!("attribute {key} must be a string")))?;
            if key.len() > 128 || value.len() > 800 {
                return Err(invalid(format!("attribute {key} is too long")));
            }
            out.insert(key.clone(), value.to_owned());
        }
    }
    Ok(out)
}

fn rule_call(rule_name: String, body: &Value) -> Result<TopicRuleCall, Rejection> {
    let sql = body["sql"]
        .as_str()
        .ok_or_else(|| invalid("sql is required"))?
        .to_owned();
    let mut lambda_functions = Vec::new();
    let mut other_actions = Vec::new();
    for action in body["actions"].as_array().map_or(&[][..], Vec::as_slice) {
        for (key, value) in action.as_object().into_iter().flatten() {
            match (key.as_str(), value["functionArn"].as_str()) {
                ("lambda", Some(arn)) => lambda_functions.push(arn.to_owned()),
                ("lambda", None) => return Err(invalid("a lambda action needs functionArn")),
                (other, _) => other_actions.push(other.to_owned()),
            }
        }
    }
    Ok(TopicRuleCall {
        rule_name,
        sql,
        lambda_functions,
        description: body["description"].as_str().map(str::to_owned),
        rule_disabled: body["ruleDisabled"].as_bool().unwrap_or(false),
        other_actions,
    })
}

/// Decodes a registry or rules request, or `None` when the path is neither.
pub(super) fn route(request: &wiremock::Request) -> Option<Result<Request, Rejection>> {
    let path = request.url.path();
    let method = request.method.as_str();
    let thing_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, ':' | '_' | '-');
    let rule_char = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let unsupported = || Err(Rejection::Unsupported(format!("{method} {path}")));
    Some(if path == "/things" {
        if method != "GET" {
            return Some(unsupported());
        }
        let max_results = match query(request, "maxResults").map(|t| t.parse::<usize>()) {
            None => Ok(None),
            Some(Ok(n)) if (1..=250).contains(&n) => Ok(Some(n)),
            Some(_) => Err(invalid("maxResults must be 1 to 250")),
        };
        max_results.map(|max_results| {
            ListThings {
                attribute_name: query(request, "attributeName"),
                attribute_value: query(request, "attributeValue"),
                max_results,
                next_token: query(request, "nextToken"),
            }
            .into()
        })
    } else if let Some(label) = path.strip_prefix("/things/") {
        if label.contains('/') {
            return None;
        }
        let thing_name = match name_of(label, "thingName", thing_char) {
            Ok(name) => name,
            Err(rejection) => return Some(Err(rejection)),
        };
        match method {
            "GET" => Ok(DescribeThing { thing_name }.into()),
            "DELETE" => Ok(DeleteThing { thing_name }.into()),
            "POST" => body(request).and_then(|body| {
                Ok(CreateThing {
                    thing_name,
                    thing_type_name: body["thingTypeName"].as_str().map(str::to_owned),
                    attributes: attributes(&body)?,
                }
                .into())
            }),
            "PATCH" => body(request).and_then(|body| {
                Ok(UpdateThing {
                    thing_name,
                    attributes: attributes(&body)?,
                    merge: body["attributePayload"]["merge"].as_bool().unwrap_or(false),
                    expected_version: body["expectedVersion"].as_i64(),
                }
                .into())
            }),
            _ => unsupported(),
        }
    } else if path == "/rules" {
        if method != "GET" {
            return Some(unsupported());
        }
        Ok(ListTopicRules {
            topic: query(request, "topic"),
            next_token: query(request, "nextToken"),
        }
        .into())
    } else if let Some(label) = path.strip_prefix("/rules/") {
        let rule_name = match name_of(label, "ruleName", rule_char) {
            Ok(name) => name,
            Err(rejection) => return Some(Err(rejection)),
        };
        match method {
            "GET" => Ok(GetTopicRule { rule_name }.into()),
            "DELETE" => Ok(DeleteTopicRule { rule_name }.into()),
            "POST" => body(request).and_then(|body| rule_call(rule_name, &body).map(Into::into)),
            "PATCH" => body(request)
                .and_then(|body| rule_call(rule_name, &body).map(|c| ReplaceTopicRule(c).into())),
            _ => unsupported(),
        }
    } else {
        return None;
    })
}

fn thing_arn(name: &str) -> String {
    format!("arn:aws:iot:{REGION}:{ACCOUNT_ID}:thing/{name}")
}

fn rule_arn(name: &str) -> String {
    format!("arn:aws:iot:{REGION}:{ACCOUNT_ID}:rule/{name}")
}

fn not_found(message: String) -> Reply {
    Reply::Error(ErrorShape::sender(
        404,
        "ResourceNotFoundException",
        message,
    ))
}

fn conflict(code: &str, message: String) -> Reply {
    Reply::Error(ErrorShape::sender(409, code, message))
}

fn checked_rule(call: &TopicRuleCall) -> Result<Rule, Reply> {
    let (select, filter) = parse_sql(&call.sql)
        .map_err(|reason| Reply::Error(ErrorShape::sender(400, "SqlParseException", reason)))?;
    Ok(Rule {
        sql: call.sql.clone(),
        filter,
        select,
        functions: call.lambda_functions.clone(),
        description: call.description.clone(),
        disabled: call.rule_disabled,
        created: now_secs(),
    })
}

/// Answers a registry or rules request, or `None` for any other.
#[expect(clippy::too_many_lines, reason = "one arm per operation, each short")]
pub(super) fn reply(core: &IotCore, request: &Request, id: &str) -> Option<Reply> {
    Some(match request {
        Request::IotCreateThing(call) => {
            let mut things = lock(&core.things);
            let name = &call.thing_name;
            if let Some(existing) = things.get(name) {
                if existing.attributes != call.attributes
                    || existing.type_name != call.thing_type_name
                {
                    return Some(conflict(
                        "ResourceAlreadyExistsException",
                        format!("Thing {name} already exists with different tags or attributes"),
                    ));
                }
                return Some(Reply::Json(json!({
                    "thingName": name, "thingArn": thing_arn(name), "thingId": existing.id,
                })));
            }
            if things.len() >= MAX_THINGS {
                return Some(Reply::Error(ErrorShape::sender(
                    410,
                    "LimitExceededException",
                    format!("the emulator keeps at most {MAX_THINGS} things"),
                )));
            }
            things.insert(
                name.clone(),
                Thing {
                    id: id.to_owned(),
                    type_name: call.thing_type_name.clone(),
                    attributes: call.attributes.clone(),
                    version: 1,
                },
            );
            Reply::Json(json!({ "thingName": name, "thingArn": thing_arn(name), "thingId": id }))
        }
        Request::IotDescribeThing(call) => match lock(&core.things).get(&call.thing_name) {
            Some(thing) => {
                let mut body = json!({
                    "defaultClientId": call.thing_name,
                    "thingName": call.thing_name,
                    "thingId": thing.id,
                    "thingArn": thing_arn(&call.thing_name),
                    "attributes": thing.attributes,
                    "version": thing.version,
                });
                if let Some(kind) = &thing.type_name {
                    body["thingTypeName"] = json!(kind);
                }
                Reply::Json(body)
            }
            None => not_found(format!("Thing {} cannot be found.", call.thing_name)),
        },
        Request::IotUpdateThing(call) => {
            let mut things = lock(&core.things);
            let Some(thing) = things.get_mut(&call.thing_name) else {
                return Some(not_found(format!(
                    "Thing {} cannot be found.",
                    call.thing_name
                )));
            };
            if call.expected_version.is_some_and(|v| v != thing.version) {
                return Some(conflict(
                    "VersionConflictException",
                    format!(
                        "The version for thing {} does not match the expected version.",
                        call.thing_name
                    ),
                ));
            }
            if !call.merge {
                thing.attributes.clear();
            }
            for (key, value) in &call.attributes {
                if value.is_empty() {
                    thing.attributes.remove(key);
                } else {
                    thing.attributes.insert(key.clone(), value.clone());
                }
            }
            thing.version += 1;
            Reply::Json(json!({}))
        }
        Request::IotDeleteThing(call) => {
            lock(&core.things).remove(&call.thing_name);
            Reply::Json(json!({}))
        }
        Request::IotListThings(call) => {
            let things = lock(&core.things);
            let matching: Vec<Value> = things
                .iter()
                .filter(
                    |(_, thing)| match (&call.attribute_name, &call.attribute_value) {
                        (Some(name), Some(value)) => thing.attributes.get(name) == Some(value),
                        (Some(name), None) => thing.attributes.contains_key(name),
                        _ => true,
                    },
                )
                .map(|(name, thing)| {
                    let mut item = json!({
                        "thingName": name,
                        "thingArn": thing_arn(name),
                        "attributes": thing.attributes,
                        "version": thing.version,
                    });
                    if let Some(kind) = &thing.type_name {
                        item["thingTypeName"] = json!(kind);
                    }
                    item
                })
                .collect();
            let (page, next) = page(
                &matching,
                call.next_token.as_deref(),
                call.max_results.unwrap_or(50),
            );
            let mut body = json!({ "things": page });
            if let Some(next) = next {
                body["nextToken"] = json!(next);
            }
            Reply::Json(body)
        }
        Request::IotCreateTopicRule(call) => {
            let rule = match checked_rule(call) {
                Ok(rule) => rule,
                Err(reply) => return Some(reply),
            };
            let mut rules = lock(&core.rules);
            if rules.contains_key(&call.rule_name) {
                return Some(conflict(
                    "ResourceAlreadyExistsException",
                    format!("Rule {} already exists", call.rule_name),
                ));
            }
            rules.insert(call.rule_name.clone(), rule);
            Reply::Json(json!({}))
        }
        Request::IotReplaceTopicRule(ReplaceTopicRule(call)) => {
            let rule = match checked_rule(call) {
                Ok(rule) => rule,
                Err(reply) => return Some(reply),
            };
            let mut rules = lock(&core.rules);
            let Some(existing) = rules.get_mut(&call.rule_name) else {
                return Some(not_found(format!("Rule {} does not exist", call.rule_name)));
            };
            *existing = Rule {
                created: existing.created,
                ..rule
            };
            Reply::Json(json!({}))
        }
        Request::IotGetTopicRule(call) => match lock(&core.rules).get(&call.rule_name) {
            Some(rule) => {
                let actions: Vec<Value> = rule
                    .functions
                    .iter()
                    .map(|arn| json!({ "lambda": { "functionArn": arn } }))
                    .collect();
                let mut body = json!({
                    "ruleArn": rule_arn(&call.rule_name),
                    "rule": {
                        "ruleName": call.rule_name,
                        "sql": rule.sql,
                        "createdAt": rule.created,
                        "actions": actions,
                        "ruleDisabled": rule.disabled,
                        "awsIotSqlVersion": "2016-03-23",
                    },
                });
                if let Some(description) = &rule.description {
                    body["rule"]["description"] = json!(description);
                }
                Reply::Json(body)
            }
            None => Reply::Error(ErrorShape::sender(
                401,
                "UnauthorizedException",
                format!(
                    "Rule {} does not exist or you are not authorized",
                    call.rule_name
                ),
            )),
        },
        Request::IotDeleteTopicRule(call) => {
            lock(&core.rules).remove(&call.rule_name);
            Reply::Json(json!({}))
        }
        Request::IotListTopicRules(call) => {
            let rules = lock(&core.rules);
            let items: Vec<Value> = rules
                .iter()
                .filter(|(_, rule)| call.topic.as_ref().is_none_or(|t| t == &rule.filter))
                .map(|(name, rule)| {
                    json!({
                        "ruleArn": rule_arn(name),
                        "ruleName": name,
                        "topicPattern": rule.filter,
                        "createdAt": rule.created,
                        "ruleDisabled": rule.disabled,
                    })
                })
                .collect();
            let (page, next) = page(&items, call.next_token.as_deref(), 100);
            let mut body = json!({ "rules": page });
            if let Some(next) = next {
                body["nextToken"] = json!(next);
            }
            Reply::Json(body)
        }
        _ => return None,
    })
}
