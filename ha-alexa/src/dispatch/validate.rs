//! Checks a control directive against the capabilities of its endpoint before the hub
//! sees it.

use crate::discovery::{Capability, DiscoveryEndpoint};
use crate::message::{AlexaError, Directive, DirectivePayload};

/// Checks that `endpoint` supports `directive` and that its values are in range.
pub(super) fn check(directive: &Directive, endpoint: &DiscoveryEndpoint) -> Result<(), AlexaError> {
    let namespace = &directive.header.namespace;
    let instance = directive.instance();
    let capability = endpoint.capability(namespace, instance).ok_or_else(|| {
        let target = instance.map_or_else(
            || namespace.to_string(),
            |i| format!("{namespace} instance {i}"),
        );
        AlexaError::invalid_directive(format!(
            "endpoint {} does not support {target}",
            endpoint.endpoint_id()
        ))
    })?;
    if capability.properties().and_then(|p| p.non_controllable) == Some(true) {
        return Err(AlexaError::invalid_directive(format!(
            "{namespace} {} is not controllable",
            instance.unwrap_or_default()
        )));
    }
    registered_check(&directive.payload, capability)
}

/// Declares `registered_check`: the `check` each registry line names, run with the
/// endpoint's capability for the interface.
macro_rules! registered_check {
    ($( { [$(#[$meta:meta])*] $variant:ident $wire:literal [$($module:ident)?] [$($version:literal)?]
        [$($directives:tt)?] [$($cvariant:ident($configuration:tt))?] [$($events:tt)?]
        [$($properties:tt)?] [$($check:tt)?] [$($instance:ident)?] } )+) => {
        /// The validation the directive's interface declares; Ok for interfaces that declare none.
        fn registered_check(payload: &DirectivePayload, capability: &Capability) -> Result<(), AlexaError> {
            match payload {
                $( $( DirectivePayload::$variant(directive) => $check(directive, capability), )? )+
                _ => Ok(()),
            }
        }
    };
}

crate::interface::interfaces!(registered_check);
