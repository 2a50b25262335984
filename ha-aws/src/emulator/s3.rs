//! S3 over restXml with path-style addressing (`PUT /bucket/key`): `CreateBucket`,
//! `PutObject` and `GetObject`.
//!
//! `PutObject` bodies arrive as the SDK sends them: whole, with the checksum in a header
//! (`x-amz-checksum-crc32` for bodies in memory), or `aws-chunked` (`Content-Encoding:
//! aws-chunked`, `x-amz-decoded-content-length`, chunks signed over plain HTTP and unsigned over
//! TLS, the checksum in a trailer) for streamed bodies; chunk and trailer signatures are read
//! but, as every signature in the emulator, not verified. The emulator decodes the chunks, checks the decoded length, every
//! checksum it is given (CRC32, CRC32C, CRC64NVME, SHA1, SHA256) and a hex
//! `x-amz-content-sha256`, and refuses a mismatch with S3's `BadDigest` or
//! `XAmzContentSHA256Mismatch`. Buckets exist once created ([`Emulator::add_bucket`] or
//! CreateBucket); a PutObject into another is `NoSuchBucket`.
//!
//! [`Emulator::add_bucket`]: super::Emulator::add_bucket

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;
use std::sync::Mutex;

use aws_smithy_checksums::ChecksumAlgorithm;

use super::call::Request;
use super::fault::FaultKind;
use super::protocol::{ErrorShape, Input, Protocol, Rejection, Reply, header, xml_escape};
use super::{Context, ServiceModel, lock};
use crate::service::AwsService;

/// The checksum headers S3 checks, by algorithm name.
const CHECKSUM_HEADERS: [(&str, &str); 5] = [
    ("crc32", "x-amz-checksum-crc32"),
    ("crc32c", "x-amz-checksum-crc32c"),
    ("crc64nvme", "x-amz-checksum-crc64nvme"),
    ("sha1", "x-amz-checksum-sha1"),
    ("sha256", "x-amz-checksum-sha256"),
];

/// The parameters of an S3 `CreateBucket` call.
///
/// # Examples
///
/// ```
/// # fn demo(emulator: &ha_aws::emulator::Emulator) {
/// for call in emulator.requests::<ha_aws::emulator::S3CreateBucket>() {
///     println!("{}", call.bucket);
/// }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct S3CreateBucket {
    /// The bucket.
    pub bucket: String,
}

impl S3CreateBucket {
    /// The bucket.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(call: &ha_aws::emulator::S3CreateBucket) {
    /// println!("{:?}", call.target());
    /// # }
    /// ```
    pub fn target(&self) -> Option<&str> {
        Some(&self.bucket)
    }
}

/// The parameters of an S3 `PutObject` call, with the body as decoded.
///
/// # Examples
///
/// ```
/// # fn demo(emulator: &ha_aws::emulator::Emulator) {
/// for put in emulator.requests::<ha_aws::emulator::S3PutObject>() {
///     println!("s3://{}/{}: {} bytes, {:?}", put.bucket, put.key, put.body.len(), put.checksum);
/// }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct S3PutObject {
    /// The bucket.
    pub bucket: String,
    /// The key, percent-decoded.
    pub key: String,
    /// `Content-Type`.
    pub content_type: Option<String>,
    /// The object's bytes (the chunks joined, for an `aws-chunked` body).
    pub body: Vec<u8>,
    /// The checksum given, as `(algorithm, base64 value)`, from a header or a trailer.
    pub checksum: Option<(String, String)>,
    /// Whether the body came `aws-chunked` (with the checksum in a trailer).
    pub aws_chunked: bool,
    /// `x-amz-content-sha256`: a hex digest, `UNSIGNED-PAYLOAD` or a `STREAMING-…` marker.
    pub content_sha256: Option<String>,
}

impl S3PutObject {
    /// The bucket.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(put: &ha_aws::emulator::S3PutObject) {
    /// println!("{:?}", put.target());
    /// # }
    /// ```
    pub fn target(&self) -> Option<&str> {
        Some(&self.bucket)
    }
}

/// The parameters of an S3 `GetObject` call.
///
/// # Examples
///
/// ```
/// # fn demo(emulator: &ha_aws::emulator::Emulator) {
/// let reads = emulator.requests::<ha_aws::emulator::S3GetObject>().len();
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct S3GetObject {
    /// The bucket.
    pub bucket: String,
    /// The key, percent-decoded.
    pub key: String,
}

