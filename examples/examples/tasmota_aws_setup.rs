//! Sets up AWS IoT Core for Tasmota devices without CloudFormation, as Tasmota's
//! `TasmotaAuth` stack does, with a password per device (`ha_aws::iot`): the Lambda
//! permission for `iot.amazonaws.com` scoped to the authorizer, the custom authorizer
//! (signing disabled, active), optionally the account's default authorizer; then each
//! device's Backlog line. Safe to run again: it changes only what differs.
//!
//! ```sh
//! # on the in-process AWS emulator (the default): everything runs, nothing leaves the machine
//! cargo run --example tasmota_aws_setup -- --device kitchen --device garage
//! # what it would do on real AWS (reads the endpoint, changes nothing)
//! cargo run --example tasmota_aws_setup -- --dry-run --live --function arn:aws:lambda:eu-central-1:<account>:function:TasmotaAuth --device kitchen
//! # on real AWS, with the default credential chain (AWS_PROFILE, environment, SSO, ...)
//! cargo run --example tasmota_aws_setup -- --live --function arn:aws:lambda:eu-central-1:<account>:function:TasmotaAuth \
//!   --key <DEVICE_KEY of the function> --device kitchen
//! # remove it all again (the stack's RetentionPolicy Delete)
//! cargo run --example tasmota_aws_setup -- --live --function <arn> --remove
//! ```
//!
//! Options: `--authorizer NAME` (default `TasmotaAuth`), `--default-authorizer`, `--key BASE64`
//! (the per-device key; a new one is generated and printed when absent: set it as the
//! function's `DEVICE_KEY`), `--remove`. The Backlog lines contain passwords: paste each into
//! its device's console only.
#![expect(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line tool: it prints the plan, the changes and the Backlogs"
)]

use ha_aws::iot::{DeviceKey, DeviceSetup, ProvisionPlan, Provisioner, Retention};
use ha_aws::{ClientOptions, Credential, Region, Session};

/// The command line.
#[derive(Debug, Default)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "one field per command-line flag"
)]
struct Args {
    dry_run: bool,
    live: bool,
    remove: bool,
    default_authorizer: bool,
    function: Option<String>,
    authorizer: Option<String>,
    key: Option<String>,
    devices: Vec<String>,
}

fn parse() -> Result<Args, String> {
    let mut args = Args::default();
    let mut words = std::env::args().skip(1);
    while let Some(word) = words.next() {
        let mut value = |name: &str| words.next().ok_or(format!("{name} needs a value"));
        match word.as_str() {
            "--dry-run" => args.dry_run = true,
            "--live" => args.live = true,
            "--remove" => args.remove = true,
            "--default-authorizer" => args.default_authorizer = true,
            "--function" => args.function = Some(value("--function")?),
            "--authorizer" => args.authorizer = Some(value("--authorizer")?),
            "--key" => args.key = Some(value("--key")?),
            "--device" => args.devices.push(value("--device")?),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if args.live && args.function.is_none() {
        return Err("--live needs --function <the authorizer function's ARN>".to_owned());
    }
    Ok(args)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = parse().unwrap_or_else(|error| {
        eprintln!("tasmota_aws_setup: {error}");
        std::process::exit(2);
    });
    let function = args.function.clone().unwrap_or_else(|| {
        format!(
            "arn:aws:lambda:{}:{}:function:TasmotaAuth",
            ha_aws::emulator::REGION,
            ha_aws::emulator::ACCOUNT_ID
        )
    });
    let mut plan = ProvisionPlan::new(&function)?
        .with_default_authorizer(args.default_authorizer)
        .with_retention(if args.remove {
            Retention::Delete
        } else {
            Retention::Retain
        });
    if let Some(name) = &args.authorizer {
        plan = plan.with_authorizer_name(name)?;
    }

    let emulator;
    let session = if args.live {
        let region = Region::try_from(plan.account().region())?;
        Session::load(&Credential::DefaultChain, region, &ClientOptions::default()).await
    } else {
        emulator = ha_aws::emulator::Emulator::start().await;
        println!(
            "on the in-process AWS emulator ({}); pass --live for real AWS",
            emulator.endpoint_url()
        );
        emulator.session().await
    };
    let provisioner = Provisioner::new(&session);

    if args.remove {
        if args.dry_run {
            for step in plan.removal_steps() {
                println!("would: {step}");
            }
        } else {
            for step in provisioner.remove(&plan).await? {
                println!("done: {step}");
            }
        }
        return Ok(());
    }

    let endpoint = if args.dry_run {
        for step in plan.steps() {
            println!("would (unless already in place): {step}");
        }
        provisioner.endpoint().await?
    } else {
        let outcome = provisioner.apply(&plan).await?;
        if outcome.changes().is_empty() {
            println!("everything was already in place");
        }
        for step in outcome.changes() {
            println!("done: {step}");
        }
        outcome.endpoint().to_owned()
    };
    println!("endpoint: {endpoint}");

    let key = if let Some(text) = &args.key {
        DeviceKey::from_base64(text)?
    } else {
        let generated = DeviceKey::generate()?;
        println!(
            "new device key: set DEVICE_KEY={} on the function",
            generated.to_base64()
        );
        generated
    };
    for device in &args.devices {
        let setup = DeviceSetup::new(
            &endpoint,
            plan.authorizer_name(),
            device,
            key.password(device),
        );
        println!("{device}: Backlog {}", setup.backlog()?);
    }
    Ok(())
}
