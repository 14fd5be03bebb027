//! The Kubernetes layer's error, joined into [`crate::Error`] by `#[from]`.

use super::QuantityError;

/// Why a kubectl export could not be imported. Every variant names the file (`origin`) and,
/// where there is one, the object (`Node name`, `Pod namespace/name`) and the field.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum K8sError {
    /// Not JSON, or JSON that is neither a list, an array nor a single object.
    #[error("{origin}: {message}")]
    Parse {
        /// The file name, or `input`.
        origin: String,
        /// What is wrong, with line and column for JSON syntax errors.
        message: String,
    },
    /// An item of another kind than expected (a Service in a node list).
    #[error("{origin}: item {index} is a {found}, expected a {expected}")]
    WrongKind {
        /// The file name.
        origin: String,
        /// The item's position in the list, from 0.
        index: usize,
        /// The item's `kind`.
        found: String,
        /// `Node` or `Pod`.
        expected: &'static str,
    },
    /// An object that does not follow the v1 schema (a string where an object belongs).
    #[error("{origin}: item {index} ({object}): {message}")]
    Object {
        /// The file name.
        origin: String,
        /// The item's position in the list, from 0.
        index: usize,
        /// `Node name` or `Pod namespace/name`, as far as it could be read.
        object: String,
        /// The deserializer's message.
        message: String,
    },
    /// A resource quantity that is not one, is negative or out of range.
    #[error(transparent)]
    Quantity(Box<BadQuantity>),
    /// A resource list with an empty (or blank) resource name.
    #[error("{origin}: {object}: {field}: an empty resource name")]
    EmptyResourceName {
        /// The file name.
        origin: String,
        /// `Node name` or `Pod namespace/name`.
        object: String,
        /// The list, e.g. `status.allocatable` or `spec.containers[web].resources.requests`.
        field: String,
    },
    /// Two nodes with the same name: pods bound by name would be ambiguous.
    #[error("{origin}: node {name:?} appears twice")]
    DuplicateNode {
        /// The file name.
        origin: String,
        /// The repeated name.
        name: String,
    },
}

/// A resource quantity that is not one, is negative or out of range, and where it is.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{origin}: {object}: {field}: {value:?}: {source}")]
pub struct BadQuantity {
    /// The file name.
    pub origin: String,
    /// `Node name` or `Pod namespace/name`.
    pub object: String,
    /// The field, e.g. `status.allocatable[memory]` or
    /// `spec.containers[web].resources.requests[cpu]`.
    pub field: String,
    /// The text found.
    pub value: String,
    /// What is wrong with it.
    #[source]
    pub source: QuantityError,
}
