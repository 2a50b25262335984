//! The Login-with-Amazon client against a stand-in of LWA's token endpoint: the grant-code
//! exchange, refreshing before expiry, one refresh for concurrent callers, relinking, and
//! every kind of answer.

#[path = "proactive_support/amazon.rs"]
mod amazon;

use std::sync::Arc;
use std::time::Duration;

use amazon::{
    ACCESS_1, ACCESS_2, CLIENT_ID, CLIENT_SECRET, REFRESH_1, REFRESH_2, Sequence, TOKEN_PATH,
    client_with, clock, form, header, issued, linked, lwa_config, lwa_error, mount_token, received,
    tokens,
};
use ha_alexa::interface::authorization::GrantCode;
use ha_alexa::lwa::{
    FileLwaStore, LwaClient, LwaError, LwaTokenStore, MemoryLwaStore, RelinkReason,
};
use ha_alexa::{BearerToken, TransportErrorKind};
use wiremock::{MockServer, ResponseTemplate};

const GRANT_CODE: &str = "ANUbUKCJqlBOpMhwYWxU";

fn fields(pairs: &[(&str, &str)]) -> std::collections::BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[tokio::test]
async fn accept_grant_exchanges_the_code_form_encoded_and_stores_the_tokens() {
    let server = MockServer::start().await;
    let clock = clock();
    mount_token(&server, tokens(ACCESS_1, Some(REFRESH_1), 3600), 1).await;
    let lwa = client_with(&server, &clock, None).await;
    assert!(!lwa.is_linked().await.unwrap());

    lwa.accept_grant(&GrantCode::try_new(GRANT_CODE).unwrap())
        .await
        .unwrap();

    let requests = received(&server, TOKEN_PATH).await;
    let [request] = requests.as_slice() else {
        panic!("one token request expected, got {}", requests.len());
    };
    assert_eq!(
        header(request, "content-type"),
        Some("application/x-www-form-urlencoded;charset=UTF-8")
    );
    assert_eq!(header(request, "authorization"), None);
    assert_eq!(
        form(request),
        fields(&[
            ("grant_type", "authorization_code"),
            ("code", GRANT_CODE),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
        ])
    );
    let stored = lwa.store().load().await.unwrap().expect("tokens stored");
    assert_eq!(stored, issued(&clock, ACCESS_1, Some(REFRESH_1), 3600));
    // The fresh token is served without another request.
    assert_eq!(lwa.access_token().await.unwrap().expose_secret(), ACCESS_1);
    assert!(lwa.is_linked().await.unwrap());
}

#[tokio::test]
async fn a_refused_grant_code_fails_the_accept_grant_and_stores_nothing() {
    let server = MockServer::start().await;
    let clock = clock();
    mount_token(
        &server,
        lwa_error(
            400,
            "invalid_grant",
            "The request has an invalid grant parameter : code",
        ),
        1,
    )
    .await;
    let lwa = client_with(&server, &clock, None).await;
    let error = lwa
        .accept_grant(&GrantCode::try_new(GRANT_CODE).unwrap())
        .await
        .unwrap_err();
    let LwaError::Refused {
        status,
        code,
        description,
        ..
    } = &error
    else {
        panic!("{error:?}");
    };
    assert_eq!((*status, code.as_str()), (400, "invalid_grant"));
    assert!(description.contains("invalid grant parameter"));
    assert_eq!(
        error.to_string(),
        "login with amazon refused the grant code with 400 invalid_grant: \
         The request has an invalid grant parameter : code"
    );
    assert!(lwa.store().load().await.unwrap().is_none());
}

