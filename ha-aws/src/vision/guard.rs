//! The cost guard: Rekognition bills per image, so each camera gets a budget of calls per hour
//! and per day, frames nearly identical to the last one sent are skipped, and an optional
//! motion gate skips frames in which nothing moved.

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use super::source::SourceImage;
use crate::error::Error;

/// Rekognition Image's published price per image for DetectLabels, DetectFaces and
/// SearchFacesByImage in the first pricing tier (up to 1 million images a month, us-east-1):
/// 0.001 USD.
///
/// # Examples
///
/// ```
/// assert_eq!(ha_aws::vision::PRICE_PER_IMAGE_USD, 0.001);
/// ```
pub const PRICE_PER_IMAGE_USD: f64 = 0.001;

/// The default largest Hamming distance between two frames' 64-bit difference hashes at which
/// the second frame counts as nearly identical: 4 bits of 64. Sensor noise and JPEG
/// re-encoding of a still scene flip 0 to 2 bits; a person entering a quarter of the frame
/// flips well over 10.
///
/// # Examples
///
/// ```
/// assert_eq!(ha_aws::vision::DEFAULT_SIMILAR_DISTANCE, 4);
/// ```
pub const DEFAULT_SIMILAR_DISTANCE: u32 = 4;

/// A pixel of the motion gate's 32x24 grey thumbnail counts as changed when its brightness
/// moved by more than this (of 255).
const MOTION_PIXEL_DELTA: u8 = 24;

/// The motion gate's thumbnail size.
const MOTION_SIZE: (u32, u32) = (32, 24);

/// Days in the projected month.
const DAYS_PER_MONTH: f64 = 30.0;

const HOUR: Duration = Duration::from_hours(1);
const DAY: Duration = Duration::from_hours(24);

/// The cost guard's options (the `cost_guard:` map of an `image_processing:` entry).
///
/// # Examples
///
/// ```
/// use ha_aws::vision::CostSettings;
///
/// let settings: CostSettings = serde_json::from_str(
///     r#"{"max_calls_per_hour": 60, "max_calls_per_day": 500, "skip_similar_frames": true, "motion_threshold": 0.02}"#,
/// )?;
/// assert_eq!(settings.max_calls_per_hour, Some(60));
/// assert_eq!(settings.similar_distance, ha_aws::vision::DEFAULT_SIMILAR_DISTANCE);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CostSettings {
    /// Rekognition calls allowed in any hour; none means no limit.
    #[serde(default)]
    pub max_calls_per_hour: Option<u32>,
    /// Rekognition calls allowed in any 24 hours; none means no limit.
    #[serde(default)]
    pub max_calls_per_day: Option<u32>,
    /// Skips frames nearly identical to the last one sent.
    #[serde(default)]
    pub skip_similar_frames: bool,
    /// The largest difference-hash distance (of 64 bits) that counts as nearly identical.
    #[serde(default = "default_distance")]
    pub similar_distance: u32,
    /// With a value, skips frames in which less than this share (0..=1) of a 32x24 grey
    /// thumbnail changed since the previous frame.
    #[serde(default)]
    pub motion_threshold: Option<f32>,
    /// The price per image the projection uses, in USD.
    #[serde(default = "default_price")]
    pub price_per_image_usd: f64,
}

fn default_distance() -> u32 {
    DEFAULT_SIMILAR_DISTANCE
}

fn default_price() -> f64 {
    PRICE_PER_IMAGE_USD
}

impl Default for CostSettings {
    fn default() -> Self {
        Self {
            max_calls_per_hour: None,
            max_calls_per_day: None,
            skip_similar_frames: false,
            similar_distance: DEFAULT_SIMILAR_DISTANCE,
            motion_threshold: None,
            price_per_image_usd: PRICE_PER_IMAGE_USD,
        }
    }
}

/// Why the guard skipped a frame.
///
/// # Examples
///
/// ```
/// assert_eq!(serde_json::to_string(&ha_aws::vision::SkipReason::HourlyBudget).unwrap(), r#""hourly_budget""#);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SkipReason {
    /// The frame's hash is within the distance of the last frame sent.
    NearDuplicate,
    /// Too little changed since the previous frame.
    NoMotion,
    /// The hour's budget is spent.
    HourlyBudget,
    /// The day's budget is spent.
    DailyBudget,
}

