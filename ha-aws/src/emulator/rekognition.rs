//! Rekognition over awsJson 1.1: `DetectLabels`, `DetectFaces`, `SearchFacesByImage`,
//! `IndexFaces`, `ListCollections`, `CreateCollection`.
//!
//! What Rekognition "sees" is scripted: [`Emulator::set_labels`](super::Emulator::set_labels)
//! for every image's labels, [`Emulator::set_faces`](super::Emulator::set_faces) for every
//! image's faces, each with the identity a search for it finds.

use std::collections::BTreeSet;
use std::sync::Mutex;

mod properties;

use serde_json::{Value, json};

use super::call::Request;
use super::fault::FaultKind;
use super::protocol::{ErrorShape, Input, JsonVersion, Protocol, Rejection, Reply, strings};
use super::{ACCOUNT_ID, Context, REGION, ServiceModel, lock};
use crate::service::AwsService;
use crate::vision::{BoundingBox, ImageFormat, MAX_IMAGE_BYTES};

/// The most collections one `ListCollections` page holds in the emulator, so that paging is
/// exercised with a handful of collections.
///
/// # Examples
///
/// ```
/// assert_eq!(ha_aws::emulator::COLLECTIONS_PER_PAGE, 4);
/// ```
pub const COLLECTIONS_PER_PAGE: usize = 4;

/// A label every image shows, with its boxed instances.
///
/// # Examples
///
/// ```
/// use ha_aws::emulator::ScriptedLabel;
/// use ha_aws::vision::BoundingBox;
///
/// let person = ScriptedLabel::new("Person", 99.0).with_instance(BoundingBox::new(0.1, 0.1, 0.3, 0.8), 98.5);
/// assert_eq!(person.instances.len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ScriptedLabel {
    /// The label.
    pub name: String,
    /// Its confidence.
    pub confidence: f32,
    /// Boxed instances with their confidence.
    pub instances: Vec<(BoundingBox, f32)>,
    /// Parent labels.
    pub parents: Vec<String>,
    /// Label categories (`Vehicles and Automotive`), which DetectLabels' category filters
    /// select by.
    pub categories: Vec<String>,
}

impl ScriptedLabel {
    /// A label without instances.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(ha_aws::emulator::ScriptedLabel::new("Outdoors", 90.0).instances.is_empty());
    /// ```
    pub fn new(name: impl Into<String>, confidence: f32) -> Self {
        Self {
            name: name.into(),
            confidence,
            instances: Vec::new(),
            parents: Vec::new(),
            categories: Vec::new(),
        }
    }

    /// Adds an instance.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_aws::{emulator::ScriptedLabel, vision::BoundingBox};
    ///
    /// let car = ScriptedLabel::new("Car", 95.0).with_instance(BoundingBox::new(0.0, 0.5, 0.5, 0.5), 94.0);
    /// assert_eq!(car.instances[0].1, 94.0);
    /// ```
    #[must_use]
    pub fn with_instance(mut self, bounding_box: BoundingBox, confidence: f32) -> Self {
        self.instances.push((bounding_box, confidence));
        self
    }

    /// Adds a parent label.
    ///
    /// # Examples
    ///
    /// ```
    /// let car = ha_aws::emulator::ScriptedLabel::new("Car", 95.0).with_parent("Vehicle");
    /// assert_eq!(car.parents, ["Vehicle"]);
    /// ```
    #[must_use]
    pub fn with_parent(mut self, parent: impl Into<String>) -> Self {
        self.parents.push(parent.into());
        self
    }

    /// Adds a category.
    ///
    /// # Examples
    ///
    /// ```
    /// let car = ha_aws::emulator::ScriptedLabel::new("Car", 95.0).with_category("Vehicles and Automotive");
    /// assert_eq!(car.categories, ["Vehicles and Automotive"]);
    /// ```
    #[must_use]
    pub fn with_category(mut self, category: impl Into<String>) -> Self {
        self.categories.push(category.into());
        self
    }

