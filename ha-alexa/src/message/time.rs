//! Timestamps in the form Alexa requires.

use core::fmt;
use core::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::error::ValidationError;

/// A UTC instant with millisecond precision, written the way Alexa requires.
///
/// Alexa's v3 schema accepts `YYYY-MM-DDThh:mm:ssZ` with at most three fractional digits
/// and rejects offsets such as `+00:00` and microseconds. A `Timestamp` is written with
/// no fraction when it falls on a whole second and with exactly three digits otherwise
/// (`2024-05-01T12:00:00Z`, `2024-05-01T12:00:00.250Z`). Years 1000 to 9999 are
/// representable, as the schema's pattern demands.
///
/// Parsing is lenient, because it reads what other software wrote: any number of
/// fractional digits (truncated to milliseconds) and a `+00:00` offset are accepted.
///
/// # Examples
///
/// ```
/// use ha_alexa::Timestamp;
///
/// let at = Timestamp::from_unix_millis(1_714_564_800_250)?;
/// assert_eq!(at.to_string(), "2024-05-01T12:00:00.250Z");
/// let parsed: Timestamp = "2024-05-01T12:00:00.250123+00:00".parse()?;
/// assert_eq!(parsed, at);
/// assert_eq!(at.to_whole_seconds().to_string(), "2024-05-01T12:00:00Z");
/// # Ok::<(), ha_alexa::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    unix_millis: i64,
}

/// Milliseconds from the Unix epoch to 1000-01-01T00:00:00Z.
const MIN_MILLIS: i64 = -30_610_224_000_000;
/// Milliseconds from the Unix epoch to 9999-12-31T23:59:59.999Z.
const MAX_MILLIS: i64 = 253_402_300_799_999;

impl Timestamp {
    /// The earliest representable instant, 1000-01-01T00:00:00Z.
    pub const MIN: Self = Self {
        unix_millis: MIN_MILLIS,
    };
    /// The latest representable instant, 9999-12-31T23:59:59.999Z.
    pub const MAX: Self = Self {
        unix_millis: MAX_MILLIS,
    };

    /// The instant `millis` milliseconds after 1970-01-01T00:00:00Z.
    ///
    /// # Errors
    ///
    /// [`ValidationError::Timestamp`] when the instant falls outside the years 1000 to 9999.
    pub fn from_unix_millis(millis: i64) -> Result<Self, ValidationError> {
        if (MIN_MILLIS..=MAX_MILLIS).contains(&millis) {
            Ok(Self {
                unix_millis: millis,
            })
        } else {
            Err(ValidationError::Timestamp {
                value: millis.to_string(),
                reason: "outside the years 1000 to 9999",
            })
        }
    }

    /// The instant `seconds` seconds after 1970-01-01T00:00:00Z.
    ///
    /// # Errors
    ///
    /// [`ValidationError::Timestamp`] when the instant falls outside the years 1000 to 9999.
    pub fn from_unix_seconds(seconds: i64) -> Result<Self, ValidationError> {
        seconds
            .checked_mul(1000)
            .ok_or(ValidationError::Timestamp {
                value: seconds.to_string(),
                reason: "outside the years 1000 to 9999",
            })
            .and_then(Self::from_unix_millis)
    }

    /// The instant `time` denotes.
    ///
    /// # Errors
    ///
    /// [`ValidationError::Timestamp`] when the instant falls outside the years 1000 to 9999.
    pub fn from_system_time(time: SystemTime) -> Result<Self, ValidationError> {
        let millis = match time.duration_since(UNIX_EPOCH) {
            Ok(after) => i64::try_from(after.as_millis()).unwrap_or(i64::MAX),
            Err(before) => {
                let before = before.duration();
                // Round towards the past so that the instant never moves forward.
                let whole = i64::try_from(before.as_millis()).unwrap_or(i64::MAX);
                let partial = i64::from(before.as_nanos() % 1_000_000 != 0);
                whole.saturating_add(partial).saturating_neg()
            }
        };
        Self::from_unix_millis(millis)
    }

    /// The current time from the system clock.
    ///
    /// A clock set outside the years 1000 to 9999 is clamped to the nearest representable instant.
    pub fn now() -> Self {
        let now = SystemTime::now();
        Self::from_system_time(now).unwrap_or(if now < UNIX_EPOCH {
            Self::MIN
        } else {
            Self::MAX
        })
    }

