//! rumqttc interop, for hubs that already use it: this crate's AWS IoT configuration (the
//! session [`Config`] and the [`TlsConfig`]) as rumqttc [`MqttOptions`].
//!
//! The options carry the same rustls `ClientConfig` as [`TlsConfig::rustls_config`]: the same
//! trust anchors (always verified), ALPN (`mqtt` for a custom authorizer on port 443), client
//! certificate and crypto provider; SNI is on. rumqttc connects to the TLS server name and sends
//! it in SNI, so the server name must also be the host to connect to (an AWS IoT endpoint is).
//! The user name (a custom-authorizer one included), password, client identifier, keep-alive,
//! clean-session flag and last will come from the session configuration; the limits set
//! rumqttc's in-flight window and packet sizes.
//!
//! What rumqttc does not take from us: its request queue, its memory use and its reconnect
//! policy (it reconnects on the next `poll` without backoff; wait the [`Backoff`](crate::Backoff)
//! delay between polls after an error to respect AWS IoT's one CONNECT per second).
//!
//! # Example
//!
//! ```
//! use iot_tls::aws::{self, CustomAuthorizer};
//! use iot_tls::tls::{Alpn, TlsConfig, TrustAnchors};
//!
//! let endpoint = "a1b2c3-ats.iot.eu-west-1.amazonaws.com";
//! let tls = TlsConfig::builder(endpoint, TrustAnchors::aws_iot())
//!     .alpn(Alpn::for_aws(443, false))
//!     .build()?;
//! let username = CustomAuthorizer::new("hub").with_authorizer("HubAuth").to_string();
//! let config = aws::config("kitchen-hub").with_username(&username).with_password(b"token");
//! let options = iot_tls::rumqttc::options(&config, &tls, 443)?;
//! assert_eq!(options.broker_address(), (endpoint.to_string(), 443));
//! assert_eq!(options.credentials().unwrap().username, username);
//! // let (client, eventloop) = rumqttc::AsyncClient::new(options, 10);
//! # Ok::<(), iot_tls::Error>(())
//! ```

use alloc::sync::Arc;
use core::time::Duration;

use ::rumqttc::{LastWill, MqttOptions, QoS, TlsConfiguration, Transport};

use crate::codec::{MAX_HEADER_LEN, Qos};
use crate::error::{EncodeError, Error, RumqttcError};
use crate::session::Config;
use crate::tls::TlsConfig;

/// rumqttc options for the session `config` over TLS `tls`, to the TLS server name at `port`.
///
/// # Errors
///
/// - [`Error::Limit`] when `config` is outside its limits ([`Config::validate`]);
/// - [`Error::Rumqttc`] for what rumqttc cannot express: a password that is not UTF-8
///   ([`RumqttcError::PasswordNotUtf8`]), a persistent session without a client identifier
///   ([`RumqttcError::EmptyClientId`]);
/// - [`Error::Encode`] with [`EncodeError::PasswordWithoutUsername`].
///
/// # Example
///
/// See the [module documentation](self).
pub fn options(config: &Config<'_>, tls: &TlsConfig, port: u16) -> Result<MqttOptions, Error> {
    config.validate()?;
    if config.client_id().is_empty() && !config.clean_session() {
        return Err(RumqttcError::EmptyClientId.into());
    }
    let mut options = MqttOptions::new(config.client_id(), tls.server_name(), port);
    options
        .set_keep_alive(Duration::from_secs(u64::from(config.keep_alive())))
        .set_clean_session(config.clean_session())
        .set_transport(Transport::tls_with_config(TlsConfiguration::Rustls(
            Arc::clone(tls.rustls_config()),
        )));
    match (config.username(), config.password()) {
        (Some(username), password) => {
            let password = match password {
                Some(password) => core::str::from_utf8(password.as_bytes())
                    .map_err(|_| RumqttcError::PasswordNotUtf8)?,
                None => "",
            };
            options.set_credentials(username, password);
        }
        (None, Some(_)) => return Err(EncodeError::PasswordWithoutUsername.into()),
        (None, None) => {}
    }
    if let Some(will) = config.will() {
        options.set_last_will(LastWill::new(
            will.topic,
            will.payload,
            qos(will.qos),
            will.retain,
        ));
    }
    let limits = config.limits();
    let max_packet = MAX_HEADER_LEN
        .saturating_add(4 + limits.max_topic_len)
        .saturating_add(limits.max_payload_len);
    options
        .set_max_packet_size(max_packet, max_packet)
        .set_inflight(
            u16::try_from(limits.max_inflight)
                .unwrap_or(u16::MAX)
                .max(1),
        );
    Ok(options)
}

