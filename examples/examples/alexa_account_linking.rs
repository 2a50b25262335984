//! The account-linking server of an Alexa smart-home skill: a minimal login page at
//! `/auth/authorize`, the token endpoint at `/auth/token`, links kept in a JSON file.
//!
//! Run it from the workspace root:
//!
//! ```sh
//! ALEXA_LINK_PASSWORD='choose a long one' cargo run --example alexa_account_linking
//! ```
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `ALEXA_LINK_PASSWORD` | (required) | the password of the one hub user |
//! | `ALEXA_LINK_USER` | `admin` | that user's name |
//! | `ALEXA_LINK_ADDR` | `127.0.0.1:8123` | where to listen |
//! | `ALEXA_LINK_STORE` | `alexa-tokens.json` | the token store file (hashes only) |
//! | `ALEXA_LINK_CLIENT_SECRET` | none: any secret is accepted | the Client Secret entered in the Alexa console |
//! | `RUST_LOG` | `info` | log filter |
//!
//! **Try it by hand.** Open this URL in a browser, log in, and the browser is sent to Amazon
//! with `code=…&state=demo` in the address bar (Amazon's page then fails, as it expects its own
//! state):
//!
//! <http://127.0.0.1:8123/auth/authorize?response_type=code&client_id=https%3A%2F%2Fpitangui.amazon.com%2F&redirect_uri=https%3A%2F%2Fpitangui.amazon.com%2Fapi%2Fskill%2Flink%2FDEMO&state=demo>
//!
//! Copy the code from the address bar within five minutes, exchange it as Amazon would, and ask
//! the hub who the token belongs to:
//!
//! ```sh
//! curl -s http://127.0.0.1:8123/auth/token \
//!   -d grant_type=authorization_code -d code=THE_CODE \
//!   --data-urlencode redirect_uri=https://pitangui.amazon.com/api/skill/link/DEMO \
//!   --data-urlencode client_id=https://pitangui.amazon.com/
//! curl -s http://127.0.0.1:8123/whoami -H 'Authorization: Bearer THE_ACCESS_TOKEN'
//! ```
//!
//! **Link a real skill.** Amazon reaches the hub over HTTPS on port 443 with a publicly trusted
//! certificate, so put a TLS-terminating reverse proxy (Caddy, nginx) in front of this server.
//! In the Alexa developer console, under Build > Account Linking, enter:
//!
//! * Authorization URI: `https://<your hub>/auth/authorize`
//! * Access Token URI: `https://<your hub>/auth/token`
//! * Client ID: `https://pitangui.amazon.com/` (North America), `https://layla.amazon.com/`
//!   (Europe) or `https://alexa.amazon.co.jp/` (Japan, Australia); **with the trailing slash**
//! * Client Secret: anything, or the value of `ALEXA_LINK_CLIENT_SECRET`
//! * Client Authentication Scheme: either; both are accepted
//! * Scope: `smart_home`
//!
//! Then enable the skill in the Alexa app: it opens this login page.
#![expect(
    clippy::print_stderr,
    reason = "an example tells its operator what is missing"
)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::get;
use ha_alexa::oauth::{
    Authenticator, AuthorizationServer, ClientConfig, Credentials, FileTokenStore,
    MinimalLoginPage, Secret, ServerConfig, UserId,
};
use tracing_subscriber::EnvFilter;

/// The hub's user database: one user, configured by environment variables.
struct SingleUser {
    username: String,
    password: Secret,
}

impl Authenticator for SingleUser {
    type Error = std::convert::Infallible;

    async fn authenticate(&self, credentials: &Credentials) -> Result<Option<UserId>, Self::Error> {
        // Both comparisons always run, so the response time does not reveal which one failed.
        let name_ok = Secret::new(self.username.as_str()).matches(credentials.username());
        let password_ok = self.password.matches(credentials.password().expose());
        Ok((name_ok && password_ok).then(|| UserId::new(&self.username)))
    }
}

type Server = AuthorizationServer<SingleUser, FileTokenStore>;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();

    let Ok(password) = std::env::var("ALEXA_LINK_PASSWORD") else {
        eprintln!("set ALEXA_LINK_PASSWORD to the password of the hub user, for example:");
        eprintln!(
            "    ALEXA_LINK_PASSWORD='choose a long one' cargo run --example alexa_account_linking"
        );
        std::process::exit(2);
    };
    let users = SingleUser {
        username: env_or("ALEXA_LINK_USER", "admin"),
        password: Secret::new(password),
    };
    let addr: SocketAddr = env_or("ALEXA_LINK_ADDR", "127.0.0.1:8123").parse()?;
    let store = FileTokenStore::open(env_or("ALEXA_LINK_STORE", "alexa-tokens.json"))?;

    let mut clients = ClientConfig::amazon();
    if let Ok(secret) = std::env::var("ALEXA_LINK_CLIENT_SECRET") {
        clients = clients.map(|client| client.with_secret(Secret::new(secret.as_str())));
    }
    let server = Arc::new(Server::new(
        ServerConfig::with_clients(clients),
        users,
        store,
    )?);

    // Forget expired codes and tokens now and then, also when nobody links.
    let purging = server.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_mins(10));
        loop {
            every.tick().await;
            if let Err(error) = purging.purge_expired().await {
                tracing::warn!(%error, "purging expired tokens failed");
            }
        }
    });

    let whoami_server = server.clone();
    let app = ha_alexa::oauth::axum::router(server, MinimalLoginPage::new("Example Hub")).route(
        "/whoami",
        get(move |headers: HeaderMap| whoami(whoami_server.clone(), headers)),
    );
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!("account linking at http://{addr}/auth/authorize and http://{addr}/auth/token");
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

/// A protected resource: who does this bearer token belong to?
async fn whoami(server: Arc<Server>, headers: HeaderMap) -> (StatusCode, String) {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    match server.verify_bearer(authorization).await {
        Ok(grant) => (
            StatusCode::OK,
            format!(
                "{} (linked by {})\n",
                grant.grant().user(),
                grant.grant().client_id()
            ),
        ),
        Err(error) => (
            StatusCode::from_u16(error.status()).unwrap_or(StatusCode::UNAUTHORIZED),
            format!("{error}\n"),
        ),
    }
}

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}
