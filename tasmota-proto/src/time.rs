//! The time, uptime and version formats found in Tasmota payloads.

use core::fmt;
use core::time::Duration;

/// Which of the firmware's time formats a [`Time`] was written in.
///
/// # Examples
///
/// ```
/// use tasmota_proto::{Time, TimeFormat};
/// assert_eq!(Time::parse("2018.02.15 01:00:50").unwrap().format(), TimeFormat::Dotted);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeFormat {
    /// `2019-10-31T11:14:59`, optionally with `+02:00` (SetOption52) or `Z`.
    Iso,
    /// `2018.02.15 01:00:50` (5.x).
    Dotted,
    /// `Thu Feb 15 00:00:50 2018` (old StatusTIM).
    Ctime,
}

/// A calendar time as a device reports it (`Time`, `TotalStartTime`, StatusTIM `UTC`/`Local`,
/// StatusPRM `StartupUTC`).
///
/// Devices send local time without an offset unless SetOption52 is set, so the offset is
/// optional and [`Time::unix_timestamp`] needs it.
///
/// # Examples
///
/// ```
/// use tasmota_proto::Time;
///
/// let t = Time::parse("2021-06-27T15:03:44+02:00").unwrap();
/// assert_eq!(t.offset_minutes(), Some(120));
/// assert_eq!(t.unix_timestamp(), Some(1_624_799_024));
/// assert_eq!(t.to_string(), "2021-06-27T15:03:44+02:00");
///
/// let old = Time::parse("Thu Feb 15 00:00:50 2018").unwrap();
/// assert_eq!((old.year(), old.month(), old.day()), (2018, 2, 15));
/// assert_eq!(old.unix_timestamp(), None);
/// assert_eq!(old.unix_timestamp_assuming_utc(), 1_518_652_850);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Time {
    year: u16,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
    millisecond: u16,
    offset_minutes: Option<i16>,
    format: TimeFormat,
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn digits<const N: usize>(s: &[u8]) -> Option<u32> {
    let d = s.get(..N)?;
    d.iter().try_fold(0u32, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
    })
}

const fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        _ => 28,
    }
}

