//! The custom authorizer against the request shapes of AWS's documentation, and provisioning
//! against the emulator end to end (twice, idempotent; with `Delete`; with faults).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ha_aws::Operation;
use ha_aws::emulator::{
    CreateAuthorizer, Emulator, Fault, IOT_DATA_ATS_ENDPOINT, LambdaAddPermission,
};
use ha_aws::iot::{
    Authorizer, AuthorizerRequest, DeviceKey, IotAccount, JsonErrorCategory, Password, Passwords,
    ProvisionPlan, ProvisionStep, Provisioner, Refusal, Retention, TopicScope,
};
use serde_json::{Value, json};

use crate::support::sdk_client;

const REQUEST: &str = include_str!("../fixtures/iot-authorizer.mqtt.request.json");
const TASMOTA_AUTH_RESPONSE: &str =
    include_str!("../fixtures/iot-authorizer.tasmotaauth.response.json");
const SHARED: &str = "YknLuSd2tBY2HodwI/7RqA==";
const FUNCTION: &str = "arn:aws:lambda:us-east-1:123456789012:function:TasmotaAuth";

fn account() -> IotAccount {
    IotAccount::new("eu-central-1", "123456789012").unwrap()
}

fn shared() -> Authorizer {
    Authorizer::new(Passwords::shared(Password::new(SHARED)), account())
}

fn key() -> DeviceKey {
    DeviceKey::new([42; 32]).unwrap()
}

fn per_device() -> Authorizer {
    Authorizer::new(Passwords::per_device(key()), account())
}

/// The fixture with `mqtt` replaced.
fn request(mqtt: Value) -> Vec<u8> {
    let mut request: Value = serde_json::from_str(REQUEST).unwrap();
    request["protocolData"]["mqtt"] = mqtt;
    request.to_string().into_bytes()
}

fn respond(authorizer: &Authorizer, request: &[u8]) -> Value {
    serde_json::from_slice(&authorizer.respond(request)).unwrap()
}

#[test]
fn shared_password_answers_as_documented() {
    let response = respond(&shared(), REQUEST.as_bytes());
    let expected: Value = serde_json::from_str(TASMOTA_AUTH_RESPONSE).unwrap();
    assert_eq!(response, expected);
    let policy = &response["policyDocuments"][0];
    assert!(policy.to_string().chars().count() <= 2048);
    assert!(!policy.to_string().contains("\"*\""), "no bare wildcard");
    assert!(!policy.to_string().contains("RetainPublish"));
}

#[test]
fn rotation_password_is_accepted_and_others_are_not() {
    let rotating = Authorizer::new(
        Passwords::shared(Password::new(SHARED)).with_rotation(Password::new("n3wPassw0rd-2024")),
        account(),
    );
    let with = |password: &str| {
        request(
            json!({"username": "kitchen", "password": BASE64.encode(password), "clientId": "DVES_1"}),
        )
    };
    assert_eq!(respond(&rotating, &with(SHARED))["isAuthenticated"], true);
    assert_eq!(
        respond(&rotating, &with("n3wPassw0rd-2024"))["isAuthenticated"],
        true
    );
    assert_eq!(
        respond(&rotating, &with("guessed"))["isAuthenticated"],
        false
    );
    assert_eq!(
        respond(&shared(), &with("n3wPassw0rd-2024"))["isAuthenticated"],
        false
    );
}

