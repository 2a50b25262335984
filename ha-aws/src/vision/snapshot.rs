//! Frames from an HTTP(S) snapshot URL, such as Tasmota's webcam `http://<ip>/snapshot.jpg`.

use std::sync::Arc;

use futures_util::future::BoxFuture;
use http_body_util::{BodyExt as _, Empty};
use hyper::body::Bytes;
use hyper::{Request, Uri, header};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use super::platform::FrameSource;
use super::source::{MAX_IMAGE_BYTES, SourceImage};
use crate::error::{Error, VisionError};

type Https = hyper_rustls::HttpsConnector<HttpConnector>;

/// A camera whose latest frame is served at an HTTP(S) URL; fetched on every scan.
///
/// HTTPS is verified against the operating system's roots (rustls with ring). The body may
/// be at most [`MAX_IMAGE_BYTES`] and must be JPEG or PNG; any status but 200 is an error
/// naming the camera. The scan's timeout bounds the whole fetch.
///
/// # Examples
///
/// ```
/// let camera = ha_aws::vision::HttpSnapshot::new("camera.porch", "http://192.168.1.40/snapshot.jpg")?;
/// assert!(ha_aws::vision::HttpSnapshot::new("camera.porch", "ftp://cam/snap.jpg").is_err());
/// # Ok::<(), ha_aws::Error>(())
/// ```
#[derive(Clone)]
pub struct HttpSnapshot {
    entity_id: String,
    uri: Uri,
    client: Client<Https, Empty<Bytes>>,
}

impl std::fmt::Debug for HttpSnapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // the URL may hold a password in its user info: only the host is shown
        f.debug_struct("HttpSnapshot")
            .field("entity_id", &self.entity_id)
            .field("host", &self.uri.host())
            .finish_non_exhaustive()
    }
}

impl HttpSnapshot {
    /// Fetches frames of the camera `entity_id` from `url` (`http` or `https`).
    ///
    /// # Errors
    ///
    /// [`VisionError::Camera`] when the URL does not parse, its scheme is neither `http` nor
    /// `https`, or the system's root certificates cannot be loaded.
    ///
    /// # Examples
    ///
    /// ```
    /// let error = ha_aws::vision::HttpSnapshot::new("camera.porch", "not a url").unwrap_err();
    /// assert!(error.to_string().starts_with("camera `camera.porch`"));
    /// ```
    pub fn new(entity_id: &str, url: &str) -> Result<Self, Error> {
        let problem = |reason: String| VisionError::Camera {
            entity_id: entity_id.to_owned(),
            reason,
        };
        let uri: Uri = url
            .parse()
            .map_err(|error| problem(format!("snapshot_url: {error}")))?;
        if !matches!(uri.scheme_str(), Some("http" | "https")) || uri.host().is_none() {
            return Err(problem("snapshot_url must be an http or https url".to_owned()).into());
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier = rustls_platform_verifier::Verifier::new(provider.clone())
            .map_err(|error| problem(format!("root certificates: {error}")))?;
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|error| problem(error.to_string()))?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth();
        let mut tcp = HttpConnector::new();
        tcp.enforce_http(false);
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(tcp);
        Ok(Self {
            entity_id: entity_id.to_owned(),
            uri,
            client: Client::builder(TokioExecutor::new()).build(https),
        })
    }

    async fn fetch(&self) -> Result<SourceImage, Error> {
        let problem = |reason: String| VisionError::Camera {
            entity_id: self.entity_id.clone(),
            reason,
        };
        let request = Request::get(self.uri.clone())
            .header(header::ACCEPT, "image/jpeg, image/png")
            .body(Empty::new())
            .map_err(|error| problem(error.to_string()))?;
        let response = self
            .client
            .request(request)
            .await
            .map_err(|error| problem(format!("snapshot request failed: {}", causes(&error))))?;
        if response.status() != hyper::StatusCode::OK {
            return Err(problem(format!("snapshot answered {}", response.status())).into());
        }
        let too_large = || problem(format!("snapshot is larger than {MAX_IMAGE_BYTES} bytes"));
        let declared = response
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.trim().parse::<u64>().ok());
        if declared
            .is_some_and(|len| usize::try_from(len).map_or(true, |len| len > MAX_IMAGE_BYTES))
        {
            return Err(too_large().into());
        }
        let mut body = response.into_body();
        let mut bytes = Vec::new();
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|error| problem(format!("snapshot body: {error}")))?;
            if let Ok(data) = frame.into_data() {
                if bytes.len() + data.len() > MAX_IMAGE_BYTES {
                    return Err(too_large().into());
                }
                bytes.extend_from_slice(&data);
            }
        }
        SourceImage::new(bytes).map_err(|error| problem(error.to_string()).into())
    }
}

impl FrameSource for HttpSnapshot {
    fn frame(&self) -> BoxFuture<'_, Result<SourceImage, Error>> {
        Box::pin(self.fetch())
    }
}

/// The causes under hyper's own error, whose message says little.
fn causes(error: &hyper_util::client::legacy::Error) -> String {
    let mut parts = vec![error.to_string()];
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        parts.push(cause.to_string());
        source = cause.source();
    }
    parts.join(": ")
}
