//! The `image_processing` platform on the emulator: from YAML to processors, scans, saved
//! images, events, `index_face` by entity, frame sources (files, a loopback HTTP server, frames
//! put by the caller) and the cost guard.

use std::sync::Arc;
use std::time::Duration;

use ha_aws::emulator::{DetectLabels, Emulator, IndexFaces, ScriptedFace, ScriptedLabel};
use ha_aws::vision::{
    BoundingBox, CostGuard, CostSettings, FrameSlot, FrameSource, HttpSnapshot, ImageOutput,
    ImageProcessing, ObjectDetector, ObjectSettings, Scan, SkipReason, SourceImage, VisionEvent,
    VisionProcessor, encode_jpeg,
};
use ha_aws::{AwsConfig, Error, VisionError};
use image::{Rgb, RgbImage};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{TempDir, YAML_CREDENTIALS, session_without_retries};

fn jpeg(width: u32, height: u32, shade: u8) -> Vec<u8> {
    let image = RgbImage::from_fn(width, height, |x, y| {
        let value = ((x / 3 + y / 2) % 128) as u8;
        Rgb([value.saturating_add(shade), value, 90])
    });
    encode_jpeg(&image, 85).expect("encodes")
}

fn person() -> ScriptedLabel {
    ScriptedLabel::new("Person", 97.0)
        .with_instance(BoundingBox::new(0.25, 0.25, 0.25, 0.5), 96.5)
        .with_parent("Human")
}

fn files_in(folder: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .expect("reads")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

fn yaml(folder: &std::path::Path, frame: &std::path::Path) -> String {
    format!(
        r"{YAML_CREDENTIALS}
image_processing:
  - platform: object
    service: rekognition
    region_name: us-east-1
    credential_name: home
    confidence: 80
    targets: [person, car]
    exclude_targets: [car]
    save_file_folder: {folder}
    save_file_timestamp: true
    max_saved_files: 2
    source:
      - entity_id: camera.driveway
        name: Driveway
        file: {frame}
  - platform: face
    service: rekognition
    region_name: us-east-1
    credential_name: home
    collection_id: family
    identify_faces: true
    source:
      - entity_id: camera.front_door
        name: Front door
",
        folder = folder.display(),
        frame = frame.display(),
    )
}

#[tokio::test]
#[expect(
    clippy::too_many_lines,
    reason = "one story from YAML to saved images, events and index_face"
)]
async fn yaml_to_processors_detections_saved_images_and_events() {
    let emulator = Emulator::start().await;
    let dir = TempDir::new();
    let saved = dir.path().join("saved");
    std::fs::create_dir(&saved).expect("creates");
    let frame = dir.path().join("driveway.jpg");
    std::fs::write(&frame, jpeg(320, 240, 0)).expect("writes");
    let config: AwsConfig = serde_saphyr::from_str(&yaml(&saved, &frame)).expect("valid yaml");
    let door = FrameSlot::new("camera.front_door");
    let platform = ImageProcessing::from_config(&config, &emulator.client_options(), |source| {
        (source.entity_id == "camera.front_door")
            .then(|| Arc::new(door.clone()) as Arc<dyn FrameSource>)
    })
    .await
    .expect("starts");

    // the face collection was made on start
    assert_eq!(emulator.collections(), ["family"]);
    let ids: Vec<&str> = platform
        .processors()
        .iter()
        .map(|p| p.entity_id())
        .collect();
    assert_eq!(
        ids,
        ["image_processing.driveway", "image_processing.front_door"]
    );

    // nothing detected: state 0, nothing saved
    let driveway = platform
        .processor("image_processing.driveway")
        .expect("exists");
    let mut events = driveway.subscribe();
    emulator
        .set_labels([ScriptedLabel::new("Car", 99.0)
            .with_instance(BoundingBox::new(0.1, 0.1, 0.2, 0.2), 99.0)]);
    assert_eq!(
        driveway.scan().await.expect("scans").matches(),
        0,
        "car is excluded"
    );
    assert!(files_in(&saved).is_empty(), "{:?}", files_in(&saved));

    // a person: saved, events fired, attributes as a hub shows them
    emulator.set_labels([person()]);
    let scan = driveway.scan().await.expect("scans");
    assert_eq!(scan.matches(), 1);
    let names = files_in(&saved);
    assert!(
        names.contains(&"driveway_latest.jpg".to_owned()),
        "{names:?}"
    );
    assert_eq!(names.len(), 2, "latest and one timestamped copy: {names:?}");
    let first = events.try_recv().expect("object event");
    assert_eq!(first.event_type(), "rekognition.object_detected");
    let VisionEvent::ObjectDetected {
        entity_id,
        object,
        saved_file,
    } = first
    else {
        panic!("an object event first");
    };
    assert_eq!(entity_id, "image_processing.driveway");
    assert_eq!(object.name, "Person");
    assert_eq!(saved_file, Some(saved.join("driveway_latest.jpg")));
    assert_eq!(
        events.try_recv().expect("label event").event_type(),
        "rekognition.label_detected"
    );
    let state = serde_json::to_value(driveway.state()).expect("serializes");
    assert_eq!(state["state"], 1);
    assert_eq!(state["attributes"]["camera_entity"], "camera.driveway");
    assert_eq!(state["attributes"]["counts"]["Person"], 1);

    // face: identification events and index_face routed by entity id
    let front = platform
        .processor("image_processing.front_door")
        .expect("exists");
    let mut face_events = front.subscribe();
    emulator.set_faces([
        ScriptedFace::new(BoundingBox::new(0.1, 0.2, 0.3, 0.4), 99.8).with_identity("jane", 96.5),
    ]);
    door.put(SourceImage::new(jpeg(320, 240, 20)).expect("jpeg"));
    assert!(matches!(front.scan().await.expect("scans"), Scan::Faces(_)));
    let kinds: Vec<&str> = std::iter::from_fn(|| face_events.try_recv().ok())
        .map(|event| event.event_type())
        .collect();
    assert_eq!(
        kinds,
        [
            "image_processing.detect_face",
            "rekognition.face_identified"
        ]
    );

    let jane = dir.path().join("jane.jpg");
    std::fs::write(&jane, jpeg(200, 200, 40)).expect("writes");
    let request =
        serde_json::from_value(serde_json::json!({"image_id": "jane", "image_path": jane}))
            .expect("valid request");
    let report = platform
        .index_face("image_processing.front_door", &request)
        .await
        .expect("indexes");
    assert_eq!(report.indexed().count(), 1);
    assert_eq!(emulator.requests::<IndexFaces>()[0].collection_id, "family");
    assert!(matches!(
        face_events.try_recv().expect("indexed event"),
        VisionEvent::FaceIndexed { .. }
    ));
    let error = platform
        .index_face("image_processing.driveway", &request)
        .await
        .expect_err("an object entity has no collection");
    assert!(
        matches!(error, Error::Vision(VisionError::UnknownEntity { .. })),
        "{error}"
    );
}