#[test]
fn per_device_passwords_open_only_their_device() {
    let authorizer = per_device();
    let kitchen = key().password("kitchen");
    let as_user = |user: &str, password: &Password| {
        request(json!({
            "username": format!("{user}?x-amz-customauthorizer-name=TasmotaAuth"),
            "password": BASE64.encode(password.expose()),
            "clientId": format!("DVES_{user}"),
        }))
    };
    let grant = authorizer.authorize(&as_user("kitchen", &kitchen)).unwrap();
    assert_eq!(grant.device(), "kitchen");
    assert!(grant.policy().allows_connect("DVES_kitchen"));
    assert!(!grant.policy().allows_connect("DVES_garage"));
    assert!(grant.policy().allows_publish("stat/kitchen/RESULT"));
    assert!(grant.policy().allows_publish("tele/kitchen/SENSOR"));
    assert!(
        !grant.policy().allows_publish("cmnd/kitchen/POWER"),
        "devices do not command"
    );
    assert!(!grant.policy().allows_publish("stat/garage/RESULT"));
    assert!(grant.policy().allows_subscribe("cmnd/kitchen/#"));
    assert!(grant.policy().allows_subscribe("cmnd/tasmotas/#"));
    assert!(grant.policy().allows_subscribe("cmnd/DVES_kitchen_fb/#"));
    assert!(!grant.policy().allows_subscribe("cmnd/#"));
    assert!(!grant.policy().allows_subscribe("stat/#"));
    assert!(grant.policy().allows_receive("cmnd/kitchen/POWER"));
    assert!(!grant.policy().allows_receive("cmnd/garage/POWER"));
    assert!(!grant.policy().allows_retained_publish("tele/kitchen/LWT"));
    assert!(
        !grant
            .policy()
            .allows_publish("tasmota/discovery/DC4F22A1B2C3/config")
    );

    // the kitchen's password does not open the garage
    let refused = authorizer
        .authorize(&as_user("garage", &kitchen))
        .unwrap_err();
    assert_eq!(
        refused,
        Refusal::WrongPassword {
            device: "garage".to_owned()
        }
    );
    assert_eq!(
        respond(&authorizer, &as_user("garage", &kitchen))["isAuthenticated"],
        false
    );
}

#[test]
fn user_name_with_and_without_the_authorizer_query() {
    let password = key().password("kitchen");
    for username in [
        "kitchen",
        "kitchen?x-amz-customauthorizer-name=TasmotaAuth",
        "kitchen?a=b&x-amz-customauthorizer-name=X",
    ] {
        let json = request(
            json!({"username": username, "password": BASE64.encode(password.expose()), "clientId": "c1"}),
        );
        let grant = per_device().authorize(&json).unwrap();
        assert_eq!(grant.device(), "kitchen", "{username}");
    }
    let json = request(
        json!({"username": "kitchen?x-amz-customauthorizer-name=TasmotaAuth", "password": "x", "clientId": "c1"}),
    );
    let parsed = AuthorizerRequest::parse(&json).unwrap();
    assert_eq!(parsed.authorizer_name(), Some("TasmotaAuth"));
    assert_eq!(
        parsed.server_name(),
        Some("a1b2c3d4e5f6g7-ats.iot.eu-central-1.amazonaws.com")
    );
    assert_eq!(
        parsed.connection_id(),
        Some("d0adaaa7-b22d-4545-923c-68a6ff4e7c61")
    );
}

