//! The driveway camera: a generated frame, object detection through ha-aws's Rekognition
//! detector, and the annotated image saved.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ha_aws::Session;
use ha_aws::emulator::{Emulator, ScriptedLabel};
use ha_aws::vision::image::{Rgb, RgbImage};
use ha_aws::vision::{
    BoundingBox, ImageOutput, ImageSaver, ObjectDetector, ObjectSettings, SourceImage, Target,
    encode_jpeg,
};

use crate::Error;

/// The camera's name; the annotated image is `<out>/driveway_camera_latest.jpg`.
pub const CAMERA: &str = "driveway_camera";

const WIDTH: u32 = 640;
const HEIGHT: u32 = 480;

/// Where the frame shows a car (relative left, top, width, height).
const CAR: [f32; 4] = [0.12, 0.55, 0.40, 0.30];
/// Where the frame shows a person.
const PERSON: [f32; 4] = [0.66, 0.36, 0.10, 0.50];

/// What the camera saw.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    /// Objects per label, among the targets (Person, Car).
    pub counts: BTreeMap<String, usize>,
    /// The annotated image.
    pub image: PathBuf,
}

fn boxed([left, top, width, height]: [f32; 4]) -> BoundingBox {
    BoundingBox::new(left, top, width, height)
}

fn inside(x: u32, y: u32, [left, top, width, height]: [f32; 4]) -> bool {
    #[expect(clippy::cast_precision_loss, reason = "pixel coordinates below 2^24")]
    let (fx, fy) = (x as f32 / WIDTH as f32, y as f32 / HEIGHT as f32);
    fx >= left && fx < left + width && fy >= top && fy < top + height
}

/// A driveway at dusk with a red car and a person in blue: the frame the camera "takes".
pub(super) fn frame() -> RgbImage {
    let head = [PERSON[0] + 0.025, PERSON[1], 0.05, 0.09];
    let wheels = [
        [CAR[0] + 0.05, CAR[1] + 0.22, 0.07, 0.08],
        [CAR[0] + 0.28, CAR[1] + 0.22, 0.07, 0.08],
    ];
    RgbImage::from_fn(WIDTH, HEIGHT, |x, y| {
        if wheels.iter().any(|wheel| inside(x, y, *wheel)) {
            Rgb([25, 25, 25])
        } else if inside(x, y, [CAR[0], CAR[1] + 0.08, CAR[2], 0.15])
            || inside(x, y, [CAR[0] + 0.08, CAR[1], CAR[2] - 0.16, 0.09])
        {
            Rgb([190, 30, 35])
        } else if inside(x, y, head) {
            Rgb([224, 172, 140])
        } else if inside(
            x,
            y,
            [PERSON[0], PERSON[1] + 0.09, PERSON[2], PERSON[3] - 0.09],
        ) {
            Rgb([40, 70, 160])
        } else if y < HEIGHT / 2 {
            // sky, darker towards the top
            let shade = u8::try_from(90 + y * 100 / (HEIGHT / 2)).unwrap_or(u8::MAX);
            Rgb([shade / 2, shade / 2 + 10, shade])
        } else {
            Rgb([95, 95, 90]) // the driveway
        }
    })
}

/// Tells the emulator what Rekognition sees in [`frame`]: the car and the person where the
/// frame draws them, and the scene.
pub(super) fn script(emulator: &Emulator) {
    emulator.set_labels([
        ScriptedLabel::new("Person", 98.7).with_instance(boxed(PERSON), 98.2),
        ScriptedLabel::new("Car", 96.1)
            .with_instance(boxed(CAR), 95.8)
            .with_parent("Vehicle"),
        ScriptedLabel::new("Driveway", 88.0),
    ]);
}

/// Takes the frame, runs object detection on it through `session` (Rekognition or the
/// emulator) and saves the annotated image into `out_dir` (created when missing).
///
/// # Errors
///
/// [`Error::Io`] when `out_dir` cannot be created, [`Error::Aws`] when detection or saving
/// fails.
pub(super) async fn snapshot(session: &Session, out_dir: &Path) -> Result<Snapshot, Error> {
    std::fs::create_dir_all(out_dir).map_err(Error::io("creating the output directory"))?;
    let settings = ObjectSettings::new(CAMERA)
        .with_targets([Target::new("Person"), Target::new("Car")])
        .with_output(ImageOutput::default().with_saver(ImageSaver::new(out_dir)?));
    let detector = ObjectDetector::new(session, settings)?;
    let image = SourceImage::new(encode_jpeg(&frame(), 85)?)?;
    tracing::info!(
        camera = CAMERA,
        width = WIDTH,
        height = HEIGHT,
        "camera: frame taken; detecting objects"
    );
    let detection = detector.process(&image).await?;
    let saved = detection.saved().ok_or(Error::Unexpected {
        step: "object detection",
        expected: "an annotated image".to_owned(),
        got: "nothing saved".to_owned(),
    })?;
    for object in detection.objects() {
        tracing::info!(label = %object.name, confidence = object.confidence, "camera: detected");
    }
    tracing::info!(path = %saved.latest.display(), "camera: annotated image saved");
    Ok(Snapshot {
        counts: detection.counts().clone(),
        image: saved.latest.clone(),
    })
}
