//! The HTTPS client under the Login-with-Amazon client, the event gateway and the Lambda
//! proxy: hyper's pooled HTTP/1.1 client over hyper-rustls, with a rustls configuration on
//! the ring provider, redirects not followed, bodies read up to a limit.
//!
//! The rustls configuration is built here and handed to the connector, so the crate
//! neither installs a process-wide crypto provider nor compiles a second crypto stack.

use std::error::Error as StdError;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER, USER_AGENT};
use http::{HeaderValue, Request, Uri};
use http_body_util::{BodyExt as _, Full};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

use crate::error::{TransportError, TransportErrorKind};

/// The `User-Agent` of every request.
const AGENT: &str = concat!("ha-alexa/", env!("CARGO_PKG_VERSION"));

type BoxError = Box<dyn StdError + Send + Sync>;

/// How server certificates are checked.
#[derive(Debug, Clone)]
pub(crate) enum Verification {
    /// Against the operating system's roots plus these extra ones.
    Roots(Vec<CertificateDer<'static>>),
    /// Not at all: any certificate is accepted (the handshake signature is still checked).
    #[cfg_attr(
        not(feature = "proxy"),
        expect(dead_code, reason = "only the Lambda proxy may turn verification off")
    )]
    Off,
}

/// What a client is built with.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    /// Longest wait for the TCP connection and the TLS handshake.
    pub(crate) connect_timeout: Duration,
    /// Longest wait for the response head after connecting, and for each part of the body.
    pub(crate) read_timeout: Duration,
    /// Longest wait for the whole exchange, if bounded.
    pub(crate) total_timeout: Option<Duration>,
    /// How certificates are checked.
    pub(crate) verification: Verification,
}

/// A POST request.
#[derive(Debug)]
pub(crate) struct Post<'a> {
    /// Where to.
    pub(crate) url: &'a str,
    /// The `Content-Type` of `body`.
    pub(crate) content_type: &'static str,
    /// The token for `Authorization: Bearer`, if any.
    pub(crate) bearer: Option<&'a str>,
    /// The body.
    pub(crate) body: Vec<u8>,
    /// The largest response body read.
    pub(crate) limit: usize,
}

/// A response, read whole.
#[derive(Debug)]
pub(crate) struct Reply {
    /// The HTTP status.
    pub(crate) status: u16,
    /// `Retry-After`, when given in seconds.
    #[cfg_attr(
        not(feature = "proactive"),
        expect(dead_code, reason = "only the event gateway retries")
    )]
    pub(crate) retry_after: Option<Duration>,
    /// The body.
    pub(crate) body: Vec<u8>,
}

/// A pooled HTTP/1.1 client for `http` and `https` URLs.
#[derive(Debug, Clone)]
pub(crate) struct Client {
    inner: HyperClient<ConnectTimeout<HttpsConnector<HttpConnector>>, Full<Bytes>>,
    connect_timeout: Duration,
    read_timeout: Duration,
    total_timeout: Option<Duration>,
}

impl Client {
    /// Builds a client.
    ///
    /// # Errors
    ///
    /// [`TransportErrorKind::Setup`] when the operating system's root certificates cannot be
    /// loaded or an extra root is invalid.
    pub(crate) fn new(settings: &Settings) -> Result<Self, TransportError> {
        let setup =
            |source: BoxError| TransportError::new(TransportErrorKind::Setup, "", Some(source));
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier: Arc<dyn ServerCertVerifier> = match &settings.verification {
            Verification::Roots(extra) => {
                Arc::new(platform_verifier(extra, provider.clone()).map_err(setup)?)
            }
            Verification::Off => Arc::new(AnyCertificate(provider.clone())),
        };
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| setup(Box::new(e)))?
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth();
        let mut tcp = HttpConnector::new();
        tcp.enforce_http(false);
        tcp.set_nodelay(true);
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(tcp);
        let connector = ConnectTimeout {
            inner: https,
            timeout: settings.connect_timeout,
        };
        Ok(Self {
            inner: HyperClient::builder(TokioExecutor::new()).build(connector),
            connect_timeout: settings.connect_timeout,
            read_timeout: settings.read_timeout,
            total_timeout: settings.total_timeout,
        })
    }

    /// Posts `post` and reads the whole response.
    ///
    /// # Errors
    ///
    /// [`TransportErrorKind::Connect`] when connecting fails, [`TransportErrorKind::Timeout`]
    /// when connecting, the response head, a part of the body or the whole exchange takes
    /// too long, [`TransportErrorKind::TooLarge`] when the body exceeds the limit,
    /// [`TransportErrorKind::Other`] when the URL is unusable or the connection breaks.
    pub(crate) async fn post(&self, post: Post<'_>) -> Result<Reply, TransportError> {
        let url = post.url;
        let exchange = self.exchange(post);
        match self.total_timeout {
            Some(total) => tokio::time::timeout(total, exchange)
                .await
                .map_err(|_| TransportError::new(TransportErrorKind::Timeout, url, None))?,
            None => exchange.await,
        }
    }

    async fn exchange(&self, post: Post<'_>) -> Result<Reply, TransportError> {
        let url = post.url;
        let error = |kind, source: Option<BoxError>| TransportError::new(kind, url, source);
        let uri: Uri = url
            .parse()
            .map_err(|e| error(TransportErrorKind::Other, Some(Box::new(e))))?;
        let mut request = Request::post(uri)
            .header(CONTENT_TYPE, post.content_type)
            .header(ACCEPT, "application/json")
            .header(USER_AGENT, AGENT);
        if let Some(token) = post.bearer {
            let mut value = HeaderValue::try_from(format!("Bearer {token}"))
                .map_err(|e| error(TransportErrorKind::Other, Some(Box::new(e))))?;
            value.set_sensitive(true);
            request = request.header(AUTHORIZATION, value);
        }
        let request = request
            .body(Full::new(Bytes::from(post.body)))
            .map_err(|e| error(TransportErrorKind::Other, Some(Box::new(e))))?;

        // The head must come within the read timeout of connecting; connecting has its own.
        let head_timeout = self.connect_timeout.saturating_add(self.read_timeout);
        let response = tokio::time::timeout(head_timeout, self.inner.request(request))
            .await
            .map_err(|_| error(TransportErrorKind::Timeout, None))?
            .map_err(|e| {
                let kind = if timed_out(&e) {
                    TransportErrorKind::Timeout
                } else if e.is_connect() {
                    TransportErrorKind::Connect
                } else {
                    TransportErrorKind::Other
                };
                error(kind, Some(causes(&e)))
            })?;

        let status = response.status().as_u16();
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|value: &HeaderValue| value.to_str().ok())
                .and_then(|value| value.trim().parse::<u64>().ok())
        };
        let retry_after = header(RETRY_AFTER).map(Duration::from_secs);
        let too_large = || error(TransportErrorKind::TooLarge { limit: post.limit }, None);
        if header(CONTENT_LENGTH)
            .is_some_and(|len| usize::try_from(len).map_or(true, |len| len > post.limit))
        {
            return Err(too_large());
        }
        let mut body = response.into_body();
        let mut bytes = Vec::new();
        loop {
            let frame = tokio::time::timeout(self.read_timeout, body.frame())
                .await
                .map_err(|_| error(TransportErrorKind::Timeout, None))?;
            let Some(frame) = frame else { break };
            let frame = frame.map_err(|e| error(TransportErrorKind::Other, Some(Box::new(e))))?;
            if let Ok(data) = frame.into_data() {
                if bytes.len() + data.len() > post.limit {
                    return Err(too_large());
                }
                bytes.extend_from_slice(&data);
            }
        }
        Ok(Reply {
            status,
            retry_after,
            body: bytes,
        })
    }
}

