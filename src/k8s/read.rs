//! The envelope of a kubectl export: a `v1 List` (or `NodeList`, `PodList`), a bare JSON array,
//! or a single object, each item read as a typed k8s-openapi object.

use super::K8sError;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The items of an export, each deserialized as `T` (a k8s-openapi `Node` or `Pod`).
///
/// Items whose `kind` is another than `expected` are an error; items without a `kind` (as a raw
/// API list has them) are read as `expected`.
pub(crate) fn items<T: DeserializeOwned>(
    text: &str,
    origin: &str,
    expected: &'static str,
) -> Result<Vec<T>, K8sError> {
    let parse_error = |message: String| K8sError::Parse {
        origin: origin.to_string(),
        message,
    };
    let root: Value = serde_json::from_str(text).map_err(|e| parse_error(e.to_string()))?;
    let list = match root {
        Value::Array(items) => items,
        Value::Object(mut object) => match object.remove("items") {
            Some(Value::Array(items)) => items,
            Some(Value::Null) => Vec::new(),
            Some(other) => {
                return Err(parse_error(format!(
                    "\"items\" is {}, expected an array",
                    kind_of(&other)
                )));
            }
            None => vec![Value::Object(object)],
        },
        other => {
            return Err(parse_error(format!(
                "found {}, expected a List, a JSON array or a single {expected}",
                kind_of(&other)
            )));
        }
    };
    list.into_iter()
        .enumerate()
        .map(|(index, item)| typed(item, index, origin, expected))
        .collect()
}

fn typed<T: DeserializeOwned>(
    item: Value,
    index: usize,
    origin: &str,
    expected: &'static str,
) -> Result<T, K8sError> {
    let object = describe(&item, expected);
    if !item.is_object() {
        return Err(K8sError::Object {
            origin: origin.to_string(),
            index,
            object,
            message: format!("{}, expected an object", kind_of(&item)),
        });
    }
    if let Some(kind) = item.get("kind").and_then(Value::as_str)
        && kind != expected
    {
        return Err(K8sError::WrongKind {
            origin: origin.to_string(),
            index,
            found: kind.to_string(),
            expected,
        });
    }
    serde_json::from_value(item).map_err(|e| K8sError::Object {
        origin: origin.to_string(),
        index,
        object,
        message: e.to_string(),
    })
}

/// `Pod namespace/name` or `Node name`, as far as the raw item tells.
fn describe(item: &Value, kind: &str) -> String {
    let field = |key: &str| item.pointer(key).and_then(Value::as_str);
    match (field("/metadata/namespace"), field("/metadata/name")) {
        (Some(ns), Some(name)) => format!("{kind} {ns}/{name}"),
        (None, Some(name)) => format!("{kind} {name}"),
        _ => format!("{kind} without a name"),
    }
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