/// rumqttc's name for `qos`.
///
/// # Example
///
/// ```
/// use iot_tls::codec::Qos;
///
/// assert_eq!(iot_tls::rumqttc::qos(Qos::AtLeastOnce), rumqttc::QoS::AtLeastOnce);
/// ```
pub const fn qos(qos: Qos) -> QoS {
    match qos {
        Qos::AtMostOnce => QoS::AtMostOnce,
        Qos::AtLeastOnce => QoS::AtLeastOnce,
        Qos::ExactlyOnce => QoS::ExactlyOnce,
    }
}

#[cfg(test)]
mod tests {
    use std::string::ToString as _;

    use super::*;
    use crate::aws::{self, CustomAuthorizer};
    use crate::codec::Message;
    use crate::tls::{Alpn, TrustAnchors};

    fn tls(alpn: Alpn) -> TlsConfig {
        TlsConfig::builder(
            "a1b2c3-ats.iot.eu-west-1.amazonaws.com",
            TrustAnchors::aws_iot(),
        )
        .alpn(alpn)
        .build()
        .unwrap()
    }

    #[test]
    fn the_options_carry_sni_alpn_credentials_and_limits() {
        let tls = tls(Alpn::AwsCustomAuth);
        let username = CustomAuthorizer::new("hub")
            .with_authorizer("HubAuth")
            .with_token("token", "t/1")
            .to_string();
        let config = aws::config("hub-1")
            .with_username(&username)
            .with_password(b"pw")
            .with_keep_alive(300)
            .with_clean_session(false)
            .with_will(Message::new("hubs/hub-1", b"offline").with_qos(Qos::AtLeastOnce));
        let options = options(&config, &tls, 443).unwrap();
        assert_eq!(
            options.broker_address(),
            ("a1b2c3-ats.iot.eu-west-1.amazonaws.com".to_string(), 443)
        );
        let login = options.credentials().unwrap();
        assert_eq!(
            login.username,
            "hub?x-amz-customauthorizer-name=HubAuth&token=t%2F1"
        );
        assert_eq!(login.password, "pw");
        assert_eq!(options.keep_alive(), Duration::from_mins(5));
        assert!(!options.clean_session());
        assert_eq!(options.inflight(), 100);
        assert!(options.max_packet_size() > 128 * 1024);
        let will = options.last_will().unwrap();
        assert_eq!(
            (will.topic.as_str(), will.qos),
            ("hubs/hub-1", QoS::AtLeastOnce)
        );
        let Transport::Tls(TlsConfiguration::Rustls(client)) = options.transport() else {
            panic!("TLS through rustls");
        };
        assert!(Arc::ptr_eq(&client, tls.rustls_config()));
        assert!(client.enable_sni);
        assert_eq!(client.alpn_protocols, [b"mqtt".to_vec()]);
    }

    #[test]
    fn what_rumqttc_cannot_say_is_refused() {
        let tls = tls(Alpn::None);
        let binary = aws::config("d")
            .with_username("u")
            .with_password(&[0xff, 0xfe]);
        assert!(matches!(
            options(&binary, &tls, 8883),
            Err(Error::Rumqttc(RumqttcError::PasswordNotUtf8))
        ));
        let anonymous = Config::new("").with_clean_session(false);
        assert!(matches!(
            options(&anonymous, &tls, 8883),
            Err(Error::Rumqttc(RumqttcError::EmptyClientId))
        ));
        let keep_alive = aws::config("d").with_keep_alive(5);
        assert!(matches!(
            options(&keep_alive, &tls, 8883),
            Err(Error::Limit(_))
        ));
        let orphan = aws::config("d").with_password(b"p");
        assert!(matches!(
            options(&orphan, &tls, 8883),
            Err(Error::Encode(EncodeError::PasswordWithoutUsername))
        ));
    }
}
