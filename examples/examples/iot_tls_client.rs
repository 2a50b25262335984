//! Connects iot-tls's tokio client to an MQTT broker over TLS (AWS IoT Core, mosquitto, any
//! MQTT 3.1.1 broker), subscribes, publishes, and prints what arrives.
//!
//! ```sh
//! # mosquitto on this machine with its own CA, user name and password:
//! cargo run --example iot_tls_client -- --host localhost --port 8883 --ca ca.pem \
//!     --username hub --password secret --subscribe 'test/#' --publish test/hello=world
//!
//! # AWS IoT Core with a custom authorizer (port 443, ALPN `mqtt`, Amazon's roots built in):
//! cargo run --example iot_tls_client -- --host a1b2c3-ats.iot.eu-west-1.amazonaws.com \
//!     --port 443 --username hub --authorizer HubAuth --password token \
//!     --subscribe 'hub/#' --publish hub/status=online --qos 1
//!
//! # AWS IoT Core with an X.509 client certificate (port 8883, no ALPN; on 443 `x-amzn-mqtt-ca`):
//! cargo run --example iot_tls_client -- --host a1b2c3-ats.iot.eu-west-1.amazonaws.com \
//!     --cert device.pem.crt --key private.pem.key --client-id hub --publish hub/status=online
//! ```
//!
//! Options:
//!
//! - `--host NAME` (required): the broker; also the TLS server name (SNI) that its
//!   certificate must carry.
//! - `--port N`: 8883 by default (1883 with `--plain`).
//! - `--ca FILE`: PEM trust anchors; without it, Amazon Root CA 1 and 3. Certificates are always
//!   verified.
//! - `--alpn none|mqtt|x-amzn-mqtt-ca|OTHER`: by default what AWS IoT wants on that port
//!   (`mqtt` on 443 with a password, `x-amzn-mqtt-ca` on 443 with a certificate, none elsewhere).
//! - `--cert FILE --key FILE`: a client certificate chain and its key, PEM (mutual TLS).
//! - `--username NAME`, `--password TEXT`, `--authorizer NAME`: credentials; with
//!   `--authorizer` the user name becomes AWS's `NAME?x-amz-customauthorizer-name=...`.
//! - `--plain`: MQTT over TCP without TLS, for a local broker only.
//! - `--client-id ID` (default `iot-tls-example`), `--qos 0|1` (default 1).
//! - `--subscribe FILTER` and `--publish TOPIC=PAYLOAD`, each as often as needed.
//! - `--wait SECONDS`: how long to print incoming messages before disconnecting (default 5).
//!
//! Set `RUST_LOG=debug` to see the client's logs (connects, reconnects, backoff).

#![expect(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "the example prints what it receives, and its error"
)]

use std::error::Error;
use std::process::ExitCode;
use std::time::Duration;

use iot_tls::aws::CustomAuthorizer;
use iot_tls::codec::Qos;
use iot_tls::tls::{Alpn, TlsConfig, TrustAnchors};
use iot_tls::tokio::{Client, Event, Message, Options};
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tracing_subscriber::EnvFilter;

/// What `--help` prints (the options are described in this file's header).
const USAGE: &str = "usage: iot_tls_client --host NAME [--port N] [--ca FILE] [--alpn none|mqtt|x-amzn-mqtt-ca|OTHER]
       [--cert FILE --key FILE] [--username NAME] [--password TEXT] [--authorizer NAME] [--plain]
       [--client-id ID] [--qos 0|1] [--subscribe FILTER]... [--publish TOPIC=PAYLOAD]... [--wait SECONDS]";

/// The command line.
#[derive(Debug, Default)]
struct Args {
    host: String,
    port: Option<u16>,
    ca: Option<String>,
    alpn: Option<String>,
    cert: Option<String>,
    key: Option<String>,
    username: Option<String>,
    password: Option<String>,
    authorizer: Option<String>,
    plain: bool,
    client_id: Option<String>,
    qos: Qos,
    subscribe: Vec<String>,
    publish: Vec<(String, String)>,
    wait: Duration,
}

impl Args {
    fn parse() -> Result<Self, String> {
        let mut args = Self {
            qos: Qos::AtLeastOnce,
            wait: Duration::from_secs(5),
            ..Self::default()
        };
        let mut words = std::env::args().skip(1);
        while let Some(flag) = words.next() {
            if flag == "--help" || flag == "-h" {
                return Err(USAGE.into());
            }
            if flag == "--plain" {
                args.plain = true;
                continue;
            }
            let value = words
                .next()
                .ok_or_else(|| format!("{flag} needs a value"))?;
            match flag.as_str() {
                "--host" => args.host = value,
                "--port" => args.port = Some(value.parse().map_err(|_| "--port takes 1-65535")?),
                "--ca" => args.ca = Some(value),
                "--alpn" => args.alpn = Some(value),
                "--cert" => args.cert = Some(value),
                "--key" => args.key = Some(value),
                "--username" => args.username = Some(value),
                "--password" => args.password = Some(value),
                "--authorizer" => args.authorizer = Some(value),
                "--client-id" => args.client_id = Some(value),
                "--qos" => {
                    args.qos = match value.as_str() {
                        "0" => Qos::AtMostOnce,
                        "1" => Qos::AtLeastOnce,
                        _ => return Err("--qos takes 0 or 1".into()),
                    }
                }
                "--subscribe" => args.subscribe.push(value),
                "--publish" => {
                    let (topic, payload) = value
                        .split_once('=')
                        .ok_or("--publish takes TOPIC=PAYLOAD")?;
                    args.publish.push((topic.into(), payload.into()));
                }
                "--wait" => {
                    args.wait = Duration::from_secs(
                        value.parse().map_err(|_| "--wait takes whole seconds")?,
                    );
                }
                other => return Err(format!("unknown option {other}")),
            }
        }
        if args.host.is_empty() {
            return Err("--host is required (see the header of this example)".into());
        }
        if args.cert.is_some() != args.key.is_some() {
            return Err("--cert and --key go together".into());
        }
        Ok(args)
    }

