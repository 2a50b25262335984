//! Integration tests of ha-aws, in one binary so the AWS SDK links once:
//!
//! - `notify`, `session`, `emulator`: the notifiers, sessions and the emulator itself, against
//!   the in-process emulator;
//! - `moto`: the same contract against a real moto server (`pip install 'moto[server]'`, which
//!   `.ci/check` does), started on a free loopback port by each test;
//! - `vision`: Rekognition objects, faces, collections, indexing and saved images, against the
//!   emulator;
//! - `upload`: saved images uploaded to S3, DetectLabels `Settings`, face attribute lists,
//!   against the emulator (the S3 and `Settings` contracts against moto too);
//! - `iot`: the custom authorizer and its provisioning, against the emulator;
//! - `skill`: the Alexa skill for Tasmota devices on AWS IoT, against the emulator with
//!   simulated devices and a stand-in for Amazon;
//! - `live`: against real AWS, only with credentials and `HA_AWS_LIVE_TESTS=1`.

mod emulator;
mod iot;
mod live;
mod moto;
mod notify;
mod platform;
mod session;
mod skill;
mod support;
mod upload;
mod vision;