#[tokio::test]
async fn access_tokens_are_reused_until_300_s_before_expiry_then_refreshed() {
    let server = MockServer::start().await;
    let clock = clock();
    mount_token(&server, tokens(ACCESS_2, Some(REFRESH_2), 3600), 1).await;
    let lwa = linked(&server, &clock).await;

    assert_eq!(lwa.access_token().await.unwrap().expose_secret(), ACCESS_1);
    clock.advance(Duration::from_secs(3299));
    assert_eq!(lwa.access_token().await.unwrap().expose_secret(), ACCESS_1);
    assert!(received(&server, TOKEN_PATH).await.is_empty());

    clock.advance(Duration::from_secs(1)); // 300 s before expiry
    assert_eq!(lwa.access_token().await.unwrap().expose_secret(), ACCESS_2);
    let requests = received(&server, TOKEN_PATH).await;
    assert_eq!(requests.len(), 1);
    assert_eq!(
        form(&requests[0]),
        fields(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", REFRESH_1),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
        ])
    );
    assert_eq!(
        lwa.store().load().await.unwrap(),
        Some(issued(&clock, ACCESS_2, Some(REFRESH_2), 3600)),
        "the refreshed tokens are stored, expiring an hour after the refresh"
    );
    // The new token is then reused.
    assert_eq!(lwa.access_token().await.unwrap().expose_secret(), ACCESS_2);
}

#[tokio::test]
async fn concurrent_callers_share_one_refresh() {
    let server = MockServer::start().await;
    let clock = clock();
    // Slow enough that every caller asks while the refresh is under way.
    mount_token(
        &server,
        tokens(ACCESS_2, Some(REFRESH_2), 3600).set_delay(Duration::from_millis(300)),
        1,
    )
    .await;
    let lwa = Arc::new(linked(&server, &clock).await);
    clock.advance(Duration::from_hours(1));

    let callers: Vec<_> = (0..16)
        .map(|_| {
            let lwa = lwa.clone();
            tokio::spawn(async move { lwa.access_token().await })
        })
        .collect();
    for caller in callers {
        assert_eq!(caller.await.unwrap().unwrap().expose_secret(), ACCESS_2);
    }
    assert_eq!(received(&server, TOKEN_PATH).await.len(), 1);
}

#[tokio::test]
async fn relinking_is_required_without_tokens_or_refresh_token_and_nothing_is_asked() {
    let server = MockServer::start().await;
    let clock = clock();
    mount_token(&server, tokens(ACCESS_2, None, 3600), 0).await;

    let unlinked = client_with(&server, &clock, None).await;
    assert!(matches!(
        unlinked.access_token().await,
        Err(LwaError::RelinkRequired {
            reason: RelinkReason::NotLinked
        })
    ));

    let without_refresh =
        client_with(&server, &clock, Some(issued(&clock, ACCESS_1, None, 3600))).await;
    assert_eq!(
        without_refresh
            .access_token()
            .await
            .unwrap()
            .expose_secret(),
        ACCESS_1,
        "usable until it is due for a refresh"
    );
    clock.advance(Duration::from_mins(55));
    let error = without_refresh.access_token().await.unwrap_err();
    assert!(matches!(
        error,
        LwaError::RelinkRequired {
            reason: RelinkReason::NoRefreshToken
        }
    ));
    assert_eq!(
        error.to_string(),
        "relink required: the access token expired and there is no refresh token; \
         disable and enable the skill in the Alexa app to link it again"
    );
}

#[tokio::test]
async fn a_refused_refresh_token_requires_relinking_and_is_forgotten() {
    let server = MockServer::start().await;
    let clock = clock();
    mount_token(
        &server,
        lwa_error(
            400,
            "invalid_grant",
            "The request has an invalid grant parameter : refresh_token",
        ),
        1,
    )
    .await;
    let lwa = linked(&server, &clock).await;
    clock.advance(Duration::from_hours(1));

    assert!(matches!(
        lwa.access_token().await,
        Err(LwaError::RelinkRequired {
            reason: RelinkReason::RefreshTokenRefused
        })
    ));
    assert!(
        lwa.store().load().await.unwrap().is_none(),
        "the store is cleared"
    );
    // Later calls fail at once: no flood of doomed refreshes.
    assert!(matches!(
        lwa.access_token().await,
        Err(LwaError::RelinkRequired {
            reason: RelinkReason::NotLinked
        })
    ));
    assert_eq!(received(&server, TOKEN_PATH).await.len(), 1);
}

