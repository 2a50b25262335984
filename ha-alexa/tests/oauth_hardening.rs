//! Account linking against guessing and misuse: password and client-secret guessing throttled
//! (counted through the authenticator and an injected clock, not timed), the caller's address
//! reaching the authenticator, scopes limited to the configured ones, a refresh ending the
//! access tokens before it, grants with a maximum lifetime, and the login page's policy.

#[path = "oauth_support/harness.rs"]
mod harness;

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use ha_alexa::oauth::{
    Authenticator, AuthorizationServer, ClientConfig, Credentials, LoginOutcome, ManualClock,
    MemoryTokenStore, Secret, ServerConfig, UserId,
};
use harness::{Hub, PASSWORD, US, US_REDIRECT, USERNAME};

/// The hub's user check, counting how often it is asked and remembering the last address.
#[derive(Clone, Default)]
struct Counting {
    calls: Arc<AtomicUsize>,
    last_addr: Arc<std::sync::Mutex<Option<IpAddr>>>,
}

impl Authenticator for Counting {
    type Error = std::convert::Infallible;

    async fn authenticate(&self, credentials: &Credentials) -> Result<Option<UserId>, Self::Error> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        *self.last_addr.lock().unwrap() = credentials.remote_addr();
        let ok = credentials.username() == USERNAME && credentials.password().matches(PASSWORD);
        Ok(ok.then(|| UserId::new("user-alice")))
    }
}

type Server = AuthorizationServer<Counting, MemoryTokenStore, ManualClock>;

fn server(config: ServerConfig) -> (Server, Counting, ManualClock) {
    let users = Counting::default();
    let clock = ManualClock::new(SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000));
    let server = AuthorizationServer::with_clock(
        config,
        users.clone(),
        MemoryTokenStore::new(),
        clock.clone(),
    )
    .unwrap();
    (server, users, clock)
}

fn sealed(server: &Server) -> String {
    let query = format!(
        "response_type=code&client_id={}&redirect_uri={}&state=s",
        urlencode(US),
        urlencode(US_REDIRECT)
    );
    server
        .authorize(&query)
        .unwrap()
        .sealed_request()
        .to_owned()
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

async fn guess(server: &Server, sealed: &str, user: &str, password: &str) -> LoginOutcome {
    let form = format!(
        "request={sealed}&username={}&password={}",
        urlencode(user),
        urlencode(password)
    );
    server
        .login_from(
            form.as_bytes(),
            Some(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 9))),
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn password_guessing_is_bounded_per_user_name_however_fast_the_guesses_come() {
    let (server, users, clock) = server(ServerConfig::amazon());

    // A thousand guesses at once, each on a fresh login form (forms cost nothing to get):
    // only the five free failures and the one that starts the delays reach the user check.
    for i in 0..1000 {
        let form = sealed(&server);
        guess(&server, &form, USERNAME, &format!("guess-{i}")).await;
    }
    assert_eq!(users.calls.load(Ordering::SeqCst), 6);

    // An hour of guesses, one a second: the delays grow, then the name locks for 15 minutes
    // at a time. Count what got through.
    users.calls.store(0, Ordering::SeqCst);
    for i in 0..3600 {
        clock.advance(Duration::from_secs(1));
        let form = sealed(&server);
        guess(&server, &form, "ALICE", &format!("hour-{i}")).await;
    }
    let per_hour = users.calls.load(Ordering::SeqCst);
    assert!(per_hour <= 20, "{per_hour} guesses checked in an hour");
    assert!(per_hour >= 3, "the lock must end: {per_hour}");

    // The right password during the lockout is not even checked, and the page says why.
    let form = sealed(&server);
    let before = users.calls.load(Ordering::SeqCst);
    let LoginOutcome::Retry(prompt) = guess(&server, &form, USERNAME, PASSWORD).await else {
        panic!("logged in during a lockout");
    };
    assert_eq!(users.calls.load(Ordering::SeqCst), before);
    let throttled = prompt.throttled().expect("the prompt explains the wait");
    assert!(throttled.is_lockout());
    let page =
        ha_alexa::oauth::LoginPage::login(&ha_alexa::oauth::MinimalLoginPage::new("Hub"), &prompt);
    assert!(page.contains("locked for"), "{page}");

    // Another user is not affected, and the address reached the hub's check.
    let form = sealed(&server);
    guess(&server, &form, "bob", "x").await;
    assert_eq!(
        *users.last_addr.lock().unwrap(),
        Some(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 9)))
    );
}

#[tokio::test]
async fn one_login_form_gets_few_guesses_across_user_names() {
    let (server, users, _clock) = server(ServerConfig::amazon());
    let form = sealed(&server);
    for i in 0..100 {
        guess(&server, &form, &format!("user-{i}"), "123456").await;
    }
    assert_eq!(users.calls.load(Ordering::SeqCst), 6);
}