/// The guard's state as the entity's `budget` attribute.
///
/// # Examples
///
/// ```
/// let guard = ha_aws::vision::CostGuard::new(ha_aws::vision::CostSettings::default());
/// let budget = guard.budget(std::time::SystemTime::now());
/// assert_eq!(budget.calls_last_hour, 0);
/// assert_eq!(budget.projected_monthly_cost_usd, 0.0);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Budget {
    /// Calls in the last hour.
    pub calls_last_hour: usize,
    /// Calls in the last 24 hours.
    pub calls_last_day: usize,
    /// The hourly limit, if any.
    pub max_calls_per_hour: Option<u32>,
    /// The daily limit, if any.
    pub max_calls_per_day: Option<u32>,
    /// The last 24 hours' calls times 30 days times the price per image, in USD.
    pub projected_monthly_cost_usd: f64,
    /// Frames skipped, by reason.
    pub skipped: BTreeMap<SkipReason, u64>,
    /// Calls made since start.
    pub calls_total: u64,
}

/// One camera's cost guard: a pure state machine; the caller passes the time.
///
/// [`CostGuard::check`] decides whether a frame goes to Rekognition; [`CostGuard::record`]
/// counts the calls a scan made. The call log holds at most one entry per call in the last
/// 24 hours (bounded by `max_calls_per_day` when set).
///
/// # Examples
///
/// ```
/// use std::time::SystemTime;
/// use ha_aws::vision::{CostGuard, CostSettings, SkipReason, SourceImage, encode_jpeg};
///
/// let mut guard = CostGuard::new(CostSettings { max_calls_per_hour: Some(1), ..CostSettings::default() });
/// let frame = SourceImage::new(encode_jpeg(&image::RgbImage::new(64, 48), 75)?)?;
/// let now = SystemTime::now();
/// assert_eq!(guard.check(&frame, now)?, None);
/// guard.record(1, now);
/// assert_eq!(guard.check(&frame, now)?, Some(SkipReason::HourlyBudget));
/// # Ok::<(), ha_aws::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct CostGuard {
    settings: CostSettings,
    calls: VecDeque<SystemTime>,
    calls_total: u64,
    last_sent: Option<u64>,
    pending: Option<u64>,
    last_seen: Option<Vec<u8>>,
    skipped: BTreeMap<SkipReason, u64>,
}

impl CostGuard {
    /// A guard with `settings` and no calls yet.
    ///
    /// # Examples
    ///
    /// ```
    /// let guard = ha_aws::vision::CostGuard::new(ha_aws::vision::CostSettings::default());
    /// assert!(guard.settings().max_calls_per_day.is_none());
    /// ```
    pub fn new(settings: CostSettings) -> Self {
        Self {
            settings,
            calls: VecDeque::new(),
            calls_total: 0,
            last_sent: None,
            pending: None,
            last_seen: None,
            skipped: BTreeMap::new(),
        }
    }

    /// The settings.
    ///
    /// # Examples
    ///
    /// ```
    /// let guard = ha_aws::vision::CostGuard::new(ha_aws::vision::CostSettings::default());
    /// assert!(!guard.settings().skip_similar_frames);
    /// ```
    pub fn settings(&self) -> &CostSettings {
        &self.settings
    }