#[test]
fn malformed_requests_get_typed_refusals() {
    let authorizer = shared();
    let refusal = |json: &[u8]| authorizer.authorize(json).unwrap_err();
    assert_eq!(
        refusal(&request(json!({"username": "kitchen", "clientId": "c1"}))),
        Refusal::Missing {
            field: "protocolData.mqtt.password"
        }
    );
    assert_eq!(
        refusal(&request(
            json!({"password": BASE64.encode(SHARED), "clientId": "c1"})
        )),
        Refusal::Missing {
            field: "protocolData.mqtt.username"
        }
    );
    assert_eq!(
        refusal(&request(
            json!({"username": "kitchen", "password": BASE64.encode(SHARED)})
        )),
        Refusal::Missing {
            field: "protocolData.mqtt.clientId"
        }
    );
    assert_eq!(
        refusal(&request(
            json!({"username": "kitchen", "password": "not base64!", "clientId": "c1"})
        )),
        Refusal::BadBase64
    );
    assert!(matches!(
        refusal(&request(
            json!({"username": "kitchen", "password": "QUFB".repeat(100), "clientId": "c1"})
        )),
        Refusal::Oversized {
            field: "protocolData.mqtt.password",
            ..
        }
    ));
    assert!(matches!(
        refusal(&request(
            json!({"username": "k".repeat(65), "password": BASE64.encode(SHARED), "clientId": "c1"})
        )),
        Refusal::Oversized {
            field: "protocolData.mqtt.username",
            len: 65,
            max: 64
        }
    ));
    assert!(matches!(
        refusal(&request(
            json!({"username": "kitchen", "password": BASE64.encode(SHARED), "clientId": "c".repeat(129)})
        )),
        Refusal::Oversized {
            field: "protocolData.mqtt.clientId",
            ..
        }
    ));
    for unsafe_name in [
        "*",
        "kit*chen",
        "a/b",
        "${iot:ClientId}",
        "a+",
        "a#",
        "kit chen",
        "",
    ] {
        assert!(
            matches!(
                refusal(&request(
                    json!({"username": unsafe_name, "password": BASE64.encode(SHARED), "clientId": "c1"})
                )),
                Refusal::InvalidName {
                    field: "protocolData.mqtt.username",
                    ..
                }
            ),
            "{unsafe_name:?}"
        );
        assert!(
            matches!(
                refusal(&request(
                    json!({"username": "kitchen", "password": BASE64.encode(SHARED), "clientId": unsafe_name})
                )),
                Refusal::InvalidName {
                    field: "protocolData.mqtt.clientId",
                    ..
                }
            ),
            "{unsafe_name:?}"
        );
    }
}

#[test]
fn requests_that_are_not_json_get_typed_refusals() {
    let authorizer = shared();
    let refusal = |json: &[u8]| authorizer.authorize(json).unwrap_err();
    assert!(matches!(
        refusal(b"{\"protocolData\": "),
        Refusal::Malformed {
            category: JsonErrorCategory::Eof,
            line: 1,
            ..
        }
    ));
    assert!(matches!(
        refusal(b"{\"protocolData\": {\"mqtt\": {\"password\": 12345}}}"),
        Refusal::Malformed {
            category: JsonErrorCategory::Data,
            ..
        }
    ));
    assert!(matches!(
        refusal(&vec![b' '; 20_000]),
        Refusal::Oversized {
            field: "request",
            ..
        }
    ));
    assert_eq!(respond(&authorizer, b"\xff\xfe")["isAuthenticated"], false);
}

