//! Object detection and face identification on a generated camera frame, with the annotated
//! image saved as `<name>_latest.jpg`.
//!
//! Without `--live` it runs on ha-aws's built-in AWS emulator, scripted to "see" a person, a car
//! and a face: nothing leaves the machine and no account is needed. It creates the face
//! collection, indexes a face, detects objects and faces, and prints each result as the hub
//! entity it would become. Then it runs the `image_processing` platform from the YAML file
//! `examples/examples/aws_vision.yaml` (or `--config FILE`): one processor per camera, two
//! scans each, the events they fire, the entities' state with the cost guard's budget.
//! Images go to the folder given with `--save` (default: a new folder under the system's
//! temporary directory).
//!
//! ```sh
//! cargo run --example aws_vision
//! cargo run --example aws_vision -- --save vision-images --config my-aws.yaml
//! ```
//!
//! With `--live` it calls real Rekognition with the default credential chain, in the region
//! given (the generated frame holds no real objects, so expect empty results; pass `--image` to
//! process a JPEG or PNG of your own):
//!
//! ```sh
//! AWS_PROFILE=home cargo run --example aws_vision -- --live --region eu-west-1 --image door.jpg
//! ```
#![expect(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "an example talks to its user"
)]

use std::error::Error;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use ha_aws::emulator::{Emulator, ScriptedFace, ScriptedLabel};
use ha_aws::vision::{
    BoundingBox, CollectionId, FaceDetector, FaceSettings, FrameSlot, FrameSource, ImageId,
    ImageOutput, ImageProcessing, ImageSaver, ObjectDetector, ObjectSettings, Scan, SourceImage,
    Target, encode_jpeg,
};
use ha_aws::{AwsConfig, ClientOptions, Credential, Region, Session};
use image::{Rgb, RgbImage};

struct Options {
    live: bool,
    region: String,
    save: Option<PathBuf>,
    image: Option<PathBuf>,
    config: Option<PathBuf>,
}

