//! IAM over awsQuery: `GetUser`.

use super::call::Request;
use super::fault::FaultKind;
use super::protocol::{ErrorShape, Input, Protocol, Rejection, Reply, xml_escape};
use super::{ACCOUNT_ID, Context, ServiceModel};
use crate::service::AwsService;

/// The parameters of an IAM `GetUser` call.
///
/// # Examples
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use ha_aws::emulator::{Emulator, GetUser};
///
/// let emulator = Emulator::start().await;
/// emulator.session().await.iam_user().await?;
/// assert_eq!(emulator.requests::<GetUser>()[0].user_name, None);
/// # Ok::<(), ha_aws::Error>(())
/// # }).unwrap();
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetUser {
    /// `UserName`; `None` asks about the caller.
    pub user_name: Option<String>,
}

impl GetUser {
    /// The user asked about, if named.
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use ha_aws::emulator::{Emulator, GetUser};
    ///
    /// let emulator = Emulator::start().await;
    /// emulator.session().await.iam_user().await?;
    /// assert_eq!(emulator.requests::<GetUser>()[0].target(), None);
    /// # Ok::<(), ha_aws::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn target(&self) -> Option<&str> {
        self.user_name.as_deref()
    }
}

#[derive(Debug, Default)]
pub(super) struct Iam;

impl ServiceModel for Iam {
    fn service(&self) -> AwsService {
        AwsService::Iam
    }

    fn protocol(&self) -> Protocol {
        Protocol::AwsQuery {
            version: "2010-05-08",
            xmlns: "https://iam.amazonaws.com/doc/2010-05-08/",
        }
    }

    fn decode(&self, input: Input<'_>) -> Result<Request, Rejection> {
        let Input::Query { action, params } = input else {
            return Err(Rejection::mismatch());
        };
        match action.as_str() {
            "GetUser" => Ok(GetUser {
                user_name: params.string("UserName"),
            }
            .into()),
            _ => Err(Rejection::Unsupported(action)),
        }
    }

    fn reply(&self, request: &Request, _context: &mut Context<'_>) -> Reply {
        let name = xml_escape(request.target().unwrap_or("emulator"));
        Reply::Xml(format!(
            "<User><Path>/</Path><UserName>{name}</UserName><UserId>AIDAEMULATOR00000000</UserId>\
             <Arn>arn:aws:iam::{ACCOUNT_ID}:user/{name}</Arn><CreateDate>2024-01-01T00:00:00Z</CreateDate></User>"
        ))
    }

    fn fault(&self, request: &Request, kind: &FaultKind) -> ErrorShape {
        let name = request.target().unwrap_or("emulator");
        match kind {
            FaultKind::Throttling => ErrorShape::sender(400, "Throttling", "Rate exceeded"),
            FaultKind::NotFound => ErrorShape::sender(
                404,
                "NoSuchEntity",
                format!("The user with name {name} cannot be found."),
            ),
            FaultKind::AccessDenied => ErrorShape::sender(
                403,
                "AccessDenied",
                format!(
                    "User: arn:aws:iam::{ACCOUNT_ID}:user/{name} is not authorized to perform: iam:GetUser on resource: user {name}"
                ),
            ),
            _ => ErrorShape::receiver(500, "ServiceFailure", "An internal error occurred."),
        }
    }
}
