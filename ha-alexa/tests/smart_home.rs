//! The smart-home endpoint mounted with account linking on one router, on loopback, driven by
//! a real HTTP client and by the Lambda proxy: every status, a linked token that works,
//! revoked, expired and mismatched tokens refused, and the user reaching the hub.

#[path = "oauth_support/harness.rs"]
mod harness;

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use ha_alexa::endpoint::SmartHomeEndpoint;
use ha_alexa::oauth::{
    AuthorizationServer, LoginOutcome, ManualClock, MemoryTokenStore, MinimalLoginPage,
    ServerConfig, UserId,
};
use ha_alexa::proxy::{LambdaProxy, ProxyConfig};
use ha_alexa::{
    AlexaError, Capability, DiscoveryEndpoint, Dispatcher, DisplayCategory, EndpointId, Hub,
    Outcome, Principal, Property, Request,
};
use harness::{PASSWORD, US, US_REDIRECT, USERNAME, Users};
use serde_json::Value;

/// One switch; remembers whom each directive acted for.
#[derive(Default)]
struct Porch {
    acted_for: Mutex<Vec<String>>,
}

fn switch() -> DiscoveryEndpoint {
    DiscoveryEndpoint::builder(EndpointId::for_entity("switch.porch").unwrap())
        .friendly_name("Porch")
        .description("Porch switch")
        .manufacturer_name("Example")
        .display_category(DisplayCategory::Switch)
        .capability(Capability::power_controller())
        .capability(Capability::alexa())
        .build()
        .unwrap()
}

#[async_trait]
impl Hub for Porch {
    async fn discover(&self) -> Result<Vec<DiscoveryEndpoint>, AlexaError> {
        Ok(vec![switch()])
    }
    async fn discover_for(
        &self,
        principal: &Principal,
    ) -> Result<Vec<DiscoveryEndpoint>, AlexaError> {
        self.acted_for
            .lock()
            .unwrap()
            .push(principal.user().to_owned());
        self.discover().await
    }
    async fn endpoint(&self, id: &EndpointId) -> Result<Option<DiscoveryEndpoint>, AlexaError> {
        Ok(Some(switch()).filter(|s| s.endpoint_id() == id))
    }
    async fn properties(&self, _: &EndpointId) -> Result<Vec<Property>, AlexaError> {
        Ok(Vec::new())
    }
    async fn execute(&self, request: &Request<'_>) -> Result<Outcome, AlexaError> {
        let user = request.principal().map_or("nobody", Principal::user);
        self.acted_for.lock().unwrap().push(user.to_owned());
        Ok(Outcome::Done)
    }
}

type Server = AuthorizationServer<Users, MemoryTokenStore, ManualClock>;

struct Alexa {
    base: String,
    server: Arc<Server>,
    hub: Arc<Porch>,
    clock: ManualClock,
    http: reqwest::Client,
    serving: tokio::task::JoinHandle<()>,
}

impl Drop for Alexa {
    fn drop(&mut self) {
        self.serving.abort();
    }
}

async fn start() -> Alexa {
    let clock = ManualClock::new(SystemTime::now());
    let server = Arc::new(
        AuthorizationServer::with_clock(
            ServerConfig::amazon(),
            Users,
            MemoryTokenStore::new(),
            clock.clone(),
        )
        .unwrap(),
    );
    let hub = Arc::new(Porch::default());
    let endpoint = Arc::new(SmartHomeEndpoint::new(
        Dispatcher::new(hub.clone()),
        server.clone(),
    ));
    let app =
        ha_alexa::oauth::axum::alexa_router(server.clone(), MinimalLoginPage::new("Hub"), endpoint);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let serving = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Alexa {
        base,
        server,
        hub,
        clock,
        http: reqwest::Client::new(),
        serving,
    }
}

impl Alexa {
    /// Links alice through the core and returns her access token.
    async fn link(&self) -> String {
        let enc = |t: &str| url::form_urlencoded::byte_serialize(t.as_bytes()).collect::<String>();
        let prompt = self
            .server
            .authorize(&format!(
                "response_type=code&client_id={}&redirect_uri={}&scope=smart_home",
                enc(US),
                enc(US_REDIRECT)
            ))
            .unwrap();
        let form = format!(
            "request={}&username={USERNAME}&password={}",
            prompt.sealed_request(),
            enc(PASSWORD)
        );
        let LoginOutcome::Redirect(redirect) = self.server.login(form.as_bytes()).await.unwrap()
        else {
            panic!("login failed");
        };
        let code = redirect
            .url()
            .query_pairs()
            .find(|(k, _)| k == "code")
            .unwrap()
            .1
            .into_owned();
        let body = format!(
            "grant_type=authorization_code&code={code}&redirect_uri={}&client_id={}",
            enc(US_REDIRECT),
            enc(US)
        );
        let tokens = self.server.token(body.as_bytes(), None).await.unwrap();
        tokens.access_token().expose().to_owned()
    }

