//! Saved images uploaded to S3, S3's wire protocol as the SDK speaks it (checksum headers,
//! `aws-chunked` bodies with trailers, path-style addressing), DetectLabels `Features` and
//! `Settings`, and a specific `detection_attributes` list: on the emulator, and through
//! [`s3_contract`] and [`label_settings_contract`] on moto too.

use std::sync::Arc;

use aws_sdk_s3::primitives::ByteStream;
use ha_aws::emulator::{
    DetectFaces, DetectLabels, Emulator, S3PutObject, ScriptedFace, ScriptedLabel,
};
use ha_aws::vision::{
    BoundingBox, FrameSlot, FrameSource, ImageOutput, ImageProcessing, ImageSaver, LabelSettings,
    ObjectDetector, ObjectSettings, S3Upload, Scan, SourceImage, encode_jpeg,
};
use ha_aws::{AwsConfig, Session};
use image::{Rgb, RgbImage};

use crate::support::{TempDir, YAML_CREDENTIALS, session_without_retries};
use crate::vision::MOTO_PHONE_BOX;

/// Labels like moto's canned answer, for the emulator.
fn moto_like_labels() -> ScriptedLabel {
    ScriptedLabel::new("Mobile Phone", 99.9364)
        .with_instance(MOTO_PHONE_BOX, 99.9364)
        .with_parent("Phone")
        .with_category("Technology and Computing")
}

/// A red left half and a blue right half, as JPEG.
fn two_colour_frame() -> SourceImage {
    let image = RgbImage::from_fn(320, 240, |x, _| {
        if x < 160 {
            Rgb([230, 20, 20])
        } else {
            Rgb([20, 40, 230])
        }
    });
    SourceImage::new(encode_jpeg(&image, 90).expect("encodes")).expect("a jpeg")
}

/// An S3 client for `endpoint`, path-style, as a caller of either server would build one.
fn s3_client(endpoint: &str) -> aws_sdk_s3::Client {
    let config = aws_sdk_s3::Config::builder()
        .behavior_version_latest()
        .endpoint_url(endpoint)
        .force_path_style(true)
        .region(aws_sdk_s3::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            "testing", "testing", None, None, "test",
        ))
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

async fn object_bytes(
    client: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
) -> (Vec<u8>, Option<String>) {
    let object = client
        .get_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .unwrap_or_else(|error| panic!("get s3://{bucket}/{key}: {error:?}"));
    let content_type = object.content_type().map(str::to_owned);
    let bytes = object
        .body
        .collect()
        .await
        .expect("the body")
        .into_bytes()
        .to_vec();
    (bytes, content_type)
}

/// The S3 contract, run against the emulator and against moto: a detector's saved image is
/// uploaded under the prefix with its content type and read back unchanged; a streamed
/// (`aws-chunked`, checksum trailer) PutObject and one with a key needing percent-encoding are
/// stored as sent; a missing bucket is `NoSuchBucket`.
pub(crate) async fn s3_contract(session: &Session, endpoint: &str) {
    let client = s3_client(endpoint);
    client
        .create_bucket()
        .bucket("camera-images")
        .send()
        .await
        .expect("creates the bucket");

    let folder = TempDir::new();
    let output = ImageOutput::default()
        .with_saver(ImageSaver::new(folder.path()).expect("a folder"))
        .with_upload(
            S3Upload::new("camera-images")
                .expect("a bucket name")
                .with_prefix("front door/")
                .expect("a prefix"),
        );
    let detector = ObjectDetector::new(
        session,
        ObjectSettings::new("Contract cam").with_output(output),
    )
    .expect("valid");
    let detection = detector
        .process(&two_colour_frame())
        .await
        .expect("detects and uploads");
    let saved = detection.saved().expect("saved");
    let uploaded = saved.uploaded.as_ref().expect("uploaded");
    assert_eq!(
        (uploaded.bucket.as_str(), uploaded.key.as_str()),
        ("camera-images", "front door/contract_cam_latest.jpg")
    );
    assert!(uploaded.e_tag.is_some(), "{uploaded:?}");
    let on_disk = std::fs::read(&saved.latest).expect("the saved file");
    let (in_bucket, content_type) = object_bytes(&client, "camera-images", &uploaded.key).await;
    assert_eq!(in_bucket, on_disk, "the bucket holds the saved file");
    assert_eq!(content_type.as_deref(), Some("image/jpeg"));

    // a streamed body: aws-chunked with the CRC32 in a trailer
    let file = folder.path().join("streamed.bin");
    let streamed: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(&file, &streamed).expect("writes");
    client
        .put_object()
        .bucket("camera-images")
        .key("streamed/ä b+c.bin")
        .body(ByteStream::from_path(&file).await.expect("a file body"))
        .send()
        .await
        .expect("a streamed put");
    let (back, _) = object_bytes(&client, "camera-images", "streamed/ä b+c.bin").await;
    assert_eq!(back, streamed);

    let error = detector_into(session, folder.path(), "no-such-bucket")
        .process(&two_colour_frame())
        .await
        .expect_err("no bucket");
    let ha_aws::Error::Service(service) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(service.code(), Some("NoSuchBucket"), "{error}");
    assert_eq!(service.operation(), ha_aws::Operation::S3_PUT_OBJECT);
}