fn options() -> Result<Options, String> {
    let mut options = Options {
        live: false,
        region: "us-east-1".to_owned(),
        save: None,
        image: None,
        config: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--live" => options.live = true,
            "--region" => options.region = value("--region")?,
            "--save" => options.save = Some(value("--save")?.into()),
            "--image" => options.image = Some(value("--image")?.into()),
            "--config" => options.config = Some(value("--config")?.into()),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(options)
}

/// A 1280x720 "camera frame": a sky, a road, a person-shaped and a car-shaped block.
fn camera_frame() -> RgbImage {
    let mut frame = RgbImage::from_fn(1280, 720, |_, y| {
        if y < 400 {
            Rgb([120, 160, 210])
        } else {
            Rgb([70, 70, 75])
        }
    });
    for (x0, y0, x1, y1, colour) in [
        (300, 200, 420, 620, Rgb([200, 120, 90])),
        (700, 430, 1100, 640, Rgb([180, 30, 30])),
    ] {
        for y in y0..y1 {
            for x in x0..x1 {
                frame.put_pixel(x, y, colour);
            }
        }
    }
    frame
}

/// What the emulator "sees" in every image.
fn script(emulator: &Emulator) {
    emulator.set_labels([
        ScriptedLabel::new("Person", 98.7)
            .with_instance(BoundingBox::new(0.234, 0.278, 0.094, 0.583), 98.1)
            .with_parent("Human"),
        ScriptedLabel::new("Car", 93.2)
            .with_instance(BoundingBox::new(0.547, 0.597, 0.313, 0.292), 92.4)
            .with_parent("Vehicle"),
        ScriptedLabel::new("Road", 88.0),
    ]);
    emulator.set_faces([
        ScriptedFace::new(BoundingBox::new(0.25, 0.29, 0.06, 0.1), 99.6)
            .with_identity("jane", 97.3),
    ]);
}

async fn run(options: Options) -> Result<(), Box<dyn Error>> {
    let emulator = if options.live {
        None
    } else {
        Some(Emulator::start().await)
    };
    let session = if let Some(emulator) = &emulator {
        script(emulator);
        println!("emulator at {}", emulator.endpoint_url());
        emulator.session().await
    } else {
        let session = Session::load(
            &Credential::DefaultChain,
            Region::try_from(options.region.as_str())?,
            &ClientOptions::default(),
        )
        .await;
        let identity = session.caller_identity().await?;
        println!("live: account {}", identity.account().unwrap_or("?"));
        session
    };

    let folder = if let Some(folder) = options.save {
        folder
    } else {
        let folder = std::env::temp_dir().join(format!("ha-aws-vision-{}", std::process::id()));
        std::fs::create_dir_all(&folder)?;
        folder
    };
    let image = match &options.image {
        Some(path) => SourceImage::open(path)?,
        None => SourceImage::new(encode_jpeg(&camera_frame(), 90)?)?,
    };

    // object detection: people at the default confidence, cars from 80%
    let settings = ObjectSettings::new("Driveway")
        .with_targets([
            Target::new("person"),
            Target::new("car").with_confidence(80.0),
        ])
        .with_output(
            ImageOutput::default().with_saver(ImageSaver::new(&folder)?.with_timestamp(true)),
        );
    let objects = ObjectDetector::new(&session, settings)?;
    let detection = objects.process(&image).await?;
    println!(
        "\nobjects: {}",
        serde_json::to_string_pretty(&detection.entity())?
    );

    // faces: the collection, one indexed face, identification
    let settings = FaceSettings::new("Hall")
        .with_collection(CollectionId::new("ha-aws-example")?)
        .with_identify(true)
        .with_output(ImageOutput::default().with_saver(ImageSaver::new(&folder)?));
    let faces = FaceDetector::new(&session, settings)?;
    println!("\ncollection: {:?}", faces.ensure_collection().await?);
    if !options.live {
        let indexed = faces.index_image(&ImageId::new("jane")?, &image).await?;
        println!("indexed jane as face {}", indexed.face_id);
    }
    let detection = faces.process(&image).await?;
    println!(
        "faces: {}",
        serde_json::to_string_pretty(&detection.entity())?
    );
    if let Some(emulator) = &emulator {
        platform(emulator, options.config.as_deref(), &folder, &image).await?;
    }
    println!("\nannotated images in {}", folder.display());
    Ok(())
}

/// The `image_processing` platform from YAML on the emulator: every camera gets `image`.
async fn platform(
    emulator: &Emulator,
    config: Option<&std::path::Path>,
    folder: &std::path::Path,
    image: &SourceImage,
) -> Result<(), Box<dyn Error>> {
    let yaml = match config {
        Some(path) => std::fs::read_to_string(path)?,
        None => include_str!("aws_vision.yaml").to_owned(),
    };
    let yaml = yaml.replace("$SAVE_FOLDER", &folder.display().to_string());
    let config: AwsConfig = serde_saphyr::from_str(&yaml)?;
    let slot = FrameSlot::new("camera");
    slot.put(image.clone());
    let platform = ImageProcessing::from_config(&config, &emulator.client_options(), |_| {
        Some(Arc::new(slot.clone()) as Arc<dyn FrameSource>)
    })
    .await?;
    println!("\nplatform: {} cameras", platform.processors().len());
    for processor in platform.processors() {
        let mut events = processor.subscribe();
        for _ in 0..2 {
            match processor.scan().await? {
                Scan::Skipped(reason) => {
                    println!("{}: skipped ({reason:?})", processor.entity_id());
                }
                scan => println!("{}: {} matches", processor.entity_id(), scan.matches()),
            }
        }
        while let Ok(event) = events.try_recv() {
            println!(
                "  event {}: {}",
                event.event_type(),
                serde_json::to_string(&event)?
            );
        }
        println!(
            "  state: {}",
            serde_json::to_string_pretty(&processor.state())?
        );
    }
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = match options() {
        Ok(options) => options,
        Err(error) => {
            eprintln!(
                "{error}\nusage: aws_vision [--save FOLDER] [--image FILE] [--config YAML] [--live --region REGION]"
            );
            return ExitCode::from(2);
        }
    };
    match run(options).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