#[tokio::test]
async fn saved_files_rotate_and_always_save_latest_keeps_the_latest_only() {
    let emulator = Emulator::start().await;
    let dir = TempDir::new();
    let saver = ha_aws::vision::ImageSaver::new(dir.path())
        .expect("folder")
        .with_timestamp(true)
        .with_max_saved_files(Some(2))
        .with_always_save_latest(true)
        .with_format(ha_aws::vision::SaveFormat::Png);
    let detector = ObjectDetector::new(
        &session_without_retries(&emulator).await,
        ObjectSettings::new("Yard").with_output(
            ImageOutput::default()
                .with_saver(saver)
                .with_show_boxes(false),
        ),
    )
    .expect("valid");
    let slot = FrameSlot::new("camera.yard");
    let processor =
        VisionProcessor::objects("camera.yard", detector, Arc::new(slot.clone())).with_scale(0.5);
    slot.put(SourceImage::new(jpeg(320, 240, 0)).expect("jpeg"));

    // nothing detected: the latest file only, shrunk by the scale, as PNG
    processor.scan().await.expect("scans");
    assert_eq!(files_in(dir.path()), ["yard_latest.png"]);
    let latest = image::open(dir.path().join("yard_latest.png")).expect("png");
    assert_eq!((latest.width(), latest.height()), (160, 120));
    let sent = emulator.requests::<DetectLabels>()[0].image_bytes;
    let scaled = SourceImage::new(jpeg(320, 240, 0))
        .expect("jpeg")
        .scaled(0.5)
        .expect("scales");
    assert_eq!(sent, scaled.bytes().len(), "scaled before upload");

    // detections: timestamped copies, rotated to the two newest
    emulator.set_labels([person()]);
    let folder = dir.path().to_owned();
    let stamps = ["20260101T000001Z", "20260101T000002Z", "20260101T000003Z"];
    for stamp in &stamps[..2] {
        std::fs::write(folder.join(format!("yard_{stamp}.png")), b"old").expect("writes");
    }
    processor.scan().await.expect("scans");
    let names = files_in(dir.path());
    assert_eq!(names.len(), 3, "latest and two copies: {names:?}");
    assert!(
        !names.contains(&format!("yard_{}.png", stamps[0])),
        "{names:?}"
    );
    assert!(
        names.contains(&format!("yard_{}.png", stamps[1])),
        "{names:?}"
    );
}

