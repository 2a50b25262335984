//! Sends one notification through SNS, SQS, Lambda or EventBridge, and shows what each target
//! got.
//!
//! Without `--live` it runs on ha-aws's built-in AWS emulator: nothing leaves the machine, no
//! account is needed, and it prints what the emulator received, including a target that fails.
//!
//! ```sh
//! cargo run --example aws_notify
//! cargo run --example aws_notify -- --service lambda --title Garage "The garage door is open"
//! ```
//!
//! With `--live` it uses real AWS, with the credentials of the default chain (environment,
//! `AWS_PROFILE`, SSO, instance role), which it checks first; give the region and the targets
//! (topic ARNs, queue URLs, function names, event buses):
//!
//! ```sh
//! AWS_PROFILE=home cargo run --example aws_notify -- --live --region eu-west-1 \
//!     --service sns --target arn:aws:sns:eu-west-1:123456789012:family "The garage door is open"
//! ```
#![expect(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "an example talks to its user"
)]

use std::error::Error;
use std::process::ExitCode;

use ha_aws::emulator::{Emulator, Fault, LambdaReply, MessageAttributes, Request};
use ha_aws::{
    ClientOptions, Credential, Notification, Notifier, NotifyService, NotifySettings, Region,
    Report, Session, Validate,
};
use serde_json::json;

const USAGE: &str = "usage: aws_notify [--live] [--region REGION] [--service sns|sqs|lambda|events] \
                     [--title TITLE] [--target TARGET]... [MESSAGE]";