    /// Whether the call's `GeneralLabels` filters keep this label.
    fn passes(&self, call: &DetectLabels) -> bool {
        let named = |names: &[String]| {
            names
                .iter()
                .any(|name| name.eq_ignore_ascii_case(&self.name))
        };
        let in_category = |names: &[String]| {
            names.iter().any(|name| {
                self.categories
                    .iter()
                    .any(|category| category.eq_ignore_ascii_case(name))
            })
        };
        (call.include_labels.is_empty() || named(&call.include_labels))
            && !named(&call.exclude_labels)
            && (call.include_categories.is_empty() || in_category(&call.include_categories))
            && !in_category(&call.exclude_categories)
    }

    fn to_json(&self) -> Value {
        json!({
            "Name": self.name,
            "Confidence": self.confidence,
            "Instances": self.instances.iter().map(|(bounding_box, confidence)| json!({
                "BoundingBox": box_json(bounding_box),
                "Confidence": confidence,
            })).collect::<Vec<_>>(),
            "Parents": self.parents.iter().map(|name| json!({ "Name": name })).collect::<Vec<_>>(),
            "Aliases": [],
            "Categories": self.categories.iter().map(|name| json!({ "Name": name })).collect::<Vec<_>>(),
        })
    }
}

/// A face every image shows: where, how sure, its attributes, and who a search finds.
///
/// # Examples
///
/// ```
/// use ha_aws::emulator::ScriptedFace;
/// use ha_aws::vision::BoundingBox;
///
/// let jane = ScriptedFace::new(BoundingBox::new(0.4, 0.2, 0.2, 0.3), 99.9)
///     .with_identity("jane", 97.0)
///     .with_attributes(serde_json::json!({ "AgeRange": { "Low": 30, "High": 38 } }));
/// assert_eq!(jane.identity, Some(("jane".to_owned(), 97.0)));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ScriptedFace {
    /// Where the face is.
    pub bounding_box: BoundingBox,
    /// The detection confidence.
    pub confidence: f32,
    /// The ExternalImageId and similarity a search for this face finds, if any.
    pub identity: Option<(String, f32)>,
    /// The attributes returned with `Attributes: ["ALL"]` (a FaceDetail JSON object: `AgeRange`,
    /// `Gender`, `Emotions`, `Smile`, ...).
    pub attributes: Value,
}

impl ScriptedFace {
    /// A face nobody in a collection matches, with no extra attributes.
    ///
    /// # Examples
    ///
    /// ```
    /// let face = ha_aws::emulator::ScriptedFace::new(ha_aws::vision::BoundingBox::new(0.0, 0.0, 0.5, 0.5), 99.0);
    /// assert!(face.identity.is_none());
    /// ```
    pub fn new(bounding_box: BoundingBox, confidence: f32) -> Self {
        Self {
            bounding_box,
            confidence,
            identity: None,
            attributes: json!({}),
        }
    }

    /// Searches for this face find `name` with `similarity`.
    ///
    /// # Examples
    ///
    /// ```
    /// let face = ha_aws::emulator::ScriptedFace::new(ha_aws::vision::BoundingBox::new(0.0, 0.0, 0.5, 0.5), 99.0)
    ///     .with_identity("bob", 92.5);
    /// assert_eq!(face.identity.unwrap().0, "bob");
    /// ```
    #[must_use]
    pub fn with_identity(mut self, name: impl Into<String>, similarity: f32) -> Self {
        self.identity = Some((name.into(), similarity));
        self
    }

    /// The FaceDetail attributes returned when all attributes are asked for.
    ///
    /// # Examples
    ///
    /// ```
    /// let face = ha_aws::emulator::ScriptedFace::new(ha_aws::vision::BoundingBox::new(0.0, 0.0, 0.5, 0.5), 99.0)
    ///     .with_attributes(serde_json::json!({ "Smile": { "Value": true, "Confidence": 95.0 } }));
    /// assert_eq!(face.attributes["Smile"]["Value"], true);
    /// ```
    #[must_use]
    pub fn with_attributes(mut self, attributes: Value) -> Self {
        self.attributes = attributes;
        self
    }

