//! Vision against the in-process emulator: objects, faces, identification, the collection,
//! face indexing, annotated and saved images. Test images are generated here.

use std::time::{Duration, UNIX_EPOCH};

use ha_aws::emulator::{
    CreateCollection, DetectFaces, DetectLabels, Emulator, IndexFaces, ListCollections,
    ScriptedFace, ScriptedLabel, SearchFacesByImage,
};
use ha_aws::vision::{
    Annotation, BoundingBox, CollectionId, CollectionStatus, DetectionAttributes, FACE_COLOUR,
    FaceDetector, FaceSettings, ImageId, ImageOutput, ImageSaver, IndexRequest, MAX_IMAGE_BYTES,
    OBJECT_COLOUR, ObjectDetector, ObjectSettings, REGION_COLOUR, RegionOfInterest, SourceImage,
    Target, annotate, encode_jpeg, line_width,
};
use ha_aws::{Error, VisionError};
use image::{Rgb, RgbImage};
use serde_json::json;

use crate::support::{TempDir, session_without_retries};

/// A grey frame of `width` x `height` as JPEG.
fn frame(width: u32, height: u32) -> SourceImage {
    let image = RgbImage::from_pixel(width, height, Rgb([60, 60, 60]));
    SourceImage::new(encode_jpeg(&image, 90).expect("encodes")).expect("a jpeg")
}

const PERSON_BOX: BoundingBox = BoundingBox::new(0.25, 0.25, 0.25, 0.5);

fn person() -> ScriptedLabel {
    ScriptedLabel::new("Person", 97.0)
        .with_instance(PERSON_BOX, 96.5)
        .with_parent("Human")
}

async fn objects(emulator: &Emulator, settings: ObjectSettings) -> ObjectDetector {
    ObjectDetector::new(&session_without_retries(emulator).await, settings).expect("valid")
}

async fn faces(emulator: &Emulator, settings: FaceSettings) -> FaceDetector {
    FaceDetector::new(&session_without_retries(emulator).await, settings).expect("valid")
}

fn family() -> CollectionId {
    CollectionId::new("family").expect("valid")
}

fn is_close(a: f32, b: f32) -> bool {
    (a - b).abs() < 1e-3
}

#[tokio::test]
async fn object_detection_filters_counts_and_reports_an_entity() {
    let emulator = Emulator::start().await;
    emulator.set_labels([
        person().with_instance(BoundingBox::new(0.8, 0.1, 0.1, 0.2), 75.0),
        ScriptedLabel::new("Car", 65.0).with_instance(BoundingBox::new(0.6, 0.6, 0.3, 0.3), 64.0),
        ScriptedLabel::new("Outdoors", 99.0),
    ]);
    let image = frame(320, 240);

    let every = objects(&emulator, ObjectSettings::new("Yard")).await;
    let detection = every.detect(&image).await.expect("detects");
    assert_eq!(detection.counts()["Person"], 2);
    assert!(!detection.counts().contains_key("Car"), "64 < 70");
    assert_eq!(detection.matches(), 2);
    let labels: Vec<&str> = detection.labels().iter().map(|l| l.name.as_str()).collect();
    assert_eq!(labels, ["Person", "Outdoors"]);
    let request = &emulator.requests::<DetectLabels>()[0];
    assert_eq!(request.image_bytes, image.bytes().len());
    assert_eq!(request.min_confidence, Some(70.0));

    // per-target confidence lets the car in, the region keeps the left person out
    let settings = ObjectSettings::new("Yard")
        .with_targets([
            Target::new("person"),
            Target::new("car").with_confidence(60.0),
        ])
        .with_region(RegionOfInterest::new(0.5, 0.0, 1.0, 1.0).expect("valid"));
    let targeted = objects(&emulator, settings).await;
    let detection = targeted.detect(&image).await.expect("detects");
    assert_eq!(detection.counts()["Person"], 1);
    assert_eq!(detection.counts()["Car"], 1);
    assert_eq!(
        emulator.requests::<DetectLabels>()[1].min_confidence,
        Some(60.0)
    );

    let entity = serde_json::to_value(detection.entity()).expect("serializes");
    assert_eq!(entity["state"], 2);
    assert_eq!(entity["attributes"]["objects"][0]["name"], "Person");
    assert!(entity["attributes"]["objects"][0]["bounding_box"]["left"].is_number());
}

