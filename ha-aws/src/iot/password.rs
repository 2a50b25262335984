//! The secrets of the authorizer: passwords, the per-device key, and where its policies apply.

use core::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{KeyInit as _, Mac as _};
use subtle::ConstantTimeEq as _;

use crate::error::ConfigError;

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// Bytes of HMAC-SHA256 kept in a per-device password: 144 bits, 24 base64 characters without
/// padding (the length of TasmotaAuth's passwords, within the firmware's password buffer).
const DEVICE_PASSWORD_BYTES: usize = 18;

/// A password. `Debug` prints `"***"`; there is no `Display`.
///
/// # Examples
///
/// ```
/// let password = ha_aws::iot::Password::new("YknLuSd2tBY2HodwI/7RqA==");
/// assert_eq!(format!("{password:?}"), "\"***\"");
/// assert_eq!(password.expose(), "YknLuSd2tBY2HodwI/7RqA==");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// Wraps a password.
    ///
    /// # Examples
    ///
    /// ```
    /// let password = ha_aws::iot::Password::new("hunter22");
    /// # let _ = password;
    /// ```
    pub fn new(password: impl Into<String>) -> Self {
        Self(password.into())
    }

    /// A random password of 16 bytes from the OS, base64-encoded (24 characters), as TasmotaAuth
    /// generates them.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Random`] when the OS has no random source.
    ///
    /// # Examples
    ///
    /// ```
    /// let password = ha_aws::iot::Password::generate()?;
    /// assert_eq!(password.expose().len(), 24);
    /// # Ok::<(), ha_aws::ConfigError>(())
    /// ```
    pub fn generate() -> Result<Self, ConfigError> {
        let mut bytes = [0; 16];
        random(&mut bytes)?;
        Ok(Self(BASE64.encode(bytes)))
    }

    /// The password itself, to hand to the device.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::iot::Password::new("hunter22").expose(), "hunter22");
    /// ```
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether `candidate` is this password, in time independent of where they differ.
    fn matches(&self, candidate: &[u8]) -> bool {
        self.0.as_bytes().ct_eq(candidate).into()
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"***\"")
    }
}

/// The key from which each device's password is derived: the password of user name `u` is the
/// first 18 bytes of HMAC-SHA256(key, `u`) in base64. One leaked device password opens only that
/// device's topics, and the authorizer needs no database. `Debug` prints `"***"`.
///
/// # Examples
///
/// ```
/// use ha_aws::iot::DeviceKey;
///
/// let key = DeviceKey::new([7; 32])?;
/// let kitchen = key.password("kitchen");
/// assert_eq!(kitchen.expose().len(), 24);
/// assert_ne!(kitchen, key.password("garage"));
/// assert_eq!(format!("{key:?}"), "DeviceKey(\"***\")");
/// # Ok::<(), ha_aws::ConfigError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct DeviceKey(Vec<u8>);

impl DeviceKey {
    /// The shortest key accepted, in bytes (the output size of SHA-256).
    pub const MIN_LEN: usize = 32;

    /// A key from its bytes.
    ///
    /// # Errors
    ///
    /// [`ConfigError::WeakKey`] when the key has fewer than [`DeviceKey::MIN_LEN`] bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(ha_aws::iot::DeviceKey::new([7; 16]).is_err());
    /// ```
    pub fn new(key: impl Into<Vec<u8>>) -> Result<Self, ConfigError> {
        let key = key.into();
        if key.len() < Self::MIN_LEN {
            return Err(ConfigError::WeakKey {
                len: key.len(),
                min: Self::MIN_LEN,
            });
        }
        Ok(Self(key))
    }

    /// A key from its base64 text (as kept in the authorizer's environment).
    ///
    /// # Errors
    ///
    /// [`ConfigError::KeyEncoding`] when the text is not base64, [`ConfigError::WeakKey`] when
    /// it is too short.
    ///
    /// # Examples
    ///
    /// ```
    /// let key = ha_aws::iot::DeviceKey::from_base64("BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=")?;
    /// assert_eq!(key, ha_aws::iot::DeviceKey::new([7; 32])?);
    /// # Ok::<(), ha_aws::ConfigError>(())
    /// ```
    pub fn from_base64(text: &str) -> Result<Self, ConfigError> {
        let bytes = BASE64
            .decode(text.trim())
            .map_err(|_| ConfigError::KeyEncoding)?;
        Self::new(bytes)
    }

