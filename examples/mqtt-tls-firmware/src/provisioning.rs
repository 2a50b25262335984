//! The provisioning block: what a production image would keep in its flash (broker name, CA,
//! credentials, topic), loaded by the host into RAM at [`ADDRESS`] before the hart starts
//! (`-device loader,file=…,addr=0x81000000,force-raw=on`), so one build serves every test.
//!
//! Layout: the magic `IOTP`, a format byte (1), the TLS versions to offer (12: 1.2 only, 13:
//! 1.3 only, 0: both), then six fields, each a little-endian `u16`
//! length and that many bytes: server name, root CA certificate (DER), user name, password,
//! client id, topic.

/// Where the host loads the block.
pub const ADDRESS: usize = 0x8100_0000;
/// The most bytes the block may take.
const MAX_LEN: usize = 16 * 1024;
const MAGIC: &[u8; 4] = b"IOTP";
const FORMAT: u8 = 1;

/// The provisioning block, borrowed from where it was loaded.
#[derive(Debug)]
pub struct Provisioning {
    /// The TLS versions to offer.
    pub versions: Versions,
    /// The broker's DNS name, for SNI and certificate checks.
    pub server_name: &'static str,
    /// The root CA's certificate, DER.
    pub ca_der: &'static [u8],
    /// The MQTT user name.
    pub username: &'static str,
    /// The MQTT password.
    pub password: &'static [u8],
    /// The MQTT client id.
    pub client_id: &'static str,
    /// The topic to subscribe to and publish on.
    pub topic: &'static str,
}

/// The TLS versions the image offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Versions {
    /// TLS 1.3 and 1.2; the broker chooses.
    Both,
    /// TLS 1.2 only, as Tasmota's BearSSL.
    Tls12,
    /// TLS 1.3 only.
    Tls13,
}

/// Why the block could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProvisioningError {
    /// No block at [`ADDRESS`] (wrong magic or format).
    Missing,
    /// The TLS versions byte is none of 0, 12, 13.
    Versions(u8),
    /// Field number `.0` runs past the end of the block.
    Truncated(usize),
    /// Field number `.0` is not UTF-8.
    NotUtf8(usize),
}

impl Provisioning {
    /// Reads the block at [`ADDRESS`].
    pub fn load() -> Result<Self, ProvisioningError> {
        // SAFETY: QEMU's virt machine has RAM at `ADDRESS` (128 MiB from 0x8000_0000 by
        // default), outside the linked image; nothing writes there, so a shared borrow for the
        // whole run is sound. Without a loaded block it holds zeros, which fail the magic.
        let bytes: &'static [u8] =
            unsafe { core::slice::from_raw_parts(ADDRESS as *const u8, MAX_LEN) };
        Self::parse(bytes)
    }

    fn parse(bytes: &'static [u8]) -> Result<Self, ProvisioningError> {
        let (&versions, rest) = bytes
            .strip_prefix(MAGIC)
            .and_then(|rest| rest.strip_prefix(&[FORMAT]))
            .and_then(<[u8]>::split_first)
            .ok_or(ProvisioningError::Missing)?;
        let versions = match versions {
            0 => Versions::Both,
            12 => Versions::Tls12,
            13 => Versions::Tls13,
            other => return Err(ProvisioningError::Versions(other)),
        };
        let mut fields = Fields { rest, index: 0 };
        Ok(Self {
            versions,
            server_name: fields.text()?,
            ca_der: fields.bytes()?,
            username: fields.text()?,
            password: fields.bytes()?,
            client_id: fields.text()?,
            topic: fields.text()?,
        })
    }
}

struct Fields {
    rest: &'static [u8],
    index: usize,
}

impl Fields {
    fn bytes(&mut self) -> Result<&'static [u8], ProvisioningError> {
        self.index += 1;
        let truncated = ProvisioningError::Truncated(self.index);
        let (len, rest) = self.rest.split_first_chunk::<2>().ok_or(truncated)?;
        let len = usize::from(u16::from_le_bytes(*len));
        let (field, rest) = rest.split_at_checked(len).ok_or(truncated)?;
        self.rest = rest;
        Ok(field)
    }

    fn text(&mut self) -> Result<&'static str, ProvisioningError> {
        let field = self.bytes()?;
        core::str::from_utf8(field).map_err(|_| ProvisioningError::NotUtf8(self.index))
    }
}
