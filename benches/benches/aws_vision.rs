//! Annotated images: decode a 1920x1080 JPEG, draw 10 boxes with labels, encode it as JPEG.
//!
//! The peer is Pillow doing the same job (`scripts/aws_vision_pillow.py`: the same image and
//! boxes, a 3-pixel outline, a filled label background with its bitmap font, JPEG quality 75),
//! run by `python3` in the same bench run. The bench prints both medians and the ratio
//! ha-aws / Pillow (below 1.00 = ha-aws is faster). It fails with a message when `python3` or
//! Pillow is missing (`pip install pillow`).
//!
//! `cargo bench --bench aws_vision`
#![expect(
    clippy::print_stdout,
    reason = "the bench prints the ratio it measures"
)]

use std::hint::black_box;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use benches::RunMode;
use criterion::{Criterion, Throughput, criterion_group};
use ha_aws::vision::{
    Annotation, BoundingBox, DEFAULT_JPEG_QUALITY, SourceImage, annotate, encode_jpeg,
};

const WIDTH: u32 = 1920;
const HEIGHT: u32 = 1080;
/// Iterations of each side for the printed medians.
/// Runs of each side for the same-run ratio when measuring (one in a test run).
const ROUNDS: usize = 30;

/// A camera-like frame: smooth gradients with some texture, encoded at quality 90.
fn frame() -> Vec<u8> {
    let image = image::RgbImage::from_fn(WIDTH, HEIGHT, |x, y| {
        let texture = u8::try_from((x * 7 + y * 13) % 32).unwrap_or(0);
        image::Rgb([
            u8::try_from(x * 255 / WIDTH)
                .unwrap_or(0)
                .saturating_add(texture),
            u8::try_from(y * 255 / HEIGHT).unwrap_or(0),
            u8::try_from((x + y) % 256).unwrap_or(0) / 2 + texture,
        ])
    });
    encode_jpeg(&image, 90).expect("the frame encodes")
}

/// Ten boxes spread over the frame, with labels like those of object detection.
fn annotations() -> Vec<Annotation> {
    (0..10u8)
        .map(|i| {
            let i_f = f32::from(i);
            Annotation::new(
                BoundingBox::new(0.05 + 0.09 * i_f, 0.1 + 0.05 * f32::from(i % 5), 0.08, 0.3),
                format!("Person {:.1}%", 90.0 + i_f * 0.7),
            )
        })
        .collect()
}

/// The measured job: decode, annotate, encode.
fn annotate_and_encode(image: &SourceImage, annotations: &[Annotation]) -> Vec<u8> {
    let mut pixels = image.decode().expect("the frame decodes");
    annotate(&mut pixels, annotations);
    encode_jpeg(&pixels, DEFAULT_JPEG_QUALITY).expect("the annotated frame encodes")
}

fn bench(c: &mut Criterion) {
    let image = SourceImage::new(frame()).expect("a jpeg");
    let annotations = annotations();
    let mut group = c.benchmark_group("aws_vision");
    group.throughput(Throughput::Elements(1));
    group.sample_size(20);
    group.bench_function("annotate_1080p_10_boxes_and_encode", |b| {
        b.iter(|| black_box(annotate_and_encode(&image, &annotations)));
    });
    group.finish();
}

/// The median of `rounds` runs of the job in this process, in nanoseconds.
fn ours_median(image: &SourceImage, annotations: &[Annotation], rounds: usize) -> u128 {
    let mut samples: Vec<u128> = (0..rounds)
        .map(|_| {
            let start = Instant::now();
            black_box(annotate_and_encode(image, annotations));
            start.elapsed().as_nanos()
        })
        .collect();
    samples.sort_unstable();
    samples[samples.len() / 2]
}

/// Runs the Pillow script on the same image and boxes; its median in nanoseconds.
fn pillow_median(folder: &Path, jpeg: &[u8], annotations: &[Annotation], rounds: usize) -> u128 {
    let image_path = folder.join("frame.jpg");
    let boxes_path = folder.join("boxes.json");
    std::fs::write(&image_path, jpeg).expect("write the frame");
    let boxes: Vec<_> = annotations
        .iter()
        .map(|a| {
            let b = a.bounding_box;
            serde_json::json!([b.left, b.top, b.width, b.height, a.label])
        })
        .collect();
    std::fs::write(&boxes_path, serde_json::to_vec(&boxes).expect("json")).expect("write boxes");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/aws_vision_pillow.py");
    let output = Command::new("python3")
        .arg(&script)
        .arg(&image_path)
        .arg(&boxes_path)
        .arg(rounds.to_string())
        .output()
        .expect("python3 is needed for the Pillow peer: install python3 and `pip install pillow`");
    assert!(
        output.status.success(),
        "the Pillow peer failed (install it with `pip install pillow`): {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .expect("the Pillow script prints its median in nanoseconds")
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    let rounds = match RunMode::from_args() {
        RunMode::List => return,
        mode => {
            mode.announce();
            mode.pick(ROUNDS, 1)
        }
    };
    let jpeg = frame();
    let image = SourceImage::new(jpeg.clone()).expect("a jpeg");
    let annotations = annotations();
    let folder = std::env::temp_dir().join(format!("ha-aws-vision-bench-{}", std::process::id()));
    std::fs::create_dir_all(&folder).expect("a temporary folder");
    let pillow = pillow_median(&folder, &jpeg, &annotations, rounds);
    let ours = ours_median(&image, &annotations, rounds);
    let _ = std::fs::remove_dir_all(&folder);
    #[expect(
        clippy::cast_precision_loss,
        reason = "nanoseconds of one run are far below 2^52"
    )]
    let (ours_ms, pillow_ms) = (ours as f64 / 1e6, pillow as f64 / 1e6);
    println!(
        "\naws_vision: decode 1920x1080 JPEG, 10 boxes with labels, encode JPEG q{DEFAULT_JPEG_QUALITY}: \
         ha-aws {ours_ms:.2} ms, Pillow {pillow_ms:.2} ms (median of {rounds}), ratio {:.2} \
         (ha-aws / Pillow; below 1.00 = ha-aws is faster)",
        ours_ms / pillow_ms
    );
}
