//! Notifications through ha-aws to SNS, SQS and Lambda: on the in-process AWS emulator by
//! default, on real AWS when credentials and the opt-in are present. The camera uses the same
//! session.

use ha_aws::emulator::Emulator;
use ha_aws::{
    ClientOptions, Credential, Notification, Notifier, NotifyService, NotifySettings, Region,
    Session, Validate,
};

use crate::Error;

/// Where real notifications go, from the environment (used only with the opt-in flag).
///
/// | variable | meaning |
/// |---|---|
/// | `SMART_HOME_AWS_REGION` | the region (required) |
/// | `SMART_HOME_SNS_TOPIC_ARN` | an SNS topic |
/// | `SMART_HOME_SQS_QUEUE_URL` | an SQS queue |
/// | `SMART_HOME_LAMBDA_FUNCTION` | a Lambda function |
#[derive(Clone, Debug, Default)]
pub struct LiveTargets {
    /// The region.
    pub region: String,
    /// The SNS topic ARN.
    pub sns: Option<String>,
    /// The SQS queue URL.
    pub sqs: Option<String>,
    /// The Lambda function name or ARN.
    pub lambda: Option<String>,
}

impl LiveTargets {
    /// Reads the variables above; `None` without `SMART_HOME_AWS_REGION`.
    pub fn from_env() -> Option<Self> {
        let var = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());
        Some(Self {
            region: var("SMART_HOME_AWS_REGION")?,
            sns: var("SMART_HOME_SNS_TOPIC_ARN"),
            sqs: var("SMART_HOME_SQS_QUEUE_URL"),
            lambda: var("SMART_HOME_LAMBDA_FUNCTION"),
        })
    }
}

/// One notification's fate at one service.
#[derive(Clone, Debug)]
pub struct Sent {
    /// The service.
    pub service: NotifyService,
    /// Targets that accepted it.
    pub delivered: usize,
    /// Targets that refused it.
    pub failed: usize,
}

/// Notifiers for SNS, SQS and Lambda, each with its targets.
pub struct Alerts {
    notifiers: Vec<(Notifier, Vec<String>)>,
    session: Session,
    emulator: Option<Emulator>,
}

impl Alerts {
    /// Notifiers on a fresh in-process emulator: topic `home-alerts`, queue `home-alerts`,
    /// function `home-alerts`.
    ///
    /// # Errors
    ///
    /// [`Error::Aws`] when a notifier cannot be built.
    pub async fn emulated() -> Result<Self, Error> {
        let emulator = Emulator::start().await;
        tracing::info!(endpoint = %emulator.endpoint_url(), "aws: in-process emulator for SNS, SQS and Lambda");
        let session = emulator.session().await;
        let targets = [
            (NotifyService::Sns, emulator.topic_arn("home-alerts")),
            (NotifyService::Sqs, emulator.queue_url("home-alerts")),
            (NotifyService::Lambda, "home-alerts".to_owned()),
        ];
        let notifiers = targets
            .into_iter()
            .map(|(service, target)| Ok((notifier(&session, service)?, vec![target])))
            .collect::<Result<_, Error>>()?;
        Ok(Self {
            notifiers,
            session,
            emulator: Some(emulator),
        })
    }

    /// Notifiers on real AWS with the default credential chain, which must answer
    /// `GetCallerIdentity`.
    ///
    /// # Errors
    ///
    /// [`Error::Aws`] for an unknown region or unusable credentials.
    pub async fn live(targets: &LiveTargets) -> Result<Self, Error> {
        let region = Region::try_from(targets.region.as_str())?;
        let session =
            Session::load(&Credential::DefaultChain, region, &ClientOptions::default()).await;
        if let Some(identity) = session.validate(Validate::CallerIdentity).await? {
            tracing::info!(arn = identity.arn(), "aws: real AWS, as");
        }
        let mut notifiers = Vec::new();
        for (service, target) in [
            (NotifyService::Sns, &targets.sns),
            (NotifyService::Sqs, &targets.sqs),
            (NotifyService::Lambda, &targets.lambda),
        ] {
            if let Some(target) = target {
                notifiers.push((notifier(&session, service)?, vec![target.clone()]));
            }
        }
        Ok(Self {
            notifiers,
            session,
            emulator: None,
        })
    }

    /// The session the notifiers use (the emulator's or real AWS).
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// The emulator, when the notifications stay on this machine.
    pub fn emulator(&self) -> Option<&Emulator> {
        self.emulator.as_ref()
    }

    /// Sends `message` titled `title` to every service, at once.
    pub async fn send(&self, title: &str, message: &str, data: serde_json::Value) -> Vec<Sent> {
        let sends = self.notifiers.iter().map(|(notifier, targets)| {
            let mut notification = Notification::new(message)
                .with_title(title)
                .with_targets(targets.clone());
            if let serde_json::Value::Object(map) = &data {
                notification = notification.with_data(map.clone());
            }
            async move {
                let report = notifier.send(&notification).await;
                (notifier, report)
            }
        });
        let mut sent = Vec::new();
        for (notifier, report) in futures_util::future::join_all(sends).await {
            let service = notifier.service();
            match report {
                Ok(report) => {
                    let delivered = report.deliveries().count();
                    let failed = report.failures().count();
                    tracing::info!(%service, delivered, failed, "aws: notification sent");
                    sent.push(Sent {
                        service,
                        delivered,
                        failed,
                    });
                }
                Err(error) => {
                    tracing::warn!(%service, %error, "aws: notification not sent");
                    sent.push(Sent {
                        service,
                        delivered: 0,
                        failed: 1,
                    });
                }
            }
        }
        sent
    }
}

fn notifier(session: &Session, service: NotifyService) -> Result<Notifier, Error> {
    Ok(Notifier::new(
        session,
        NotifySettings::new(service).with_name("smart-home"),
    )?)
}