    /// The FaceDetail with the scripted attributes `asked` asks for (`ALL`, or attribute names
    /// such as `AGE_RANGE`).
    fn detail(&self, asked: &[String]) -> Value {
        let mut detail = json!({
            "BoundingBox": box_json(&self.bounding_box),
            "Confidence": self.confidence,
            "Pose": { "Roll": 0.0, "Yaw": 0.0, "Pitch": 0.0 },
            "Quality": { "Brightness": 80.0, "Sharpness": 90.0 },
            "Landmarks": [],
        });
        let all = asked.iter().any(|name| name == "ALL");
        if let (Some(detail), Some(extra)) = (detail.as_object_mut(), self.attributes.as_object()) {
            for (key, value) in extra {
                if all
                    || asked
                        .iter()
                        .any(|name| attribute_key(name) == Some(key.as_str()))
                {
                    detail.insert(key.clone(), value.clone());
                }
            }
        }
        detail
    }
}

/// A face the emulator indexed into a collection.
///
/// # Examples
///
/// ```
/// # fn demo(emulator: &ha_aws::emulator::Emulator) {
/// for face in emulator.indexed_faces() {
///     println!("{} in {}: {}", face.face_id, face.collection_id, face.external_image_id.as_deref().unwrap_or("-"));
/// }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CollectionFace {
    /// The collection.
    pub collection_id: String,
    /// The id the emulator gave the face.
    pub face_id: String,
    /// The ExternalImageId it was indexed under.
    pub external_image_id: Option<String>,
}