#[tokio::test]
async fn processing_saves_the_annotated_image_atomically() {
    let emulator = Emulator::start().await;
    emulator.set_labels([person()]);
    let folder = TempDir::new();
    let settings = ObjectSettings::new("Front Door / cam #1")
        .with_output(
            ImageOutput::default().with_saver(
                ImageSaver::new(folder.path())
                    .expect("a folder")
                    .with_timestamp(true),
            ),
        )
        .with_region(RegionOfInterest::new(0.0, 0.0, 0.9, 0.9).expect("valid"));
    let detector = objects(&emulator, settings).await;

    let detection = detector.process(&frame(400, 200)).await.expect("processes");
    let saved = detection.saved().expect("saved").clone();
    assert_eq!(
        saved.latest,
        folder.path().join("front_door__cam_1_latest.jpg")
    );
    let timestamped = saved.timestamped.expect("a timestamped copy");
    let name = timestamped
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(
        name.starts_with("front_door__cam_1_2") && name.ends_with("Z.jpg"),
        "{name}"
    );

    let written = image::open(&saved.latest)
        .expect("a valid jpeg")
        .into_rgb8();
    assert_eq!(written.dimensions(), (400, 200));
    // the person's left edge at x = 100, mid-height; JPEG shifts colours a little
    let edge = written.get_pixel(101, 100);
    assert!(edge[0] > 200 && edge[1] > 200 && edge[2] < 80, "{edge:?}");
    let inside = written.get_pixel(150, 100);
    assert!(inside[0] < 90 && inside[1] < 90, "{inside:?}");
    // the region of interest, green, ends at x = 360
    let region = written.get_pixel(358, 50);
    assert!(region[1] > 200 && region[0] < 80, "{region:?}");

    // a second save replaces the latest file; no temporary file is left behind
    detector.process(&frame(400, 200)).await.expect("processes");
    let mut names: Vec<String> = std::fs::read_dir(folder.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.iter().all(|name| !name.starts_with('.')), "{names:?}");
    assert!(names.contains(&"front_door__cam_1_latest.jpg".to_owned()));
}

#[test]
fn save_folder_problems_are_clear_errors() {
    let folder = TempDir::new();
    let missing = folder.path().join("missing");
    let error = ImageSaver::new(&missing).unwrap_err();
    assert!(
        matches!(error, Error::Vision(VisionError::SaveFolder { .. })),
        "{error:?}"
    );
    assert!(
        error.to_string().starts_with("save_file_folder `"),
        "{error}"
    );

    let file = folder.write("not-a-folder", "x");
    let error = ImageSaver::new(&file).unwrap_err();
    assert!(error.to_string().ends_with("not a folder"), "{error}");
}

#[test]
fn saving_names_files_by_sanitised_name_and_short_timestamp() {
    let folder = TempDir::new();
    let images = ImageSaver::new(folder.path()).unwrap().with_timestamp(true);
    let at = UNIX_EPOCH + Duration::from_secs(1_773_480_413);
    let saved = images.save("Garage: Left!", b"first", at, true).unwrap();
    assert_eq!(saved.latest, folder.path().join("garage_left_latest.jpg"));
    assert_eq!(
        saved.timestamped.as_deref(),
        Some(
            folder
                .path()
                .join("garage_left_20260314T092653Z.jpg")
                .as_path()
        )
    );
    images.save("Garage: Left!", b"second", at, true).unwrap();
    assert_eq!(std::fs::read(&saved.latest).unwrap(), b"second");
    assert_eq!(std::fs::read_dir(folder.path()).unwrap().count(), 2);
}

