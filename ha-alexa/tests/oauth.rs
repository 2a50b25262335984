//! The account-linking server on loopback, driven over HTTP through the whole flow and through
//! every way it must fail closed.

#[path = "oauth_support/harness.rs"]
mod harness;

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ha_alexa::oauth::{
    AuthorizationServer, ClientConfig, Credentials, FileTokenStore, LoginOutcome, MemoryTokenStore,
    SealingKey, Secret, ServerConfig, StoreError,
};
use harness::{EU, EU_REDIRECT, Hub, PASSWORD, STATE, US, US_REDIRECT, USERNAME, code_and_state};
use sha2::Digest as _;

/// The whole flow: authorize, redirect with code and state, token,
/// refresh, and refusal of a reused code.
#[tokio::test]
async fn whole_flow_authorize_login_token_refresh_and_reused_code() {
    let hub = Hub::start(ServerConfig::amazon()).await;

    // The Alexa app opens the authorization URI: the login page.
    let page = hub
        .get_authorize(&[
            ("response_type", "code"),
            ("client_id", US),
            ("redirect_uri", US_REDIRECT),
            ("state", STATE),
            ("scope", "smart_home"),
        ])
        .await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(page.header("cache-control"), Some("no-store"));
    assert_eq!(page.header("x-frame-options"), Some("DENY"));
    assert!(
        page.header("content-security-policy")
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    assert!(page.body.contains("Amazon Alexa") && page.body.contains("pitangui.amazon.com"));

    // The user logs in: redirect to Amazon with the code and the unchanged state.
    let request = harness::sealed_request(&page.body);
    let login = hub
        .post_login(&[
            ("request", &request),
            ("username", USERNAME),
            ("password", PASSWORD),
        ])
        .await;
    assert_eq!(login.status, 303);
    assert_eq!(login.header("cache-control"), Some("no-store"));
    let location = login.location().unwrap();
    assert!(
        location.starts_with(&format!("{US_REDIRECT}?code=")),
        "{location}"
    );
    let (code, state) = code_and_state(location);
    assert_eq!(state, STATE);
    assert_eq!(code.len(), 43);

    // Amazon exchanges the code, credentials in the body.
    let tokens = hub.exchange(US, US_REDIRECT, &code).await;
    assert_eq!(tokens.status, 200, "{}", tokens.body);
    assert_eq!(
        tokens.header("content-type"),
        Some("application/json;charset=UTF-8")
    );
    assert_eq!(tokens.header("cache-control"), Some("no-store"));
    assert_eq!(tokens.header("pragma"), Some("no-cache"));
    let json = tokens.json();
    assert_eq!(json["token_type"], "Bearer");
    assert_eq!(json["expires_in"], 1800);
    assert_eq!(json["scope"], "smart_home");
    let access = tokens.string("access_token");
    let refresh = tokens.string("refresh_token");
    let grant = hub.server.verify_access_token(&access).await.unwrap();
    assert_eq!(grant.grant().user().as_str(), "user-alice");
    assert_eq!(grant.grant().client_id(), US);
    assert_eq!(grant.grant().scope(), Some("smart_home"));

    // Amazon refreshes, this time by HTTP Basic: new tokens, both valid.
    let refreshed = hub
        .post_token(
            &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
            Some((US, "anything")),
        )
        .await;
    assert_eq!(refreshed.status, 200, "{}", refreshed.body);
    let access2 = refreshed.string("access_token");
    let refresh2 = refreshed.string("refresh_token");
    assert_ne!(access2, access);
    assert_ne!(refresh2, refresh);
    assert!(hub.token_valid(&access2).await);
    let bearer = hub
        .server
        .verify_bearer(&format!("Bearer {access2}"))
        .await
        .unwrap();
    assert_eq!(bearer.grant().user().as_str(), "user-alice");

    // The code again: refused, and everything issued from it is revoked.
    let reused = hub.exchange(US, US_REDIRECT, &code).await;
    assert_eq!(
        (reused.status, reused.error()),
        (400, "invalid_grant".into())
    );
    assert_eq!(
        reused.json()["error_description"],
        "authorization code was already used"
    );
    assert!(!hub.token_valid(&access).await);
    assert!(!hub.token_valid(&access2).await);
    assert_eq!(hub.refresh(US, &refresh2).await.error(), "invalid_grant");
}

#[tokio::test]
async fn a_code_works_only_for_its_client_and_redirect_uri() {
    let hub = Hub::start(ServerConfig::amazon()).await;

    // Issued to the US client, presented by the EU client: refused, and burned.
    let code = hub.code_for(US, US_REDIRECT, &[]).await;
    let other_client = hub.exchange(EU, EU_REDIRECT, &code).await;
    assert_eq!(other_client.status, 400);
    assert_eq!(other_client.error(), "invalid_grant");
    assert_eq!(
        other_client.json()["error_description"],
        "authorization code was issued to another client"
    );
    assert_eq!(
        hub.exchange(US, US_REDIRECT, &code).await.error(),
        "invalid_grant"
    );

    // Another redirect_uri of the same host, or none: refused.
    let code = hub.code_for(US, US_REDIRECT, &[]).await;
    let other_redirect = hub
        .exchange(
            US,
            "https://pitangui.amazon.com/api/skill/link/OTHER",
            &code,
        )
        .await;
    assert_eq!(other_redirect.error(), "invalid_grant");
    assert_eq!(
        other_redirect.json()["error_description"],
        "`redirect_uri` does not match the authorization request"
    );
    let code = hub.code_for(US, US_REDIRECT, &[]).await;
    let no_redirect = hub
        .post_token(
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("client_id", US),
            ],
            None,
        )
        .await;
    assert_eq!(no_redirect.error(), "invalid_grant");

    // A code never issued.
    let forged = hub.exchange(US, US_REDIRECT, "A".repeat(43).as_str()).await;
    assert_eq!(forged.error(), "invalid_grant");
}

