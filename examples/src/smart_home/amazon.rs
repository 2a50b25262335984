//! A local stand-in for Amazon's side of proactive events: Login with Amazon's token
//! endpoint and the Alexa event gateway, over real HTTP on loopback.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::post;
use serde_json::{Value, json};
use tokio::task::JoinHandle;

use crate::Error;

// The token endpoint's path.
const TOKEN_PATH: &str = "/auth/o2/token";
// The event gateway's path.
const EVENTS_PATH: &str = "/v3/events";

/// The stand-in, serving until dropped.
pub struct Amazon {
    address: SocketAddr,
    events: Arc<Mutex<Vec<Value>>>,
    task: JoinHandle<()>,
}

impl Amazon {
    /// Serves on a free loopback port: the token endpoint issues a token for any grant
    /// code or refresh token, the gateway records each event and answers 202.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when no port can be bound.
    pub async fn start() -> Result<Self, Error> {
        let events = Arc::new(Mutex::new(Vec::new()));
        let router = Router::new()
            .route(TOKEN_PATH, post(token))
            .route(EVENTS_PATH, post(event))
            .with_state(events.clone());
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .map_err(Error::io("binding the Amazon stand-in"))?;
        let address = listener
            .local_addr()
            .map_err(Error::io("binding the Amazon stand-in"))?;
        let task = tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, router).await {
                tracing::error!(%error, "amazon stand-in stopped");
            }
        });
        tracing::info!(%address, "amazon: Login-with-Amazon and event-gateway stand-in");
        Ok(Self {
            address,
            events,
            task,
        })
    }

    /// The token endpoint's URL.
    pub fn token_url(&self) -> String {
        format!("http://{}{TOKEN_PATH}", self.address)
    }

    /// The event gateway's URL.
    pub fn events_url(&self) -> String {
        format!("http://{}{EVENTS_PATH}", self.address)
    }

    /// Every event the gateway received, in order.
    pub fn events(&self) -> Vec<Value> {
        self.events
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Drop for Amazon {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn token(body: String) -> impl IntoResponse {
    let grant = form_value(&body, "grant_type").unwrap_or_default();
    tracing::info!(grant_type = %grant, "amazon: Login with Amazon issues tokens");
    let tokens = json!({
        "access_token": format!("Atza|demo-access-{}", uuid::Uuid::new_v4().simple()),
        "refresh_token": "Atzr|demo-refresh",
        "token_type": "bearer",
        "expires_in": 3600
    });
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        tokens.to_string(),
    )
}

async fn event(State(events): State<Arc<Mutex<Vec<Value>>>>, body: String) -> StatusCode {
    let Ok(value) = serde_json::from_str::<Value>(&body) else {
        return StatusCode::BAD_REQUEST;
    };
    let header = &value["event"]["header"];
    tracing::info!(
        event = %format!("{}.{}", header["namespace"].as_str().unwrap_or("?"), header["name"].as_str().unwrap_or("?")),
        endpoint = value["event"]["endpoint"]["endpointId"].as_str().unwrap_or("-"),
        "amazon: event gateway received"
    );
    events
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(value);
    StatusCode::ACCEPTED
}

fn form_value(body: &str, key: &str) -> Option<String> {
    body.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == key).then(|| v.to_owned())
    })
}
