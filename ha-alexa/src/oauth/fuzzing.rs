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