#[tokio::test]
async fn an_expired_code_is_refused() {
    let hub = Hub::start(ServerConfig::amazon()).await;
    let code = hub.code_for(US, US_REDIRECT, &[]).await;
    hub.clock.advance(Duration::from_mins(5));
    let expired = hub.exchange(US, US_REDIRECT, &code).await;
    assert_eq!(
        (expired.status, expired.error()),
        (400, "invalid_grant".into())
    );
    assert_eq!(
        expired.json()["error_description"],
        "authorization code expired"
    );

    // Just inside the lifetime it works.
    let code = hub.code_for(US, US_REDIRECT, &[]).await;
    hub.clock.advance(Duration::from_secs(5 * 60 - 1));
    assert_eq!(hub.exchange(US, US_REDIRECT, &code).await.status, 200);
}

#[tokio::test]
async fn a_redirect_uri_on_another_host_is_shown_never_redirected() {
    let hub = Hub::start(ServerConfig::amazon()).await;
    for redirect_uri in [
        "https://evil.example/api/skill/link/M2AAAAAAAAAAAA",
        "https://pitangui.amazon.com.evil.example/api/skill/link/M2X",
        "https://pitangui.amazon.com@evil.example/api/skill/link/M2X",
        "http://pitangui.amazon.com/api/skill/link/M2X",
        "https://pitangui.amazon.com:8443/api/skill/link/M2X",
        "https://layla.amazon.com/api/skill/link/M2X",
        "https://pitangui.amazon.com/api/skill/link/M2X#fragment",
        "/api/skill/link/M2X",
    ] {
        let reply = hub
            .get_authorize(&[
                ("response_type", "code"),
                ("client_id", US),
                ("redirect_uri", redirect_uri),
                ("state", STATE),
            ])
            .await;
        assert_eq!(reply.status, 400, "{redirect_uri}");
        assert_eq!(reply.location(), None, "{redirect_uri}");
        assert!(reply.body.contains("Linking failed"), "{redirect_uri}");
        assert!(!reply.body.contains(r#"name="request""#), "{redirect_uri}");
    }

    // The most common mistake gets a precise hint.
    let no_slash = hub
        .get_authorize(&[
            ("response_type", "code"),
            ("client_id", "https://pitangui.amazon.com"),
            ("redirect_uri", US_REDIRECT),
        ])
        .await;
    assert_eq!(no_slash.status, 400);
    assert!(
        no_slash
            .body
            .contains("did you mean `https://pitangui.amazon.com/`")
    );
}

#[tokio::test]
async fn errors_after_a_valid_redirect_uri_go_back_to_the_client_with_state() {
    let hub = Hub::start(ServerConfig::amazon().require_pkce()).await;
    let base = [
        ("client_id", US),
        ("redirect_uri", US_REDIRECT),
        ("state", STATE),
    ];
    let cases: [(&[(&str, &str)], &str); 4] = [
        (&[("response_type", "token")], "unsupported_response_type"),
        (
            &[("response_type", "code"), ("scope", "a\"b")],
            "invalid_scope",
        ),
        (&[("response_type", "code")], "invalid_request"), // PKCE required
        (
            &[
                ("response_type", "code"),
                ("code_challenge", "abc"),
                ("code_challenge_method", "plain"),
            ],
            "invalid_request",
        ),
    ];
    for (extra, expected) in cases {
        let mut query = base.to_vec();
        query.extend_from_slice(extra);
        let reply = hub.get_authorize(&query).await;
        assert_eq!(reply.status, 303, "{extra:?}");
        let url = url::Url::parse(reply.location().unwrap()).unwrap();
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        assert!(url.as_str().starts_with(US_REDIRECT));
        assert!(
            pairs.contains(&("error".into(), expected.into())),
            "{pairs:?}"
        );
        assert!(pairs.contains(&("state".into(), STATE.into())), "{pairs:?}");
    }
}

#[tokio::test]
async fn a_tampered_login_form_is_refused_and_state_comes_back_unchanged() {
    let hub = Hub::start(ServerConfig::amazon()).await;
    let request = hub.login_page(US, US_REDIRECT, &[]).await;
    let (payload, tag) = request.split_once('.').unwrap();
    let json = String::from_utf8(URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    assert!(
        json.contains(r#""state":"A2SAAEAEu-8n3pQ+/=&é x""#),
        "{json}"
    );

    // The state, or the redirect URI, changed inside the sealed request: refused, no redirect.
    for (from, to) in [
        (STATE, "attacker-state"),
        (US_REDIRECT, "https://evil.example/cb"),
    ] {
        let tampered = format!("{}.{tag}", URL_SAFE_NO_PAD.encode(json.replace(from, to)));
        let reply = hub
            .post_login(&[
                ("request", &tampered),
                ("username", USERNAME),
                ("password", PASSWORD),
            ])
            .await;
        assert_eq!(reply.status, 400);
        assert_eq!(reply.location(), None);
        assert!(
            reply
                .body
                .contains("the login form was altered or is invalid")
        );
    }

    // An extra `state` field in the form changes nothing: the original state comes back.
    let reply = hub
        .post_login(&[
            ("request", &request),
            ("username", USERNAME),
            ("password", PASSWORD),
            ("state", "attacker-state"),
        ])
        .await;
    assert_eq!(code_and_state(reply.location().unwrap()).1, STATE);

    // A form sealed by another server (another key) is refused too.
    let other = AuthorizationServer::new(
        ServerConfig::amazon().with_sealing_key(SealingKey::new([9; 32])),
        harness::Users,
        MemoryTokenStore::new(),
    )
    .unwrap();
    let foreign = other
        .authorize(&format!(
            "response_type=code&client_id={}&redirect_uri={}",
            enc(US),
            enc(US_REDIRECT)
        ))
        .unwrap();
    let reply = hub
        .post_login(&[
            ("request", foreign.sealed_request()),
            ("username", USERNAME),
            ("password", PASSWORD),
        ])
        .await;
    assert_eq!((reply.status, reply.location()), (400, None));
}

#[tokio::test]
async fn a_login_form_expires_and_wrong_passwords_show_it_again() {
    let hub = Hub::start(ServerConfig::amazon()).await;
    let request = hub.login_page(US, US_REDIRECT, &[]).await;

    let wrong = hub
        .post_login(&[
            ("request", &request),
            ("username", USERNAME),
            ("password", "guess"),
        ])
        .await;
    assert_eq!((wrong.status, wrong.location()), (200, None));
    assert!(wrong.body.contains("The username or password is wrong."));
    assert_eq!(harness::sealed_request(&wrong.body), request);

    let missing = hub
        .post_login(&[("request", &request), ("username", USERNAME)])
        .await;
    assert!(missing.body.contains("The username or password is wrong."));

    hub.clock.advance(Duration::from_mins(10));
    let late = hub
        .post_login(&[
            ("request", &request),
            ("username", USERNAME),
            ("password", PASSWORD),
        ])
        .await;
    assert_eq!((late.status, late.location()), (400, None));
    assert!(late.body.contains("the login form expired"));
}

#[tokio::test]
async fn declining_sends_access_denied_with_state() {
    let hub = Hub::start(ServerConfig::amazon()).await;
    let request = hub.login_page(US, US_REDIRECT, &[]).await;
    let reply = hub
        .post_login(&[("request", &request), ("action", "deny")])
        .await;
    assert_eq!(reply.status, 303);
    let url = url::Url::parse(reply.location().unwrap()).unwrap();
    let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    assert!(pairs.contains(&("error".into(), "access_denied".into())));
    assert!(pairs.contains(&("state".into(), STATE.into())));
    assert!(!pairs.iter().any(|(k, _)| k == "code"));
}

#[tokio::test]
async fn a_configured_client_secret_is_required_and_compared() {
    let config = ServerConfig::with_clients([ClientConfig::new(US)
        .unwrap()
        .with_secret(Secret::new("the right secret"))]);
    let hub = Hub::start(config).await;
    let code = hub.code_for(US, US_REDIRECT, &[]).await;

    // Wrong or missing secret in the body: 400 invalid_client, no challenge.
    for secret in [Some("the wrong secret"), Some("anything"), None] {
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", US_REDIRECT),
            ("client_id", US),
        ];
        form.extend(secret.map(|s| ("client_secret", s)));
        let reply = hub.post_token(&form, None).await;
        assert_eq!(
            (reply.status, reply.error()),
            (400, "invalid_client".into()),
            "{secret:?}"
        );
        assert_eq!(reply.header("www-authenticate"), None);
    }
    // Wrong secret by HTTP Basic: 401 with a Basic challenge.
    let basic = hub
        .post_token(
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", US_REDIRECT),
            ],
            Some((US, "the wrong secret")),
        )
        .await;
    assert_eq!(
        (basic.status, basic.error()),
        (401, "invalid_client".into())
    );
    assert!(
        basic
            .header("www-authenticate")
            .unwrap()
            .starts_with("Basic realm=")
    );
    // Both methods at once: refused.
    let both = hub
        .post_token(
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", US_REDIRECT),
                ("client_secret", "the right secret"),
            ],
            Some((US, "the right secret")),
        )
        .await;
    assert_eq!(both.error(), "invalid_request");

    // The failed attempts did not burn the code: the right secret by Basic works.
    let ok = hub
        .post_token(
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", US_REDIRECT),
            ],
            Some((US, "the right secret")),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    // And in the body, for a refresh.
    let refresh = ok.string("refresh_token");
    let refreshed = hub
        .post_token(
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", &refresh),
                ("client_id", US),
                ("client_secret", "the right secret"),
            ],
            None,
        )
        .await;
    assert_eq!(refreshed.status, 200, "{}", refreshed.body);
}

