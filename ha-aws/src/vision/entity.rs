//! Results shaped as a hub entity.

use serde::Serialize;

/// A result as a hub shows it: a state (the number of matches) and attributes (the details).
///
/// # Examples
///
/// ```
/// let entity = ha_aws::vision::Entity::new(2, vec!["Person", "Car"]);
/// assert_eq!(
///     serde_json::to_string(&entity).unwrap(),
///     r#"{"state":2,"attributes":["Person","Car"]}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entity<A> {
    /// The number of matches.
    pub state: usize,
    /// The details.
    pub attributes: A,
}

impl<A> Entity<A> {
    /// An entity with `state` and `attributes`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::vision::Entity::new(0, ()).state, 0);
    /// ```
    pub const fn new(state: usize, attributes: A) -> Self {
        Self { state, attributes }
    }
}
