//! The AWS Lambda function of an Alexa smart-home skill: forwards every directive to the
//! hub's `/api/alexa/smart_home` with the user's token and returns the hub's reply, or a
//! complete ErrorResponse when the hub cannot answer (`ha_alexa::proxy`).
//!
//! It reads the environment variables of the Python function in Home Assistant's
//! documentation:
//!
//! | variable | meaning |
//! |---|---|
//! | `BASE_URL` | required: the hub's URL as the internet reaches it, e.g. `https://hub.example.org` (a trailing `/` is fine) |
//! | `NOT_VERIFY_SSL` | `true` to accept a self-signed certificate of the hub; unset or `false` to verify it |
//! | `DEBUG` | `true` for debug logs and to allow `LONG_LIVED_ACCESS_TOKEN` |
//! | `LONG_LIVED_ACCESS_TOKEN` | a hub token for directives without one (console tests); used only with `DEBUG` |
//!
//! **Run it locally.** Outside Lambda (no `AWS_LAMBDA_RUNTIME_API`) it answers one
//! directive from standard input and prints the reply. With the seed's console test event,
//! which has no token, against a hub on this machine:
//!
//! ```sh
//! echo '{"directive":{"header":{"namespace":"Alexa.Discovery","name":"Discover",
//!   "payloadVersion":"3","messageId":"1bd5d003-31b9-476f-ad03-71d471922820"},
//!   "payload":{"scope":{"type":"BearerToken"}}}}' > discover.json
//! BASE_URL=http://127.0.0.1:8123 DEBUG=true LONG_LIVED_ACCESS_TOKEN='a hub token' \
//!   cargo run --example alexa_lambda_proxy < discover.json
//! ```
//!
//! Without `LONG_LIVED_ACCESS_TOKEN` (or without `DEBUG`) the reply is an
//! INVALID_AUTHORIZATION_CREDENTIAL ErrorResponse, as in the console. To run it under a
//! local Lambda emulator instead, `cargo lambda watch` and `cargo lambda invoke --data-file
//! discover.json` ([cargo-lambda](https://www.cargo-lambda.info)) work as well.
//!
//! **Build and deploy.** Lambda runs it as a custom runtime (`provided.al2023`). Build an
//! arm64 binary zipped as `bootstrap` with cargo-lambda, from the workspace root:
//!
//! ```sh
//! cargo lambda build --release --arm64 --example alexa_lambda_proxy --output-format zip
//! ```
//!
//! Create the function in the region of your skill's users (us-east-1 for North America,
//! eu-west-1 for Europe and India, us-west-2 for Japan and Australia), with a role that has
//! `AWSLambdaBasicExecutionRole`, and let the skill invoke it:
//!
//! ```sh
//! aws lambda create-function --function-name alexa-smart-home \
//!   --runtime provided.al2023 --architectures arm64 --handler bootstrap --memory-size 128 \
//!   --role arn:aws:iam::<account>:role/AWSLambdaBasicExecutionRole-SmartHome \
//!   --zip-file fileb://target/lambda/alexa_lambda_proxy/bootstrap.zip \
//!   --environment 'Variables={BASE_URL=https://hub.example.org}'
//! aws lambda add-permission --function-name alexa-smart-home --statement-id alexa \
//!   --action lambda:InvokeFunction --principal alexa-connectedhome.amazon.com \
//!   --event-source-token <your skill id, amzn1.ask.skill.…>
//! ```
//!
//! Then enter the function's ARN as the skill's default endpoint (Build > Smart Home >
//! Smart Home service endpoint) and test it from the Lambda console with the event above.
#![expect(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "run locally, the example prints the reply; it tells its operator what is missing"
)]

use std::io::Read as _;
use std::sync::Arc;

use ha_alexa::proxy::{LambdaProxy, ProxyConfig};
use lambda_runtime::{LambdaEvent, service_fn};
use serde_json::value::RawValue;
use tracing::Level;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    let config = match ProxyConfig::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("alexa_lambda_proxy: {error}");
            std::process::exit(2);
        }
    };
    tracing_subscriber::fmt()
        .with_max_level(if config.debug() {
            Level::DEBUG
        } else {
            Level::INFO
        })
        // CloudWatch stamps each line and shows no colours.
        .without_time()
        .with_ansi(false)
        .with_writer(std::io::stderr)
        .init();
    let proxy = Arc::new(LambdaProxy::new(config)?);

    if std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_none() {
        let mut directive = Vec::new();
        std::io::stdin().read_to_end(&mut directive)?;
        println!("{}", proxy.handle(&directive).await);
        return Ok(());
    }

    lambda_runtime::run(service_fn(move |event: LambdaEvent<Box<RawValue>>| {
        let proxy = proxy.clone();
        async move { Ok::<_, lambda_runtime::Error>(proxy.handle(event.payload.get().as_bytes()).await) }
    }))
    .await
}
