//! A whole smart home in one process, on embedded defaults: no AWS account, no broker, no
//! network beyond loopback.
//!
//! ```sh
//! cargo run --example smart_home                    # the scripted scenario, then a summary
//! cargo run --example smart_home -- --forever       # keep running until Ctrl-C
//! cargo run --example smart_home -- --out ./frames  # where to save the annotated camera frame
//! ```
//!
//! It starts an MQTT broker (rumqttd) on loopback behind iot-tls's AWS-IoT-like TLS front
//! (SNI, ALPN `mqtt`, a custom authorizer) with certificates generated at start; three
//! simulated Tasmota devices (a plug with an energy monitor, a dimmable light and an RGBCCT
//! lamp with a temperature and humidity sensor) configured by the AWS IoT set-up Backlog of
//! Tasmota's guide and connected with iot-tls's client; and a hub that derives their entities
//! from their discovery and tracks their state with tasmota-proto, maps them to Alexa with
//! ha-alexa's `tasmota` feature, answers Alexa directives with ha-alexa,
//! sends ChangeReports to a local stand-in for the event gateway and notifies SNS, SQS and
//! Lambda through ha-aws (on its in-process emulator) when the plug draws more than
//! `--threshold` watts (1500 by default). The scenario is `examples::smart_home`; every step
//! is logged as it happens (`RUST_LOG=debug` shows each MQTT message).
//!
//! **Real AWS.** With `--live-aws`, the notifications go to real AWS with the default
//! credential chain (checked first), to the targets named by `SMART_HOME_AWS_REGION` and any
//! of `SMART_HOME_SNS_TOPIC_ARN`, `SMART_HOME_SQS_QUEUE_URL`, `SMART_HOME_LAMBDA_FUNCTION`:
//!
//! ```sh
//! SMART_HOME_AWS_REGION=eu-west-1 SMART_HOME_SNS_TOPIC_ARN=arn:aws:sns:eu-west-1:123456789012:home \
//!   AWS_PROFILE=home cargo run --example smart_home -- --live-aws
//! ```
#![expect(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "an example talks to its user"
)]

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use examples::smart_home::{Home, LiveTargets, Settings};
use tracing_subscriber::EnvFilter;

const USAGE: &str = "usage: smart_home [--forever] [--out DIR] [--threshold WATTS] [--live-aws]";

fn parse_args() -> Result<(Settings, bool), String> {
    let mut settings = Settings::default();
    let mut forever = false;
    let mut words = std::env::args().skip(1);
    while let Some(word) = words.next() {
        match word.as_str() {
            "--forever" => {
                forever = true;
                settings.tele_period = Duration::from_secs(10);
            }
            "--out" => {
                settings.out_dir = PathBuf::from(words.next().ok_or("--out needs a directory")?);
            }
            "--threshold" => {
                settings.threshold_watts = words
                    .next()
                    .and_then(|watts| watts.parse().ok())
                    .filter(|watts: &f64| watts.is_finite() && *watts > 0.0)
                    .ok_or("--threshold needs a positive number of watts")?;
            }
            "--live-aws" => {
                settings.live_aws = Some(LiveTargets::from_env().ok_or(
                    "--live-aws needs SMART_HOME_AWS_REGION and at least one target variable",
                )?);
            }
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    Ok((settings, forever))
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                // rumqttd logs every clean disconnect as an error; the front logs what matters
                .unwrap_or_else(|_| EnvFilter::new("info,rumqttd=off,iot_tls=warn")),
        )
        .with_target(false)
        .init();
    let (settings, forever) = match parse_args() {
        Ok(parsed) => parsed,
        Err(problem) => {
            eprintln!("{problem}");
            return ExitCode::from(2);
        }
    };
    let result = async {
        let mut home = Box::pin(Home::start(settings)).await?;
        home.script().await?;
        println!("\n{}\n", home.summary());
        if forever {
            home.forever().await?;
            println!("\n{}", home.summary());
        }
        home.stop().await;
        Ok::<_, examples::Error>(())
    }
    .await;
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
