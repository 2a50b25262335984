//! Secrets never reach the logs: the whole flow and its failures run while everything logged,
//! at every level and by every crate, is captured.
//!
//! A test binary of its own, so that the capturing subscriber is the process-wide default
//! before anything logs.

#[path = "oauth_support/harness.rs"]
mod harness;

use std::sync::{Arc, Mutex};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ha_alexa::oauth::{ClientConfig, Secret, ServerConfig};
use harness::{Hub, PASSWORD, US, US_REDIRECT, USERNAME};
use sha2::Digest as _;

/// Captures everything logged, at every level, while the whole flow and its failures run.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn secrets_never_reach_the_logs() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();

    let client_secret = "client-secret-value-1234";
    let config = ServerConfig::with_clients([ClientConfig::new(US)
        .unwrap()
        .with_secret(Secret::new(client_secret))]);
    let hub = Hub::start(config).await;
    let verifier = "verifier-0123456789-0123456789-0123456789-xyz";
    let challenge = URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier));
    let request = hub
        .login_page(
            US,
            US_REDIRECT,
            &[
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
            ],
        )
        .await;
    let wrong_password = "wrong-password-5678";
    hub.post_login(&[
        ("request", &request),
        ("username", USERNAME),
        ("password", wrong_password),
    ])
    .await;
    let (code, _) = hub.log_in(&request).await;
    let wrong_secret = "wrong-client-secret-9012";
    hub.post_token(
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", US_REDIRECT),
        ],
        Some((US, wrong_secret)),
    )
    .await;
    let exchange = [
        ("grant_type", "authorization_code"),
        ("code", &code),
        ("redirect_uri", US_REDIRECT),
        ("code_verifier", verifier),
    ];
    let tokens = hub.post_token(&exchange, Some((US, client_secret))).await;
    assert_eq!(tokens.status, 200, "{}", tokens.body);
    let (access, refresh) = (
        tokens.string("access_token"),
        tokens.string("refresh_token"),
    );
    let rotate = [("grant_type", "refresh_token"), ("refresh_token", &refresh)];
    let rotated = hub.post_token(&rotate, Some((US, client_secret))).await;
    let refresh2 = rotated.string("refresh_token");
    hub.post_token(&rotate, Some((US, client_secret))).await;
    hub.post_token(&exchange, Some((US, client_secret))).await;
    let _ = hub.server.verify_access_token(&access).await;
    drop(hub);

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    // The log is not empty: it tells the story without the secrets.
    for event in [
        "login failed",
        "authorization code issued",
        "client authentication failed",
        "account linked",
        "refresh token rotated",
        "replaced refresh token reused",
        "authorization code replayed",
    ] {
        assert!(log.contains(event), "missing {event:?} in:\n{log}");
    }
    for secret in [
        PASSWORD,
        wrong_password,
        client_secret,
        wrong_secret,
        verifier,
        &code,
        &access,
        &refresh,
        &refresh2,
        &request,
    ] {
        assert!(
            !log.contains(secret),
            "{secret:?} leaked into the log:\n{log}"
        );
    }
}