#[test]
fn secrets_stay_out_of_debug_and_refusals() {
    let authorizer = per_device();
    let debug = format!("{authorizer:?}");
    assert!(!debug.contains(&key().to_base64()));
    assert!(!debug.contains("42, 42"));
    let shared_debug = format!("{:?}", shared());
    assert!(!shared_debug.contains(SHARED));
    let parsed = AuthorizerRequest::parse(REQUEST.as_bytes()).unwrap();
    assert!(!format!("{parsed:?}").contains("WWtuTHVTZDJ0QlkySG9kd0kvN1JxQT09"));
    // a password sent as the wrong JSON type is not echoed in the refusal
    let refusal = authorizer
        .authorize(br#"{"protocolData":{"mqtt":{"password":987654321}}}"#)
        .unwrap_err();
    assert!(!refusal.to_string().contains("987654321"), "{refusal}");
}

#[test]
fn options_change_the_policy_within_limits() {
    let json = request(
        json!({"username": "tasmota", "password": BASE64.encode(SHARED), "clientId": "DVES_4B3316"}),
    );
    let legacy = shared()
        .with_topic_scope(TopicScope::AllDevices)
        .with_retain(true)
        .with_discovery(true)
        .with_session(3600, 600)
        .unwrap();
    let grant = legacy.authorize(&json).unwrap();
    assert!(grant.policy().allows_publish("stat/tasmota_4B3316/POWER"));
    assert!(
        grant
            .policy()
            .allows_retained_publish("tele/tasmota_4B3316/LWT")
    );
    assert!(
        grant
            .policy()
            .allows_publish("tasmota/discovery/DC4F224B3316/config")
    );
    assert!(!grant.policy().allows_publish("$aws/things/x/shadow/update"));
    assert!(!grant.policy().allows_connect("DVES_000000"));
    let response = respond(&legacy, &json);
    assert_eq!(response["disconnectAfterInSeconds"], 3600);
    assert_eq!(response["refreshAfterInSeconds"], 600);
    assert_eq!(response["principalId"], "tasmota");
    assert!(shared().with_session(299, 600).is_err());
    assert!(shared().with_session(600, 86_401).is_err());
}

#[test]
fn long_names_keep_the_policy_within_aws_limits() {
    let json = request(
        json!({"username": "k".repeat(64), "password": BASE64.encode(SHARED), "clientId": "c".repeat(128)}),
    );
    let grant = shared()
        .with_retain(true)
        .with_discovery(true)
        .with_group_topics(["g".repeat(64), "h".repeat(64), "i".repeat(64)])
        .unwrap()
        .authorize(&json);
    match grant {
        Ok(grant) => assert!(grant.policy().to_json().chars().count() <= 2048),
        Err(refusal) => assert!(matches!(refusal, Refusal::PolicyTooLarge { max: 2048, .. })),
    }
}

#[test]
fn principal_ids_are_alphanumeric() {
    let json =
        request(json!({"username": "-_-", "password": BASE64.encode(SHARED), "clientId": "c1"}));
    assert_eq!(shared().authorize(&json).unwrap().principal_id(), "Tasmota");
}

#[tokio::test]
async fn provisioning_is_idempotent_and_delete_removes_everything() {
    let emulator = Emulator::start().await;
    let provisioner = Provisioner::new(&emulator.session().await);
    let plan = ProvisionPlan::new(FUNCTION)
        .unwrap()
        .with_default_authorizer(true)
        .with_retention(Retention::Delete);

    let first = provisioner.apply(&plan).await.unwrap();
    assert_eq!(first.endpoint(), IOT_DATA_ATS_ENDPOINT);
    assert_eq!(
        first.authorizer_arn(),
        "arn:aws:iot:us-east-1:123456789012:authorizer/TasmotaAuth"
    );
    assert_eq!(first.changes().len(), 3, "{:?}", first.changes());
    assert_eq!(
        emulator.iot_authorizers(),
        [("TasmotaAuth".to_owned(), FUNCTION.to_owned())]
    );
    assert_eq!(
        emulator.iot_default_authorizer().as_deref(),
        Some("TasmotaAuth")
    );
    let created = &emulator.requests::<CreateAuthorizer>()[0];
    assert_eq!(created.signing_disabled, Some(true));
    assert_eq!(created.status.as_deref(), Some("ACTIVE"));
    let permission = &emulator.requests::<LambdaAddPermission>()[0];
    assert_eq!(permission.principal, "iot.amazonaws.com");
    assert_eq!(permission.action, "lambda:InvokeFunction");
    assert_eq!(
        permission.source_arn.as_deref(),
        Some(first.authorizer_arn())
    );
    assert_eq!(permission.source_account.as_deref(), Some("123456789012"));

    let writes = |emulator: &Emulator| {
        emulator
            .calls()
            .iter()
            .filter(|call| {
                !matches!(
                    call.operation().name(),
                    "DescribeEndpoint"
                        | "DescribeAuthorizer"
                        | "DescribeDefaultAuthorizer"
                        | "GetPolicy"
                )
            })
            .count()
    };
    let before = writes(&emulator);
    let second = provisioner.apply(&plan).await.unwrap();
    assert!(second.changes().is_empty(), "{:?}", second.changes());
    assert_eq!(writes(&emulator), before, "a second run only reads");

    // a changed function is updated in place, and the permission stays scoped
    let moved = ProvisionPlan::new("arn:aws:lambda:us-east-1:123456789012:function:TasmotaAuth2")
        .unwrap()
        .with_retention(Retention::Delete);
    let third = provisioner.apply(&moved).await.unwrap();
    assert!(
        third
            .changes()
            .iter()
            .any(|step| matches!(step, ProvisionStep::UpdateAuthorizer { .. }))
    );

    let removed = provisioner.remove(&plan).await.unwrap();
    assert_eq!(removed.len(), 4, "{removed:?}");
    assert!(emulator.iot_authorizers().is_empty());
    assert_eq!(emulator.iot_default_authorizer(), None);
    assert!(
        provisioner.remove(&plan).await.unwrap().is_empty(),
        "nothing left"
    );
    assert!(
        provisioner
            .remove(&plan.clone().with_retention(Retention::Retain))
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn provisioning_reports_the_failing_operation() {
    let emulator = Emulator::start().await;
    let provisioner = Provisioner::new(&emulator.session().await);
    let plan = ProvisionPlan::new(FUNCTION).unwrap();
    emulator.inject(Fault::access_denied().on(Operation::IOT_CREATE_AUTHORIZER));
    let error = provisioner.apply(&plan).await.unwrap_err();
    assert!(error.is_auth(), "{error}");
    assert_eq!(error.operation(), Some(Operation::IOT_CREATE_AUTHORIZER));
    emulator.clear_faults();
    // the permission added before the failure stays; the next run completes the rest
    let resumed = provisioner.apply(&plan).await.unwrap();
    assert_eq!(resumed.changes().len(), 1, "{:?}", resumed.changes());
}

#[tokio::test]
async fn a_stale_permission_statement_is_replaced() {
    let emulator = Emulator::start().await;
    let session = emulator.session().await;
    let lambda = sdk_client!(
        aws_sdk_lambda,
        emulator.endpoint_url(),
        "us-east-1",
        "testing"
    );
    lambda
        .add_permission()
        .function_name(FUNCTION)
        .statement_id("iot-authorizer-TasmotaAuth")
        .action("lambda:InvokeFunction")
        .principal("iot.amazonaws.com")
        .send()
        .await
        .unwrap();
    let provisioned = Provisioner::new(&session)
        .apply(&ProvisionPlan::new(FUNCTION).unwrap())
        .await
        .unwrap();
    assert!(matches!(
        provisioned.changes()[0],
        ProvisionStep::RemovePermission { .. }
    ));
    assert!(matches!(
        provisioned.changes()[1],
        ProvisionStep::AddPermission { .. }
    ));
    let policy = lambda
        .get_policy()
        .function_name("TasmotaAuth")
        .send()
        .await
        .unwrap();
    let policy: Value = serde_json::from_str(policy.policy().unwrap()).unwrap();
    assert_eq!(policy["Statement"].as_array().unwrap().len(), 1);
    assert_eq!(
        policy["Statement"][0]["Condition"]["ArnLike"]["AWS:SourceArn"],
        "arn:aws:iot:us-east-1:123456789012:authorizer/TasmotaAuth"
    );
}

#[tokio::test]
async fn device_backlogs_carry_their_own_password() {
    let emulator = Emulator::start().await;
    let provisioned = Provisioner::new(&emulator.session().await)
        .apply(&ProvisionPlan::new(FUNCTION).unwrap())
        .await
        .unwrap();
    let key = key();
    let kitchen = provisioned
        .device("kitchen", key.password("kitchen"))
        .backlog()
        .unwrap();
    let garage = provisioned
        .device("garage", key.password("garage"))
        .backlog()
        .unwrap();
    assert_eq!(
        kitchen,
        format!(
            "SetOption3 1;SetOption103 1;MqttHost {IOT_DATA_ATS_ENDPOINT};MqttPort 443;MqttUser kitchen?x-amz-customauthorizer-name=TasmotaAuth;MqttPassword {}",
            key.password("kitchen").expose()
        )
    );
    assert_ne!(kitchen, garage);
}