#[tokio::test]
async fn a_refresh_token_reused_after_rotation_revokes_the_grant() {
    let hub = Hub::start(ServerConfig::amazon()).await;
    let code = hub.code_for(US, US_REDIRECT, &[]).await;
    let first = hub.exchange(US, US_REDIRECT, &code).await;
    let refresh1 = first.string("refresh_token");

    let second = hub.refresh(US, &refresh1).await;
    assert_eq!(second.status, 200);
    let (access2, refresh2) = (
        second.string("access_token"),
        second.string("refresh_token"),
    );
    assert!(hub.token_valid(&access2).await);

    // The replaced token comes back (a thief, or a replayed request): refused, grant revoked.
    let reused = hub.refresh(US, &refresh1).await;
    assert_eq!(
        (reused.status, reused.error()),
        (400, "invalid_grant".into())
    );
    assert_eq!(
        reused.json()["error_description"],
        "refresh token was already used; the grant is revoked"
    );
    assert!(!hub.token_valid(&access2).await);
    assert_eq!(hub.refresh(US, &refresh2).await.error(), "invalid_grant");

    // A refresh token is bound to its client too.
    let code = hub.code_for(US, US_REDIRECT, &[]).await;
    let refresh = hub
        .exchange(US, US_REDIRECT, &code)
        .await
        .string("refresh_token");
    assert_eq!(hub.refresh(EU, &refresh).await.error(), "invalid_grant");
    assert_eq!(hub.refresh(US, &refresh).await.status, 200);
}