    /// The TLS configuration the options ask for.
    fn tls(&self, port: u16) -> Result<TlsConfig, Box<dyn Error>> {
        let anchors = match &self.ca {
            Some(path) => {
                let mut anchors = TrustAnchors::new();
                anchors.add_pem(&std::fs::read(path)?)?;
                anchors
            }
            None => TrustAnchors::aws_iot(),
        };
        let alpn = match self.alpn.as_deref() {
            None => Alpn::for_aws(port, self.cert.is_some()),
            Some("none") => Alpn::None,
            Some("mqtt") => Alpn::AwsCustomAuth,
            Some("x-amzn-mqtt-ca") => Alpn::AwsX509,
            Some(other) => Alpn::Custom(vec![other.as_bytes().to_vec()]),
        };
        let mut builder = TlsConfig::builder(&self.host, anchors).alpn(alpn);
        if let (Some(cert), Some(key)) = (&self.cert, &self.key) {
            let chain = CertificateDer::pem_file_iter(cert)?.collect::<Result<Vec<_>, _>>()?;
            builder = builder.client_certificate(chain, PrivateKeyDer::from_pem_file(key)?);
        }
        Ok(builder.build()?)
    }

    /// The client's options.
    fn options(&self) -> Result<Options, Box<dyn Error>> {
        let port = self.port.unwrap_or(if self.plain { 1883 } else { 8883 });
        let client_id = self.client_id.as_deref().unwrap_or("iot-tls-example");
        let mut options = Options::new(&self.host, port, client_id);
        if !self.plain {
            options = options.with_tls(self.tls(port)?);
        }
        let username = match (&self.username, &self.authorizer) {
            (Some(user), Some(authorizer)) => Some(
                CustomAuthorizer::new(user)
                    .with_authorizer(authorizer)
                    .to_string(),
            ),
            (Some(user), None) => Some(user.clone()),
            (None, Some(_)) => return Err("--authorizer needs --username".into()),
            (None, None) => None,
        };
        match (username, &self.password) {
            (Some(username), password) => {
                let password = password.as_deref().unwrap_or_default();
                options = options.with_credentials(username, password.as_bytes());
            }
            (None, Some(_)) => return Err("--password needs --username".into()),
            (None, None) => {}
        }
        Ok(options)
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if error.to_string() == USAGE => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Connects, subscribes, publishes, prints what arrives until `--wait` has passed.
async fn run() -> Result<(), Box<dyn Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::from_default_env())
        .init();
    let args = Args::parse()?;
    let (client, mut events) = Client::spawn(args.options()?)?;

    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        match tokio::time::timeout_at(deadline, events.recv()).await {
            Ok(Some(Event::Connected { session_present })) => {
                println!("connected (session present: {session_present})");
                break;
            }
            Ok(Some(Event::Disconnected { reason, error, .. })) => {
                let cause = error.map_or_else(|| reason.to_string(), |e| format!("{reason}: {e}"));
                return Err(format!("could not connect: {cause}").into());
            }
            Ok(Some(_)) => {}
            Ok(None) => return Err("the client stopped".into()),
            Err(_) => return Err("no connection within 30 s".into()),
        }
    }

    let filters: Vec<(&str, Qos)> = args
        .subscribe
        .iter()
        .map(|f| (f.as_str(), args.qos))
        .collect();
    if !filters.is_empty() {
        client.subscribe(&filters)?;
    }
    for (topic, payload) in &args.publish {
        client.publish(
            Message::new(topic.clone(), payload.clone().into_bytes()).with_qos(args.qos),
        )?;
    }
    client.flush().await?;
    if !args.publish.is_empty() {
        println!("published {} message(s)", args.publish.len());
    }

    let until = tokio::time::Instant::now() + args.wait;
    while let Ok(Some(event)) = tokio::time::timeout_at(until, events.recv()).await {
        match event {
            Event::Message(message) => println!(
                "{} [QoS {}]: {}",
                message.topic,
                message.qos.as_u8(),
                String::from_utf8_lossy(&message.payload)
            ),
            Event::Subscribed { codes } => println!("subscribed: {codes:?}"),
            Event::Oversized { topic, len, .. } => println!(
                "skipped a {len}-byte message on {} (larger than the receive buffer)",
                topic.as_deref().unwrap_or("a topic too long to show")
            ),
            Event::Disconnected {
                reason,
                error,
                retry_in,
            } => {
                let error = error.map(|e| format!(": {e}")).unwrap_or_default();
                let retry = retry_in.map_or_else(
                    || "; stopped".to_owned(),
                    |d| format!("; retrying in {} ms", d.as_millis()),
                );
                println!("disconnected ({reason}){error}{retry}");
            }
            _ => {}
        }
    }
    client.disconnect().await;
    Ok(())
}
