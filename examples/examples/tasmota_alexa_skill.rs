//! The Alexa Smart Home skill for Tasmota devices on AWS IoT Core, with no hub
//! (`ha_aws::skill::Skill`): one Lambda function takes Alexa's directives, the mirroring
//! rules' events (each device message kept in its thing's `tasmota` shadow) and its own
//! follow-ups for deferred directives.
//!
//! Settings come from the environment:
//!
//! | variable | meaning |
//! |---|---|
//! | `LWA_CLIENT_ID`, `LWA_CLIENT_SECRET` | the skill's "Send Alexa Events" credentials (Alexa developer console, Build > Permissions) |
//! | `ALEXA_REGION` | `NA` (default), `EU` or `FE`: the event gateway of the skill's users |
//! | `TOKEN_THING` | the thing whose `alexa-lwa` shadow keeps the Login-with-Amazon tokens (default `ha-rs-alexa-skill`) |
//! | `ANSWER_WITHIN_MS` | how long a directive waits for the device's RESULT before it is deferred (default 3000, at most 6000) |
//! | `DEFERRAL_S` | how long a deferred directive waits before ENDPOINT_UNREACHABLE (default 20; set the function's timeout above it) |
//!
//! **Run it locally.** Outside Lambda it handles one event from standard input against the
//! account of the default credential chain (`AWS_REGION`, `AWS_PROFILE`, ...).
//!
//! **Build, deploy, provision.**
//!
//! ```sh
//! cargo lambda build --release --arm64 --example tasmota_alexa_skill --output-format zip
//! aws lambda create-function --function-name tasmota-alexa-skill \
//!   --runtime provided.al2023 --architectures arm64 --handler bootstrap --memory-size 128 --timeout 30 \
//!   --role arn:aws:iam::<account>:role/<role with the policy of SkillProvisioner::role_policy> \
//!   --zip-file fileb://target/lambda/tasmota_alexa_skill/bootstrap.zip \
//!   --environment 'Variables={LWA_CLIENT_ID=...,LWA_CLIENT_SECRET=...,ALEXA_REGION=EU}'
//! ```
//!
//! Then register the devices and create the mirroring rules with
//! `ha_aws::skill::SkillProvisioner::apply` (the smart_home demo does it on the emulator), and
//! add the function as the skill's endpoint with an Alexa Smart Home trigger.
#![expect(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "run locally, the example prints the answer; it tells its operator what is missing"
)]

use std::io::Read as _;
use std::sync::Arc;
use std::time::Duration;

use ha_alexa::config::ClientSecret;
use ha_alexa::gateway::{GatewayConfig, Region as AlexaRegion};
use ha_alexa::lwa::LwaConfig;
use ha_aws::skill::{Skill, SkillConfig};
use ha_aws::{ClientOptions, Credential, Region, Session};
use lambda_runtime::{LambdaEvent, service_fn};
use serde_json::Value;

async fn skill() -> Result<Skill, String> {
    let env = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());
    let id = env("LWA_CLIENT_ID").ok_or("set LWA_CLIENT_ID")?;
    let secret = env("LWA_CLIENT_SECRET").ok_or("set LWA_CLIENT_SECRET")?;
    let lwa = LwaConfig::new(
        &id,
        ClientSecret::try_new(secret).map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;
    let alexa = match env("ALEXA_REGION").as_deref() {
        None | Some("NA") => AlexaRegion::NorthAmerica,
        Some("EU") => AlexaRegion::Europe,
        Some("FE") => AlexaRegion::FarEast,
        Some(other) => return Err(format!("ALEXA_REGION: `{other}` is not NA, EU or FE")),
    };
    let millis = |name: &str, default: u64| {
        env(name)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(default)
    };
    let mut config = SkillConfig::default()
        .with_answer_within(Duration::from_millis(millis("ANSWER_WITHIN_MS", 3000)))
        .with_deferral(Duration::from_secs(millis("DEFERRAL_S", 20)));
    if let Some(thing) = env("TOKEN_THING") {
        config = config.with_token_thing(thing);
    }
    if let Some(function) = env("AWS_LAMBDA_FUNCTION_NAME") {
        config = config.with_function_name(function);
    }
    let region = env("AWS_REGION")
        .map(|name| Region::try_from(name.as_str()))
        .transpose()
        .map_err(|e| e.to_string())?
        .unwrap_or_else(Region::us_east_1);
    let session = Session::load(&Credential::DefaultChain, region, &ClientOptions::default()).await;
    Ok(Skill::new(&session, config, lwa, GatewayConfig::new(alexa)))
}

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    tracing_subscriber::fmt()
        .without_time()
        .with_ansi(false)
        .with_writer(std::io::stderr)
        .init();
    let skill = match skill().await {
        Ok(skill) => Arc::new(skill),
        Err(error) => {
            eprintln!("tasmota_alexa_skill: {error}");
            std::process::exit(2);
        }
    };
    if std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_none() {
        let mut input = Vec::new();
        std::io::stdin().read_to_end(&mut input)?;
        let event: Value = serde_json::from_slice(&input)?;
        println!("{}", skill.handle(&event).await?);
        return Ok(());
    }
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| {
        let skill = Arc::clone(&skill);
        async move { Ok::<_, lambda_runtime::Error>(skill.handle(&event.payload).await?) }
    }))
    .await
}
