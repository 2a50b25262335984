//! Account linking in a real browser: headless Chromium, driven over WebDriver, fills in the
//! login page the router serves (the page of the `alexa_account_linking` example), follows
//! the redirect to a local stand-in for Amazon's redirect URI, and the code it carries is
//! exchanged for tokens.
//!
//! Needs the Debian packages `chromium` and `chromium-driver`; `.ci/check` installs them.

#[path = "oauth_support/harness.rs"]
mod harness;

use std::net::TcpListener as StdListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::RawQuery;
use axum::routing::get;
use fantoccini::{ClientBuilder, Locator};
use ha_alexa::oauth::{ClientConfig, ServerConfig};
use harness::{Hub, PASSWORD, STATE, US, USERNAME, code_and_state};
use hyper_util::client::legacy::connect::HttpConnector;

const CHROMIUM: &str = "/usr/bin/chromium";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_linking_in_headless_chromium() {
    // Amazon's redirect URI, played by a local server that records what it receives.
    let received = Arc::new(Mutex::new(None::<String>));
    let amazon = StandIn::start(received.clone()).await;
    let redirect_uri = format!("{}/api/skill/link/M2AAAAAAAAAAAA", amazon.base);
    let config = ServerConfig::with_clients([ClientConfig::new(US)
        .unwrap()
        .with_redirect_uri(redirect_uri.clone())
        .unwrap()]);
    let hub = Hub::start(config).await;

    let driver = ChromeDriver::start();
    let profile = tempfile::tempdir().unwrap();
    let browser = driver.connect(profile.path()).await;

    let mut authorize = url::Url::parse(&format!("{}/auth/authorize", hub.base)).unwrap();
    authorize
        .query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", US)
        .append_pair("redirect_uri", &redirect_uri)
        .append_pair("state", STATE)
        .append_pair("scope", "smart_home");
    browser.goto(authorize.as_str()).await.unwrap();
    let heading = browser
        .find(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(heading, "Test Hub");

    // A wrong password: the page comes back with an error, still on the hub.
    fill_in(&browser, "wrong password").await;
    let alert = browser
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("[role=alert]"))
        .await
        .unwrap();
    assert_eq!(
        alert.text().await.unwrap(),
        "The username or password is wrong."
    );
    assert!(
        browser
            .current_url()
            .await
            .unwrap()
            .as_str()
            .starts_with(&hub.base)
    );

    // The right password: the browser lands on the stand-in with the code and the state.
    fill_in(&browser, PASSWORD).await;
    browser
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Id("linked"))
        .await
        .unwrap();
    let landed = browser.current_url().await.unwrap();
    assert!(landed.as_str().starts_with(&redirect_uri), "{landed}");
    let (code, state) = code_and_state(landed.as_str());
    assert_eq!(state, STATE);
    let query = received
        .lock()
        .unwrap()
        .clone()
        .expect("the stand-in saw the redirect");
    assert!(query.contains(&format!("code={code}")), "{query}");
    browser.close().await.unwrap();

    // Amazon exchanges the code and refreshes.
    let tokens = hub.exchange(US, &redirect_uri, &code).await;
    assert_eq!(tokens.status, 200, "{}", tokens.body);
    let grant = hub
        .server
        .verify_access_token(&tokens.string("access_token"))
        .await
        .unwrap();
    assert_eq!(grant.grant().user().as_str(), "user-alice");
    let refreshed = hub.refresh(US, &tokens.string("refresh_token")).await;
    assert_eq!(refreshed.status, 200, "{}", refreshed.body);
}

/// Types the credentials into the login form and submits it.
async fn fill_in(browser: &fantoccini::Client, password: &str) {
    let username = browser
        .find(Locator::Css("input[name=username]"))
        .await
        .unwrap();
    username.clear().await.unwrap();
    username.send_keys(USERNAME).await.unwrap();
    let field = browser
        .find(Locator::Css("input[name=password]"))
        .await
        .unwrap();
    field.clear().await.unwrap();
    field.send_keys(password).await.unwrap();
    browser
        .find(Locator::Css("button[value=allow]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// A local server answering on Amazon's redirect path.
struct StandIn {
    base: String,
    serving: tokio::task::JoinHandle<()>,
}

impl StandIn {
    async fn start(received: Arc<Mutex<Option<String>>>) -> Self {
        let app = axum::Router::new().route(
            "/api/skill/link/{vendor}",
            get(move |RawQuery(query): RawQuery| {
                let received = received.clone();
                async move {
                    *received.lock().unwrap() = query;
                    axum::response::Html(
                        "<!doctype html><title>Linked</title><p id=\"linked\">Linked</p>",
                    )
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let serving = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { base, serving }
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        self.serving.abort();
    }
}

/// `chromedriver` on a free loopback port; killed when dropped.
struct ChromeDriver {
    child: Child,
    url: String,
}

impl ChromeDriver {
    fn start() -> Self {
        assert!(
            Path::new(CHROMIUM).exists(),
            "{CHROMIUM} not found: install the Debian packages `chromium` and `chromium-driver` \
             (`apt-get install chromium chromium-driver`; `.ci/check` does this)"
        );
        let port = StdListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut command = Command::new("chromedriver");
        command.arg(format!("--port={port}"));
        // Its own process group, so that dropping it also ends the Chromium it started.
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let child = command
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| {
                panic!(
                    "cannot start chromedriver ({error}): install the Debian packages `chromium` \
                     and `chromium-driver` (`apt-get install chromium chromium-driver`; \
                     `.ci/check` does this)"
                )
            });
        let driver = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        Self::wait_until_listening(port);
        driver
    }

    fn wait_until_listening(port: u16) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not listen on port {port} within 20 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    async fn connect(&self, profile: &Path) -> fantoccini::Client {
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": CHROMIUM,
                "args": [
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--disable-dev-shm-usage",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    format!("--user-data-dir={}", profile.display()),
                ],
            }),
        );
        ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&self.url)
            .await
            .unwrap_or_else(|error| {
                panic!("cannot start headless Chromium through chromedriver: {error}")
            })
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        // Ends chromedriver and the browser processes of its group; they may have exited
        // already, and there is nothing else to do then.
        #[cfg(unix)]
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
