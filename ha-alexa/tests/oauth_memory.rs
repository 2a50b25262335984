//! Memory of the account-linking server, counted by the allocator: what one link keeps in the
//! in-memory store, and that refreshing for ever does not grow it.
//!
//! Run with `--nocapture` to see the figures.
#![expect(
    clippy::print_stdout,
    reason = "the test reports the figures it measures"
)]

use std::time::{Duration, SystemTime};

use allocation_counter::{AllocationInfo, measure};
use ha_alexa::oauth::{
    Authenticator, AuthorizationServer, Credentials, LoginOutcome, ManualClock, MemoryTokenStore,
    ServerConfig, UserId,
};

struct Users;

impl Authenticator for Users {
    type Error = std::convert::Infallible;

    async fn authenticate(&self, credentials: &Credentials) -> Result<Option<UserId>, Self::Error> {
        Ok(Some(UserId::new(credentials.username())))
    }
}

type Server = AuthorizationServer<Users, MemoryTokenStore, ManualClock>;

const CLIENT: &str = "client_id=https%3A%2F%2Fpitangui.amazon.com%2F";
const REDIRECT: &str =
    "redirect_uri=https%3A%2F%2Fpitangui.amazon.com%2Fapi%2Fskill%2Flink%2FM2AAAAAAAAAAAA";

/// Links `user` through the core; returns the refresh token.
async fn link(server: &Server, user: &str) -> String {
    let prompt = server
        .authorize(&format!(
            "response_type=code&{CLIENT}&{REDIRECT}&state=A2SAAEAEu-8n3pQ&scope=smart_home"
        ))
        .unwrap();
    let form = format!(
        "request={}&username={user}&password=x",
        prompt.sealed_request()
    );
    let LoginOutcome::Redirect(redirect) = server.login(form.as_bytes()).await.unwrap() else {
        panic!("login refused");
    };
    let code = redirect
        .url()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let body = format!("grant_type=authorization_code&code={code}&{REDIRECT}&{CLIENT}");
    let tokens = server.token(body.as_bytes(), None).await.unwrap();
    tokens.refresh_token().unwrap().expose().to_owned()
}

async fn refresh(server: &Server, refresh_token: &str) -> String {
    let body = format!("grant_type=refresh_token&refresh_token={refresh_token}&{CLIENT}");
    let tokens = server.token(body.as_bytes(), None).await.unwrap();
    tokens.refresh_token().unwrap().expose().to_owned()
}

fn show(what: &str, info: &AllocationInfo) {
    println!(
        "{what}: {} bytes kept, {} allocations, peak {} bytes",
        info.bytes_current, info.count_total, info.bytes_max
    );
}

#[test]
fn a_link_keeps_a_bounded_number_of_bytes_and_refreshing_does_not_grow_the_store() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let clock = ManualClock::new(SystemTime::now());
    let server = Server::with_clock(
        ServerConfig::amazon(),
        Users,
        MemoryTokenStore::new(),
        clock.clone(),
    )
    .unwrap();
    // Warm up: the store's tables get their first capacity.
    let _ = runtime.block_on(link(&server, "warm-up"));

    // 100 users link: what the store keeps per link (the grant, its hashes, and the spent code
    // until it expires), plus the 100 refresh tokens the test keeps.
    let mut tokens = Vec::with_capacity(100);
    let linking = measure(|| {
        for i in 0..100 {
            tokens.push(runtime.block_on(link(&server, &format!("user-{i:03}"))));
        }
    });
    show("100 links", &linking);
    let per_link = linking.bytes_current / 100;
    assert!(
        (500..=3_000).contains(&per_link),
        "{per_link} bytes per link"
    );

    // The spent codes expire and are purged: a link then keeps less.
    clock.advance(Duration::from_secs(301));
    let purging = measure(|| runtime.block_on(server.purge_expired()).unwrap());
    show("purging 101 spent codes", &purging);
    assert!(purging.bytes_current < 0);

    // One user refreshes 40 times: the replaced-token history and the access-token list fill
    // up (16 each) and then stay the same size.
    let mut token = tokens.pop().unwrap();
    for _ in 0..40 {
        token = runtime.block_on(refresh(&server, &token));
    }
    let steady = measure(|| {
        for _ in 0..1000 {
            token = runtime.block_on(refresh(&server, &token));
        }
    });
    show("1000 refreshes at steady state", &steady);
    assert!(
        steady.bytes_current.abs() < 512,
        "{} bytes kept after 1000 refreshes",
        steady.bytes_current
    );
    assert!(
        steady.bytes_max < 64 * 1024,
        "peak {} bytes",
        steady.bytes_max
    );
}
