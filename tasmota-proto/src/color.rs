//! Light colours: `Color` in hex or decimal form and `HSBColor`.

use core::fmt;

/// A light colour of 1 to 5 channels (R, G, B, then cold and warm white), as in `Color`.
///
/// The firmware reports it as hex (`"Color":"FF8000"`) or, with SetOption17, as decimals
/// (`"Color":"255,128,0"`); both parse. Encoding picks the form with [`ColorFormat`].
///
/// # Examples
///
/// ```
/// use tasmota_proto::{Color, ColorFormat};
///
/// let c = Color::parse("FF8000").unwrap();
/// assert_eq!(c, Color::rgb(255, 128, 0));
/// assert_eq!(Color::parse("255,128,0"), Some(c));
/// assert_eq!(c.display(ColorFormat::Hex).to_string(), "#FF8000");
/// assert_eq!(c.display(ColorFormat::Decimal).to_string(), "255,128,0");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Color {
    channels: [u8; 5],
    len: u8,
}

/// How a [`Color`] is written: SetOption17 0 (hex) or 1 (decimal).
///
/// # Examples
///
/// ```
/// assert_eq!(tasmota_proto::ColorFormat::default(), tasmota_proto::ColorFormat::Hex);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ColorFormat {
    /// `#RRGGBB[CW[WW]]`.
    #[default]
    Hex,
    /// `r,g,b[,cw[,ww]]`.
    Decimal,
}

impl Color {
    /// Red, green and blue.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::Color::rgb(1, 2, 3).channels(), &[1, 2, 3]);
    /// ```
    pub const fn rgb(r: u8, g: u8, b: u8) -> Self {
        Self {
            channels: [r, g, b, 0, 0],
            len: 3,
        }
    }

    /// Red, green, blue, cold white and warm white.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::Color::rgbcw(1, 2, 3, 4, 5).channels().len(), 5);
    /// ```
    pub const fn rgbcw(r: u8, g: u8, b: u8, cw: u8, ww: u8) -> Self {
        Self {
            channels: [r, g, b, cw, ww],
            len: 5,
        }
    }

    /// From 1 to 5 channel values; `None` for 0 or more than 5.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(tasmota_proto::Color::from_channels(&[1, 2, 3, 4]).is_some());
    /// assert!(tasmota_proto::Color::from_channels(&[]).is_none());
    /// ```
    pub fn from_channels(values: &[u8]) -> Option<Self> {
        if values.is_empty() || values.len() > 5 {
            return None;
        }
        let mut channels = [0; 5];
        channels[..values.len()].copy_from_slice(values);
        Some(Self {
            channels,
            len: u8::try_from(values.len()).ok()?,
        })
    }

    /// The channel values.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::Color::rgb(9, 8, 7).channels()[0], 9);
    /// ```
    pub fn channels(&self) -> &[u8] {
        &self.channels[..usize::from(self.len)]
    }

    /// Parses a hex colour (`FF8000`, `#FF8000`, 2 to 10 digits, whole channels only) or a
    /// decimal one (`255,128,0`, 1 to 5 values of 0..=255).
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::Color;
    /// assert_eq!(Color::parse("#0000FF00FF").unwrap().channels(), &[0, 0, 255, 0, 255]);
    /// assert_eq!(Color::parse("256,0,0"), None);
    /// assert_eq!(Color::parse("FFF"), None);
    /// ```
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        let mut channels = [0u8; 5];
        let mut len = 0;
        if s.contains(',') {
            for part in s.split(',') {
                *channels.get_mut(len)? = part.trim().parse().ok()?;
                len += 1;
            }
        } else {
            let hex = s.strip_prefix('#').unwrap_or(s).as_bytes();
            if hex.is_empty() || !hex.len().is_multiple_of(2) || hex.len() > 10 {
                return None;
            }
            for pair in hex.chunks(2) {
                let hi = char::from(pair[0]).to_digit(16)?;
                let lo = char::from(pair[1]).to_digit(16)?;
                *channels.get_mut(len)? = u8::try_from(hi * 16 + lo).ok()?;
                len += 1;
            }
        }
        Self::from_channels(&channels[..len])
    }

    /// A [`Display`](fmt::Display) of the colour in `format`.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{Color, ColorFormat};
    /// assert_eq!(Color::rgb(0, 16, 255).display(ColorFormat::Hex).to_string(), "#0010FF");
    /// ```
    pub const fn display(&self, format: ColorFormat) -> ColorDisplay {
        ColorDisplay {
            color: *self,
            format,
        }
    }
}

/// A [`Color`] written in one [`ColorFormat`], from [`Color::display`].
///
/// # Examples
///
/// ```
/// use tasmota_proto::{Color, ColorFormat};
/// let d = Color::rgb(1, 2, 3).display(ColorFormat::Decimal);
/// assert_eq!(format!("{d}"), "1,2,3");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ColorDisplay {
    color: Color,
    format: ColorFormat,
}

impl fmt::Display for ColorDisplay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.format {
            ColorFormat::Hex => {
                f.write_str("#")?;
                for c in self.color.channels() {
                    write!(f, "{c:02X}")?;
                }
            }
            ColorFormat::Decimal => {
                for (i, c) in self.color.channels().iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{c}")?;
                }
            }
        }
        Ok(())
    }
}

/// Hue (0..=360), saturation (0..=100) and brightness (0..=100), as in `HSBColor`.
///
/// # Examples
///
/// ```
/// use tasmota_proto::Hsb;
/// let hsb = Hsb::parse("30,100,0").unwrap();
/// assert_eq!((hsb.hue(), hsb.saturation(), hsb.brightness()), (30, 100, 0));
/// assert_eq!(hsb.to_string(), "30,100,0");
/// assert!(Hsb::new(361, 0, 0).is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Hsb {
    hue: u16,
    saturation: u8,
    brightness: u8,
}

impl Hsb {
    /// A colour from its parts; `None` when one is out of range.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(tasmota_proto::Hsb::new(360, 100, 100).is_some());
    /// ```
    pub const fn new(hue: u16, saturation: u8, brightness: u8) -> Option<Self> {
        if hue > 360 || saturation > 100 || brightness > 100 {
            return None;
        }
        Some(Self {
            hue,
            saturation,
            brightness,
        })
    }

    /// Parses `h,s,b`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(tasmota_proto::Hsb::parse("360,100,100").is_some());
    /// assert!(tasmota_proto::Hsb::parse("1,2").is_none());
    /// ```
    pub fn parse(s: &str) -> Option<Self> {
        let mut parts = s.split(',').map(str::trim);
        let hue = parts.next()?.parse().ok()?;
        let saturation = parts.next()?.parse().ok()?;
        let brightness = parts.next()?.parse().ok()?;
        if parts.next().is_some() {
            return None;
        }
        Self::new(hue, saturation, brightness)
    }

    /// The hue in degrees.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::Hsb::new(120, 0, 0).unwrap().hue(), 120);
    /// ```
    pub const fn hue(&self) -> u16 {
        self.hue
    }

    /// The saturation in percent.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::Hsb::new(0, 50, 0).unwrap().saturation(), 50);
    /// ```
    pub const fn saturation(&self) -> u8 {
        self.saturation
    }

    /// The brightness in percent.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::Hsb::new(0, 0, 75).unwrap().brightness(), 75);
    /// ```
    pub const fn brightness(&self) -> u8 {
        self.brightness
    }
}

impl fmt::Display for Hsb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{},{},{}", self.hue, self.saturation, self.brightness)
    }
}