    /// A random key of 32 bytes from the OS.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Random`] when the OS has no random source.
    ///
    /// # Examples
    ///
    /// ```
    /// let key = ha_aws::iot::DeviceKey::generate()?;
    /// assert_eq!(ha_aws::iot::DeviceKey::from_base64(&key.to_base64())?, key);
    /// # Ok::<(), ha_aws::ConfigError>(())
    /// ```
    pub fn generate() -> Result<Self, ConfigError> {
        let mut key = vec![0; Self::MIN_LEN];
        random(&mut key)?;
        Ok(Self(key))
    }

    /// The key in base64, to store in the authorizer's environment.
    ///
    /// # Examples
    ///
    /// ```
    /// let key = ha_aws::iot::DeviceKey::new([7; 32])?;
    /// assert_eq!(key.to_base64(), "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=");
    /// # Ok::<(), ha_aws::ConfigError>(())
    /// ```
    pub fn to_base64(&self) -> String {
        BASE64.encode(&self.0)
    }

    /// The password of the device whose MQTT user name (before any `?`) is `user`.
    ///
    /// # Examples
    ///
    /// ```
    /// let key = ha_aws::iot::DeviceKey::new([7; 32])?;
    /// assert_eq!(key.password("kitchen"), key.password("kitchen"));
    /// # Ok::<(), ha_aws::ConfigError>(())
    /// ```
    pub fn password(&self, user: &str) -> Password {
        Password(BASE64.encode(self.tag(user)))
    }

    /// The truncated HMAC of `user`.
    fn tag(&self, user: &str) -> [u8; DEVICE_PASSWORD_BYTES] {
        let mut mac = HmacSha256::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(user.as_bytes());
        let full = mac.finalize().into_bytes();
        let mut tag = [0; DEVICE_PASSWORD_BYTES];
        tag.copy_from_slice(&full[..DEVICE_PASSWORD_BYTES]);
        tag
    }

    /// Whether `candidate` is the password of `user`, in time independent of where they differ.
    fn matches(&self, user: &str, candidate: &[u8]) -> bool {
        let mut expected = [0; 24];
        let len = BASE64
            .encode_slice(self.tag(user), &mut expected)
            .unwrap_or_else(|_| unreachable!("18 bytes are 24 base64 characters"));
        expected[..len].ct_eq(candidate).into()
    }
}

impl fmt::Debug for DeviceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DeviceKey(\"***\")")
    }
}

/// How the authorizer checks passwords.
///
/// # Examples
///
/// ```
/// use ha_aws::iot::{DeviceKey, Password, Passwords};
///
/// let tasmota_auth = Passwords::shared(Password::new("YknLuSd2tBY2HodwI/7RqA=="))
///     .with_rotation(Password::new("p0K5N1Vy3mC7J8uX4dQe2w=="));
/// let per_device = Passwords::per_device(DeviceKey::new([7; 32])?);
/// assert!(format!("{tasmota_auth:?}").contains("***"));
/// # let _ = per_device;
/// # Ok::<(), ha_aws::ConfigError>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Passwords {
    /// One password for every device, as TasmotaAuth (its `PASSWD`), and optionally a second
    /// one accepted too (its `PASSWD2`) while devices move to a new password.
    Shared {
        /// The password.
        primary: Password,
        /// The password also accepted during a rotation.
        rotation: Option<Password>,
    },
    /// Each device's own password, derived from its user name.
    PerDevice(DeviceKey),
}

impl Passwords {
    /// One password for every device.
    ///
    /// # Examples
    ///
    /// ```
    /// let passwords = ha_aws::iot::Passwords::shared(ha_aws::iot::Password::new("hunter22"));
    /// # let _ = passwords;
    /// ```
    pub fn shared(password: Password) -> Self {
        Self::Shared {
            primary: password,
            rotation: None,
        }
    }