fn detector_into(session: &Session, folder: &std::path::Path, bucket: &str) -> ObjectDetector {
    let output = ImageOutput::default()
        .with_saver(ImageSaver::new(folder).expect("a folder"))
        .with_upload(S3Upload::new(bucket).expect("a bucket name"));
    ObjectDetector::new(
        session,
        ObjectSettings::new("Elsewhere").with_output(output),
    )
    .expect("valid")
}

#[tokio::test]
async fn s3_contract_on_the_emulator() {
    let emulator = Emulator::start().await;
    emulator.set_labels([moto_like_labels()]);
    s3_contract(
        &session_without_retries(&emulator).await,
        &emulator.endpoint_url(),
    )
    .await;

    // what went over the wire: the detector's image whole with a CRC32 header, the streamed
    // one aws-chunked with the CRC32 in a trailer; both checked by the emulator
    let puts = emulator.requests::<S3PutObject>();
    let (whole, streamed) = (&puts[0], &puts[1]);
    assert!(!whole.aws_chunked);
    assert_eq!(
        whole.checksum.as_ref().map(|(name, _)| name.as_str()),
        Some("crc32")
    );
    assert!(streamed.aws_chunked, "{streamed:?}");
    assert_eq!(streamed.key, "streamed/ä b+c.bin");
    assert_eq!(
        streamed.checksum.as_ref().map(|(name, _)| name.as_str()),
        Some("crc32")
    );
    // over plain HTTP the SDK signs each chunk (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`)
    let marker = streamed.content_sha256.as_deref().unwrap_or_default();
    assert!(
        marker.starts_with("STREAMING-") && marker.ends_with("-TRAILER"),
        "{marker}"
    );
    assert_eq!(emulator.s3_objects("camera-images").len(), 2);
}

#[tokio::test]
async fn the_emulator_refuses_a_wrong_checksum_as_s3_does() {
    let emulator = Emulator::start().await;
    emulator.add_bucket("images");
    let client = s3_client(&emulator.endpoint_url());
    let error = client
        .put_object()
        .bucket("images")
        .key("a.jpg")
        .checksum_crc32("AAAAAA==")
        .body(ByteStream::from_static(b"not what the checksum says"))
        .send()
        .await
        .expect_err("a bad digest");
    let code = aws_sdk_s3::error::ProvideErrorMetadata::code(&error).map(str::to_owned);
    assert_eq!(code.as_deref(), Some("BadDigest"), "{error:?}");
    assert!(emulator.s3_objects("images").is_empty());
}