    async fn post(
        &self,
        authorization: Option<&str>,
        body: impl Into<reqwest::Body>,
    ) -> (u16, Option<String>, Value) {
        let mut request = self
            .http
            .post(format!("{}/api/alexa/smart_home", self.base))
            .header("content-type", "application/json")
            .body(body);
        if let Some(authorization) = authorization {
            request = request.header("authorization", authorization);
        }
        let reply = request.send().await.unwrap();
        let status = reply.status().as_u16();
        let challenge = reply
            .headers()
            .get("www-authenticate")
            .map(|v| v.to_str().unwrap().to_owned());
        let body = reply.text().await.unwrap();
        (
            status,
            challenge,
            serde_json::from_str(&body).unwrap_or(Value::String(body)),
        )
    }
}

fn turn_on(token: Option<&str>) -> String {
    let scope = token.map_or(String::new(), |t| {
        format!(r#""scope":{{"type":"BearerToken","token":"{t}"}},"#)
    });
    format!(
        r#"{{"directive":{{"header":{{"namespace":"Alexa.PowerController","name":"TurnOn",
        "messageId":"m-1","correlationToken":"c-1","payloadVersion":"3"}},
        "endpoint":{{{scope}"endpointId":"switch#porch"}},"payload":{{}}}}}}"#
    )
}

fn discover(token: &str) -> String {
    format!(
        r#"{{"directive":{{"header":{{"namespace":"Alexa.Discovery","name":"Discover",
        "messageId":"m-2","payloadVersion":"3"}},"payload":{{"scope":{{"type":"BearerToken","token":"{token}"}}}}}}}}"#
    )
}

#[tokio::test]
async fn every_status_of_the_endpoint() {
    let alexa = start().await;
    let token = alexa.link().await;
    let bearer = format!("Bearer {token}");

    // A linked token: the directive goes through, on alice's behalf.
    let (status, _, event) = alexa.post(Some(&bearer), turn_on(Some(&token))).await;
    assert_eq!(status, 200, "{event}");
    assert_eq!(event["event"]["header"]["name"], "Response");
    let (status, _, event) = alexa.post(Some(&bearer), discover(&token)).await;
    assert_eq!(status, 200);
    assert_eq!(
        event["event"]["payload"]["endpoints"][0]["endpointId"],
        "switch#porch"
    );
    assert_eq!(
        *alexa.hub.acted_for.lock().unwrap(),
        ["user-alice", "user-alice"]
    );

    // No header, another scheme, an unknown token: 401 with a challenge.
    for authorization in [None, Some("Basic YTpi"), Some("Bearer not-a-token")] {
        let (status, challenge, body) = alexa.post(authorization, turn_on(None)).await;
        assert_eq!(status, 401, "{authorization:?}");
        assert_eq!(challenge.as_deref(), Some("Bearer error=\"invalid_token\""));
        assert_eq!(body["error"], "invalid_token");
    }
    // The directive's own token differs from the header's: refused.
    let (status, _, body) = alexa
        .post(Some(&bearer), turn_on(Some("someone-elses-token")))
        .await;
    assert_eq!(status, 401);
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("differs"),
        "{body}"
    );
    // Not a directive: 400 saying what.
    let (status, _, body) = alexa
        .post(Some(&bearer), r#"{"directive":{"header":{}}}"#)
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_directive");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("namespace"),
        "{body}"
    );
    // Too large: 413, not parsed.
    let (status, _, _) = alexa.post(Some(&bearer), vec![b' '; 65 * 1024]).await;
    assert_eq!(status, 413);
    assert_eq!(
        alexa.hub.acted_for.lock().unwrap().len(),
        2,
        "nothing else reached the hub"
    );

    // Expired after 30 minutes.
    alexa.clock.advance(Duration::from_secs(1801));
    let (status, _, _) = alexa.post(Some(&bearer), turn_on(Some(&token))).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn through_the_lambda_proxy_a_revoked_token_is_invalid_authorization_credential() {
    let alexa = start().await;
    let token = alexa.link().await;
    let proxy = LambdaProxy::new(ProxyConfig::for_loopback(&alexa.base).unwrap()).unwrap();

    let reply: Value =
        serde_json::from_str(proxy.handle(turn_on(Some(&token)).as_bytes()).await.get()).unwrap();
    assert_eq!(reply["event"]["header"]["name"], "Response");

    alexa
        .server
        .revoke_user(&UserId::new("user-alice"))
        .await
        .unwrap();
    let reply: Value =
        serde_json::from_str(proxy.handle(turn_on(Some(&token)).as_bytes()).await.get()).unwrap();
    assert_eq!(reply["event"]["header"]["name"], "ErrorResponse");
    assert_eq!(
        reply["event"]["payload"]["type"],
        "INVALID_AUTHORIZATION_CREDENTIAL"
    );
    assert_eq!(reply["event"]["header"]["correlationToken"], "c-1");
}