impl S3GetObject {
    /// The bucket.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(get: &ha_aws::emulator::S3GetObject) {
    /// println!("{:?}", get.target());
    /// # }
    /// ```
    pub fn target(&self) -> Option<&str> {
        Some(&self.bucket)
    }
}

/// An object stored in the emulator.
///
/// # Examples
///
/// ```
/// # fn demo(emulator: &ha_aws::emulator::Emulator) {
/// for object in emulator.s3_objects("camera-images") {
///     println!("{} ({:?}, {} bytes)", object.key, object.content_type, object.body.len());
/// }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct S3Object {
    /// The key.
    pub key: String,
    /// `Content-Type`, as put.
    pub content_type: Option<String>,
    /// The bytes.
    pub body: Vec<u8>,
    /// The ETag answered (quoted; an opaque digest of the body).
    pub e_tag: String,
}

#[derive(Debug, Default)]
struct Store {
    buckets: BTreeSet<String>,
    objects: BTreeMap<(String, String), S3Object>,
}

#[derive(Debug, Default)]
pub(super) struct S3 {
    store: Mutex<Store>,
}

impl S3 {
    pub(super) fn add_bucket(&self, bucket: &str) {
        lock(&self.store).buckets.insert(bucket.to_owned());
    }

    pub(super) fn objects(&self, bucket: &str) -> Vec<S3Object> {
        lock(&self.store)
            .objects
            .iter()
            .filter(|((in_bucket, _), _)| in_bucket == bucket)
            .map(|(_, object)| object.clone())
            .collect()
    }
}

impl ServiceModel for S3 {
    fn service(&self) -> AwsService {
        AwsService::S3
    }

    fn protocol(&self) -> Protocol {
        Protocol::RestXml
    }

    fn decode(&self, input: Input<'_>) -> Result<Request, Rejection> {
        let Input::Rest(request) = input else {
            return Err(Rejection::mismatch());
        };
        let path = request.url.path().trim_start_matches('/');
        let (bucket, key) = path.split_once('/').unwrap_or((path, ""));
        let decode = |text: &str| {
            percent_encoding::percent_decode_str(text)
                .decode_utf8()
                .map(std::borrow::Cow::into_owned)
                .map_err(|_| invalid("InvalidURI", "Couldn't parse the specified URI."))
        };
        let (bucket, key) = (decode(bucket)?, decode(key)?);
        let method = request.method.as_str();
        if bucket.is_empty() {
            return Err(Rejection::Unsupported(format!("{method} / (ListBuckets)")));
        }
        // the SDK names the operation in `x-id` (`?x-id=PutObject`), which S3 ignores; any
        // other parameter selects a sub-resource the emulator does not have
        let has_query = request.url.query_pairs().any(|(name, _)| name != "x-id");
        match (method, key.is_empty()) {
            ("PUT", true) if !has_query => Ok(S3CreateBucket { bucket }.into()),
            ("PUT", false) if !has_query => put_object(request, bucket, key).map(Into::into),
            ("GET", false) if !has_query => Ok(S3GetObject { bucket, key }.into()),
            _ => Err(Rejection::Unsupported(format!(
                "{method} /{path}{}",
                request
                    .url
                    .query()
                    .map(|query| format!("?{query}"))
                    .unwrap_or_default()
            ))),
        }
    }