#[tokio::test]
async fn access_tokens_expire_and_refresh_tokens_outlive_them() {
    let hub = Hub::start(ServerConfig::amazon()).await;
    let code = hub.code_for(US, US_REDIRECT, &[]).await;
    let tokens = hub.exchange(US, US_REDIRECT, &code).await;
    let access = tokens.string("access_token");
    hub.clock.advance(Duration::from_secs(1799));
    assert!(hub.token_valid(&access).await);
    hub.clock.advance(Duration::from_secs(1));
    let expired = hub.server.verify_access_token(&access).await.unwrap_err();
    assert_eq!(
        (expired.status(), expired.description()),
        (401, "access token expired")
    );
    assert_eq!(
        expired.www_authenticate(),
        Some("Bearer error=\"invalid_token\"")
    );

    hub.clock.advance(Duration::from_hours(720));
    let refreshed = hub.refresh(US, &tokens.string("refresh_token")).await;
    assert_eq!(refreshed.status, 200);
    assert!(hub.token_valid(&refreshed.string("access_token")).await);
}

#[tokio::test]
async fn idle_refresh_tokens_expire_when_configured() {
    let config = ServerConfig::amazon().with_refresh_token_idle_lifetime(Duration::from_hours(1));
    let hub = Hub::start(config).await;
    let code = hub.code_for(US, US_REDIRECT, &[]).await;
    let refresh = hub
        .exchange(US, US_REDIRECT, &code)
        .await
        .string("refresh_token");
    hub.clock.advance(Duration::from_secs(3599));
    let refresh = hub.refresh(US, &refresh).await.string("refresh_token");
    hub.clock.advance(Duration::from_hours(1));
    let expired = hub.refresh(US, &refresh).await;
    assert_eq!(expired.error(), "invalid_grant");
    assert_eq!(expired.json()["error_description"], "refresh token expired");
}