/// The DetectLabels `Settings` contract on either server: the request carries the features
/// and filters, and the answer parses.
pub(crate) async fn label_settings_request(session: &Session) -> ha_aws::vision::ObjectDetection {
    let settings = ObjectSettings::new("Settings cam").with_label_settings(LabelSettings {
        include_categories: vec!["Technology and Computing".into()],
        exclude_labels: vec!["Tree".into()],
        image_properties: true,
        max_dominant_colours: Some(2),
        ..LabelSettings::default()
    });
    ObjectDetector::new(session, settings)
        .expect("valid")
        .detect(&two_colour_frame())
        .await
        .expect("detects")
}

#[tokio::test]
async fn detect_labels_settings_on_the_emulator() {
    let emulator = Emulator::start().await;
    emulator.set_labels([
        moto_like_labels(),
        ScriptedLabel::new("Tree", 95.0).with_category("Plants and Flowers"),
        ScriptedLabel::new("Laptop", 93.0).with_category("Technology and Computing"),
    ]);
    let detection = label_settings_request(&session_without_retries(&emulator).await).await;
    let names: Vec<&str> = detection
        .labels()
        .iter()
        .map(|label| label.name.as_str())
        .collect();
    assert_eq!(
        names,
        ["Mobile Phone", "Laptop"],
        "the category filter ran at the service"
    );
    assert_eq!(
        detection.labels()[0].categories,
        ["Technology and Computing"]
    );

    let properties = detection.image_properties().expect("asked for");
    assert_eq!(properties.dominant_colours.len(), 2);
    let simplified: Vec<&str> = properties
        .dominant_colours
        .iter()
        .map(|colour| colour.simplified_colour.as_str())
        .collect();
    assert!(
        simplified.contains(&"red") && simplified.contains(&"blue"),
        "{simplified:?}"
    );
    assert!(
        properties
            .quality
            .brightness
            .is_some_and(|b| (0.0..=100.0).contains(&b))
    );

    let call = &emulator.requests::<DetectLabels>()[0];
    assert_eq!(call.features, ["GENERAL_LABELS", "IMAGE_PROPERTIES"]);
    assert_eq!(call.include_categories, ["Technology and Computing"]);
    assert_eq!(call.exclude_labels, ["Tree"]);
    assert_eq!(call.max_dominant_colors, Some(2));

    // rounded for events and attributes: 99.936, not 99.93640136...
    let json = serde_json::to_value(detection.entity()).expect("serializes");
    assert_eq!(json["attributes"]["objects"][0]["confidence"], 99.936);
    assert_eq!(
        json["attributes"]["objects"][0]["bounding_box"]["left"],
        0.36
    );
}

#[tokio::test]
async fn plain_detect_labels_sends_no_features_or_settings() {
    let emulator = Emulator::start().await;
    let detector = ObjectDetector::new(
        &session_without_retries(&emulator).await,
        ObjectSettings::default(),
    )
    .expect("valid");
    let detection = detector.detect(&two_colour_frame()).await.expect("detects");
    assert!(detection.image_properties().is_none());
    let call = &emulator.requests::<DetectLabels>()[0];
    assert!(
        call.features.is_empty() && call.include_labels.is_empty(),
        "{call:?}"
    );
}

fn yaml(folder: &std::path::Path) -> String {
    format!(
        r"{YAML_CREDENTIALS}
image_processing:
  - platform: object
    service: rekognition
    region_name: us-east-1
    credential_name: home
    save_file_folder: {folder}
    save_file_timestamp: true
    s3_bucket: camera-images
    s3_key_prefix: home/driveway/
    label_settings:
      exclude_categories: [Plants and Flowers]
      image_properties: true
    source:
      - entity_id: camera.driveway
        name: Driveway
  - platform: face
    service: rekognition
    region_name: us-east-1
    credential_name: home
    detection_attributes: [AGE_RANGE, smile]
    source:
      - entity_id: camera.door
        name: Door
",
        folder = folder.display()
    )
}