    fn reply(&self, request: &Request, _context: &mut Context<'_>) -> Reply {
        let mut store = lock(&self.store);
        match request {
            Request::S3CreateBucket(call) => {
                if !store.buckets.insert(call.bucket.clone()) {
                    return Reply::Error(ErrorShape::sender(
                        409,
                        "BucketAlreadyOwnedByYou",
                        "Your previous request to create the named bucket succeeded and you already own it.",
                    ));
                }
                Reply::Http {
                    status: 200,
                    headers: vec![("Location", format!("/{}", call.bucket))],
                    body: Vec::new(),
                    content_type: "application/xml",
                }
            }
            Request::S3PutObject(call) => {
                if !store.buckets.contains(&call.bucket) {
                    return Reply::Error(no_such_bucket(&call.bucket));
                }
                let e_tag = e_tag(&call.body);
                let mut headers = vec![("ETag", e_tag.clone())];
                if let Some((algorithm, value)) = &call.checksum
                    && let Some((_, name)) = CHECKSUM_HEADERS
                        .iter()
                        .find(|(known, _)| known == algorithm)
                {
                    headers.push((name, value.clone()));
                }
                store.objects.insert(
                    (call.bucket.clone(), call.key.clone()),
                    S3Object {
                        key: call.key.clone(),
                        content_type: call.content_type.clone(),
                        body: call.body.clone(),
                        e_tag,
                    },
                );
                Reply::Http {
                    status: 200,
                    headers,
                    body: Vec::new(),
                    content_type: "application/xml",
                }
            }
            Request::S3GetObject(call) => {
                if !store.buckets.contains(&call.bucket) {
                    return Reply::Error(no_such_bucket(&call.bucket));
                }
                let Some(object) = store.objects.get(&(call.bucket.clone(), call.key.clone()))
                else {
                    return Reply::Error(ErrorShape::sender(
                        404,
                        "NoSuchKey",
                        "The specified key does not exist.",
                    ));
                };
                Reply::Http {
                    status: 200,
                    headers: vec![("ETag", object.e_tag.clone())],
                    body: object.body.clone(),
                    content_type: match object.content_type.as_deref() {
                        Some("image/jpeg") => "image/jpeg",
                        Some("image/png") => "image/png",
                        _ => "binary/octet-stream",
                    },
                }
            }
            _ => Reply::Error(ErrorShape::receiver(500, "InternalError", "not an S3 call")),
        }
    }

    fn fault(&self, request: &Request, kind: &FaultKind) -> ErrorShape {
        match kind {
            FaultKind::Throttling => {
                ErrorShape::receiver(503, "SlowDown", "Please reduce your request rate.")
            }
            FaultKind::NotFound => no_such_bucket(request.target().unwrap_or("bucket")),
            FaultKind::AccessDenied => ErrorShape::sender(403, "AccessDenied", "Access Denied"),
            _ => ErrorShape::receiver(
                500,
                "InternalError",
                "We encountered an internal error. Please try again.",
            ),
        }
    }
}

/// Decodes a PutObject: the body (whole or `aws-chunked`), its checksums and length.
fn put_object(
    request: &wiremock::Request,
    bucket: String,
    key: String,
) -> Result<S3PutObject, Rejection> {
    if key.len() > 1024 {
        return Err(invalid("KeyTooLongError", "Your key is too long"));
    }
    let aws_chunked = header(request, "content-encoding").is_some_and(|encoding| {
        encoding
            .split(',')
            .any(|part| part.trim().eq_ignore_ascii_case("aws-chunked"))
    });
    let mut checksum = CHECKSUM_HEADERS.iter().find_map(|(algorithm, name)| {
        header(request, name).map(|value| ((*algorithm).to_owned(), value.to_owned()))
    });
    let body = if aws_chunked {
        let (body, trailers) = decode_chunked(&request.body)?;
        let declared = header(request, "x-amz-decoded-content-length")
            .and_then(|length| length.parse::<usize>().ok())
            .ok_or_else(|| {
                invalid(
                    "MissingContentLength",
                    "You must provide the x-amz-decoded-content-length header for aws-chunked bodies.",
                )
            })?;
        if declared != body.len() {
            return Err(invalid(
                "IncompleteBody",
                "You did not provide the number of bytes specified by the x-amz-decoded-content-length header.",
            ));
        }
        if let Some(trailer) = header(request, "x-amz-trailer") {
            let Some((_, value)) = trailers
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(trailer))
            else {
                return Err(invalid(
                    "MalformedTrailerError",
                    "The request contained trailing data that was not well-formed or did not conform to our published schema.",
                ));
            };
            let algorithm = CHECKSUM_HEADERS
                .iter()
                .find(|(_, name)| name.eq_ignore_ascii_case(trailer))
                .map(|(algorithm, _)| *algorithm)
                .ok_or_else(|| {
                    invalid(
                        "InvalidRequest",
                        "The value specified in the x-amz-trailer header is not supported",
                    )
                })?;
            checksum = Some((algorithm.to_owned(), value.clone()));
        }
        body
    } else {
        request.body.clone()
    };
    if let Some((algorithm, expected)) = &checksum {
        let actual = digest(algorithm, &body);
        if aws_smithy_types::base64::encode(&actual) != *expected {
            return Err(invalid(
                "BadDigest",
                format!(
                    "The {} you specified did not match the calculated checksum.",
                    algorithm.to_ascii_uppercase()
                ),
            ));
        }
    }
    let content_sha256 = header(request, "x-amz-content-sha256").map(str::to_owned);
    if let Some(hex) = content_sha256
        .as_deref()
        .filter(|value| value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit()))
        && !hex_of(&digest("sha256", &body)).eq_ignore_ascii_case(hex)
    {
        return Err(invalid(
            "XAmzContentSHA256Mismatch",
            "The provided 'x-amz-content-sha256' header does not match what was computed.",
        ));
    }
    Ok(S3PutObject {
        bucket,
        key,
        content_type: header(request, "content-type").map(str::to_owned),
        body,
        checksum,
        aws_chunked,
        content_sha256,
    })
}