macro_rules! image_call {
    ($(#[$doc:meta])* $name:ident { $($(#[$field_doc:meta])* $field:ident: $type:ty,)* } target = $target:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub struct $name {
            $($(#[$field_doc])* pub $field: $type,)*
        }

        impl $name {
            /// The collection the call is for, if any.
            ///
            /// # Examples
            ///
            /// ```
            /// # fn demo(call: &ha_aws::emulator::Call) {
            /// println!("{:?}", call.target());
            /// # }
            /// ```
            pub fn target(&self) -> Option<&str> {
                let target: fn(&Self) -> Option<&str> = $target;
                target(self)
            }
        }
    };
}

image_call! {
    /// The parameters of a Rekognition `DetectLabels` call.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(emulator: &ha_aws::emulator::Emulator) {
    /// for call in emulator.requests::<ha_aws::emulator::DetectLabels>() {
    ///     println!("{} bytes at {:?}%", call.image_bytes, call.min_confidence);
    /// }
    /// # }
    /// ```
    DetectLabels {
        /// The size of the image.
        image_bytes: usize,
        /// `MinConfidence`.
        min_confidence: Option<f64>,
        /// `MaxLabels`.
        max_labels: Option<u64>,
        /// `Features` (`GENERAL_LABELS`, `IMAGE_PROPERTIES`); empty when not sent.
        features: Vec<String>,
        /// `Settings.GeneralLabels.LabelInclusionFilters`.
        include_labels: Vec<String>,
        /// `Settings.GeneralLabels.LabelExclusionFilters`.
        exclude_labels: Vec<String>,
        /// `Settings.GeneralLabels.LabelCategoryInclusionFilters`.
        include_categories: Vec<String>,
        /// `Settings.GeneralLabels.LabelCategoryExclusionFilters`.
        exclude_categories: Vec<String>,
        /// `Settings.ImageProperties.MaxDominantColors`.
        max_dominant_colors: Option<u64>,
        /// The image's properties as the emulator measured them, when `IMAGE_PROPERTIES` was
        /// asked for (see [`Emulator::set_labels`](super::Emulator::set_labels)).
        image_properties: Option<Value>,
    } target = |_| None
}

image_call! {
    /// The parameters of a Rekognition `DetectFaces` call.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(emulator: &ha_aws::emulator::Emulator) {
    /// let all = emulator.requests::<ha_aws::emulator::DetectFaces>().iter().all(|call| call.attributes == ["ALL"]);
    /// # }
    /// ```
    DetectFaces {
        /// The size of the image.
        image_bytes: usize,
        /// `Attributes`, such as `["ALL"]`.
        attributes: Vec<String>,
    } target = |_| None
}

image_call! {
    /// The parameters of a Rekognition `SearchFacesByImage` call.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(emulator: &ha_aws::emulator::Emulator) {
    /// for call in emulator.requests::<ha_aws::emulator::SearchFacesByImage>() {
    ///     println!("{} at {:?}%", call.collection_id, call.face_match_threshold);
    /// }
    /// # }
    /// ```
    SearchFacesByImage {
        /// The collection searched.
        collection_id: String,
        /// The size of the image.
        image_bytes: usize,
        /// `FaceMatchThreshold`.
        face_match_threshold: Option<f64>,
        /// `MaxFaces`.
        max_faces: Option<u64>,
    } target = |call| Some(&call.collection_id)
}

image_call! {
    /// The parameters of a Rekognition `IndexFaces` call.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(emulator: &ha_aws::emulator::Emulator) {
    /// for call in emulator.requests::<ha_aws::emulator::IndexFaces>() {
    ///     println!("{:?} into {}", call.external_image_id, call.collection_id);
    /// }
    /// # }
    /// ```
    IndexFaces {
        /// The collection.
        collection_id: String,
        /// The size of the image.
        image_bytes: usize,
        /// `ExternalImageId`.
        external_image_id: Option<String>,
        /// `MaxFaces`.
        max_faces: Option<u64>,
    } target = |call| Some(&call.collection_id)
}

image_call! {
    /// The parameters of a Rekognition `ListCollections` call.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(emulator: &ha_aws::emulator::Emulator) {
    /// let pages = emulator.requests::<ha_aws::emulator::ListCollections>().len();
    /// # }
    /// ```
    ListCollections {
        /// `NextToken`, on every page but the first.
        next_token: Option<String>,
        /// `MaxResults`.
        max_results: Option<u64>,
    } target = |_| None
}

image_call! {
    /// The parameters of a Rekognition `CreateCollection` call.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(emulator: &ha_aws::emulator::Emulator) {
    /// let created: Vec<String> = emulator.requests::<ha_aws::emulator::CreateCollection>().into_iter().map(|call| call.collection_id).collect();
    /// # }
    /// ```
    CreateCollection {
        /// The collection.
        collection_id: String,
    } target = |call| Some(&call.collection_id)
}

#[derive(Debug, Default)]
struct Script {
    labels: Vec<ScriptedLabel>,
    faces: Vec<ScriptedFace>,
    /// How many searches were answered since the last DetectFaces.
    next_search: usize,
    collections: BTreeSet<String>,
    indexed: Vec<CollectionFace>,
}

#[derive(Debug, Default)]
pub(super) struct Rekognition {
    script: Mutex<Script>,
}

impl Rekognition {
    pub(super) fn set_labels(&self, labels: Vec<ScriptedLabel>) {
        lock(&self.script).labels = labels;
    }

    pub(super) fn set_faces(&self, faces: Vec<ScriptedFace>) {
        let mut script = lock(&self.script);
        script.faces = faces;
        script.next_search = 0;
    }

    pub(super) fn add_collection(&self, id: &str) {
        lock(&self.script).collections.insert(id.to_owned());
    }

    pub(super) fn collections(&self) -> Vec<String> {
        lock(&self.script).collections.iter().cloned().collect()
    }

    pub(super) fn indexed_faces(&self) -> Vec<CollectionFace> {
        lock(&self.script).indexed.clone()
    }
}

impl ServiceModel for Rekognition {
    fn service(&self) -> AwsService {
        AwsService::Rekognition
    }

    fn protocol(&self) -> Protocol {
        Protocol::AwsJson {
            target_prefix: "RekognitionService",
            version: JsonVersion::V1_1,
            query_compatible: false,
        }
    }

    fn decode(&self, input: Input<'_>) -> Result<Request, Rejection> {
        let Input::Json { operation, body } = input else {
            return Err(Rejection::mismatch());
        };
        let text = |name: &str| body.get(name).and_then(Value::as_str).map(str::to_owned);
        let number = |name: &str| body.get(name).and_then(Value::as_f64);
        let count = |name: &str| body.get(name).and_then(Value::as_u64);
        let collection = || {
            text("CollectionId").ok_or_else(|| {
                Rejection::Invalid(validation("collectionId", "Member must not be null"))
            })
        };
        Ok(match operation.as_str() {
            "DetectLabels" => detect_labels(&body)?.into(),
            "DetectFaces" => {
                let attributes = strings(body.get("Attributes"));
                if let Some(unknown) = attributes.iter().find(|name| {
                    *name != "DEFAULT" && *name != "ALL" && attribute_key(name).is_none()
                }) {
                    return Err(Rejection::Invalid(validation(
                        "attributes",
                        &format!(
                            "Member must satisfy enum value set: [DEFAULT, ALL, {}] (got {unknown})",
                            ATTRIBUTE_KEYS
                                .iter()
                                .map(|(name, _)| *name)
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )));
                }
                DetectFaces {
                    image_bytes: image(&body)?,
                    attributes,
                }
                .into()
            }
            "SearchFacesByImage" => SearchFacesByImage {
                collection_id: collection()?,
                image_bytes: image(&body)?,
                face_match_threshold: number("FaceMatchThreshold"),
                max_faces: count("MaxFaces"),
            }
            .into(),
            "IndexFaces" => {
                let external_image_id = text("ExternalImageId");
                if let Some(id) = &external_image_id
                    && (id.is_empty()
                        || id.len() > 255
                        || !id
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || "_.-:".contains(c)))
                {
                    return Err(Rejection::Invalid(validation(
                        "externalImageId",
                        "Member must satisfy regular expression pattern: [a-zA-Z0-9_.\\-:]+",
                    )));
                }
                IndexFaces {
                    collection_id: collection()?,
                    image_bytes: image(&body)?,
                    external_image_id,
                    max_faces: count("MaxFaces"),
                }
                .into()
            }
            "ListCollections" => ListCollections {
                next_token: text("NextToken"),
                max_results: count("MaxResults"),
            }
            .into(),
            "CreateCollection" => CreateCollection {
                collection_id: collection()?,
            }
            .into(),
            _ => return Err(Rejection::Unsupported(operation)),
        })
    }

    fn reply(&self, request: &Request, context: &mut Context<'_>) -> Reply {
        let mut script = lock(&self.script);
        match request {
            Request::RekognitionDetectLabels(call) => {
                // as Rekognition: labels below MinConfidence (default 55) are left out
                let min = call.min_confidence.unwrap_or(55.0);
                let max = call
                    .max_labels
                    .and_then(|max| usize::try_from(max).ok())
                    .unwrap_or(usize::MAX);
                let general = call.features.is_empty()
                    || call
                        .features
                        .iter()
                        .any(|feature| feature == "GENERAL_LABELS");
                let labels: Vec<Value> = script
                    .labels
                    .iter()
                    .filter(|label| {
                        general && f64::from(label.confidence) >= min && label.passes(call)
                    })
                    .take(max)
                    .map(ScriptedLabel::to_json)
                    .collect();
                let mut reply = json!({ "Labels": labels, "LabelModelVersion": "3.0" });
                if let Some(properties) = &call.image_properties {
                    reply["ImageProperties"] = properties.clone();
                }
                Reply::Json(reply)
            }
            Request::RekognitionDetectFaces(call) => {
                script.next_search = 0;
                Reply::Json(json!({
                    "FaceDetails": script.faces.iter().map(|face| face.detail(&call.attributes)).collect::<Vec<_>>(),
                }))
            }
            Request::RekognitionSearchFacesByImage(call) => search(&mut script, call),
            Request::RekognitionIndexFaces(call) => index(&mut script, call, context),
            Request::RekognitionListCollections(call) => list(&script, call),
            Request::RekognitionCreateCollection(call) => create(&mut script, call),
            _ => Reply::Error(ErrorShape::receiver(
                500,
                "InternalServerError",
                "not a Rekognition call",
            )),
        }
    }

    fn fault(&self, request: &Request, kind: &FaultKind) -> ErrorShape {
        match kind {
            FaultKind::Throttling => ErrorShape::sender(
                400,
                "ProvisionedThroughputExceededException",
                "Provisioned rate exceeded",
            ),
            FaultKind::NotFound => missing_collection(request.target().unwrap_or("collection")),
            FaultKind::AccessDenied => ErrorShape::sender(
                400,
                "AccessDeniedException",
                "User: arn:aws:iam::123456789012:user/emulator is not authorized to perform this action",
            ),
            _ => ErrorShape::receiver(500, "InternalServerError", "Internal server error"),
        }
    }
}

/// Answers a search for the next face, largest first (the order ha-aws searches in).
fn search(script: &mut Script, call: &SearchFacesByImage) -> Reply {
    if !script.collections.contains(&call.collection_id) {
        return Reply::Error(missing_collection(&call.collection_id));
    }
    if script.faces.is_empty() {
        return Reply::Error(ErrorShape::sender(
            400,
            "InvalidParameterException",
            "There are no faces in the image. Should be at least 1.",
        ));
    }
    let mut order: Vec<&ScriptedFace> = script.faces.iter().collect();
    order.sort_by(|a, b| b.bounding_box.area().total_cmp(&a.bounding_box.area()));
    let face = order[script.next_search % order.len()];
    #[expect(clippy::cast_possible_truncation, reason = "a percentage")]
    let threshold = call.face_match_threshold.unwrap_or(80.0) as f32;
    let matches: Vec<Value> = face
        .identity
        .iter()
        .filter(|(_, similarity)| *similarity >= threshold)
        .map(|(name, similarity)| {
            json!({
                "Similarity": similarity,
                "Face": {
                    "FaceId": format!("face-{name}"),
                    "ExternalImageId": name,
                    "Confidence": 99.9,
                    "BoundingBox": box_json(&face.bounding_box),
                },
            })
        })
        .collect();
    let reply = json!({
        "SearchedFaceBoundingBox": box_json(&BoundingBox::new(0.1, 0.1, 0.8, 0.8)),
        "SearchedFaceConfidence": face.confidence,
        "FaceMatches": matches,
        "FaceModelVersion": "7.0",
    });
    script.next_search += 1;
    Reply::Json(reply)
}

/// Indexes the largest `MaxFaces` faces; the others are reported as unindexed.
fn index(script: &mut Script, call: &IndexFaces, context: &Context<'_>) -> Reply {
    if !script.collections.contains(&call.collection_id) {
        return Reply::Error(missing_collection(&call.collection_id));
    }
    let mut faces: Vec<ScriptedFace> = script.faces.clone();
    faces.sort_by(|a, b| b.bounding_box.area().total_cmp(&a.bounding_box.area()));
    let limit = call
        .max_faces
        .and_then(|max| usize::try_from(max).ok())
        .unwrap_or(usize::MAX);
    let (indexed, unindexed) = faces.split_at(limit.min(faces.len()));
    let mut records = Vec::with_capacity(indexed.len());
    for face in indexed {
        let face_id = context.next_id();
        records.push(json!({
            "Face": {
                "FaceId": face_id,
                "BoundingBox": box_json(&face.bounding_box),
                "ImageId": context.next_id(),
                "ExternalImageId": call.external_image_id,
                "Confidence": face.confidence,
            },
            "FaceDetail": face.detail(&[]),
        }));
        script.indexed.push(CollectionFace {
            collection_id: call.collection_id.clone(),
            face_id,
            external_image_id: call.external_image_id.clone(),
        });
    }
    let unindexed: Vec<Value> = unindexed
        .iter()
        .map(|face| json!({ "Reasons": ["EXCEEDS_MAX_FACES"], "FaceDetail": face.detail(&[]) }))
        .collect();
    Reply::Json(json!({
        "FaceRecords": records,
        "UnindexedFaces": unindexed,
        "FaceModelVersion": "7.0",
    }))
}

/// One page of collection ids, in name order.
fn list(script: &Script, call: &ListCollections) -> Reply {
    let start = call
        .next_token
        .as_deref()
        .and_then(|token| token.parse::<usize>().ok())
        .unwrap_or(0);
    let page = call
        .max_results
        .and_then(|max| usize::try_from(max).ok())
        .unwrap_or(COLLECTIONS_PER_PAGE)
        .clamp(1, COLLECTIONS_PER_PAGE);
    let ids: Vec<&String> = script.collections.iter().skip(start).take(page).collect();
    let end = start + ids.len();
    let mut reply = json!({
        "CollectionIds": ids,
        "FaceModelVersions": ids.iter().map(|_| "7.0").collect::<Vec<_>>(),
    });
    if end < script.collections.len() {
        reply["NextToken"] = json!(end.to_string());
    }
    Reply::Json(reply)
}

fn create(script: &mut Script, call: &CreateCollection) -> Reply {
    if !script.collections.insert(call.collection_id.clone()) {
        return Reply::Error(ErrorShape::sender(
            400,
            "ResourceAlreadyExistsException",
            format!("The collection id: {} already exists", call.collection_id),
        ));
    }
    Reply::Json(json!({
        "StatusCode": 200,
        "CollectionArn": format!("aws:rekognition:{REGION}:{ACCOUNT_ID}:collection/{}", call.collection_id),
        "FaceModelVersion": "7.0",
    }))
}

fn missing_collection(id: &str) -> ErrorShape {
    ErrorShape::sender(
        400,
        "ResourceNotFoundException",
        format!("The collection id: {id} does not exist"),
    )
}

fn validation(field: &str, constraint: &str) -> ErrorShape {
    ErrorShape::sender(
        400,
        "ValidationException",
        format!(
            "1 validation error detected: Value at '{field}' failed to satisfy constraint: {constraint}"
        ),
    )
}

/// Checks `Image.Bytes` as Rekognition does; returns its size.
fn image(body: &Value) -> Result<usize, Rejection> {
    image_bytes(body).map(|bytes| bytes.len())
}

/// Checks `Image.Bytes` as Rekognition does; returns the image.
fn image_bytes(body: &Value) -> Result<Vec<u8>, Rejection> {
    let Some(encoded) = body.pointer("/Image/Bytes").and_then(Value::as_str) else {
        return Err(Rejection::Invalid(ErrorShape::sender(
            400,
            "InvalidParameterException",
            "Request has invalid parameters: Image.Bytes is required (the emulator keeps no S3 objects)",
        )));
    };
    let bytes = aws_smithy_types::base64::decode(encoded).map_err(|_| {
        Rejection::Invalid(ErrorShape::sender(
            400,
            "InvalidImageFormatException",
            "Request has invalid image format",
        ))
    })?;
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(Rejection::Invalid(ErrorShape::sender(
            400,
            "ImageTooLargeException",
            "Image size is too large.",
        )));
    }
    if ImageFormat::sniff(&bytes).is_none() {
        return Err(Rejection::Invalid(ErrorShape::sender(
            400,
            "InvalidImageFormatException",
            "Request has invalid image format",
        )));
    }
    Ok(bytes)
}

fn box_json(bounding_box: &BoundingBox) -> Value {
    json!({
        "Left": bounding_box.left,
        "Top": bounding_box.top,
        "Width": bounding_box.width,
        "Height": bounding_box.height,
    })
}

/// DetectFaces attribute names and the FaceDetail member each adds.
const ATTRIBUTE_KEYS: [(&str, &str); 12] = [
    ("AGE_RANGE", "AgeRange"),
    ("BEARD", "Beard"),
    ("EMOTIONS", "Emotions"),
    ("EYE_DIRECTION", "EyeDirection"),
    ("EYEGLASSES", "Eyeglasses"),
    ("EYES_OPEN", "EyesOpen"),
    ("FACE_OCCLUDED", "FaceOccluded"),
    ("GENDER", "Gender"),
    ("MOUTH_OPEN", "MouthOpen"),
    ("MUSTACHE", "Mustache"),
    ("SMILE", "Smile"),
    ("SUNGLASSES", "Sunglasses"),
];

/// The FaceDetail member the attribute `name` adds, if it names one.
fn attribute_key(name: &str) -> Option<&'static str> {
    ATTRIBUTE_KEYS
        .iter()
        .find(|(attribute, _)| *attribute == name)
        .map(|(_, key)| *key)
}

