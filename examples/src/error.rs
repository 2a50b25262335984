//! The error of the smart-home scenario.

use std::time::Duration;

/// Why the smart-home scenario stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// iot-tls refused a setting, or the TLS front could not start.
    #[error("iot-tls: {0}")]
    IotTls(#[from] iot_tls::Error),
    /// tasmota-proto refused a topic, command or payload.
    #[error("tasmota: {0}")]
    Tasmota(#[from] tasmota_proto::Error),
    /// ha-alexa refused a message, or the event gateway or Login with Amazon failed.
    #[error("alexa: {0}")]
    Alexa(#[from] ha_alexa::Error),
    /// ha-aws could not set up a notifier.
    #[error("aws: {0}")]
    Aws(#[from] ha_aws::Error),
    /// A certificate could not be generated.
    #[error("certificate: {0}")]
    Certificate(#[from] rcgen::Error),
    /// A socket or file operation failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: &'static str,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The device set-up Backlog lacks a setting or has one the demo cannot use.
    #[error("device set-up: {setting} {problem}")]
    Setup {
        /// The command concerned (`MqttHost`, `MqttPort`, ...).
        setting: &'static str,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// A step of the scenario did not happen in time.
    #[error("timed out after {after:?} waiting for {waiting_for}")]
    Timeout {
        /// What the scenario waited for.
        waiting_for: String,
        /// How long it waited.
        after: Duration,
    },
    /// A step of the scenario had an unexpected result.
    #[error("{step}: expected {expected}, got {got}")]
    Unexpected {
        /// The step.
        step: &'static str,
        /// What should have happened.
        expected: String,
        /// What happened.
        got: String,
    },
}

impl Error {
    /// An I/O error while doing `what`.
    pub(crate) fn io(what: &'static str) -> impl FnOnce(std::io::Error) -> Self {
        move |source| Self::Io { what, source }
    }
}

impl From<tasmota_proto::TopicError> for Error {
    fn from(error: tasmota_proto::TopicError) -> Self {
        Self::Tasmota(error.into())
    }
}

impl From<tasmota_proto::CommandError> for Error {
    fn from(error: tasmota_proto::CommandError) -> Self {
        Self::Tasmota(error.into())
    }
}

impl From<ha_aws::ConfigError> for Error {
    fn from(error: ha_aws::ConfigError) -> Self {
        Self::Aws(error.into())
    }
}

impl From<ha_aws::RegionError> for Error {
    fn from(error: ha_aws::RegionError) -> Self {
        Self::Aws(error.into())
    }
}