/// Joins the chunks of an `aws-chunked` body (`<hex size>[;chunk-signature=…]\r\n<data>\r\n`,
/// ending with a zero-size chunk) and reads the trailers after it.
fn decode_chunked(mut rest: &[u8]) -> Result<(Vec<u8>, Trailers), Rejection> {
    let malformed = || {
        invalid(
            "IncompleteBody",
            "The request body is not valid aws-chunked encoding.",
        )
    };
    let mut body = Vec::new();
    loop {
        let line_end = find_crlf(rest).ok_or_else(malformed)?;
        let line = std::str::from_utf8(&rest[..line_end]).map_err(|_| malformed())?;
        let size_text = line.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_text, 16).map_err(|_| malformed())?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            break;
        }
        if rest.len() < size + 2 || &rest[size..size + 2] != b"\r\n" {
            return Err(malformed());
        }
        body.extend_from_slice(&rest[..size]);
        rest = &rest[size + 2..];
    }
    let mut trailers = Vec::new();
    loop {
        let line_end = find_crlf(rest).ok_or_else(malformed)?;
        if line_end == 0 {
            break;
        }
        let line = std::str::from_utf8(&rest[..line_end]).map_err(|_| malformed())?;
        let (name, value) = line.split_once(':').ok_or_else(malformed)?;
        trailers.push((name.trim().to_owned(), value.trim().to_owned()));
        rest = &rest[line_end + 2..];
    }
    Ok((body, trailers))
}

/// The trailers of an `aws-chunked` body, as `(name, value)`.
type Trailers = Vec<(String, String)>;

fn find_crlf(bytes: &[u8]) -> Option<usize> {
    bytes.windows(2).position(|pair| pair == b"\r\n")
}

/// The raw digest of `body` with the checksum `algorithm` (one of [`CHECKSUM_HEADERS`]).
fn digest(algorithm: &str, body: &[u8]) -> Vec<u8> {
    let mut checksum = ChecksumAlgorithm::from_str(algorithm)
        .unwrap_or(ChecksumAlgorithm::Crc32)
        .into_impl();
    checksum.update(body);
    checksum.finalize().to_vec()
}

/// A quoted digest of the body (S3's ETag of a single PUT is its MD5; any stable digest serves).
fn e_tag(body: &[u8]) -> String {
    format!("\"{}\"", hex_of(&digest("sha256", body)[..16]))
}

/// Lower-case hex of `bytes`.
fn hex_of(bytes: &[u8]) -> String {
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut hex, byte| {
            use std::fmt::Write as _;
            let _ = write!(hex, "{byte:02x}");
            hex
        })
}

fn no_such_bucket(bucket: &str) -> ErrorShape {
    ErrorShape::sender(
        404,
        "NoSuchBucket",
        format!(
            "The specified bucket does not exist: {}",
            xml_escape(bucket)
        ),
    )
}

fn invalid(code: &str, message: impl Into<String>) -> Rejection {
    Rejection::Invalid(ErrorShape::sender(400, code, message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_and_trailers_are_decoded() {
        let body = b"5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n";
        let (data, trailers) = decode_chunked(body).unwrap();
        assert_eq!(data, b"hello world");
        assert_eq!(
            trailers,
            [("x-amz-checksum-crc32".to_owned(), "DUoRhQ==".to_owned())]
        );
        assert_eq!(
            aws_smithy_types::base64::encode(digest("crc32", &data)),
            "DUoRhQ=="
        );
    }

    #[test]
    fn broken_chunks_are_refused() {
        for body in [
            &b"5\r\nhell"[..],
            b"zz\r\nhello\r\n0\r\n\r\n",
            b"5\r\nhelloXX0\r\n\r\n",
            b"0\r\nno-colon\r\n\r\n",
        ] {
            assert!(decode_chunked(body).is_err(), "{body:?}");
        }
    }
}
