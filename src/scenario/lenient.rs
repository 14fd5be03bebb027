//! Numbers as other tools write them: `NaN`, `Infinity` and `-Infinity` are not JSON, but
//! Python's `json` and JavaScript write them. They are read here as values, so that validation
//! can name the field and row that holds one instead of failing on a syntax error.

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// Quotes the bare tokens `NaN`, `Infinity` and `-Infinity` outside strings, so that a JSON
/// parser reads them as strings that [`Number`] then accepts.
pub fn quote_non_finite(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains("NaN") && !text.contains("Infinity") {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut in_string = false;
    let mut escaped = false;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if in_string {
            in_string = escaped || c != '"';
            escaped = !escaped && c == '\\';
        } else if c == '"' {
            in_string = true;
        } else if let Some(token) = ["NaN", "-Infinity", "Infinity"]
            .into_iter()
            .find(|t| rest.starts_with(t))
        {
            out.push('"');
            out.push_str(token);
            out.push('"');
            rest = &rest[token.len()..];
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out.into()
}

/// A number that also reads the quoted `"NaN"`, `"Infinity"` and `"-Infinity"`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Number(pub f64);

impl Serialize for Number {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.0)
    }
}

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NumberVisitor)
    }
}

struct NumberVisitor;

impl Visitor<'_> for NumberVisitor {
    type Value = Number;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a number")
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Number, E> {
        Ok(Number(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Number, E> {
        Ok(Number(v as f64))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Number, E> {
        Ok(Number(v as f64))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Number, E> {
        match v {
            "NaN" => Ok(Number(f64::NAN)),
            "Infinity" => Ok(Number(f64::INFINITY)),
            "-Infinity" => Ok(Number(f64::NEG_INFINITY)),
            _ => Err(E::invalid_type(de::Unexpected::Str(v), &self)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_tokens_outside_strings_only() {
        let text = r#"{"a": [NaN, -Infinity, Infinity], "b": "NaN \" Infinity"}"#;
        assert_eq!(
            quote_non_finite(text),
            r#"{"a": ["NaN", "-Infinity", "Infinity"], "b": "NaN \" Infinity"}"#
        );
    }

    #[test]
    fn reads_non_finite_numbers() {
        let v: Vec<Number> = serde_json::from_str(r#"[1, 2.5, "NaN", "-Infinity"]"#).unwrap();
        assert_eq!(v[1], Number(2.5));
        assert!(v[2].0.is_nan());
        assert_eq!(v[3].0, f64::NEG_INFINITY);
        assert!(serde_json::from_str::<Number>(r#""seven""#).is_err());
    }
}
