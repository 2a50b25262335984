//! `Alexa.InputController`: input selection; reports `input`.

use serde::{Deserialize, Serialize};

use crate::discovery::Capability;
use crate::message::Namespace;
use crate::wire::directives;
use crate::message::AlexaError;

directives! {
    /// Directives of `Alexa.InputController`.
    pub enum InputControllerDirective in InputController {
        /// Select an input by name.
        SelectInput(SelectInput) = "SelectInput",
    }
}

/// Payload of SelectInput.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SelectInput {
    /// The input name, such as `HDMI 1`.
    pub input: String,
}

/// An input listed at discovery.
///
/// ```
/// use ha_alexa::interface::input_controller::InputDescriptor;
///
/// let hdmi = InputDescriptor::new("HDMI 1").with_friendly_names(["Game Console"]);
/// assert_eq!(serde_json::to_string(&hdmi)?, r#"{"name":"HDMI 1","friendlyNames":["Game Console"]}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct InputDescriptor {
    /// The input name Alexa sends back in SelectInput.
    pub name: String,
    /// Other names users may say.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub friendly_names: Vec<String>,
}

impl InputDescriptor {
    /// An input with no extra names.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            friendly_names: Vec::new(),
        }
    }

    /// Sets the extra names.
    #[must_use]
    pub fn with_friendly_names<I: IntoIterator<Item = S>, S: Into<String>>(
        mut self,
        names: I,
    ) -> Self {
        self.friendly_names = names.into_iter().map(Into::into).collect();
        self
    }

    /// Whether `requested` names this input: the comparison ignores case, spaces,
    /// `-` and `_`, as Alexa's recognised input names vary in those.
    pub fn matches(&self, requested: &str) -> bool {
        let normal = normalize(requested);
        normalize(&self.name) == normal
            || self.friendly_names.iter().any(|n| normalize(n) == normal)
    }
}

fn normalize(name: &str) -> String {
    name.chars()
        .filter(|c| !matches!(c, ' ' | '-' | '_'))
        .flat_map(char::to_lowercase)
        .collect()
}

impl Capability {
    /// `Alexa.InputController` with these inputs, reporting `input`.
    ///
    /// ```
    /// use ha_alexa::interface::input_controller::InputDescriptor;
    ///
    /// let cap = ha_alexa::Capability::input_controller(vec![InputDescriptor::new("HDMI 1")]);
    /// assert_eq!(cap.inputs().map(<[_]>::len), Some(1));
    /// ```
    pub fn input_controller(inputs: Vec<InputDescriptor>) -> Self {
        Self::with_properties(Namespace::InputController, &["input"]).set_inputs(inputs)
    }
}

/// What the dispatcher checks before the hub sees a directive of this interface.
///
/// # Errors
///
/// The ErrorResponse Alexa expects for a value outside what the endpoint declares.
pub(crate) fn check(directive: &InputControllerDirective, capability: &Capability) -> Result<(), AlexaError> {
    let InputControllerDirective::SelectInput(select) = directive;
    match capability.inputs() {
        Some(inputs) if !inputs.iter().any(|input| input.matches(&select.input)) => Err(
            AlexaError::invalid_value(format!("input {:?} is not available", select.input)),
        ),
        _ => Ok(()),
    }
}