impl Time {
    /// Parses any of the firmware's formats ([`TimeFormat`]); `None` if the text is none of
    /// them or names an impossible date.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::Time;
    /// assert!(Time::parse("2019-10-31T11:14:59").is_some());
    /// assert!(Time::parse("2019-02-29T11:14:59").is_none());
    /// assert!(Time::parse("1970-01-01T00:00:00.123Z").is_some());
    /// ```
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        let b = s.as_bytes();
        if b.get(4) == Some(&b'-') {
            Self::parse_iso(b)
        } else if b.get(4) == Some(&b'.') {
            Self::parse_dotted(b)
        } else {
            Self::parse_ctime(s)
        }
    }

    fn build(
        ymd: (u32, u32, u32),
        hms: (u32, u32, u32),
        millisecond: u32,
        offset_minutes: Option<i32>,
        format: TimeFormat,
    ) -> Option<Self> {
        let (year, month, day) = ymd;
        let (hour, minute, second) = hms;
        if !(1..=12).contains(&month)
            || day == 0
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 60
        {
            return None;
        }
        Some(Self {
            year: u16::try_from(year).ok()?,
            month: u8::try_from(month).ok()?,
            day: u8::try_from(day).ok()?,
            hour: u8::try_from(hour).ok()?,
            minute: u8::try_from(minute).ok()?,
            second: u8::try_from(second).ok()?,
            millisecond: u16::try_from(millisecond).ok()?,
            offset_minutes: offset_minutes.map(i16::try_from).transpose().ok()?,
            format,
        })
    }

    fn parse_hms(b: &[u8]) -> Option<(u32, u32, u32)> {
        if b.get(2) != Some(&b':') || b.get(5) != Some(&b':') {
            return None;
        }
        Some((
            digits::<2>(b)?,
            digits::<2>(&b[3..])?,
            digits::<2>(&b[6..])?,
        ))
    }

    fn parse_iso(b: &[u8]) -> Option<Self> {
        if b.get(7) != Some(&b'-') || !matches!(b.get(10), Some(b'T' | b' ')) {
            return None;
        }
        let ymd = (
            digits::<4>(b)?,
            digits::<2>(&b[5..])?,
            digits::<2>(&b[8..])?,
        );
        let hms = Self::parse_hms(b.get(11..)?)?;
        let mut rest = b.get(19..)?;
        let mut millis = 0;
        if rest.first() == Some(&b'.') {
            let n = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
            if n == 0 {
                return None;
            }
            // Milliseconds from the first three fraction digits.
            for i in 0..3 {
                millis = millis * 10
                    + rest
                        .get(1 + i)
                        .filter(|_| i < n)
                        .map_or(0, |c| u32::from(c - b'0'));
            }
            rest = &rest[1 + n..];
        }
        let offset = match rest {
            [] => None,
            [b'Z'] => Some(0),
            [sign @ (b'+' | b'-'), tail @ ..] => {
                let (h, m) = match tail {
                    [_, _, b':', _, _] => (digits::<2>(tail)?, digits::<2>(&tail[3..])?),
                    [_, _, _, _] => (digits::<2>(tail)?, digits::<2>(&tail[2..])?),
                    [_, _] => (digits::<2>(tail)?, 0),
                    _ => return None,
                };
                if h > 23 || m > 59 {
                    return None;
                }
                let minutes = i32::try_from(h * 60 + m).ok()?;
                Some(if *sign == b'-' { -minutes } else { minutes })
            }
            _ => return None,
        };
        Self::build(ymd, hms, millis, offset, TimeFormat::Iso)
    }

    fn parse_dotted(b: &[u8]) -> Option<Self> {
        if b.len() != 19 || b[7] != b'.' || b[10] != b' ' {
            return None;
        }
        let ymd = (
            digits::<4>(b)?,
            digits::<2>(&b[5..])?,
            digits::<2>(&b[8..])?,
        );
        Self::build(ymd, Self::parse_hms(&b[11..])?, 0, None, TimeFormat::Dotted)
    }

    fn parse_ctime(s: &str) -> Option<Self> {
        let mut parts = s.split_ascii_whitespace();
        let weekday = parts.next()?;
        if weekday.len() != 3 {
            return None;
        }
        let month = parts.next()?;
        let month = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(month))?;
        let day: u32 = parts.next()?.parse().ok()?;
        let time = parts.next()?.as_bytes();
        if time.len() != 8 {
            return None;
        }
        let year: u32 = parts.next()?.parse().ok()?;
        if parts.next().is_some() {
            return None;
        }
        let month = u32::try_from(month).ok()? + 1;
        Self::build(
            (year, month, day),
            Self::parse_hms(time)?,
            0,
            None,
            TimeFormat::Ctime,
        )
    }

    /// The year.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::Time::parse("2019-10-31T11:14:59").unwrap().year(), 2019);
    /// ```
    pub const fn year(&self) -> u16 {
        self.year
    }

    /// The month, 1..=12.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::Time::parse("2019-10-31T11:14:59").unwrap().month(), 10);
    /// ```
    pub const fn month(&self) -> u8 {
        self.month
    }

    /// The day of the month.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::Time::parse("2019-10-31T11:14:59").unwrap().day(), 31);
    /// ```
    pub const fn day(&self) -> u8 {
        self.day
    }

    /// The hour, minute and second.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::Time::parse("2019-10-31T11:14:59").unwrap().hms(), (11, 14, 59));
    /// ```
    pub const fn hms(&self) -> (u8, u8, u8) {
        (self.hour, self.minute, self.second)
    }

    /// The milliseconds, when the text had a fraction.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::Time::parse("2019-10-31T11:14:59.5").unwrap().millisecond(), 500);
    /// ```
    pub const fn millisecond(&self) -> u16 {
        self.millisecond
    }

    /// The offset from UTC in minutes, when the text had one.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::Time::parse("2019-10-31T11:14:59-05:30").unwrap().offset_minutes(), Some(-330));
    /// ```
    pub const fn offset_minutes(&self) -> Option<i16> {
        self.offset_minutes
    }

    /// The format it was written in.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{Time, TimeFormat};
    /// assert_eq!(Time::parse("2019-10-31T11:14:59").unwrap().format(), TimeFormat::Iso);
    /// ```
    pub const fn format(&self) -> TimeFormat {
        self.format
    }

    /// Seconds since 1970-01-01T00:00:00Z, when the offset is known.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::Time::parse("1970-01-02T00:00:00Z").unwrap().unix_timestamp(), Some(86_400));
    /// ```
    pub fn unix_timestamp(&self) -> Option<i64> {
        let offset = i64::from(self.offset_minutes?) * 60;
        Some(self.unix_timestamp_assuming_utc() - offset)
    }

    /// Seconds since the epoch, reading the time as UTC whatever its offset (use it for the
    /// device's local time when the hub knows the device's zone).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::Time::parse("2000-03-01T00:00:00").unwrap().unix_timestamp_assuming_utc(), 951_868_800);
    /// ```
    pub fn unix_timestamp_assuming_utc(&self) -> i64 {
        // Days from civil (proleptic Gregorian), H. Hinnant's algorithm.
        let (y, m, d) = (
            i64::from(self.year),
            i64::from(self.month),
            i64::from(self.day),
        );
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        let days = era * 146_097 + doe - 719_468;
        days * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
    }
}