    /// Each device's own password, derived from its user name with `key`.
    ///
    /// # Examples
    ///
    /// ```
    /// let passwords = ha_aws::iot::Passwords::per_device(ha_aws::iot::DeviceKey::new([7; 32])?);
    /// # let _ = passwords;
    /// # Ok::<(), ha_aws::ConfigError>(())
    /// ```
    pub fn per_device(key: DeviceKey) -> Self {
        Self::PerDevice(key)
    }

    /// Also accepts `password` (shared mode only; per-device keys rotate by a new key).
    ///
    /// # Examples
    ///
    /// See [`Passwords`].
    #[must_use]
    pub fn with_rotation(self, password: Password) -> Self {
        match self {
            Self::Shared { primary, .. } => Self::Shared {
                primary,
                rotation: Some(password),
            },
            other @ Self::PerDevice(_) => other,
        }
    }

    /// The password `user` must send.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_aws::iot::{Password, Passwords};
    /// let shared = Passwords::shared(Password::new("hunter22"));
    /// assert_eq!(shared.password_of("kitchen").expose(), "hunter22");
    /// ```
    pub fn password_of(&self, user: &str) -> Password {
        match self {
            Self::Shared { primary, .. } => primary.clone(),
            Self::PerDevice(key) => key.password(user),
        }
    }

    /// Whether `candidate` is a password of `user`. Every accepted password is compared, each in
    /// constant time, so the time says nothing about which one nearly matched.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_aws::iot::{DeviceKey, Passwords};
    /// let key = DeviceKey::new([7; 32])?;
    /// let passwords = Passwords::per_device(key.clone());
    /// assert!(passwords.accepts("kitchen", key.password("kitchen").expose().as_bytes()));
    /// assert!(!passwords.accepts("garage", key.password("kitchen").expose().as_bytes()));
    /// # Ok::<(), ha_aws::ConfigError>(())
    /// ```
    pub fn accepts(&self, user: &str, candidate: &[u8]) -> bool {
        match self {
            Self::Shared { primary, rotation } => {
                let first = primary.matches(candidate);
                let second = rotation
                    .as_ref()
                    .is_some_and(|rotation| rotation.matches(candidate));
                // `|` rather than `||`: both comparisons run every time
                !primary.0.is_empty() && first | second
            }
            Self::PerDevice(key) => key.matches(user, candidate),
        }
    }
}

/// The region and account whose IoT resources the authorizer's policies name.
///
/// # Examples
///
/// ```
/// use ha_aws::iot::IotAccount;
///
/// let account = IotAccount::from_function_arn("arn:aws:lambda:eu-central-1:123456789012:function:TasmotaAuth")?;
/// assert_eq!(account, IotAccount::new("eu-central-1", "123456789012")?);
/// assert_eq!(account.arn("topic/stat/kitchen/*"), "arn:aws:iot:eu-central-1:123456789012:topic/stat/kitchen/*");
/// # Ok::<(), ha_aws::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IotAccount {
    partition: String,
    region: String,
    account: String,
}

impl IotAccount {
    /// An account in the `aws` partition.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidArn`] when the region is not lowercase letters, digits and `-`, or
    /// the account is not 12 digits.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(ha_aws::iot::IotAccount::new("eu-central-1", "12345").is_err());
    /// ```
    pub fn new(region: &str, account: &str) -> Result<Self, ConfigError> {
        Self::in_partition("aws", region, account)
    }