/// A real HTTP server on loopback: a JPEG, a slow JPEG, a 404 and an HTML page.
async fn camera_server() -> MockServer {
    let server = MockServer::start().await;
    let frame = jpeg(160, 120, 0);
    Mock::given(method("GET"))
        .and(path("/snapshot.jpg"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(frame.clone(), "image/jpeg"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/slow.jpg"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(frame, "image/jpeg")
                .set_delay(Duration::from_secs(30)),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/page.html"))
        .respond_with(ResponseTemplate::new(200).set_body_raw("<html></html>", "text/html"))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn http_snapshots_from_a_loopback_server() {
    let server = camera_server().await;
    let url = |path: &str| format!("{}{path}", server.uri());

    let frame = HttpSnapshot::new("camera.porch", &url("/snapshot.jpg"))
        .expect("valid url")
        .frame()
        .await
        .expect("a jpeg");
    assert_eq!(frame.decode().expect("decodes").dimensions(), (160, 120));

    let missing = HttpSnapshot::new("camera.porch", &url("/missing.jpg"))
        .expect("valid url")
        .frame()
        .await
        .expect_err("404");
    assert!(missing.to_string().contains("404"), "{missing}");

    let page = HttpSnapshot::new("camera.porch", &url("/page.html"))
        .expect("valid url")
        .frame()
        .await
        .expect_err("not an image");
    assert!(
        page.to_string().contains("unsupported image format"),
        "{page}"
    );

    // a slow camera: the scan's timeout ends it, and a second scan meanwhile is refused
    let emulator = Emulator::start().await;
    let detector = ObjectDetector::new(
        &session_without_retries(&emulator).await,
        ObjectSettings::new("Porch"),
    )
    .expect("valid");
    let slow = HttpSnapshot::new("camera.porch", &url("/slow.jpg")).expect("valid url");
    let processor = Arc::new(
        VisionProcessor::objects("camera.porch", detector, Arc::new(slow))
            .with_timeout(Duration::from_millis(300)),
    );
    let running = tokio::spawn({
        let processor = processor.clone();
        async move { processor.scan().await }
    });
    tokio::task::yield_now().await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    let busy = processor.scan().await.expect_err("one scan at a time");
    assert!(
        matches!(busy, Error::Vision(VisionError::ScanBusy { .. })),
        "{busy}"
    );
    let timed_out = running.await.expect("joins").expect_err("too slow");
    assert!(
        matches!(timed_out, Error::Vision(VisionError::ScanTimeout { .. })),
        "{timed_out}"
    );
    assert!(emulator.requests::<DetectLabels>().is_empty());
}

#[tokio::test]
async fn cost_guard_skips_near_duplicates_and_spends_the_hourly_budget() {
    let emulator = Emulator::start().await;
    emulator.set_labels([person()]);
    let detector = ObjectDetector::new(
        &session_without_retries(&emulator).await,
        ObjectSettings::new("Hall"),
    )
    .expect("valid");
    let slot = FrameSlot::new("camera.hall");
    let processor = VisionProcessor::objects("camera.hall", detector, Arc::new(slot.clone()))
        .with_cost_guard(CostGuard::new(CostSettings {
            max_calls_per_hour: Some(2),
            skip_similar_frames: true,
            ..CostSettings::default()
        }));
    let empty_hall = || SourceImage::new(jpeg(320, 240, 0)).expect("jpeg");
    let someone = || {
        let mut image = image::load_from_memory(&jpeg(320, 240, 0))
            .expect("decodes")
            .into_rgb8();
        for (x, y, pixel) in image.enumerate_pixels_mut() {
            if (100..200).contains(&x) && y > 40 {
                *pixel = Rgb([250, 250, 250]);
            }
        }
        SourceImage::new(encode_jpeg(&image, 85).expect("encodes")).expect("jpeg")
    };
    let script = [
        (empty_hall(), None),
        (empty_hall(), Some(SkipReason::NearDuplicate)),
        (empty_hall(), Some(SkipReason::NearDuplicate)),
        (someone(), None),
        (someone(), Some(SkipReason::HourlyBudget)),
        (empty_hall(), Some(SkipReason::HourlyBudget)),
    ];
    for (step, (frame, expected)) in script.into_iter().enumerate() {
        slot.put(frame);
        let scan = processor.scan().await.expect("scans");
        let skipped = match scan {
            Scan::Skipped(reason) => Some(reason),
            _ => None,
        };
        assert_eq!(skipped, expected, "step {step}");
    }
    // the emulator's call log: six frames, two calls
    assert_eq!(emulator.requests::<DetectLabels>().len(), 2);
    let state = serde_json::to_value(processor.state()).expect("serializes");
    let budget = &state["attributes"]["budget"];
    assert_eq!(budget["calls_last_hour"], 2);
    assert_eq!(budget["max_calls_per_hour"], 2);
    assert_eq!(budget["skipped"]["near_duplicate"], 2);
    assert_eq!(budget["skipped"]["hourly_budget"], 2);
    assert!(
        (budget["projected_monthly_cost_usd"]
            .as_f64()
            .expect("a number")
            - 0.06)
            .abs()
            < 1e-9
    );
}