impl fmt::Display for Time {
    /// ISO 8601, with the offset when known.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )?;
        if self.millisecond > 0 {
            write!(f, ".{:03}", self.millisecond)?;
        }
        if let Some(o) = self.offset_minutes {
            let sign = if o < 0 { '-' } else { '+' };
            let o = o.unsigned_abs();
            write!(f, "{sign}{:02}:{:02}", o / 60, o % 60)?;
        }
        Ok(())
    }
}

/// Which format an [`Uptime`] was written in.
///
/// # Examples
///
/// ```
/// use tasmota_proto::{Uptime, UptimeFormat};
/// assert_eq!(Uptime::parse("1 02:33:26").unwrap().format(), UptimeFormat::DaySpace);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UptimeFormat {
    /// `0T18:36:12` (current).
    DayT,
    /// `1 02:33:26` (5.x).
    DaySpace,
    /// An integer number of hours (2017).
    Hours,
}

/// A device uptime or Wi-Fi downtime.
///
/// # Examples
///
/// ```
/// use tasmota_proto::Uptime;
/// assert_eq!(Uptime::parse("0T18:36:12").unwrap().as_secs(), 66_972);
/// assert_eq!(Uptime::parse("1 02:33:26").unwrap().as_secs(), 95_606);
/// assert_eq!(Uptime::from_hours(68).as_secs(), 244_800);
/// assert!(Uptime::parse("0T25:00:00").is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Uptime {
    seconds: u64,
    format: UptimeFormat,
}

impl Uptime {
    /// Parses `<days>T<hh>:<mm>:<ss>` or `<days> <hh>:<mm>:<ss>`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(tasmota_proto::Uptime::parse("123T00:00:01").is_some());
    /// ```
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        let (days, rest, format) = if let Some((d, r)) = s.split_once('T') {
            (d, r, UptimeFormat::DayT)
        } else {
            let (d, r) = s.split_once(' ')?;
            (d, r, UptimeFormat::DaySpace)
        };
        if days.is_empty() || !days.bytes().all(|b| b.is_ascii_digit()) || rest.len() != 8 {
            return None;
        }
        let days: u64 = days.parse().ok()?;
        let (h, m, sec) = Time::parse_hms(rest.as_bytes())?;
        if h > 23 || m > 59 || sec > 59 {
            return None;
        }
        let seconds = days
            .checked_mul(86_400)?
            .checked_add(u64::from(h * 3600 + m * 60 + sec))?;
        Some(Self { seconds, format })
    }

    /// An uptime given in whole hours, as 2017 firmware reported it.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{Uptime, UptimeFormat};
    /// assert_eq!(Uptime::from_hours(1).format(), UptimeFormat::Hours);
    /// ```
    pub const fn from_hours(hours: u64) -> Self {
        Self {
            seconds: hours.saturating_mul(3600),
            format: UptimeFormat::Hours,
        }
    }

    /// The uptime in seconds.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::Uptime::parse("0T00:01:00").unwrap().as_secs(), 60);
    /// ```
    pub const fn as_secs(&self) -> u64 {
        self.seconds
    }

    /// The uptime as a [`Duration`].
    ///
    /// # Examples
    ///
    /// ```
    /// use core::time::Duration;
    /// assert_eq!(tasmota_proto::Uptime::parse("0T00:00:05").unwrap().as_duration(), Duration::from_secs(5));
    /// ```
    pub const fn as_duration(&self) -> Duration {
        Duration::from_secs(self.seconds)
    }

    /// The format it was written in.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{Uptime, UptimeFormat};
    /// assert_eq!(Uptime::parse("0T00:00:05").unwrap().format(), UptimeFormat::DayT);
    /// ```
    pub const fn format(&self) -> UptimeFormat {
        self.format
    }
}