#[test]
fn drawing_puts_boxes_and_labels_where_the_pixels_say() {
    let mut image = RgbImage::new(720, 720);
    let thickness = line_width(720, 720);
    assert_eq!(thickness, 2);
    annotate(
        &mut image,
        &[
            Annotation::new(BoundingBox::new(0.25, 0.25, 0.5, 0.5), "PERSON 99%"),
            Annotation::new(BoundingBox::new(0.9, 0.9, 0.5, 0.5), "").with_colour(FACE_COLOUR),
            Annotation::new(BoundingBox::new(1.5, 0.0, 0.1, 0.1), "outside"),
        ],
    );
    // box from (180, 180) to (540, 540), 2 pixels wide, inside the box
    for (x, y) in [(180, 300), (181, 300), (539, 300), (300, 180), (300, 539)] {
        assert_eq!(*image.get_pixel(x, y), OBJECT_COLOUR, "edge at ({x}, {y})");
    }
    for (x, y) in [(182, 300), (179, 300), (300, 300), (541, 300)] {
        assert_eq!(
            *image.get_pixel(x, y),
            Rgb([0, 0, 0]),
            "not drawn at ({x}, {y})"
        );
    }
    // the label sits above the box on a filled background, with black text in it
    let label: Vec<Rgb<u8>> = (150..180)
        .flat_map(|y| (180..260).map(move |x| (x, y)))
        .map(|(x, y)| *image.get_pixel(x, y))
        .collect();
    assert!(label.iter().filter(|p| **p == OBJECT_COLOUR).count() > 500);
    assert!(label.iter().filter(|p| **p == Rgb([0, 0, 0])).count() > 50);
    // a box past the corner is clamped, and keeps its edges inside the image
    assert_eq!(*image.get_pixel(648, 700), FACE_COLOUR);
    assert_eq!(*image.get_pixel(719, 700), FACE_COLOUR);
    assert_eq!(*image.get_pixel(700, 719), FACE_COLOUR);
}

#[tokio::test]
async fn images_are_checked_before_upload() {
    let emulator = Emulator::start().await;
    let error = SourceImage::new(vec![0xff; MAX_IMAGE_BYTES + 1]).unwrap_err();
    assert!(matches!(
        error,
        Error::Vision(VisionError::ImageTooLarge { .. })
    ));
    let error = SourceImage::new(b"GIF89a....".to_vec()).unwrap_err();
    assert!(matches!(
        error,
        Error::Vision(VisionError::UnsupportedFormat { .. })
    ));
    let folder = TempDir::new();
    let big = folder.path().join("big.jpg");
    std::fs::write(&big, vec![0xff; MAX_IMAGE_BYTES + 1]).unwrap();
    assert_eq!(
        SourceImage::open(&big).unwrap_err().target(),
        Some(big.to_str().unwrap())
    );
    assert!(emulator.calls().is_empty());
}

#[tokio::test]
async fn the_collection_is_created_when_missing_after_paging_through_the_list() {
    let emulator = Emulator::start().await;
    for id in ["a1", "a2", "a3", "a4", "a5", "a6"] {
        emulator.add_collection(id);
    }
    let detector = faces(
        &emulator,
        FaceSettings::new("Hall").with_collection(family()),
    )
    .await;
    assert_eq!(
        detector.ensure_collection().await.unwrap(),
        CollectionStatus::Created
    );
    assert_eq!(
        emulator.requests::<ListCollections>().len(),
        2,
        "two pages of four"
    );
    assert_eq!(emulator.requests::<CreateCollection>().len(), 1);
    assert!(emulator.collections().contains(&"family".to_owned()));

    // now on the second page: found there, nothing created
    emulator.clear_calls();
    assert_eq!(
        detector.ensure_collection().await.unwrap(),
        CollectionStatus::Existing
    );
    assert_eq!(emulator.requests::<ListCollections>().len(), 2);
    assert!(emulator.requests::<CreateCollection>().is_empty());

    let without = faces(&emulator, FaceSettings::new("Hall")).await;
    let error = without.ensure_collection().await.unwrap_err();
    assert!(matches!(
        error,
        Error::Vision(VisionError::NoCollection { .. })
    ));
}

fn jane() -> ScriptedFace {
    ScriptedFace::new(BoundingBox::new(0.1, 0.2, 0.3, 0.4), 99.8).with_identity("jane", 96.5)
}