#[tokio::test]
async fn pkce_s256_binds_the_code_to_the_verifier() {
    let hub = Hub::start(ServerConfig::amazon()).await;
    let verifier = "a-verifier-of-at-least-43-characters-0123456789";
    let challenge = URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier));
    let pkce = [
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    let exchange = |code: String, verifier: Option<&'static str>| {
        let hub = &hub;
        async move {
            let mut form = vec![
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", US_REDIRECT),
                ("client_id", US),
            ];
            form.extend(verifier.map(|v| ("code_verifier", v)));
            hub.post_token(&form, None).await
        }
    };

    let missing = exchange(hub.code_for(US, US_REDIRECT, &pkce).await, None).await;
    assert_eq!(missing.error(), "invalid_grant");
    let wrong = exchange(
        hub.code_for(US, US_REDIRECT, &pkce).await,
        Some("another-verifier-of-at-least-43-characters-012345"),
    )
    .await;
    assert_eq!(wrong.error(), "invalid_grant");
    let downgrade = exchange(hub.code_for(US, US_REDIRECT, &[]).await, Some(verifier)).await;
    assert_eq!(downgrade.error(), "invalid_grant");
    let right = exchange(hub.code_for(US, US_REDIRECT, &pkce).await, Some(verifier)).await;
    assert_eq!(right.status, 200, "{}", right.body);
}

#[tokio::test]
async fn oversized_and_malformed_token_requests_are_refused() {
    let hub = Hub::start(ServerConfig::amazon()).await;
    let form = "application/x-www-form-urlencoded";
    let token_cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            form,
            format!(
                "grant_type=refresh_token&client_id={}&pad={}",
                enc(US),
                "a".repeat(20_000)
            )
            .into_bytes(),
            "invalid_request",
        ),
        (
            form,
            b"grant_type=refresh_token&client_id=%zz".to_vec(),
            "invalid_request",
        ),
        (
            form,
            b"grant_type=refresh_token&client_id=%FF%FE".to_vec(),
            "invalid_request",
        ),
        (
            form,
            format!(
                "grant_type=refresh_token&grant_type=authorization_code&client_id={}",
                enc(US)
            )
            .into_bytes(),
            "invalid_request",
        ),
        (
            "application/json",
            br#"{"grant_type":"refresh_token"}"#.to_vec(),
            "invalid_request",
        ),
        (
            form,
            format!("client_id={}", enc(US)).into_bytes(),
            "invalid_request",
        ),
        (
            form,
            format!("grant_type=password&client_id={}", enc(US)).into_bytes(),
            "unsupported_grant_type",
        ),
        (
            form,
            b"grant_type=refresh_token&refresh_token=x".to_vec(),
            "invalid_client",
        ),
        (
            form,
            b"grant_type=refresh_token&refresh_token=x&client_id=https%3A%2F%2Fevil.example%2F"
                .to_vec(),
            "invalid_client",
        ),
        (
            form,
            format!("grant_type=authorization_code&client_id={}", enc(US)).into_bytes(),
            "invalid_request",
        ),
    ];
    for (content_type, body, expected) in token_cases {
        let shown = String::from_utf8_lossy(&body[..body.len().min(80)]).into_owned();
        let reply = hub.post_raw("/auth/token", content_type, body, None).await;
        assert_eq!(reply.status, 400, "{shown}: {}", reply.body);
        assert_eq!(reply.error(), expected, "{shown}");
        assert_eq!(reply.header("cache-control"), Some("no-store"));
    }
    // A garbled Authorization header.
    let reply = hub
        .post_raw(
            "/auth/token",
            form,
            b"grant_type=refresh_token".to_vec(),
            Some("Basic %%%".into()),
        )
        .await;
    assert_eq!(
        (reply.status, reply.error()),
        (401, "invalid_client".into())
    );
}

