//! STS over awsQuery: `GetCallerIdentity`.

use super::call::Request;
use super::fault::FaultKind;
use super::protocol::{ErrorShape, Input, Protocol, Rejection, Reply, xml_escape};
use super::{ACCOUNT_ID, Context, ServiceModel};
use crate::service::AwsService;

/// The parameters of an STS `GetCallerIdentity` call (it has none).
///
/// # Examples
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use ha_aws::emulator::{Emulator, GetCallerIdentity};
///
/// let emulator = Emulator::start().await;
/// emulator.session().await.caller_identity().await?;
/// assert_eq!(emulator.requests::<GetCallerIdentity>().len(), 1);
/// # Ok::<(), ha_aws::Error>(())
/// # }).unwrap();
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetCallerIdentity {}

impl GetCallerIdentity {
    /// The call has no target.
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use ha_aws::emulator::{Emulator, GetCallerIdentity};
    ///
    /// let emulator = Emulator::start().await;
    /// emulator.session().await.caller_identity().await?;
    /// assert_eq!(emulator.requests::<GetCallerIdentity>()[0].target(), None);
    /// # Ok::<(), ha_aws::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn target(&self) -> Option<&str> {
        None
    }
}

#[derive(Debug, Default)]
pub(super) struct Sts;

impl ServiceModel for Sts {
    fn service(&self) -> AwsService {
        AwsService::Sts
    }

    fn protocol(&self) -> Protocol {
        Protocol::AwsQuery {
            version: "2011-06-15",
            xmlns: "https://sts.amazonaws.com/doc/2011-06-15/",
        }
    }

    fn decode(&self, input: Input<'_>) -> Result<Request, Rejection> {
        let Input::Query { action, .. } = input else {
            return Err(Rejection::mismatch());
        };
        match action.as_str() {
            "GetCallerIdentity" => Ok(GetCallerIdentity {}.into()),
            _ => Err(Rejection::Unsupported(action)),
        }
    }

    fn reply(&self, _request: &Request, _context: &mut Context<'_>) -> Reply {
        Reply::Xml(format!(
            "<Arn>{}</Arn><UserId>AIDAEMULATOR00000000</UserId><Account>{ACCOUNT_ID}</Account>",
            xml_escape(&format!("arn:aws:iam::{ACCOUNT_ID}:user/emulator"))
        ))
    }

    fn fault(&self, _request: &Request, kind: &FaultKind) -> ErrorShape {
        match kind {
            FaultKind::Throttling => ErrorShape::sender(400, "Throttling", "Rate exceeded"),
            FaultKind::AccessDenied | FaultKind::NotFound => ErrorShape::sender(
                403,
                "InvalidClientTokenId",
                "The security token included in the request is invalid.",
            ),
            _ => ErrorShape::receiver(500, "InternalFailure", "An internal error occurred."),
        }
    }
}
