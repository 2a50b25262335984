//! The drivers against real parts: mosquitto over TLS (started by the tests on loopback, with a
//! password file and a certificate chain made here, sized like AWS IoT's), the AWS-IoT-like
//! front in front of it, rumqttc as a peer, and a proxy that cuts connections and stalls
//! handshakes, with the whole client's heap measured under those faults.
//!
//! The tests need `mosquitto` and `mosquitto_passwd` (Debian: `apt-get install mosquitto`;
//! `.ci/check` installs it); they fail with that advice when the programs are missing.
//!
//! ```text
//! cargo test -p iot-tls --all-features --test drivers -- --nocapture
//! ```

#[allow(
    dead_code,
    reason = "each test binary uses a different part of the shared support code"
)]
#[path = "../tls_support/pki.rs"]
mod pki;

mod embedded;
mod faults;
mod front;
mod front_policy;
mod interop;
mod support;
mod tokio_client;