#[tokio::test]
async fn identification_with_no_face() {
    let emulator = Emulator::start().await;
    emulator.add_collection("family");
    let settings = FaceSettings::new("Hall")
        .with_collection(family())
        .with_identify(true);
    let detection = faces(&emulator, settings)
        .await
        .detect(&frame(64, 64))
        .await
        .unwrap();
    assert!(detection.faces().is_empty());
    assert_eq!(detection.matches(), 0);
    assert!(emulator.requests::<SearchFacesByImage>().is_empty());
}

#[tokio::test]
async fn identification_with_one_face_searches_the_whole_image() {
    let emulator = Emulator::start().await;
    emulator.add_collection("family");
    emulator.set_faces([jane()]);
    let settings = FaceSettings::new("Hall")
        .with_collection(family())
        .with_identify(true)
        .with_similarity(90.0);
    let image = frame(200, 100);
    let detection = faces(&emulator, settings)
        .await
        .detect(&image)
        .await
        .unwrap();
    let identity = detection.faces()[0].identity.as_ref().expect("identified");
    assert_eq!(identity.name, "jane");
    assert!(is_close(identity.similarity, 96.5));
    assert!(
        is_close(detection.faces()[0].confidence, 99.8),
        "detection confidence apart"
    );
    let search = &emulator.requests::<SearchFacesByImage>()[0];
    assert_eq!(search.image_bytes, image.bytes().len());
    assert_eq!(search.collection_id, "family");
    assert_eq!(search.face_match_threshold, Some(90.0));
    assert_eq!(detection.entity().state, 1);
}

#[tokio::test]
async fn identification_with_several_faces_searches_each_crop_up_to_the_bound() {
    let emulator = Emulator::start().await;
    emulator.add_collection("family");
    emulator.set_faces([
        ScriptedFace::new(BoundingBox::new(0.7, 0.1, 0.1, 0.1), 98.0).with_identity("bob", 99.0),
        jane(),
        ScriptedFace::new(BoundingBox::new(0.5, 0.5, 0.2, 0.2), 97.0).with_identity("ann", 60.0),
    ]);
    let settings = FaceSettings::new("Hall")
        .with_collection(family())
        .with_identify(true)
        .with_max_searches(2);
    let detector = faces(&emulator, settings).await;
    let image = frame(400, 300);
    let detection = detector.detect(&image).await.unwrap();
    let searches = emulator.requests::<SearchFacesByImage>();
    assert_eq!(searches.len(), 2, "bounded");
    assert!(
        searches
            .iter()
            .all(|search| search.image_bytes != image.bytes().len()),
        "crops"
    );
    let names: Vec<Option<&str>> = detection
        .faces()
        .iter()
        .map(|face| {
            face.identity
                .as_ref()
                .map(|identity| identity.name.as_str())
        })
        .collect();
    // jane (largest) found; ann below the similarity threshold; bob, the smallest, not searched
    assert_eq!(names, [None, Some("jane"), None]);
    assert_eq!(detection.matches(), 1);
    assert_eq!(
        serde_json::to_value(detection.entity()).unwrap()["attributes"]["total_faces"],
        3
    );
}

#[tokio::test]
async fn face_attributes_are_typed_when_all_are_asked_for() {
    let emulator = Emulator::start().await;
    emulator.set_faces([jane().with_attributes(json!({
        "AgeRange": {"Low": 29, "High": 37},
        "Gender": {"Value": "Female", "Confidence": 99.1},
        "Emotions": [{"Type": "CALM", "Confidence": 20.0}, {"Type": "HAPPY", "Confidence": 75.0}],
        "Smile": {"Value": true, "Confidence": 93.0},
        "Eyeglasses": {"Value": false, "Confidence": 97.0},
    }))]);
    let all = FaceSettings::new("Hall").with_attributes(DetectionAttributes::All);
    let detection = faces(&emulator, all)
        .await
        .detect(&frame(64, 64))
        .await
        .unwrap();
    let attributes = &detection.faces()[0].attributes;
    assert_eq!(
        attributes.age_range.map(|range| (range.low, range.high)),
        Some((29, 37))
    );
    assert_eq!(attributes.gender.as_ref().unwrap().value, "Female");
    assert_eq!(
        attributes.emotions[0].value, "HAPPY",
        "most confident first"
    );
    assert!(attributes.smile.unwrap().value);
    assert!(!attributes.eyeglasses.unwrap().value);
    assert_eq!(emulator.requests::<DetectFaces>()[0].attributes, ["ALL"]);

    let default = faces(&emulator, FaceSettings::new("Hall")).await;
    let detection = default.detect(&frame(64, 64)).await.unwrap();
    assert!(detection.faces()[0].attributes.age_range.is_none());
    assert_eq!(
        detection.matches(),
        1,
        "detected faces without identification"
    );
}

