//! Helpers shared by the test modules.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use ha_aws::emulator::Emulator;
use ha_aws::{Notifier, NotifyService, NotifySettings, Region, Session};

/// A session on the emulator that tries each request once, so injected faults surface as they
/// are.
pub(crate) async fn session_without_retries(emulator: &Emulator) -> Session {
    let options = emulator.client_options().with_max_attempts(1);
    Session::load(&Emulator::credential(), Region::us_east_1(), &options).await
}

/// A notifier on the emulator without retries.
pub(crate) async fn notifier(emulator: &Emulator, settings: NotifySettings) -> Notifier {
    Notifier::new(&session_without_retries(emulator).await, settings).expect("valid settings")
}

/// A notifier for `service` with default settings on the emulator, without retries.
pub(crate) async fn default_notifier(emulator: &Emulator, service: NotifyService) -> Notifier {
    notifier(emulator, NotifySettings::new(service)).await
}

/// The `credentials:` section the YAML configurations of the tests share: one credential named
/// `home`, with keys the emulator accepts.
pub(crate) const YAML_CREDENTIALS: &str = "credentials:
  - name: home
    aws_access_key_id: AKIDEXAMPLE
    aws_secret_access_key: wJalrXUtnFEMI
";

/// A directory under the system's temporary directory, removed on drop.
pub(crate) struct TempDir(PathBuf);

impl TempDir {
    pub(crate) fn new() -> Self {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "ha-aws-test-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let path = std::env::temp_dir().join(name);
        std::fs::create_dir_all(&path).expect("create a temporary directory");
        Self(path)
    }

    pub(crate) fn path(&self) -> &Path {
        &self.0
    }

    /// Writes `contents` to `name` in the directory and returns its path.
    pub(crate) fn write(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, contents).expect("write a temporary file");
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A client of the AWS SDK crate `$service` (such as `aws_sdk_sqs`) that sends to `$endpoint`
/// in `$region`, signing with access key id `$key`.
macro_rules! sdk_client {
    ($service:ident, $endpoint:expr, $region:expr, $key:expr) => {{
        let config = $service::Config::builder()
            .behavior_version_latest()
            .endpoint_url($endpoint)
            .region($service::config::Region::new($region))
            .credentials_provider($service::config::Credentials::new(
                $key, "secret", None, None, "test",
            ))
            .build();
        $service::Client::from_conf(config)
    }};
}
pub(crate) use sdk_client;
