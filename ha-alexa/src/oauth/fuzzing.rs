//! Entry points for the `alexa_oauth_request` fuzz target: every input the server reads from
//! the network, fed to a server with a fixed key and clock.

use std::future::Future;
use std::pin::pin;
use std::sync::OnceLock;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, SystemTime};

use super::{
    Authenticator, AuthorizationServer, Credentials, LoginOutcome, ManualClock, MemoryTokenStore,
    SealingKey, ServerConfig, UserId,
};

/// The fixed time of the fuzzed server: 2024-01-01T00:00:00Z.
pub const NOW_SECS: u64 = 1_704_067_200;
/// The fixed sealing key of the fuzzed server.
pub const KEY: [u8; 32] = [0x5a; 32];

/// Accepts `user` / `pass`.
pub struct FuzzUsers;

impl Authenticator for FuzzUsers {
    type Error = std::convert::Infallible;

    async fn authenticate(&self, credentials: &Credentials) -> Result<Option<UserId>, Self::Error> {
        let ok = credentials.username() == "user" && credentials.password().matches("pass");
        Ok(ok.then(|| UserId::new("user")))
    }
}

type Server = AuthorizationServer<FuzzUsers, MemoryTokenStore, ManualClock>;

fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        let clock = ManualClock::new(SystemTime::UNIX_EPOCH + Duration::from_secs(NOW_SECS));
        let config = ServerConfig::amazon().with_sealing_key(SealingKey::new(KEY));
        AuthorizationServer::with_clock(config, FuzzUsers, MemoryTokenStore::new(), clock)
            .expect("the fuzzing configuration is valid")
    })
}

/// Runs a future whose every await is ready at once (the memory store and `FuzzUsers`).
fn ready<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
    }
}

/// One request: the first byte picks the endpoint, the rest is its input.
///
/// `0`: authorize query; `1`: login form; `2`: token form; `3`: token form, a `0xFF` byte, then
/// the `Authorization` header. A login that succeeds is followed by the token request Amazon
/// would send, so that the fuzzer reaches the grants.
pub fn request(data: &[u8]) {
    let Some((&endpoint, input)) = data.split_first() else {
        return;
    };
    let server = server();
    match endpoint % 4 {
        0 => {
            let _ = server.authorize(&String::from_utf8_lossy(input));
        }
        1 => {
            if let Ok(LoginOutcome::Redirect(redirect)) = ready(server.login(input)) {
                let code = redirect.url().query_pairs().find(|(k, _)| k == "code");
                if let Some((_, code)) = code {
                    let mut redirect_uri = redirect.url().clone();
                    redirect_uri.set_query(None);
                    let redirect_uri: String =
                        url::form_urlencoded::byte_serialize(redirect_uri.as_str().as_bytes())
                            .collect();
                    let body = format!(
                        "grant_type=authorization_code&code={code}&redirect_uri={redirect_uri}\
                         &client_id=https%3A%2F%2Fpitangui.amazon.com%2F"
                    );
                    let _ = ready(server.token(body.as_bytes(), None));
                }
            }
        }
        2 => {
            let _ = ready(server.token(input, None));
        }
        _ => {
            let (body, header) = match input.iter().position(|&b| b == 0xFF) {
                Some(at) => (&input[..at], &input[at + 1..]),
                None => (input, &[][..]),
            };
            let header = String::from_utf8_lossy(header);
            let _ = ready(server.token(body, Some(&header)));
        }
    }
}

/// The sealed request of a valid authorization request at [`NOW_SECS`], for seed corpora.
pub fn sealed_request(query: &str) -> Option<String> {
    server()
        .authorize(query)
        .ok()
        .map(|prompt| prompt.sealed_request().to_owned())
}

/// A hub without endpoints: the smart-home target fuzzes the request parsing around it.
struct NoDevices;

#[async_trait::async_trait]
impl crate::Hub for NoDevices {
    async fn discover(&self) -> Result<Vec<crate::DiscoveryEndpoint>, crate::AlexaError> {
        Ok(Vec::new())
    }
    async fn endpoint(
        &self,
        _: &crate::EndpointId,
    ) -> Result<Option<crate::DiscoveryEndpoint>, crate::AlexaError> {
        Ok(None)
    }
    async fn properties(
        &self,
        _: &crate::EndpointId,
    ) -> Result<Vec<crate::Property>, crate::AlexaError> {
        Ok(Vec::new())
    }
    async fn execute(&self, _: &crate::Request<'_>) -> Result<crate::Outcome, crate::AlexaError> {
        Ok(crate::Outcome::Done)
    }
}

/// An access token of the fuzzed server, issued once through the linking flow.
fn linked_token() -> &'static str {
    static TOKEN: OnceLock<String> = OnceLock::new();
    TOKEN.get_or_init(|| {
        let redirect = "https%3A%2F%2Fpitangui.amazon.com%2Fapi%2Fskill%2Flink%2FM2X";
        let client = "https%3A%2F%2Fpitangui.amazon.com%2F";
        let sealed = sealed_request(&format!(
            "response_type=code&client_id={client}&redirect_uri={redirect}"
        ))
        .expect("the fuzzing request is valid");
        let form = format!("request={sealed}&username=user&password=pass");
        let Ok(LoginOutcome::Redirect(to)) = ready(server().login(form.as_bytes())) else {
            unreachable!("the fuzzing user logs in");
        };
        let code = to
            .url()
            .query_pairs()
            .find(|(k, _)| k == "code")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        let body = format!(
            "grant_type=authorization_code&code={code}&redirect_uri={redirect}&client_id={client}"
        );
        ready(server().token(body.as_bytes(), None))
            .map(|tokens| tokens.access_token().expose().to_owned())
            .unwrap_or_default()
    })
}

/// One request to the smart-home endpoint: the first byte picks the `Authorization` header
/// (`0`: the bytes up to a `0xFF`, the body after it; otherwise the linked token's bearer
/// header and the rest as the body). Nothing may panic, and every answer is JSON.
///
/// # Panics
///
/// When an answer is not JSON, which is what the fuzzer looks for.
pub fn smart_home(data: &[u8]) {
    static ENDPOINT: OnceLock<crate::endpoint::SmartHomeEndpoint<NoDevices, &'static Server>> =
        OnceLock::new();
    let Some((&mode, input)) = data.split_first() else {
        return;
    };
    let endpoint = ENDPOINT.get_or_init(|| {
        crate::endpoint::SmartHomeEndpoint::new(crate::Dispatcher::new(NoDevices), server())
    });
    let (header, body) = if mode == 0 {
        match input.iter().position(|&b| b == 0xFF) {
            Some(at) => (
                String::from_utf8_lossy(&input[..at]).into_owned(),
                &input[at + 1..],
            ),
            None => (String::new(), input),
        }
    } else {
        (format!("Bearer {}", linked_token()), input)
    };
    let reply = ready(endpoint.handle(Some(&header), body));
    assert!(
        serde_json::from_str::<serde_json::Value>(reply.body()).is_ok(),
        "answer {} is not JSON: {}",
        reply.status(),
        reply.body()
    );
}