/// What made a request fail, as text: the causes under hyper's own error, whose message
/// ("client error (Connect)") says nothing the [`TransportErrorKind`] does not.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct Causes(String);

fn causes(error: &hyper_util::client::legacy::Error) -> BoxError {
    let mut parts = Vec::new();
    let mut source = error.source();
    while let Some(cause) = source {
        parts.push(cause.to_string());
        source = cause.source();
    }
    if parts.is_empty() {
        parts.push(error.to_string());
    }
    Box::new(Causes(parts.join(": ")))
}

/// Whether a connection failed because [`ConnectTimeout`] gave up.
fn timed_out(error: &(dyn StdError + 'static)) -> bool {
    let mut source = error.source();
    while let Some(error) = source {
        if error.is::<ConnectTimedOut>() {
            return true;
        }
        source = error.source();
    }
    false
}

#[cfg(not(target_os = "android"))]
fn platform_verifier(
    extra: &[CertificateDer<'static>],
    provider: Arc<CryptoProvider>,
) -> Result<rustls_platform_verifier::Verifier, BoxError> {
    Ok(rustls_platform_verifier::Verifier::new_with_extra_roots(
        extra.iter().cloned(),
        provider,
    )?)
}

#[cfg(target_os = "android")]
fn platform_verifier(
    extra: &[CertificateDer<'static>],
    provider: Arc<CryptoProvider>,
) -> Result<rustls_platform_verifier::Verifier, BoxError> {
    if !extra.is_empty() {
        return Err("extra root certificates are not supported on Android".into());
    }
    Ok(rustls_platform_verifier::Verifier::new(provider)?)
}

/// Bounds the whole connection (TCP and TLS) by a timeout.
#[derive(Debug, Clone)]
struct ConnectTimeout<C> {
    inner: C,
    timeout: Duration,
}

/// The connection did not complete within the connect timeout.
#[derive(Debug, thiserror::Error)]
#[error("the connection was not established within the connect timeout")]
struct ConnectTimedOut;

impl<C> tower_service::Service<Uri> for ConnectTimeout<C>
where
    C: tower_service::Service<Uri>,
    C::Future: Send + 'static,
    C::Error: Into<BoxError>,
{
    type Response = C::Response;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<C::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        let connecting = self.inner.call(uri);
        let timeout = self.timeout;
        Box::pin(async move {
            match tokio::time::timeout(timeout, connecting).await {
                Ok(connected) => connected.map_err(Into::into),
                Err(_) => Err(Box::new(ConnectTimedOut) as BoxError),
            }
        })
    }
}

/// The start of a response body, whitespace collapsed, for error messages.
pub(crate) fn excerpt(body: &[u8]) -> String {
    const MAX_CHARS: usize = 200;
    let text = String::from_utf8_lossy(body);
    let mut excerpt = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if let Some((index, _)) = excerpt.char_indices().nth(MAX_CHARS) {
        excerpt.truncate(index);
        excerpt.push('…');
    }
    excerpt
}

/// `NOT_VERIFY_SSL`: accepts any server certificate. The handshake signature is still
/// checked, so the peer must hold the key of the certificate it shows.
#[derive(Debug)]
struct AnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_are_short_single_lines() {
        assert_eq!(excerpt(b"  401:\n Unauthorized "), "401: Unauthorized");
        let long = "x".repeat(300);
        let cut = excerpt(long.as_bytes());
        assert_eq!(cut.chars().count(), 201);
        assert!(cut.ends_with('…'));
        assert_eq!(excerpt(&[0xff, b'a']), "\u{fffd}a");
    }
}