#[tokio::test]
async fn folder_indexing_reports_a_bad_file_and_indexes_the_others() {
    let emulator = Emulator::start().await;
    emulator.add_collection("family");
    emulator.set_faces([jane()]);
    let folder = TempDir::new();
    std::fs::write(folder.path().join("a.jpg"), frame(64, 64).bytes()).unwrap();
    folder.write("b.jpg", "not an image");
    std::fs::write(folder.path().join("c.jpg"), frame(32, 32).bytes()).unwrap();
    folder.write(".hidden", "skipped");

    let detector = faces(
        &emulator,
        FaceSettings::new("Hall").with_collection(family()),
    )
    .await;
    let mut progress = Vec::new();
    let request = IndexRequest::folder(ImageId::new("jane").unwrap(), folder.path());
    let report = detector
        .index(&request, |step| {
            progress.push((step.position, step.total, step.result.is_ok()));
        })
        .await
        .unwrap();
    assert_eq!(progress, [(1, 3, true), (2, 3, false), (3, 3, true)]);
    assert_eq!(report.indexed().count(), 2);
    let failed: Vec<_> = report.failed().collect();
    assert_eq!(failed.len(), 1);
    assert!(failed[0].0.ends_with("b.jpg"));
    assert!(matches!(
        failed[0].1,
        Error::Vision(VisionError::UnsupportedFormat { .. })
    ));
    let calls = emulator.requests::<IndexFaces>();
    assert_eq!(calls.len(), 2, "the bad file is never uploaded");
    assert!(
        calls
            .iter()
            .all(|call| call.external_image_id.as_deref() == Some("jane"))
    );
    assert!(calls.iter().all(|call| call.max_faces == Some(1)));
    assert_eq!(emulator.indexed_faces().len(), 2);
}

#[tokio::test]
async fn indexing_keeps_only_the_largest_face() {
    let emulator = Emulator::start().await;
    emulator.add_collection("family");
    emulator.set_faces([
        ScriptedFace::new(BoundingBox::new(0.7, 0.1, 0.1, 0.1), 98.0),
        jane(),
    ]);
    let detector = faces(
        &emulator,
        FaceSettings::new("Hall").with_collection(family()),
    )
    .await;
    let face = detector
        .index_image(&ImageId::new("jane").unwrap(), &frame(64, 64))
        .await
        .unwrap();
    assert_eq!(face.other_faces, 1);
    assert_eq!(face.bounding_box, jane().bounding_box);

    emulator.set_faces([]);
    let error = detector
        .index_image(&ImageId::new("jane").unwrap(), &frame(64, 64))
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Vision(VisionError::NoFace { .. })),
        "{error:?}"
    );

    let missing = faces(
        &emulator,
        FaceSettings::new("Hall").with_collection(CollectionId::new("nope").unwrap()),
    )
    .await;
    let error = missing
        .index_image(&ImageId::new("jane").unwrap(), &frame(64, 64))
        .await
        .unwrap_err();
    assert!(error.is_not_found(), "{error:?}");
}

#[test]
fn image_ids_follow_rekognition_rules() {
    assert!(ImageId::new("jane.doe:2024-01_a").is_ok());
    for bad in ["", "jane doe", "jane/doe", "žana"] {
        let error = ImageId::new(bad).unwrap_err();
        assert!(
            matches!(error, Error::Vision(VisionError::InvalidImageId { .. })),
            "{bad}"
        );
    }
    assert!(ImageId::new("a".repeat(256)).is_err());
}