#[tokio::test]
async fn yaml_to_uploads_label_settings_and_face_attributes() {
    let emulator = Emulator::start().await;
    emulator.add_bucket("camera-images");
    emulator.set_labels([
        moto_like_labels(),
        ScriptedLabel::new("Tree", 95.0).with_category("Plants and Flowers"),
    ]);
    emulator.set_faces([
        ScriptedFace::new(BoundingBox::new(0.4, 0.2, 0.2, 0.3), 99.0).with_attributes(
            serde_json::json!({
                "AgeRange": { "Low": 30, "High": 38 },
                "Smile": { "Value": true, "Confidence": 91.0 },
                "Gender": { "Value": "Female", "Confidence": 99.0 },
            }),
        ),
    ]);
    let dir = TempDir::new();
    let config: AwsConfig = serde_saphyr::from_str(&yaml(dir.path())).expect("valid yaml");
    let slot = FrameSlot::new("any");
    slot.put(two_colour_frame());
    let platform = ImageProcessing::from_config(&config, &emulator.client_options(), |_| {
        Some(Arc::new(slot.clone()) as Arc<dyn FrameSource>)
    })
    .await
    .expect("starts");

    let Scan::Objects(detection) = platform.processors()[0].scan().await.expect("scans") else {
        panic!("objects")
    };
    assert_eq!(
        detection.labels().len(),
        1,
        "the tree was excluded by category"
    );
    let uploaded = detection
        .saved()
        .and_then(|saved| saved.uploaded.clone())
        .expect("uploaded");
    let timestamped = detection
        .saved()
        .and_then(|saved| saved.timestamped.clone())
        .expect("timestamped");
    assert_eq!(
        uploaded.key,
        format!(
            "home/driveway/{}",
            timestamped.file_name().unwrap().to_string_lossy()
        )
    );
    let objects = emulator.s3_objects("camera-images");
    assert_eq!(objects.len(), 1);
    assert_eq!(objects[0].body, std::fs::read(&timestamped).expect("saved"));
    let state = platform.processors()[0].state();
    assert!(
        state.attributes.contains_key("image_properties"),
        "{:?}",
        state.attributes
    );

    let Scan::Faces(faces) = platform.processors()[1].scan().await.expect("scans") else {
        panic!("faces")
    };
    let call = &emulator.requests::<DetectFaces>()[0];
    assert_eq!(call.attributes, ["AGE_RANGE", "SMILE"]);
    let attributes = &faces.faces()[0].attributes;
    assert!(attributes.age_range.is_some() && attributes.smile.is_some());
    assert!(attributes.gender.is_none(), "not asked for");
}

#[test]
fn bad_upload_and_label_options_are_refused_with_their_reason() {
    let entry = |extra: &str| {
        format!(
            "image_processing:\n  - platform: object\n    service: rekognition\n    region_name: us-east-1\n    source: [{{entity_id: camera.x}}]\n{extra}"
        )
    };
    for (extra, message) in [
        (
            "    s3_bucket: Camera_Images\n    save_file_folder: /tmp\n",
            "s3_bucket `Camera_Images` may hold only lower-case letters",
        ),
        (
            "    s3_bucket: images\n",
            "s3_bucket uploads the saved images: it needs save_file_folder",
        ),
        ("    s3_key_prefix: x/\n", "s3_key_prefix needs s3_bucket"),
        (
            "    label_settings: {max_dominant_colours: 30}\n",
            "label_settings: max_dominant_colours 30 is above Rekognition's 20",
        ),
        (
            "    label_settings: {colours: 3}\n",
            "unknown field `colours`",
        ),
    ] {
        let error = serde_saphyr::from_str::<AwsConfig>(&entry(extra))
            .expect_err(extra)
            .to_string();
        assert!(error.contains(message), "{extra}: {error}");
    }
    let face = "image_processing:\n  - platform: face\n    service: rekognition\n    region_name: us-east-1\n    detection_attributes: SMILE, HAT\n    source: [{entity_id: camera.x}]\n";
    let error = serde_saphyr::from_str::<AwsConfig>(face)
        .expect_err("HAT")
        .to_string();
    assert!(
        error.contains(
            "unknown detection_attributes `HAT`; expected DEFAULT, ALL or one or more of AGE_RANGE"
        ),
        "{error}"
    );
}