    fn in_partition(partition: &str, region: &str, account: &str) -> Result<Self, ConfigError> {
        let label = |s: &str| {
            !s.is_empty()
                && s.len() <= 32
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        };
        if !label(partition) || !label(region) {
            return Err(ConfigError::InvalidArn {
                arn: format!("arn:{partition}:iot:{region}:{account}"),
                reason: "the partition and region must be lowercase letters, digits and -",
            });
        }
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ConfigError::InvalidArn {
                arn: format!("arn:{partition}:iot:{region}:{account}"),
                reason: "the account must be 12 digits",
            });
        }
        Ok(Self {
            partition: partition.to_owned(),
            region: region.to_owned(),
            account: account.to_owned(),
        })
    }

    /// The account and region of a Lambda function's ARN (in the Lambda runtime, the invoked
    /// function's ARN).
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidArn`] when `arn` is not a Lambda function ARN.
    ///
    /// # Examples
    ///
    /// See [`IotAccount`].
    pub fn from_function_arn(arn: &str) -> Result<Self, ConfigError> {
        let invalid = |reason| ConfigError::InvalidArn {
            arn: arn.to_owned(),
            reason,
        };
        let mut parts = arn.splitn(7, ':');
        let (Some("arn"), Some(partition), Some("lambda"), Some(region), Some(account)) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(invalid(
                "expected arn:<partition>:lambda:<region>:<account>:function:<name>",
            ));
        };
        if parts.next() != Some("function") || parts.next().is_none_or(str::is_empty) {
            return Err(invalid("expected a function ARN"));
        }
        Self::in_partition(partition, region, account)
    }

    /// The region.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::iot::IotAccount::new("eu-central-1", "123456789012")?.region(), "eu-central-1");
    /// # Ok::<(), ha_aws::ConfigError>(())
    /// ```
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The account id.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::iot::IotAccount::new("eu-central-1", "123456789012")?.account(), "123456789012");
    /// # Ok::<(), ha_aws::ConfigError>(())
    /// ```
    pub fn account(&self) -> &str {
        &self.account
    }

    /// The ARN of the IoT resource `resource` (`client/…`, `topic/…`, `topicfilter/…`,
    /// `authorizer/…`).
    ///
    /// # Examples
    ///
    /// See [`IotAccount`].
    pub fn arn(&self, resource: &str) -> String {
        format!(
            "arn:{}:iot:{}:{}:{resource}",
            self.partition, self.region, self.account
        )
    }
}

/// Fills `bytes` from the OS's random source.
fn random(bytes: &mut [u8]) -> Result<(), ConfigError> {
    getrandom::fill(bytes).map_err(|_| ConfigError::Random)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_passwords_are_the_truncated_hmac() {
        // HMAC-SHA256(key = 32 × 0x07, "kitchen"), first 18 bytes, checked with Python's hmac
        let key = DeviceKey::new([7; 32]).unwrap();
        let tag = key.tag("kitchen");
        let mut mac = HmacSha256::new_from_slice(&[7; 32]).unwrap();
        mac.update(b"kitchen");
        assert_eq!(tag[..], mac.finalize().into_bytes()[..18]);
        let password = key.password("kitchen");
        assert_eq!(password.expose().len(), 24);
        assert!(key.matches("kitchen", password.expose().as_bytes()));
        assert!(!key.matches("garage", password.expose().as_bytes()));
        assert!(!key.matches("kitchen", &password.expose().as_bytes()[..23]));
    }

    #[test]
    fn shared_passwords_accept_either_during_a_rotation() {
        let passwords = Passwords::shared(Password::new("first-password"))
            .with_rotation(Password::new("second-password"));
        assert!(passwords.accepts("any", b"first-password"));
        assert!(passwords.accepts("any", b"second-password"));
        assert!(!passwords.accepts("any", b"third-password"));
        assert!(!Passwords::shared(Password::new("")).accepts("any", b""));
    }

    #[test]
    fn arns_are_checked() {
        assert!(IotAccount::from_function_arn("arn:aws:lambda:eu-central-1:123456789012").is_err());
        assert!(
            IotAccount::from_function_arn("arn:aws:s3:eu-central-1:123456789012:function:f")
                .is_err()
        );
        let china =
            IotAccount::from_function_arn("arn:aws-cn:lambda:cn-north-1:123456789012:function:f:1")
                .unwrap();
        assert_eq!(
            china.arn("client/a"),
            "arn:aws-cn:iot:cn-north-1:123456789012:client/a"
        );
    }
}