#[test]
fn image_processing_config_reads_home_assistant_options() {
    let folder = TempDir::new();
    let config: ha_aws::AwsConfig = serde_json::from_value(json!({
        "credentials": [{"name": "home", "profile_name": "home"}],
        "image_processing": [{
            "platform": "face", "service": "rekognition", "region_name": "us-east-1",
            "collection_id": "family", "confidence": 90, "detection_attributes": "ALL",
            "identify_faces": true, "save_file_folder": folder.path(), "save_file_timestamp": true,
            "source": [{"entity_id": "camera.demo_camera_1", "name": "Demo Face Detection"}],
            "credential_name": "home"
        }]
    }))
    .unwrap();
    let entry = &config.image_processing()[0];
    let settings = entry.face_settings(&entry.sources()[0]).unwrap();
    assert_eq!(settings.name(), "Demo Face Detection");
    assert_eq!(settings.collection(), Some(&family()));
    assert!(settings.identify());
    assert_eq!(settings.attributes(), &DetectionAttributes::All);
    assert!(settings.output().saver().unwrap().timestamp());

    let error = serde_json::from_value::<ha_aws::AwsConfig>(json!({"image_processing": [{
        "platform": "face", "service": "rekognition", "region_name": "us-east-1",
        "identify_faces": true, "source": [{"entity_id": "camera.a"}]
    }]}))
    .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("identify_faces needs a collection_id"),
        "{error}"
    );
    let error = serde_json::from_value::<ha_aws::AwsConfig>(json!({"image_processing": [{
        "platform": "object", "service": "rekognition", "region_name": "us-east-1",
        "save_file_folder": folder.path().join("missing"), "source": [{"entity_id": "camera.a"}]
    }]}))
    .unwrap();
    let entry = &error.image_processing()[0];
    assert!(
        entry.object_settings(&entry.sources()[0]).is_err(),
        "the folder is checked"
    );
    let _ = REGION_COLOUR;
}

/// The label moto answers every DetectLabels with (moto 5.2).
pub(crate) const MOTO_PHONE_BOX: BoundingBox = BoundingBox::new(0.3604, 0.0925, 0.2678, 0.8562);

/// The DetectLabels contract, run against the emulator (scripted like moto) and against moto:
/// the label and its instance are parsed, counted, drawn and saved.
pub(crate) async fn detect_labels_contract(session: &ha_aws::Session) {
    let folder = TempDir::new();
    let settings = ObjectSettings::new("Contract cam").with_output(
        ImageOutput::default().with_saver(ImageSaver::new(folder.path()).expect("a folder")),
    );
    let detector = ObjectDetector::new(session, settings).expect("valid");
    let detection = detector.process(&frame(1000, 1000)).await.expect("detects");

    assert_eq!(detection.counts()["Mobile Phone"], 1, "{detection:?}");
    let object = &detection.objects()[0];
    assert!(object.confidence > 99.0);
    let found = object.bounding_box;
    for (a, b) in [
        (found.left, MOTO_PHONE_BOX.left),
        (found.top, MOTO_PHONE_BOX.top),
        (found.width, MOTO_PHONE_BOX.width),
        (found.height, MOTO_PHONE_BOX.height),
    ] {
        assert!(is_close(a, b), "{found:?}");
    }
    assert_eq!(detection.labels()[0].parents, ["Phone"]);
    let saved = image::open(&detection.saved().expect("saved").latest)
        .expect("a jpeg")
        .into_rgb8();
    // the left edge at x = 360, mid-height
    let edge = saved.get_pixel(361, 500);
    assert!(edge[0] > 200 && edge[1] > 200 && edge[2] < 80, "{edge:?}");
}

#[tokio::test]
async fn detect_labels_contract_on_the_emulator() {
    let emulator = Emulator::start().await;
    emulator.set_labels([ScriptedLabel::new("Mobile Phone", 99.9364)
        .with_instance(MOTO_PHONE_BOX, 99.9364)
        .with_parent("Phone")]);
    detect_labels_contract(&session_without_retries(&emulator).await).await;
}
