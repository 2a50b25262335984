//! The AWS IoT custom-authorizer Lambda for Tasmota devices (`ha_aws::iot::Authorizer`): it
//! replaces the Python function of Tasmota's `TasmotaAuth` CloudFormation stack, with
//! per-device passwords, constant-time checks and a least-privilege policy per device.
//!
//! It reads its settings from the environment:
//!
//! | variable | meaning |
//! |---|---|
//! | `DEVICE_KEY` | per-device mode: the base64 key each device's password is derived from (`tasmota_aws_setup` prints one and each device's Backlog) |
//! | `PASSWD` | shared mode (TasmotaAuth-compatible, when `DEVICE_KEY` is unset): the one password |
//! | `PASSWD2` | shared mode: a second password accepted during a rotation |
//! | `TOPIC_SCOPE` | `user` (default: the user name is the device's topic) or `all` (every device's `cmnd`/`stat`/`tele`, for TasmotaAuth's Backlog with user `tasmota`) |
//! | `RETAIN` | `true` to grant `iot:RetainPublish` on the device's `stat` and `tele` topics |
//! | `DISCOVERY` | `true` to grant publishing on `tasmota/discovery/*` |
//!
//! The account and region of the policies come from the function's own ARN.
//!
//! **Run it locally.** Outside Lambda (no `AWS_LAMBDA_RUNTIME_API`) it answers one request
//! from standard input, with the account and region of `FUNCTION_ARN`:
//!
//! ```sh
//! echo '{"protocolData":{"mqtt":{"username":"kitchen?x-amz-customauthorizer-name=TasmotaAuth",
//!   "password":"aHVudGVyMjI=","clientId":"DVES_4B3316"}}}' |
//!   PASSWD=hunter22 FUNCTION_ARN=arn:aws:lambda:eu-central-1:123456789012:function:TasmotaAuth \
//!   cargo run --example tasmota_authorizer_lambda
//! ```
//!
//! **Build and deploy.** Lambda runs it as a custom runtime (`provided.al2023`), arm64 as
//! TasmotaAuth's function:
//!
//! ```sh
//! cargo lambda build --release --arm64 --example tasmota_authorizer_lambda --output-format zip
//! aws lambda create-function --function-name TasmotaAuth \
//!   --runtime provided.al2023 --architectures arm64 --handler bootstrap --memory-size 128 --timeout 2 \
//!   --role arn:aws:iam::<account>:role/<a role with AWSLambdaBasicExecutionRole> \
//!   --zip-file fileb://target/lambda/tasmota_authorizer_lambda/bootstrap.zip \
//!   --environment 'Variables={DEVICE_KEY=<from tasmota_aws_setup>}'
//! cargo run --example tasmota_aws_setup -- --live --function arn:aws:lambda:<region>:<account>:function:TasmotaAuth
//! ```
#![expect(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "run locally, the example prints the response; it tells its operator what is missing"
)]

use std::io::Read as _;
use std::sync::Arc;

use ha_aws::iot::{Authorizer, DeviceKey, IotAccount, Password, Passwords, TopicScope};
use lambda_runtime::{LambdaEvent, service_fn};
use serde_json::value::RawValue;

/// The authorizer the environment describes, for the function `function_arn`.
fn authorizer(function_arn: &str) -> Result<Authorizer, String> {
    let env = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());
    let account = IotAccount::from_function_arn(function_arn).map_err(|e| e.to_string())?;
    let passwords = match (env("DEVICE_KEY"), env("PASSWD")) {
        (Some(key), _) => Passwords::per_device(
            DeviceKey::from_base64(&key).map_err(|e| format!("DEVICE_KEY: {e}"))?,
        ),
        (None, Some(password)) => {
            let shared = Passwords::shared(Password::new(password));
            match env("PASSWD2") {
                Some(rotation) => shared.with_rotation(Password::new(rotation)),
                None => shared,
            }
        }
        (None, None) => {
            return Err(
                "set DEVICE_KEY (per-device passwords) or PASSWD (one shared password)".to_owned(),
            );
        }
    };
    let scope = match env("TOPIC_SCOPE").as_deref() {
        None | Some("user") => TopicScope::UserName,
        Some("all") => TopicScope::AllDevices,
        Some(other) => {
            return Err(format!(
                "TOPIC_SCOPE: `{other}` is neither `user` nor `all`"
            ));
        }
    };
    let flag = |name: &str| env(name).is_some_and(|value| value == "true");
    Ok(Authorizer::new(passwords, account)
        .with_topic_scope(scope)
        .with_retain(flag("RETAIN"))
        .with_discovery(flag("DISCOVERY")))
}

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    tracing_subscriber::fmt()
        // CloudWatch stamps each line and shows no colours.
        .without_time()
        .with_ansi(false)
        .with_writer(std::io::stderr)
        .init();
    if std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_none() {
        let arn = std::env::var("FUNCTION_ARN").unwrap_or_default();
        let authorizer = authorizer(&arn).unwrap_or_else(|error| {
            eprintln!("tasmota_authorizer_lambda: {error} (and FUNCTION_ARN, to run locally)");
            std::process::exit(2);
        });
        let mut request = Vec::new();
        std::io::stdin().read_to_end(&mut request)?;
        println!("{}", String::from_utf8_lossy(&authorizer.respond(&request)));
        return Ok(());
    }
    // The function's ARN is known with the first invocation; the authorizer is built once.
    let built: Arc<std::sync::OnceLock<Authorizer>> = Arc::default();
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Box<RawValue>>| {
        let built = Arc::clone(&built);
        async move {
            let authorizer = if let Some(authorizer) = built.get() {
                authorizer
            } else {
                let authorizer = authorizer(&event.context.invoked_function_arn)?;
                built.get_or_init(|| authorizer)
            };
            let response = authorizer.respond(event.payload.get().as_bytes());
            Ok::<_, lambda_runtime::Error>(RawValue::from_string(String::from_utf8(response)?)?)
        }
    }))
    .await
}