    /// Milliseconds since 1970-01-01T00:00:00Z.
    pub const fn unix_millis(self) -> i64 {
        self.unix_millis
    }

    /// The same instant with its milliseconds dropped.
    ///
    /// Some fields (DoorbellPress `timestamp`, TimeHoldController `holdStartTime`) must not
    /// carry a fraction at all.
    #[must_use]
    pub const fn to_whole_seconds(self) -> Self {
        Self {
            unix_millis: self.unix_millis.div_euclid(1000) * 1000,
        }
    }

    /// The instant `millis` milliseconds later, clamped to [`Timestamp::MAX`] / [`Timestamp::MIN`].
    #[must_use]
    pub fn saturating_add_millis(self, millis: i64) -> Self {
        Self {
            unix_millis: self
                .unix_millis
                .saturating_add(millis)
                .clamp(MIN_MILLIS, MAX_MILLIS),
        }
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.unix_millis.div_euclid(86_400_000);
        let in_day = self.unix_millis.rem_euclid(86_400_000);
        let (year, month, day) = civil_from_days(days);
        let (hour, minute, second, millis) = (
            in_day / 3_600_000,
            in_day / 60_000 % 60,
            in_day / 1000 % 60,
            in_day % 1000,
        );
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}"
        )?;
        if millis != 0 {
            write!(f, ".{millis:03}")?;
        }
        f.write_str("Z")
    }
}

impl FromStr for Timestamp {
    type Err = ValidationError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = |reason| ValidationError::Timestamp {
            value: text.to_owned(),
            reason,
        };
        let bytes = text.as_bytes();
        let digits = |range: core::ops::Range<usize>| -> Result<i64, ValidationError> {
            let part = bytes
                .get(range)
                .ok_or_else(|| invalid("too short for YYYY-MM-DDThh:mm:ss"))?;
            part.iter().try_fold(0_i64, |acc, &b| {
                if b.is_ascii_digit() {
                    Ok(acc * 10 + i64::from(b - b'0'))
                } else {
                    Err(invalid("expected YYYY-MM-DDThh:mm:ss"))
                }
            })
        };
        let separators = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
        if separators
            .iter()
            .any(|&(at, sep)| bytes.get(at) != Some(&sep))
        {
            return Err(invalid("expected YYYY-MM-DDThh:mm:ss"));
        }
        let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
        let (hour, minute, second) = (digits(11..13)?, digits(14..16)?, digits(17..19)?);
        if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
            return Err(invalid("no such date"));
        }
        if hour > 23 || minute > 59 || second > 59 {
            return Err(invalid("no such time of day"));
        }
        let mut rest = bytes.get(19..).unwrap_or_default();
        let mut millis = 0;
        if let Some((b'.', fraction)) = rest.split_first() {
            let count = fraction.iter().take_while(|b| b.is_ascii_digit()).count();
            if count == 0 {
                return Err(invalid("expected digits after '.'"));
            }
            millis = fraction
                .iter()
                .take(count.min(3))
                .fold(0, |acc, &b| acc * 10 + i64::from(b - b'0'));
            millis *= [100, 10, 1][count.min(3) - 1];
            rest = fraction.get(count..).unwrap_or_default();
        }
        if rest != b"Z" && rest != b"+00:00" {
            return Err(invalid("expected UTC, written Z"));
        }
        let unix_millis = ((days_from_civil(year, month, day) * 24 + hour) * 60 + minute) * 60_000
            + second * 1000
            + millis;
        Self::from_unix_millis(unix_millis).map_err(|_| invalid("outside the years 1000 to 9999"))
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A [`Timestamp`] in whole seconds, for the fields Alexa requires without a fraction
/// (TimeHoldController `holdStartTime` and `holdEndTime`, DoorbellPress `timestamp`).
///
/// Building one drops the milliseconds, so a value encodes to exactly what it holds.
///
/// # Examples
///
/// ```
/// use ha_alexa::message::WholeSeconds;
/// use ha_alexa::Timestamp;
///
/// let at = WholeSeconds::from(Timestamp::from_unix_millis(1_714_564_800_999)?);
/// assert_eq!(at.get().unix_millis(), 1_714_564_800_000);
/// assert_eq!(serde_json::to_string(&at).unwrap(), r#""2024-05-01T12:00:00Z""#);
/// # Ok::<(), ha_alexa::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct WholeSeconds(Timestamp);