/// The command line.
struct Args {
    live: bool,
    region: Option<String>,
    service: NotifyService,
    title: Option<String>,
    targets: Vec<String>,
    message: String,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        live: false,
        region: None,
        service: NotifyService::Sns,
        title: None,
        targets: Vec::new(),
        message: "The garage door is open".to_owned(),
    };
    let mut words = std::env::args().skip(1);
    let value = |flag: &str, words: &mut dyn Iterator<Item = String>| {
        words.next().ok_or(format!("{flag} needs a value"))
    };
    while let Some(word) = words.next() {
        match word.as_str() {
            "--live" => args.live = true,
            "--region" => args.region = Some(value("--region", &mut words)?),
            "--service" => {
                args.service = value("--service", &mut words)?
                    .parse()
                    .map_err(|error| format!("{error}"))?;
            }
            "--title" => args.title = Some(value("--title", &mut words)?),
            "--target" => args.targets.push(value("--target", &mut words)?),
            "-h" | "--help" => return Err(USAGE.to_owned()),
            flag if flag.starts_with("--") => {
                return Err(format!("unknown option {flag}\n{USAGE}"));
            }
            message => message.clone_into(&mut args.message),
        }
    }
    Ok(args)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(problem) => {
            eprintln!("{problem}");
            return ExitCode::from(2);
        }
    };
    let result = if args.live {
        live(&args).await
    } else {
        emulated(&args).await
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn notification(args: &Args, targets: Vec<String>) -> Notification {
    let mut notification = Notification::new(&args.message)
        .with_targets(targets)
        .with_data_entry("room", json!("garage"))
        .with_data_entry("priority", json!(2));
    if let Some(title) = &args.title {
        notification = notification.with_title(title);
    }
    notification
}

/// Sends through the built-in emulator, to two good targets and one that does not exist.
async fn emulated(args: &Args) -> Result<(), Box<dyn Error>> {
    let emulator = Emulator::start().await;
    println!(
        "AWS emulator at {} (pass --live to use real AWS)\n",
        emulator.endpoint_url()
    );
    let targets: Vec<String> = match args.service {
        NotifyService::Sns => ["family", "neighbours", "gone"]
            .iter()
            .map(|name| emulator.topic_arn(name))
            .collect(),
        NotifyService::Sqs => ["alerts", "audit", "gone"]
            .iter()
            .map(|name| emulator.queue_url(name))
            .collect(),
        _ => ["phone", "lights", "gone"].map(str::to_owned).to_vec(),
    };
    let missing = targets[2].clone();
    emulator.inject(Fault::not_found().for_target(&missing));
    emulator.set_lambda_reply("lights", LambdaReply::json(&json!({"flashed": 3})));

    let session = emulator.session().await;
    let notifier = Notifier::new(
        &session,
        NotifySettings::new(args.service).with_name("example"),
    )?;
    let report = notifier.send(&notification(args, targets)).await?;
    print_report(&report);

    println!("\nwhat the emulator received:");
    for call in emulator.calls() {
        let failed = call
            .fault()
            .map(|fault| format!(" -> injected {fault:?}"))
            .unwrap_or_default();
        println!("  {}{failed}", call.operation());
        for line in describe(call.request()) {
            println!("    {line}");
        }
    }
    Ok(())
}

/// Sends through real AWS, after checking the credentials.
async fn live(args: &Args) -> Result<(), Box<dyn Error>> {
    let region = Region::try_from(args.region.as_deref().ok_or("--live needs --region")?)?;
    if args.targets.is_empty() && args.service != NotifyService::EventBridge {
        return Err("--live needs at least one --target".into());
    }
    let session = Session::load(&Credential::DefaultChain, region, &ClientOptions::default()).await;
    let identity = session
        .validate(Validate::CallerIdentity)
        .await
        .map_err(|error| {
            format!("no usable AWS credentials ({error}); run without --live to use the emulator")
        })?;
    if let Some(identity) = identity {
        println!("sending as {}\n", identity.arn());
    }
    let notifier = Notifier::new(
        &session,
        NotifySettings::new(args.service).with_name("example"),
    )?;
    let report = notifier
        .send(&notification(args, args.targets.clone()))
        .await?;
    print_report(&report);
    if report.is_success() {
        Ok(())
    } else {
        Err("some targets failed".into())
    }
}

/// The parameters a call carried, as lines of text.
fn describe(request: &Request) -> Vec<String> {
    match request {
        Request::SnsPublish(publish) => vec![
            format!("TargetArn: {}", publish.target().unwrap_or_default()),
            format!(
                "Subject: {:?}  Message: {:?}",
                publish.subject.as_deref().unwrap_or_default(),
                publish.message
            ),
            format!(
                "MessageAttributes: {:?}",
                attributes(&publish.message_attributes)
            ),
        ],
        Request::SqsSendMessage(message) => vec![
            format!("QueueUrl: {}", message.queue_url),
            format!("MessageBody: {}", message.message_body),
            format!(
                "MessageAttributes: {:?}",
                attributes(&message.message_attributes)
            ),
        ],
        Request::LambdaInvoke(invoke) => vec![
            format!(
                "FunctionName: {}  InvocationType: {}",
                invoke.function_name, invoke.invocation_type
            ),
            format!("Payload: {}", String::from_utf8_lossy(&invoke.payload)),
            format!(
                "ClientContext (decoded): {}",
                invoke.client_context_json().unwrap_or_default()
            ),
        ],
        Request::EventBridgePutEvents(put) => put
            .entries
            .iter()
            .map(|entry| {
                let detail_type = entry.detail_type.as_deref().unwrap_or_default();
                format!(
                    "EventBusName: {}  DetailType: {detail_type:?}  Detail: {}",
                    entry.bus(),
                    entry.detail.as_deref().unwrap_or_default()
                )
            })
            .collect(),
        other => vec![format!("{other:?}")],
    }
}

fn attributes(attributes: &MessageAttributes) -> Vec<(&str, &str)> {
    attributes
        .iter()
        .map(|(name, value)| {
            (
                name.as_str(),
                value.string_value.as_deref().unwrap_or_default(),
            )
        })
        .collect()
}

fn print_report(report: &Report) {
    println!("{} notification:", report.service());
    for outcome in report.outcomes() {
        match outcome.result() {
            Ok(delivery) => {
                let payload = delivery.payload().map(String::from_utf8_lossy);
                let detail = delivery
                    .message_id()
                    .map(str::to_owned)
                    .or(payload.map(std::borrow::Cow::into_owned));
                println!(
                    "  ok    {} {}",
                    outcome.target(),
                    detail.unwrap_or_default()
                );
            }
            Err(error) => println!("  fail  {} ({error})", outcome.target()),
        }
    }
}