/// Decodes DetectLabels, checking `Features` and `Settings` as Rekognition does, and measures
/// the image's properties when they are asked for.
fn detect_labels(body: &Value) -> Result<DetectLabels, Rejection> {
    let names = |pointer: &str| strings(body.pointer(pointer));
    let features = names("/Features");
    if let Some(unknown) = features
        .iter()
        .find(|feature| *feature != "GENERAL_LABELS" && *feature != "IMAGE_PROPERTIES")
    {
        return Err(Rejection::Invalid(validation(
            "features",
            &format!(
                "Member must satisfy enum value set: [GENERAL_LABELS, IMAGE_PROPERTIES] (got {unknown})"
            ),
        )));
    }
    let filter = |name: &str| names(&format!("/Settings/GeneralLabels/{name}"));
    let (include_labels, exclude_labels, include_categories, exclude_categories) = (
        filter("LabelInclusionFilters"),
        filter("LabelExclusionFilters"),
        filter("LabelCategoryInclusionFilters"),
        filter("LabelCategoryExclusionFilters"),
    );
    for list in [
        &include_labels,
        &exclude_labels,
        &include_categories,
        &exclude_categories,
    ] {
        if list.len() > 100 {
            return Err(Rejection::Invalid(validation(
                "settings.generalLabels",
                "Member must have length less than or equal to 100",
            )));
        }
    }
    let max_dominant_colors = body
        .pointer("/Settings/ImageProperties/MaxDominantColors")
        .and_then(Value::as_u64);
    if max_dominant_colors.is_some_and(|max| max > 20) {
        return Err(Rejection::Invalid(validation(
            "settings.imageProperties.maxDominantColors",
            "Member must have value less than or equal to 20",
        )));
    }
    let bytes = image_bytes(body)?;
    let image_properties = features
        .iter()
        .any(|feature| feature == "IMAGE_PROPERTIES")
        .then(|| {
            let colours = max_dominant_colors
                .and_then(|max| usize::try_from(max).ok())
                .unwrap_or(10);
            properties::measure(&bytes, colours)
        })
        .transpose()?;
    Ok(DetectLabels {
        image_bytes: bytes.len(),
        min_confidence: body.get("MinConfidence").and_then(Value::as_f64),
        max_labels: body.get("MaxLabels").and_then(Value::as_u64),
        features,
        include_labels,
        exclude_labels,
        include_categories,
        exclude_categories,
        max_dominant_colors,
        image_properties,
    })
}