#[tokio::test]
async fn oversized_and_malformed_login_forms_are_refused() {
    let hub = Hub::start(ServerConfig::amazon()).await;
    let form = "application/x-www-form-urlencoded";
    // Oversized and malformed bodies show an error, never redirect.
    let request = hub.login_page(US, US_REDIRECT, &[]).await;
    let oversized = format!(
        "request={request}&username=alice&password={}",
        "p".repeat(20_000)
    );
    let malformed = format!("request={request}&username=%zz&password=x");
    let repeated = format!("request={request}&request={request}&username=alice&password=x");
    for body in [
        oversized,
        malformed,
        repeated,
        String::from("request=&username=a"),
    ] {
        let reply = hub
            .post_raw("/auth/authorize", form, body.into_bytes(), None)
            .await;
        assert_eq!(
            (reply.status, reply.location()),
            (400, None),
            "{}",
            reply.body
        );
    }
    let json_login = hub
        .post_raw("/auth/authorize", "application/json", b"{}".to_vec(), None)
        .await;
    assert_eq!(json_login.status, 400);

    // A malformed query: shown, not redirected.
    let reply = hub
        .http
        .get(format!("{}/auth/authorize?client_id=%zz", hub.base))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 400);
}

#[tokio::test]
async fn a_client_without_refresh_tokens_is_unauthorized_to_refresh() {
    let config =
        ServerConfig::with_clients([ClientConfig::new(US).unwrap().without_refresh_tokens()]);
    let hub = Hub::start(config).await;
    let code = hub.code_for(US, US_REDIRECT, &[]).await;
    let tokens = hub.exchange(US, US_REDIRECT, &code).await;
    assert_eq!(tokens.status, 200);
    assert!(tokens.json().get("refresh_token").is_none());
    let refused = hub.refresh(US, "whatever").await;
    assert_eq!(
        (refused.status, refused.error()),
        (400, "unauthorized_client".into())
    );
}

#[tokio::test]
async fn a_file_store_keeps_links_across_restarts_and_holds_no_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alexa-tokens.json");
    let (access, refresh, code) = {
        let hub =
            Hub::start_with(ServerConfig::amazon(), FileTokenStore::open(&path).unwrap()).await;
        let code = hub.code_for(US, US_REDIRECT, &[]).await;
        let tokens = hub.exchange(US, US_REDIRECT, &code).await;
        assert_eq!(tokens.status, 200);

        // While open, a second store on the same file is refused.
        let locked = FileTokenStore::open(&path).unwrap_err();
        assert!(matches!(locked, StoreError::Read { .. }), "{locked}");
        let tokens = (
            tokens.string("access_token"),
            tokens.string("refresh_token"),
            code,
        );
        hub.stop().await;
        tokens
    };

    let file = std::fs::read_to_string(&path).unwrap();
    for secret in [access.as_str(), refresh.as_str(), code.as_str(), PASSWORD] {
        assert!(!file.contains(secret));
    }
    assert!(file.contains(&harness_hash(&access)));
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // After a restart the link still works.
    let hub = Hub::start_with(ServerConfig::amazon(), FileTokenStore::open(&path).unwrap()).await;
    assert!(hub.token_valid(&access).await);
    let refreshed = hub.refresh(US, &refresh).await;
    assert_eq!(refreshed.status, 200, "{}", refreshed.body);
    hub.stop().await;

    // The rotation was written before it was answered, and the code is still spent.
    let hub = Hub::start_with(ServerConfig::amazon(), FileTokenStore::open(&path).unwrap()).await;
    assert_eq!(hub.refresh(US, &refresh).await.error(), "invalid_grant");
    assert_eq!(
        hub.exchange(US, US_REDIRECT, &code).await.error(),
        "invalid_grant"
    );
}