impl WholeSeconds {
    /// The timestamp.
    pub const fn get(self) -> Timestamp {
        self.0
    }
}

impl From<Timestamp> for WholeSeconds {
    fn from(timestamp: Timestamp) -> Self {
        Self(timestamp.to_whole_seconds())
    }
}

impl<'de> serde::Deserialize<'de> for WholeSeconds {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Timestamp::deserialize(deserializer).map(Self::from)
    }
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The proleptic Gregorian date `days` days after 1970-01-01 (H. Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    (year_of_era + era * 400 + i64::from(month <= 2), month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_whole_seconds_without_fraction_and_milliseconds_with_three_digits() {
        let cases = [
            (0, "1970-01-01T00:00:00Z"),
            (1, "1970-01-01T00:00:00.001Z"),
            (-1, "1969-12-31T23:59:59.999Z"),
            (951_782_400_000, "2000-02-29T00:00:00Z"),
            (1_714_564_800_120, "2024-05-01T12:00:00.120Z"),
            (MIN_MILLIS, "1000-01-01T00:00:00Z"),
            (MAX_MILLIS, "9999-12-31T23:59:59.999Z"),
        ];
        for (millis, text) in cases {
            let at = Timestamp::from_unix_millis(millis).unwrap();
            assert_eq!(at.to_string(), text);
            assert_eq!(text.parse::<Timestamp>().unwrap(), at, "{text}");
        }
    }

    #[test]
    fn reads_what_other_software_writes() {
        let at = Timestamp::from_unix_millis(1_714_564_800_123).unwrap();
        for text in [
            "2024-05-01T12:00:00.123456Z",
            "2024-05-01T12:00:00.1239+00:00",
            "2024-05-01T12:00:00.123Z",
        ] {
            assert_eq!(text.parse::<Timestamp>().unwrap(), at, "{text}");
        }
        assert_eq!(
            "2024-05-01T12:00:00.5Z"
                .parse::<Timestamp>()
                .unwrap()
                .unix_millis()
                % 1000,
            500
        );
        assert_eq!(
            "2024-05-01T12:00:00.0Z"
                .parse::<Timestamp>()
                .unwrap()
                .unix_millis()
                % 1000,
            0
        );
    }

    #[test]
    fn rejects_what_is_not_a_utc_instant() {
        for text in [
            "",
            "2024-05-01",
            "2024-05-01T12:00:00",
            "2024-05-01T12:00:00+01:00",
            "2024-05-01 12:00:00Z",
            "2024-02-30T12:00:00Z",
            "2023-02-29T12:00:00Z",
            "2024-13-01T12:00:00Z",
            "2024-05-01T24:00:00Z",
            "2024-05-01T12:00:00.Z",
            "2024-05-01T12:00:00ZZ",
            "0999-12-31T23:59:59Z",
            "2024-05-01T12:0a:00Z",
            "٢٠٢٤-05-01T12:00:00Z",
        ] {
            assert!(text.parse::<Timestamp>().is_err(), "{text:?} parsed");
        }
    }

    #[test]
    fn civil_conversion_is_exact_for_every_day_of_four_centuries() {
        let start = days_from_civil(1900, 1, 1);
        for days in start..start + 146_097 {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
            assert!((1..=days_in_month(y, m)).contains(&d));
        }
    }

    #[test]
    fn range_limits_and_truncation() {
        assert!(Timestamp::from_unix_millis(MIN_MILLIS - 1).is_err());
        assert!(Timestamp::from_unix_millis(MAX_MILLIS + 1).is_err());
        assert!(Timestamp::from_unix_seconds(i64::MAX).is_err());
        let before_epoch = Timestamp::from_unix_millis(-1500).unwrap();
        assert_eq!(before_epoch.to_whole_seconds().unix_millis(), -2000);
        assert_eq!(Timestamp::MAX.saturating_add_millis(5), Timestamp::MAX);
        let past = UNIX_EPOCH - std::time::Duration::from_micros(1500);
        assert_eq!(Timestamp::from_system_time(past).unwrap().unix_millis(), -2);
    }
}