#[tokio::test]
async fn wrong_client_credentials_are_named_and_the_tokens_kept() {
    let server = MockServer::start().await;
    let clock = clock();
    mount_token(
        &server,
        Sequence::new(vec![
            lwa_error(401, "invalid_client", "Client authentication failed"),
            tokens(ACCESS_2, Some(REFRESH_2), 3600),
        ]),
        2,
    )
    .await;
    let lwa = linked(&server, &clock).await;
    clock.advance(Duration::from_hours(1));

    let error = lwa.access_token().await.unwrap_err();
    assert!(
        matches!(&error, LwaError::Refused { status: 401, code, .. } if code == "invalid_client"),
        "{error:?}"
    );
    assert!(
        error.to_string().ends_with(
            "use the client id and secret of Alexa Skill Messaging (Build > Permissions), \
             not those of account linking"
        ),
        "{error}"
    );
    assert!(
        lwa.is_linked().await.unwrap(),
        "a refused client keeps the tokens"
    );
    // Once the credentials are right again, the next call refreshes.
    assert_eq!(lwa.access_token().await.unwrap().expose_secret(), ACCESS_2);
}

#[tokio::test]
async fn answers_that_are_neither_tokens_nor_oauth_errors_are_typed_errors() {
    let cases: Vec<(ResponseTemplate, u16, &str)> = vec![
        (
            ResponseTemplate::new(503).set_body_string("<html>Service Unavailable</html>"),
            503,
            "the body is not an OAuth error",
        ),
        (
            ResponseTemplate::new(200).set_body_string(r#"{"access_token": "Atza|x","#),
            200,
            "a token response that does not parse at line 1 column 26: EOF while parsing a value",
        ),
        (
            ResponseTemplate::new(200).set_body_string(r#"{"access_token": "Atza|x"}"#),
            200,
            "missing field `expires_in`",
        ),
        (
            ResponseTemplate::new(200)
                .set_body_string(r#"{"access_token": "", "expires_in": 3600}"#),
            200,
            "token must not be empty",
        ),
    ];
    for (response, expected_status, expected_reason) in cases {
        let server = MockServer::start().await;
        let clock = clock();
        mount_token(&server, response, 1).await;
        let lwa = client_with(&server, &clock, None).await;
        let error = lwa
            .accept_grant(&GrantCode::try_new(GRANT_CODE).unwrap())
            .await
            .unwrap_err();
        let LwaError::Response { status, reason, .. } = &error else {
            panic!("{error:?}");
        };
        assert_eq!(*status, expected_status);
        assert!(reason.contains(expected_reason), "{reason}");
        assert!(!lwa.is_linked().await.unwrap());
    }
}

#[tokio::test]
async fn refreshing_without_a_new_refresh_token_keeps_the_old_one() {
    let server = MockServer::start().await;
    let clock = clock();
    mount_token(&server, tokens(ACCESS_2, None, 3600), 1).await;
    let lwa = linked(&server, &clock).await;
    clock.advance(Duration::from_secs(3500));
    assert_eq!(lwa.access_token().await.unwrap().expose_secret(), ACCESS_2);
    let stored = lwa.store().load().await.unwrap().unwrap();
    assert_eq!(stored.refresh_token().unwrap().expose_secret(), REFRESH_1);
}

#[tokio::test]
async fn invalidating_the_current_token_forces_one_refresh_and_a_stale_one_none() {
    let server = MockServer::start().await;
    let clock = clock();
    mount_token(&server, tokens(ACCESS_2, Some(REFRESH_2), 3600), 1).await;
    let lwa = linked(&server, &clock).await;
    let first = lwa.access_token().await.unwrap();

    lwa.invalidate(&first).await;
    assert_eq!(lwa.access_token().await.unwrap().expose_secret(), ACCESS_2);
    // A second caller refused with the same old token does not cause another refresh.
    lwa.invalidate(&first).await;
    lwa.invalidate(&BearerToken::try_new("Atza|unknown").unwrap())
        .await;
    assert_eq!(lwa.access_token().await.unwrap().expose_secret(), ACCESS_2);
    assert_eq!(received(&server, TOKEN_PATH).await.len(), 1);
}

#[tokio::test]
async fn an_unreachable_token_endpoint_is_a_transport_error() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let config = ha_alexa::lwa::LwaConfig::new(
        CLIENT_ID,
        ha_alexa::config::ClientSecret::try_new(CLIENT_SECRET).unwrap(),
    )
    .unwrap()
    .with_loopback_token_url(&format!("http://127.0.0.1:{port}{TOKEN_PATH}"))
    .unwrap();
    let lwa = LwaClient::new(config, MemoryLwaStore::new()).unwrap();
    let error = lwa
        .accept_grant(&GrantCode::try_new(GRANT_CODE).unwrap())
        .await
        .unwrap_err();
    let LwaError::Transport(transport) = &error else {
        panic!("{error:?}");
    };
    assert_eq!(transport.kind(), TransportErrorKind::Connect);
    assert_eq!(
        error.to_string(),
        format!("cannot connect to http://127.0.0.1:{port}{TOKEN_PATH}")
    );
}

#[tokio::test]
async fn a_slow_token_endpoint_times_out() {
    let server = MockServer::start().await;
    let clock = clock();
    mount_token(
        &server,
        tokens(ACCESS_1, Some(REFRESH_1), 3600).set_delay(Duration::from_secs(5)),
        1,
    )
    .await;
    let config = lwa_config(&server).with_timeout(Duration::from_millis(300));
    let lwa = LwaClient::with_clock(config, MemoryLwaStore::new(), clock.clone()).unwrap();
    let error = lwa
        .accept_grant(&GrantCode::try_new(GRANT_CODE).unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(&error, LwaError::Transport(t) if t.kind() == TransportErrorKind::Timeout),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_file_store_keeps_the_link_across_restarts() {
    let server = MockServer::start().await;
    let clock = clock();
    mount_token(&server, tokens(ACCESS_1, Some(REFRESH_1), 3600), 1).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alexa-lwa.json");
    {
        let store = FileLwaStore::open(&path).unwrap();
        let lwa = LwaClient::with_clock(lwa_config(&server), store, clock.clone()).unwrap();
        lwa.accept_grant(&GrantCode::try_new(GRANT_CODE).unwrap())
            .await
            .unwrap();
    }
    let store = FileLwaStore::open(&path).unwrap();
    let lwa = LwaClient::with_clock(lwa_config(&server), store, clock.clone()).unwrap();
    assert_eq!(lwa.access_token().await.unwrap().expose_secret(), ACCESS_1);
    assert_eq!(received(&server, TOKEN_PATH).await.len(), 1);
    lwa.forget().await.unwrap();
    assert!(!lwa.is_linked().await.unwrap());
}

#[test]
fn secrets_stay_out_of_debug_output() {
    let clock = clock();
    let tokens = issued(&clock, ACCESS_1, Some(REFRESH_1), 3600);
    let config = ha_alexa::lwa::LwaConfig::new(
        CLIENT_ID,
        ha_alexa::config::ClientSecret::try_new(CLIENT_SECRET).unwrap(),
    )
    .unwrap();
    let lwa = LwaClient::new(config.clone(), MemoryLwaStore::new()).unwrap();
    let code = GrantCode::try_new(GRANT_CODE).unwrap();
    let shown = format!("{tokens:?} {config:?} {lwa:?} {code:?}");
    for secret in [ACCESS_1, REFRESH_1, CLIENT_SECRET, GRANT_CODE] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    assert!(shown.contains(CLIENT_ID));
}
