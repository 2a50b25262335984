//! Credentials, sessions and start-up validation, against the emulator (which records the access
//! key that signed each call).

use ha_aws::emulator::{ACCESS_KEY_ID, Emulator, Fault, GetCallerIdentity, GetUser};
use ha_aws::{
    AccessKeys, AwsConfig, ClientOptions, Credential, CredentialCheck, CredentialChoice,
    CredentialStore, Error, ErrorKind, NamedCredential, Notification, Notifier, NotifyConfig,
    NotifyService, NotifySettings, Operation, Region, Session, Validate,
};
use serde_json::json;

use crate::support::TempDir;

fn keys(id: &str) -> Credential {
    Credential::Keys(AccessKeys::new(id, "secret").unwrap())
}

/// The access key that signed each recorded call.
fn signers(emulator: &Emulator) -> Vec<String> {
    emulator
        .calls()
        .iter()
        .map(|call| call.access_key_id().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn a_named_credential_of_keys_signs_with_those_keys() {
    // Home Assistant's issue 26632: its named credentials of keys fell back to the default chain
    let emulator = Emulator::start().await;
    let config: AwsConfig = serde_json::from_value(json!({
        "credentials": [
            {"name": "first", "aws_access_key_id": "AKIDFIRST", "aws_secret_access_key": "s1"},
            {"name": "second", "aws_access_key_id": "AKIDSECOND", "aws_secret_access_key": "s2"},
        ],
        "notify": [
            {"service": "sns", "region_name": "eu-west-1", "credential_name": "second"},
            {"service": "sns", "region_name": "eu-central-1"},
            {"service": "sns", "region_name": "us-west-2", "aws_access_key_id": "AKIDINLINE", "aws_secret_access_key": "s3"},
        ],
    }))
    .unwrap();
    let options = emulator.client_options();
    for entry in config.notify() {
        let notifier = Notifier::from_config(entry, config.credentials(), &options)
            .await
            .unwrap();
        let report = notifier
            .send(&Notification::new("m").with_target(emulator.topic_arn("t")))
            .await
            .unwrap();
        assert!(report.is_success(), "{report:?}");
    }

    assert_eq!(
        signers(&emulator),
        ["AKIDSECOND", "AKIDFIRST", "AKIDINLINE"]
    );
    let regions: Vec<_> = emulator
        .calls()
        .iter()
        .map(|call| call.region().unwrap().to_owned())
        .collect();
    assert_eq!(regions, ["eu-west-1", "eu-central-1", "us-west-2"]);
}

#[tokio::test]
async fn profiles_are_read_from_the_shared_files() {
    let emulator = Emulator::start().await;
    let dir = TempDir::new();
    let credentials = dir.write(
        "credentials",
        "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = d\n\n[home]\naws_access_key_id = AKIDHOME\naws_secret_access_key = h\n",
    );
    let config = dir.write("config", "[profile home]\nregion = eu-north-1\n");
    let options = emulator
        .client_options()
        .with_credentials_file(&credentials)
        .with_config_file(&config);

    for credential in [
        Credential::Profile("home".into()),
        Credential::Profile("default".into()),
    ] {
        let session = Session::load(&credential, Region::us_east_1(), &options).await;
        session.caller_identity().await.unwrap();
    }

    assert_eq!(signers(&emulator), ["AKIDHOME", "AKIDDEFAULT"]);
    assert_eq!(
        emulator.calls()[0].region(),
        Some("us-east-1"),
        "the session's region wins over the profile's"
    );
}

#[tokio::test]
async fn a_missing_profile_is_an_auth_error_and_nothing_is_sent() {
    let emulator = Emulator::start().await;
    let dir = TempDir::new();
    let credentials = dir.write(
        "credentials",
        "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = d\n",
    );
    let options = emulator
        .client_options()
        .with_credentials_file(&credentials)
        .with_config_file(dir.path().join("none"));
    let session = Session::load(
        &Credential::Profile("nope".into()),
        Region::us_east_1(),
        &options,
    )
    .await;
    let notifier = Notifier::new(&session, NotifySettings::new(NotifyService::Sqs)).unwrap();

    let report = notifier
        .send(&Notification::new("m").with_target(emulator.queue_url("q")))
        .await
        .unwrap();

    let error = report.outcomes()[0].result().unwrap_err();
    assert_eq!(error.kind(), Some(ErrorKind::Auth), "{error}");
    assert!(emulator.calls().is_empty());
}

#[tokio::test]
async fn credentials_are_validated_with_sts_or_iam_and_failures_name_the_credential() {
    let emulator = Emulator::start().await;
    let store = CredentialStore::new(vec![
        NamedCredential::new("sts", keys("AKIDSTS")).unwrap(),
        NamedCredential::new("iam", keys("AKIDIAM"))
            .unwrap()
            .with_validate(Validate::IamUser),
        NamedCredential::new("off", keys("AKIDOFF"))
            .unwrap()
            .with_validate(Validate::Off),
    ])
    .unwrap();

    let checks = store
        .validate(&Region::us_east_1(), &emulator.client_options())
        .await;

    let names: Vec<_> = checks.iter().map(CredentialCheck::name).collect();
    assert_eq!(names, ["sts", "iam", "off"]);
    let identity = checks[0].result().unwrap().unwrap();
    assert_eq!(identity.arn(), "arn:aws:iam::123456789012:user/emulator");
    assert_eq!(identity.account(), Some("123456789012"));
    assert_eq!(
        checks[1].result().unwrap().unwrap().account(),
        Some("123456789012")
    );
    assert!(checks[2].result().unwrap().is_none());
    assert_eq!(emulator.requests::<GetCallerIdentity>().len(), 1);
    assert_eq!(emulator.requests::<GetUser>(), [GetUser::default()]);
    assert_eq!(signers(&emulator), ["AKIDSTS", "AKIDIAM"]);

    emulator.inject(Fault::access_denied());
    let checks = store
        .validate(
            &Region::us_east_1(),
            &emulator.client_options().with_max_attempts(1),
        )
        .await;
    let error = checks[0].result().unwrap_err();
    assert!(error.is_auth());
    assert_eq!(error.target(), Some("sts"));
    assert_eq!(error.operation(), Some(Operation::STS_GET_CALLER_IDENTITY));
    assert_eq!(
        error.to_string(),
        "sts:GetCallerIdentity failed for `sts`: not authorized (InvalidClientTokenId: The security token included in the request is invalid.)"
    );
    let error = checks[1].result().unwrap_err();
    assert!(
        error.is_auth() && error.operation() == Some(Operation::IAM_GET_USER),
        "{error}"
    );
    assert!(
        checks[2].is_ok(),
        "an unvalidated credential is never checked"
    );
}

#[tokio::test]
async fn a_session_reports_who_it_is() {
    let emulator = Emulator::start().await;
    let session = emulator.session().await;
    assert_eq!(session.region().as_str(), "us-east-1");
    let identity = session
        .validate(Validate::CallerIdentity)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(identity.user_id(), "AIDAEMULATOR00000000");
    let user = session.iam_user().await.unwrap();
    assert_eq!(user.arn(), "arn:aws:iam::123456789012:user/emulator");
    assert_eq!(session.validate(Validate::Off).await.unwrap(), None);
    assert_eq!(signers(&emulator), [ACCESS_KEY_ID, ACCESS_KEY_ID]);
}

#[tokio::test]
async fn notifier_from_config_refuses_an_unknown_credential() {
    let store = CredentialStore::new(vec![
        NamedCredential::new("home", Credential::DefaultChain).unwrap(),
    ])
    .unwrap();
    let entry = NotifyConfig::new(
        NotifySettings::new(NotifyService::Sns).with_name("phones"),
        Region::us_east_1(),
    )
    .unwrap()
    .with_credential(CredentialChoice::Named("work".into()));
    let error = Notifier::from_config(&entry, &store, &ClientOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Config(_)));
    assert_eq!(
        error.to_string(),
        "notifier `phones`: no credential named `work` (known: home)"
    );
}
