//! AWS IoT Core for Tasmota devices: a custom authorizer with per-device passwords, and its
//! provisioning without CloudFormation.
//!
//! Tasmota's own set-up (the `TasmotaAuth` CloudFormation stack) authorizes every device with one
//! shared password kept in clear, compares it with `==`, and grants every action on every
//! resource of the account. This module replaces it:
//!
//! - [`Authorizer`] is the custom-authorizer Lambda's logic as a pure function from the request
//!   JSON AWS IoT Core sends to the response JSON it expects ([`Authorizer::respond`]). It checks
//!   a shared password (with an optional second one for rotation, TasmotaAuth-compatible) or a
//!   per-device password derived from the device's user name under a key only the authorizer
//!   holds ([`DeviceKey`]), in constant time, and answers with a least-privilege [`Policy`]:
//!   connect as its own client id, publish its own `stat`/`tele` topics, subscribe to and
//!   receive its own `cmnd` topics (plus its group and fallback topics).
//! - [`Provisioner`] creates or updates the authorizer, the Lambda permission for
//!   `iot.amazonaws.com` scoped to it, optionally the account's default authorizer, and finds the
//!   `iot:Data-ATS` endpoint; [`Provisioner::remove`] undoes it (the stack's `Delete` retention).
//!   With the `tasmota` feature, [`DeviceSetup::backlog`] is the Backlog line each device needs.
//!
//! # Examples
//!
//! ```
//! use ha_aws::iot::{Authorizer, DeviceKey, IotAccount, Passwords};
//!
//! let key = DeviceKey::new([7; 32])?;
//! let password = key.password("kitchen");
//! let authorizer = Authorizer::new(Passwords::per_device(key), IotAccount::new("eu-central-1", "123456789012")?);
//!
//! let request = serde_json::json!({
//!     "signatureVerified": false,
//!     "protocols": ["tls", "mqtt"],
//!     "protocolData": {
//!         "tls": {"serverName": "a1b2c3-ats.iot.eu-central-1.amazonaws.com"},
//!         "mqtt": {
//!             "username": "kitchen?x-amz-customauthorizer-name=TasmotaAuth",
//!             "password": base64_of(password.expose()),
//!             "clientId": "DVES_4B3316"
//!         }
//!     },
//!     "connectionMetadata": {"id": "d0adaaa7-b22d-4545-923c-68a6ff4e7c61"}
//! });
//! let grant = authorizer.authorize(request.to_string().as_bytes())?;
//! assert!(grant.policy().allows_publish("stat/kitchen/POWER"));
//! assert!(!grant.policy().allows_publish("stat/garage/POWER"));
//!
//! let response: serde_json::Value = serde_json::from_slice(&authorizer.respond(request.to_string().as_bytes()))?;
//! assert_eq!(response["isAuthenticated"], true);
//! # fn base64_of(s: &str) -> String { use base64::Engine as _; base64::engine::general_purpose::STANDARD.encode(s) }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod authorizer;
mod password;
mod policy;
mod provision;

pub use authorizer::{
    Authorizer, AuthorizerRequest, AuthorizerResponse, Grant, JsonErrorCategory, MAX_CLIENT_ID_LEN,
    MAX_DEVICE_NAME_LEN, MAX_PASSWORD_LEN, MAX_REQUEST_LEN, MAX_SESSION_SECS, MIN_SESSION_SECS,
    Refusal, TopicScope,
};
pub use password::{DeviceKey, IotAccount, Password, Passwords};
pub use policy::{Action, MAX_POLICY_LEN, Policy, PolicyDocument, Statement};
#[cfg(feature = "tasmota")]
pub use provision::DeviceSetup;
#[cfg(feature = "skill")]
pub(crate) use provision::InvokeGrant;
pub use provision::{
    DEFAULT_AUTHORIZER_NAME, ProvisionPlan, ProvisionStep, Provisioned, Provisioner, Retention,
};

#[doc(hidden)]
pub mod fuzzing {
    //! Entry points for the fuzz targets; not part of the API.

    use super::{Authorizer, DeviceKey, IotAccount, Passwords};

    /// Runs both authorizer modes on arbitrary bytes and checks what must always hold: no
    /// panic, a response that is JSON, never authenticated without the right password.
    pub fn authorizer_request(data: &[u8]) {
        let account = IotAccount::new("eu-central-1", "123456789012").expect("a valid account");
        let shared = Authorizer::new(
            Passwords::shared(super::Password::new("YknLuSd2tBY2HodwI/7RqA==")),
            account.clone(),
        );
        let per_device = Authorizer::new(
            Passwords::per_device(DeviceKey::new([1; 32]).expect("a valid key")),
            account,
        );
        for authorizer in [&shared, &per_device] {
            let response = authorizer.respond(data);
            let value: serde_json::Value =
                serde_json::from_slice(&response).expect("the response is JSON");
            assert!(value["isAuthenticated"].is_boolean());
            if let Ok(grant) = authorizer.authorize(data) {
                let json = grant.policy().to_json();
                assert!(json.len() <= super::MAX_POLICY_LEN);
                assert!(!json.contains("\"*\""), "never a bare wildcard resource");
            }
        }
    }
}