#[tokio::test]
async fn a_file_store_rejects_foreign_files_and_rolls_back_failed_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tokens.json");
    std::fs::write(&path, r#"{"version": 2, "codes": [], "grants": []}"#).unwrap();
    let error = FileTokenStore::open(&path).unwrap_err();
    assert!(
        matches!(
            error,
            StoreError::Version {
                found: 2,
                expected: 1,
                ..
            }
        ),
        "{error}"
    );
    std::fs::write(&path, r#"{"version": 1, "codes": 3}"#).unwrap();
    let error = FileTokenStore::open(&path).unwrap_err();
    assert!(
        matches!(error, StoreError::Corrupt { line: 1, .. }),
        "{error}"
    );

    // A store whose directory disappears cannot write: the request fails with
    // server_error, and the failed change is not kept in memory either.
    let gone = dir.path().join("gone");
    std::fs::create_dir(&gone).unwrap();
    let store_path = gone.join("tokens.json");
    let hub = Hub::start_with(
        ServerConfig::amazon(),
        FileTokenStore::open(&store_path).unwrap(),
    )
    .await;
    let code = hub.code_for(US, US_REDIRECT, &[]).await;
    std::fs::remove_dir_all(&gone).unwrap();
    let failed = hub.exchange(US, US_REDIRECT, &code).await;
    assert_eq!(
        (failed.status, failed.error()),
        (500, "server_error".into())
    );
    std::fs::create_dir(&gone).unwrap();
    let retried = hub.exchange(US, US_REDIRECT, &code).await;
    assert_eq!(retried.status, 200, "{}", retried.body);
}

#[tokio::test]
async fn debug_output_hides_secrets() {
    let secret = "debug-secret-value";
    let client = ClientConfig::new(US)
        .unwrap()
        .with_secret(Secret::new(secret));
    let config =
        ServerConfig::with_clients([client.clone()]).with_sealing_key(SealingKey::new([0xAB; 32]));
    let server =
        AuthorizationServer::new(config.clone(), harness::Users, MemoryTokenStore::new()).unwrap();
    let prompt = server
        .authorize(&format!(
            "response_type=code&client_id={}&redirect_uri={}&state=s",
            enc(US),
            enc(US_REDIRECT)
        ))
        .unwrap();
    let form = format!(
        "request={}&username={USERNAME}&password={}",
        prompt.sealed_request(),
        enc(PASSWORD)
    );
    let outcome = server.login(form.as_bytes()).await.unwrap();
    let LoginOutcome::Redirect(redirect) = &outcome else {
        panic!("{outcome:?}")
    };
    let (code, _) = code_and_state(redirect.location());
    let body = format!(
        "grant_type=authorization_code&code={code}&redirect_uri={}&client_id={}&client_secret={secret}",
        enc(US_REDIRECT),
        enc(US)
    );
    let tokens = server.token(body.as_bytes(), None).await.unwrap();

    let shown = [
        format!("{:?}", Secret::new(secret)),
        format!("{:?}", Credentials::new(USERNAME, Secret::new(PASSWORD))),
        format!("{client:?}"),
        format!("{config:?}"),
        format!("{server:?}"),
        format!("{outcome:?}"),
        format!("{tokens:?}"),
    ]
    .join("\n");
    let key_hex = "ab".repeat(32);
    let key_bytes = format!("{:?}", [0xAB_u8; 32]);
    for leaked in [
        secret,
        PASSWORD,
        code.as_str(),
        tokens.access_token().expose(),
        tokens.refresh_token().unwrap().expose(),
        &key_hex,
        &key_bytes,
        "171, 171",
    ] {
        assert!(!shown.contains(leaked), "{leaked:?} in:\n{shown}");
    }
    assert!(shown.contains("***"));
    assert!(
        shown.contains("Redirect(https://pitangui.amazon.com/api/skill/link/M2AAAAAAAAAAAA?***)")
    );
}

fn enc(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

fn harness_hash(token: &str) -> String {
    ha_alexa::oauth::TokenHash::of(token).to_string()
}
