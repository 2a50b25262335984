//! Account linking driven through the framework-agnostic core, without HTTP: for the memory
//! test and the bench, which measure the server rather than a transport.
#![allow(
    dead_code,
    reason = "the memory test and the bench use different parts"
)]

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::SystemTime;

use ha_alexa::oauth::{
    Authenticator, AuthorizationServer, Credentials, LoginOutcome, ManualClock, MemoryTokenStore,
    ServerConfig, UserId,
};

/// Accepts every username with any password.
pub(crate) struct AnyUser;

impl Authenticator for AnyUser {
    type Error = std::convert::Infallible;

    async fn authenticate(&self, credentials: &Credentials) -> Result<Option<UserId>, Self::Error> {
        Ok(Some(UserId::new(credentials.username())))
    }
}

pub(crate) type Server = AuthorizationServer<AnyUser, MemoryTokenStore, ManualClock>;

/// A server for Amazon's clients with an in-memory store, and the clock it reads.
pub(crate) fn server() -> (Server, ManualClock) {
    let clock = ManualClock::new(SystemTime::now());
    let server = Server::with_clock(
        ServerConfig::amazon(),
        AnyUser,
        MemoryTokenStore::new(),
        clock.clone(),
    )
    .expect("a valid configuration");
    (server, clock)
}

const CLIENT: &str = "client_id=https%3A%2F%2Fpitangui.amazon.com%2F";
const REDIRECT: &str =
    "redirect_uri=https%3A%2F%2Fpitangui.amazon.com%2Fapi%2Fskill%2Flink%2FM2AAAAAAAAAAAA";

/// Runs a future whose every await is ready at once, as with the in-memory store: no executor
/// in the figures.
pub(crate) fn ready<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
    }
}

/// Links `user` as Amazon and the user's browser would; returns (access, refresh) tokens.
pub(crate) fn link(server: &Server, user: &str) -> (String, String) {
    let prompt = server
        .authorize(&format!(
            "response_type=code&{CLIENT}&{REDIRECT}&state=A2SAAEAEu-8n3pQ&scope=smart_home"
        ))
        .expect("a valid authorization request");
    let form = format!(
        "request={}&username={user}&password=x",
        prompt.sealed_request()
    );
    let Ok(LoginOutcome::Redirect(redirect)) = ready(server.login(form.as_bytes())) else {
        panic!("login refused");
    };
    let (_, code) = redirect
        .url()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .expect("a code in the redirect");
    let body = format!("grant_type=authorization_code&code={code}&{REDIRECT}&{CLIENT}");
    tokens(server, &body)
}

/// Rotates `refresh_token`; returns the new (access, refresh) tokens.
pub(crate) fn refresh(server: &Server, refresh_token: &str) -> (String, String) {
    tokens(
        server,
        &format!("grant_type=refresh_token&refresh_token={refresh_token}&{CLIENT}"),
    )
}

fn tokens(server: &Server, body: &str) -> (String, String) {
    let tokens = ready(server.token(body.as_bytes(), None)).expect("a token response");
    let refresh = tokens.refresh_token().expect("a refresh token");
    (
        tokens.access_token().expose().to_owned(),
        refresh.expose().to_owned(),
    )
}