    /// Whether `frame` may go to Rekognition at `now`: `None` to send it, or why it is
    /// skipped (and counted). Budgets are checked first, then motion, then similarity.
    ///
    /// # Errors
    ///
    /// [`VisionError::Decode`](crate::VisionError::Decode) when the motion gate or the
    /// similarity check needs the pixels and the frame does not decode.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(guard: &mut ha_aws::vision::CostGuard, frame: &ha_aws::vision::SourceImage) -> Result<(), ha_aws::Error> {
    /// if let Some(reason) = guard.check(frame, std::time::SystemTime::now())? {
    ///     println!("skipped: {reason:?}");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn check(
        &mut self,
        frame: &SourceImage,
        now: SystemTime,
    ) -> Result<Option<SkipReason>, Error> {
        self.forget_before(now);
        let reason = self.budget_reason(now);
        let reason = match reason {
            Some(reason) => Some(reason),
            None => self.content_reason(frame)?,
        };
        if let Some(reason) = reason {
            *self.skipped.entry(reason).or_insert(0) += 1;
        }
        Ok(reason)
    }

    fn budget_reason(&self, now: SystemTime) -> Option<SkipReason> {
        let in_last = |window: Duration| {
            self.calls
                .iter()
                .filter(|at| now.duration_since(**at).is_ok_and(|age| age < window))
                .count()
        };
        let over = |limit: Option<u32>, window| {
            limit.is_some_and(|limit| {
                in_last(window) >= usize::try_from(limit).unwrap_or(usize::MAX)
            })
        };
        if over(self.settings.max_calls_per_day, DAY) {
            Some(SkipReason::DailyBudget)
        } else if over(self.settings.max_calls_per_hour, HOUR) {
            Some(SkipReason::HourlyBudget)
        } else {
            None
        }
    }

    fn content_reason(&mut self, frame: &SourceImage) -> Result<Option<SkipReason>, Error> {
        self.pending = None;
        if !self.settings.skip_similar_frames && self.settings.motion_threshold.is_none() {
            return Ok(None);
        }
        let grey = image::DynamicImage::ImageRgb8(frame.decode()?).into_luma8();
        if let Some(threshold) = self.settings.motion_threshold {
            let thumbnail =
                image::imageops::thumbnail(&grey, MOTION_SIZE.0, MOTION_SIZE.1).into_raw();
            let changed = self
                .last_seen
                .as_ref()
                .map(|last| changed_share(last, &thumbnail));
            self.last_seen = Some(thumbnail);
            if changed.is_some_and(|changed| changed < threshold) {
                return Ok(Some(SkipReason::NoMotion));
            }
        }
        if self.settings.skip_similar_frames {
            let hash = difference_hash(&grey);
            if self
                .last_sent
                .is_some_and(|last| (last ^ hash).count_ones() <= self.settings.similar_distance)
            {
                return Ok(Some(SkipReason::NearDuplicate));
            }
            self.pending = Some(hash);
        }
        Ok(None)
    }

    /// Counts `calls` Rekognition calls made at `now` for the frame last checked; that frame
    /// becomes the one later frames are compared with.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut guard = ha_aws::vision::CostGuard::new(ha_aws::vision::CostSettings::default());
    /// let now = std::time::SystemTime::now();
    /// guard.record(2, now);
    /// assert_eq!(guard.budget(now).calls_last_hour, 2);
    /// ```
    pub fn record(&mut self, calls: usize, now: SystemTime) {
        if let Some(hash) = self.pending.take() {
            self.last_sent = Some(hash);
        }
        self.forget_before(now);
        for _ in 0..calls {
            self.calls.push_back(now);
        }
        self.calls_total += u64::try_from(calls).unwrap_or(u64::MAX);
    }

    /// The budget's state at `now`.
    ///
    /// # Examples
    ///
    /// ```
    /// let guard = ha_aws::vision::CostGuard::new(ha_aws::vision::CostSettings::default());
    /// assert!(guard.budget(std::time::SystemTime::now()).skipped.is_empty());
    /// ```
    pub fn budget(&self, now: SystemTime) -> Budget {
        let in_last = |window: Duration| {
            self.calls
                .iter()
                .filter(|at| now.duration_since(**at).is_ok_and(|age| age < window))
                .count()
        };
        let calls_last_day = in_last(DAY);
        #[expect(clippy::cast_precision_loss, reason = "call counts are far below 2^52")]
        let projected = calls_last_day as f64 * DAYS_PER_MONTH * self.settings.price_per_image_usd;
        Budget {
            calls_last_hour: in_last(HOUR),
            calls_last_day,
            max_calls_per_hour: self.settings.max_calls_per_hour,
            max_calls_per_day: self.settings.max_calls_per_day,
            projected_monthly_cost_usd: projected,
            skipped: self.skipped.clone(),
            calls_total: self.calls_total,
        }
    }

    fn forget_before(&mut self, now: SystemTime) {
        while self
            .calls
            .front()
            .is_some_and(|at| now.duration_since(*at).is_ok_and(|age| age >= DAY))
        {
            self.calls.pop_front();
        }
    }
}

/// The 64-bit difference hash (dHash) of a grey image: shrunk to 9x8, each bit says whether a
/// pixel is brighter than its right neighbour. Near-identical frames differ in few bits.
///
/// # Examples
///
/// ```
/// let grey = image::GrayImage::from_fn(90, 80, |x, _| image::Luma([(x * 2) as u8]));
/// let hash = ha_aws::vision::difference_hash(&grey);
/// assert_eq!(hash, 0, "brightness rises to the right everywhere");
/// ```
pub fn difference_hash(grey: &image::GrayImage) -> u64 {
    let small = image::imageops::resize(grey, 9, 8, image::imageops::FilterType::Triangle);
    let mut hash = 0u64;
    for y in 0..8 {
        for x in 0..8 {
            let left = small.get_pixel(x, y).0[0];
            let right = small.get_pixel(x + 1, y).0[0];
            hash = (hash << 1) | u64::from(left > right);
        }
    }
    hash
}