/// A firmware version such as `7.0.0.3(tasmota)` or `13.4.0.2(tasmota32)`.
///
/// Ordered by its numbers; the build image (`tasmota`, `sonoff`, `release-tasmota`) and any
/// suffix are kept but not compared.
///
/// # Examples
///
/// ```
/// use tasmota_proto::Version;
///
/// let v = Version::parse("7.0.0.3(tasmota)").unwrap();
/// assert_eq!(v.numbers(), [7, 0, 0, 3]);
/// assert_eq!(v.image(), Some("tasmota"));
/// assert!(Version::parse("8.5.1").unwrap() < Version::parse("9.0.0.3").unwrap());
/// assert!(v.at_least(6, 6));
/// ```
#[derive(Debug, Clone, Copy, Eq, Hash)]
pub struct Version<'a> {
    numbers: [u16; 4],
    image: Option<&'a str>,
    raw: &'a str,
}

impl<'a> Version<'a> {
    /// Parses `<major>.<minor>[.<patch>[.<build>]][(<image>)]<anything>`; `None` if it does
    /// not start with two numbers.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(tasmota_proto::Version::parse("12.5.0(release-tasmota)").is_some());
    /// assert!(tasmota_proto::Version::parse("unknown").is_none());
    /// ```
    pub fn parse(raw: &'a str) -> Option<Self> {
        let s = raw.trim();
        let end = s
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(s.len());
        let mut numbers = [0u16; 4];
        let mut count = 0;
        for part in s[..end].split('.') {
            *numbers.get_mut(count)? = part.parse().ok()?;
            count += 1;
        }
        if count < 2 {
            return None;
        }
        let image = s[end..]
            .strip_prefix('(')
            .and_then(|r| r.split_once(')'))
            .map(|(image, _)| image);
        Some(Self {
            numbers,
            image,
            raw,
        })
    }

    /// Major, minor, patch and build numbers (missing ones are 0).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::Version::parse("8.4.0.2").unwrap().numbers(), [8, 4, 0, 2]);
    /// ```
    pub const fn numbers(&self) -> [u16; 4] {
        self.numbers
    }

    /// The build image in parentheses, if any.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::Version::parse("9.0.0.2(sonoff)").unwrap().image(), Some("sonoff"));
    /// ```
    pub const fn image(&self) -> Option<&'a str> {
        self.image
    }

    /// The text as reported.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::Version::parse("8.4.0.2").unwrap().raw(), "8.4.0.2");
    /// ```
    pub const fn raw(&self) -> &'a str {
        self.raw
    }

    /// Whether this is `major.minor` or later.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!tasmota_proto::Version::parse("8.5.1").unwrap().at_least(9, 0));
    /// ```
    pub fn at_least(&self, major: u16, minor: u16) -> bool {
        (self.numbers[0], self.numbers[1]) >= (major, minor)
    }
}

impl PartialEq for Version<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.numbers == other.numbers
    }
}

impl PartialOrd for Version<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Version<'_> {
    fn cmp(&self, other: &Self) -> core::cmp::Ordering {
        self.numbers.cmp(&other.numbers)
    }
}

impl fmt::Display for Version<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_time_matches_known_dates() {
        let t = Time::parse("2019-10-31T11:14:59").unwrap();
        assert_eq!(t.unix_timestamp_assuming_utc(), 1_572_520_499);
        let t = Time::parse("1969-12-31T23:59:59Z").unwrap();
        assert_eq!(t.unix_timestamp(), Some(-1));
        let t = Time::parse("2024-02-29T12:00:00+0530").unwrap();
        assert_eq!(t.offset_minutes(), Some(330));
    }

    #[test]
    fn rejects_malformed_times() {
        for s in [
            "",
            "2019-10-31",
            "2019-13-01T00:00:00",
            "2019-10-31T24:00:00",
            "2019-10-31T11:14:59+",
            "2019-10-31T11:14:59.",
            "2019-10-31T11:14:59+25:00",
            "Xyz Feb 15 00:00:50",
            "Thu Foo 15 00:00:50 2018",
            "2018.02.15 01:00",
            "١٩٧٠-01-01T00:00:00",
        ] {
            assert!(Time::parse(s).is_none(), "{s}");
        }
    }

    #[test]
    fn displays_fraction_and_offset() {
        let t = Time::parse("2019-10-31T11:14:59.25-01:30").unwrap();
        assert_eq!(alloc::format!("{t}"), "2019-10-31T11:14:59.250-01:30");
    }

    #[test]
    fn uptime_rejects_garbage() {
        for s in [
            "",
            "T",
            "0T1:00:00",
            "xT00:00:00",
            "0T00:60:00",
            "99999999999999999999T00:00:00",
        ] {
            assert!(Uptime::parse(s).is_none(), "{s}");
        }
    }
}