#[tokio::test]
async fn client_secret_guessing_is_throttled_per_client() {
    let client = ClientConfig::new(US)
        .unwrap()
        .with_secret(Secret::new("the-real-secret"));
    let (server, _users, clock) = server(ServerConfig::with_clients([client]));
    let attempt = |secret: &str| {
        format!(
            "grant_type=refresh_token&refresh_token=r&client_id={}&client_secret={secret}",
            urlencode(US)
        )
    };
    let mut wrong = 0;
    let mut refused = 0;
    for i in 0..1000 {
        let error = server
            .token(attempt(&format!("guess{i}")).as_bytes(), None)
            .await
            .unwrap_err();
        match error.code().as_str() {
            "invalid_client" => wrong += 1,
            "temporarily_unavailable" => refused += 1,
            other => panic!("{other}"),
        }
    }
    assert_eq!(
        (wrong, refused),
        (6, 994),
        "only the first guesses were compared"
    );
    // Even the right secret waits; after the wait it works (the refresh token is unknown).
    let error = server
        .token(attempt("the-real-secret").as_bytes(), None)
        .await
        .unwrap_err();
    assert_eq!(error.code().as_str(), "temporarily_unavailable");
    clock.advance(Duration::from_secs(2));
    let error = server
        .token(attempt("the-real-secret").as_bytes(), None)
        .await
        .unwrap_err();
    assert_eq!(error.code().as_str(), "invalid_grant");
}

/// `GET /auth/authorize` from Amazon's US client with `redirect_uri` and `extra`.
async fn authorize(hub: &Hub, redirect_uri: &str, extra: &[(&str, &str)]) -> harness::Reply {
    let mut query = vec![
        ("response_type", "code"),
        ("client_id", US),
        ("redirect_uri", redirect_uri),
    ];
    query.extend_from_slice(extra);
    hub.get_authorize(&query).await
}

#[tokio::test]
async fn only_configured_scopes_may_be_requested() {
    let hub = Hub::start(ServerConfig::amazon()).await;
    let page = authorize(&hub, US_REDIRECT, &[("scope", "smart_home admin")]).await;
    assert_eq!(page.status, 303);
    let location = page.location().unwrap();
    assert!(location.contains("error=invalid_scope"), "{location}");
    hub.login_page(US, US_REDIRECT, &[]).await;

    let other = Hub::start(ServerConfig::amazon().with_scopes(["profile"])).await;
    let page = authorize(&other, US_REDIRECT, &[("scope", "smart_home")]).await;
    assert!(page.location().unwrap().contains("error=invalid_scope"));
}

#[tokio::test]
async fn a_refresh_ends_the_access_tokens_issued_before_it() {
    let hub = Hub::start(ServerConfig::amazon()).await;
    let code = hub.code_for(US, US_REDIRECT, &[]).await;
    let tokens = hub.exchange(US, US_REDIRECT, &code).await;
    let access = tokens.string("access_token");
    let refreshed = hub.refresh(US, &tokens.string("refresh_token")).await;
    assert_eq!(refreshed.status, 200);
    assert!(!hub.token_valid(&access).await);
    assert!(hub.token_valid(&refreshed.string("access_token")).await);
}

#[tokio::test]
async fn grants_end_at_their_maximum_lifetime() {
    let hub = Hub::start(
        ServerConfig::amazon().with_refresh_token_max_lifetime(Duration::from_hours(24)),
    )
    .await;
    let code = hub.code_for(US, US_REDIRECT, &[]).await;
    let mut refresh = hub
        .exchange(US, US_REDIRECT, &code)
        .await
        .string("refresh_token");
    for _ in 0..23 {
        hub.clock.advance(Duration::from_hours(1));
        let reply = hub.refresh(US, &refresh).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        refresh = reply.string("refresh_token");
    }
    hub.clock.advance(Duration::from_hours(1));
    let reply = hub.refresh(US, &refresh).await;
    assert_eq!(reply.error(), "invalid_grant");
}

#[tokio::test]
async fn the_login_page_may_post_only_to_itself_and_the_clients_redirect() {
    let hub = Hub::start(ServerConfig::amazon()).await;
    let page = authorize(&hub, US_REDIRECT, &[]).await;
    let policy = page.header("content-security-policy").unwrap();
    assert!(
        policy.ends_with("form-action 'self' https://pitangui.amazon.com"),
        "{policy}"
    );
    let error = hub.get_authorize(&[("client_id", "nobody")]).await;
    let policy = error.header("content-security-policy").unwrap();
    assert!(policy.ends_with("form-action 'none'"), "{policy}");
}

#[tokio::test]
async fn exact_redirect_matching_refuses_other_uris_on_amazons_host() {
    let client = ClientConfig::new(US)
        .unwrap()
        .with_redirect_uri(US_REDIRECT)
        .unwrap()
        .with_exact_redirect_uris()
        .unwrap();
    let hub = Hub::start(ServerConfig::with_clients([client])).await;
    hub.login_page(US, US_REDIRECT, &[]).await;
    let other = hub
        .get_authorize(&[
            ("response_type", "code"),
            ("client_id", US),
            (
                "redirect_uri",
                "https://pitangui.amazon.com/api/skill/link/OTHER",
            ),
        ])
        .await;
    assert_eq!(other.status, 400);
    assert!(
        other.body.contains("not one of the redirect URIs"),
        "{}",
        other.body
    );
}
