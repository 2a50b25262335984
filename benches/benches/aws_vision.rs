//! Annotated images: decode a 1920x1080 JPEG, draw 10 boxes with labels, encode it as JPEG;
//! and the cost guard's per-frame check (decode, grey thumbnail, difference hash).
//!
//! The peer is Pillow doing the same job (`scripts/aws_vision_pillow.py`: the same image and
//! boxes, a 3-pixel outline, a filled label background with its bitmap font, JPEG quality 75),
//! run by `python3` in the same bench run. The bench prints both medians, the ratio
//! ha-aws / Pillow (below 1.00 = ha-aws is faster), the same for each phase timed apart
//! (decode, draw, encode), and the median time of the skip check per frame. It fails with a
//! message when `python3` or Pillow is missing (`pip install pillow`).
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
    Annotation, BoundingBox, CostGuard, CostSettings, DEFAULT_JPEG_QUALITY, SourceImage, annotate,
    encode_jpeg,
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
    let mut guard = similar_frames_guard();
    group.bench_function("skip_check_1080p", |b| {
        b.iter(|| black_box(skip_check(&mut guard, &image)));
    });
    group.finish();
}

/// A guard that checks every frame for similarity to the last one sent (no budget).
fn similar_frames_guard() -> CostGuard {
    CostGuard::new(CostSettings {
        skip_similar_frames: true,
        ..CostSettings::default()
    })
}

/// The cost guard's check of one frame: decoded, shrunk to grey, hashed and compared.
fn skip_check(guard: &mut CostGuard, image: &SourceImage) -> bool {
    guard
        .check(image, std::time::SystemTime::now())
        .expect("the frame decodes")
        .is_some()
}

/// The median of `rounds` runs of `job`, in nanoseconds.
fn median_ns(rounds: usize, mut job: impl FnMut()) -> u128 {
    let mut samples: Vec<u128> = (0..rounds)
        .map(|_| {
            let start = Instant::now();
            job();
            start.elapsed().as_nanos()
        })
        .collect();
    samples.sort_unstable();
    samples[samples.len() / 2]
}

/// Medians of the whole job and of each phase, in nanoseconds.
#[derive(Debug)]
struct Phases {
    total: u128,
    decode: u128,
    draw: u128,
    encode: u128,
}

/// The job's phases timed apart in this process.
fn ours_phases(image: &SourceImage, annotations: &[Annotation], rounds: usize) -> Phases {
    let total = median_ns(rounds, || {
        black_box(annotate_and_encode(image, annotations));
    });
    let decode = median_ns(rounds, || {
        black_box(image.decode().expect("the frame decodes"));
    });
    let pixels = image.decode().expect("the frame decodes");
    let copy = median_ns(rounds, || {
        black_box(pixels.clone());
    });
    let draw = median_ns(rounds, || {
        let mut copy = pixels.clone();
        annotate(&mut copy, annotations);
        black_box(copy);
    })
    .saturating_sub(copy);
    let encode = median_ns(rounds, || {
        black_box(encode_jpeg(&pixels, DEFAULT_JPEG_QUALITY).expect("encodes"));
    });
    Phases {
        total,
        decode,
        draw,
        encode,
    }
}

/// Runs the Pillow script on the same image and boxes; its medians.
fn pillow_phases(folder: &Path, jpeg: &[u8], annotations: &[Annotation], rounds: usize) -> Phases {
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
    let medians: serde_json::Value = serde_json::from_slice(&output.stdout)
        .expect("the Pillow script prints its medians as JSON");
    let phase = |name: &str| {
        u128::from(
            medians[name]
                .as_u64()
                .unwrap_or_else(|| panic!("the Pillow script reports `{name}`: {medians}")),
        )
    };
    Phases {
        total: phase("total"),
        decode: phase("decode"),
        draw: phase("draw"),
        encode: phase("encode"),
    }
}

#[expect(
    clippy::cast_precision_loss,
    reason = "nanoseconds of one run are far below 2^52"
)]
fn ms(nanos: u128) -> f64 {
    nanos as f64 / 1e6
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
    let pillow = pillow_phases(&folder, &jpeg, &annotations, rounds);
    let ours = ours_phases(&image, &annotations, rounds);
    let _ = std::fs::remove_dir_all(&folder);
    let mut guard = similar_frames_guard();
    let check = median_ns(rounds, || {
        black_box(skip_check(&mut guard, &image));
    });
    println!(
        "\naws_vision: decode 1920x1080 JPEG, 10 boxes with labels, encode JPEG q{DEFAULT_JPEG_QUALITY}: \
         ha-aws {:.2} ms, Pillow {:.2} ms (median of {rounds}), ratio {:.2} \
         (ha-aws / Pillow; below 1.00 = ha-aws is faster)",
        ms(ours.total),
        ms(pillow.total),
        ms(ours.total) / ms(pillow.total)
    );
    for (phase, ours, pillow) in [
        ("decode", ours.decode, pillow.decode),
        ("draw", ours.draw, pillow.draw),
        ("encode", ours.encode, pillow.encode),
    ] {
        println!(
            "  {phase:<6}: ha-aws {:.2} ms, Pillow {:.2} ms, ratio {:.2}",
            ms(ours),
            ms(pillow),
            ms(ours) / ms(pillow).max(f64::MIN_POSITIVE)
        );
    }
    println!(
        "aws_vision: cost guard skip check per 1080p frame (decode, grey thumbnail, difference hash): {:.2} ms",
        ms(check)
    );
}