/// The share of pixels whose brightness moved by more than [`MOTION_PIXEL_DELTA`].
fn changed_share(before: &[u8], after: &[u8]) -> f32 {
    if before.len() != after.len() || after.is_empty() {
        return 1.0;
    }
    let changed = before
        .iter()
        .zip(after)
        .filter(|(a, b)| a.abs_diff(**b) > MOTION_PIXEL_DELTA)
        .count();
    #[expect(clippy::cast_precision_loss, reason = "thumbnails hold 768 pixels")]
    let share = changed as f32 / after.len() as f32;
    share
}

#[cfg(test)]
mod tests {
    use image::{Rgb, RgbImage};

    use super::*;
    use crate::vision::encode_jpeg;

    fn scene(person_at: Option<u32>, noise: u8) -> SourceImage {
        let image = RgbImage::from_fn(320, 240, |x, y| {
            let inside = person_at.is_some_and(|left| (left..left + 80).contains(&x) && y > 60);
            let base = if inside {
                220
            } else {
                ((x / 4 + y / 3) % 160) as u8
            };
            let value = base.saturating_add(if (x + y) % 7 == 0 { noise } else { 0 });
            Rgb([value, value, value])
        });
        SourceImage::new(encode_jpeg(&image, 80).unwrap()).unwrap()
    }

    #[test]
    fn scripted_sequence_skips_duplicates_and_spends_the_budget() {
        let settings = CostSettings {
            max_calls_per_hour: Some(3),
            max_calls_per_day: Some(4),
            skip_similar_frames: true,
            ..CostSettings::default()
        };
        let mut guard = CostGuard::new(settings);
        let start = SystemTime::UNIX_EPOCH + Duration::from_hours(500_000);
        let at = |minutes: u64| start + Duration::from_mins(minutes);
        // (frame, minute, expected outcome)
        let sequence = [
            (scene(None, 0), 0, None),
            (scene(None, 3), 1, Some(SkipReason::NearDuplicate)),
            (scene(Some(40), 0), 2, None),
            (scene(Some(40), 2), 3, Some(SkipReason::NearDuplicate)),
            (scene(Some(200), 0), 4, None),
            (scene(None, 0), 5, Some(SkipReason::HourlyBudget)),
            (scene(None, 0), 70, None),
            (scene(Some(40), 0), 80, Some(SkipReason::DailyBudget)),
        ];
        let mut sent = 0;
        for (frame, minute, expected) in &sequence {
            let outcome = guard.check(frame, at(*minute)).unwrap();
            assert_eq!(outcome, *expected, "minute {minute}");
            if outcome.is_none() {
                guard.record(1, at(*minute));
                sent += 1;
            }
        }
        assert_eq!(sent, 4);
        let budget = guard.budget(at(80));
        assert_eq!(budget.calls_last_day, 4);
        assert_eq!(budget.calls_last_hour, 1);
        assert_eq!(budget.skipped[&SkipReason::NearDuplicate], 2);
        assert_eq!(budget.skipped[&SkipReason::HourlyBudget], 1);
        assert_eq!(budget.skipped[&SkipReason::DailyBudget], 1);
        assert!((budget.projected_monthly_cost_usd - 4.0 * 30.0 * 0.001).abs() < 1e-9);
        // a day later the budget is free again
        assert_eq!(
            guard.check(&scene(Some(120), 0), at(24 * 60 + 1)).unwrap(),
            None
        );
    }

    #[test]
    fn motion_gate_skips_still_frames() {
        let mut guard = CostGuard::new(CostSettings {
            motion_threshold: Some(0.02),
            ..CostSettings::default()
        });
        let now = SystemTime::UNIX_EPOCH;
        assert_eq!(
            guard.check(&scene(None, 0), now).unwrap(),
            None,
            "first frame"
        );
        assert_eq!(
            guard.check(&scene(None, 2), now).unwrap(),
            Some(SkipReason::NoMotion)
        );
        assert_eq!(guard.check(&scene(Some(100), 0), now).unwrap(), None);
    }

    #[test]
    fn hashes_of_unrelated_frames_are_far_apart() {
        let grey = |frame: &SourceImage| {
            image::DynamicImage::ImageRgb8(frame.decode().unwrap()).into_luma8()
        };
        let a = difference_hash(&grey(&scene(None, 0)));
        let b = difference_hash(&grey(&scene(None, 4)));
        let c = difference_hash(&grey(&scene(Some(120), 0)));
        assert!((a ^ b).count_ones() <= DEFAULT_SIMILAR_DISTANCE);
        assert!((a ^ c).count_ones() > DEFAULT_SIMILAR_DISTANCE);
    }
}
