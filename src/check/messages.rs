//! JSON Schema errors in a curator's words: each names the rule ("an event needs the field
//! `description`", "`atleast` is not an allowed qualifier"), never the schema keyword; an unknown
//! field is reported at its key, nested ones included (through the `anyOf` of an optional mapping);
//! a misspelling close to a known name gets "did you mean".

use crate::diagnostic::{Code, did_you_mean};
use crate::model::WebAddress;
use jsonschema::ValidationError;
use jsonschema::error::ValidationErrorKind as Kind;
use serde_json::Value;

/// One problem explained: what, where (a key or a value), and the message.
#[derive(Debug, PartialEq, Eq)]
pub struct Explained {
    /// E0100 (unknown field) or E0101.
    pub code: Code,
    /// The JSON Pointer of the value (for an unknown field: of the member).
    pub pointer: String,
    /// Whether the position is the member's key rather than its value.
    pub at_key: bool,
    /// The message.
    pub message: String,
    /// Whether the value still has its type (an empty text, an empty list, a malformed address), so
    /// that the data rules can read it as it is.
    pub well_typed: bool,
    /// For a required field that is missing, its name (the pointer is then the mapping's).
    pub missing: Option<String>,
}

/// Explains one error of a validator built from `root` (the schema), in which `noun` names the
/// whole document ("a revision").
pub fn explain(root: &Value, noun: &str, error: &ValidationError<'_>) -> Vec<Explained> {
    let pointer = error.instance_path().to_string();
    let schema_path = error.schema_path().to_string();
    let value = error.instance();
    let plain = |message: String| {
        vec![Explained {
            code: Code::Schema,
            pointer: pointer.clone(),
            at_key: false,
            message,
            well_typed: matches!(
                error.kind(),
                Kind::MinLength { .. } | Kind::MaxLength { .. } | Kind::MinItems { .. } | Kind::Format { .. }
            ),
            missing: match error.kind() {
                Kind::Required { property } => property.as_str().map(str::to_owned),
                _ => None,
            },
        }]
    };
    match error.kind() {
        Kind::AdditionalProperties { unexpected } => {
            let known: Vec<String> = parent(root, &schema_path)
                .and_then(|schema| schema.get("properties"))
                .and_then(Value::as_object)
                .map(|properties| properties.keys().cloned().collect())
                .unwrap_or_default();
            unexpected
                .iter()
                .map(|field| {
                    let hint = match did_you_mean(field, known.iter().map(String::as_str))
                        .or_else(|| synonym(field, &known))
                    {
                        Some(close) => format!("; did you mean `{close}`?"),
                        None if known.is_empty() => String::new(),
                        None => format!(
                            "; {} has the fields {}",
                            what(&pointer, noun),
                            known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
                        ),
                    };
                    Explained {
                        code: Code::UnknownField,
                        pointer: crate::load::pointer_child(&pointer, field),
                        at_key: true,
                        message: format!("unknown field `{field}`{hint}"),
                        well_typed: false,
                        missing: None,
                    }
                })
                .collect()
        }
        Kind::AnyOf { context } | Kind::OneOfNotValid { context } => {
            // An optional value is `anyOf: [its schema, null]`: the null branch says nothing useful.
            let branches: Vec<&Vec<ValidationError<'static>>> = context
                .iter()
                .filter(|branch| {
                    !branch
                        .iter()
                        .all(|e| e.to_string().ends_with("is not of type \"null\""))
                })
                .collect();
            let constants: Option<Vec<&Value>> = branches
                .iter()
                .map(|branch| match branch.as_slice() {
                    [only] => match only.kind() {
                        Kind::Constant { expected_value } => Some(&**expected_value),
                        _ => None,
                    },
                    _ => None,
                })
                .collect();
            match (branches.as_slice(), constants) {
                (_, Some(allowed)) if !allowed.is_empty() => plain(not_allowed(value, &pointer, &allowed)),
                ([only], _) => only.iter().flat_map(|e| explain(root, noun, e)).collect(),
                _ => plain(format!(
                    "{} is not any of the forms `{}` can take",
                    shown(value),
                    field(&pointer, noun)
                )),
            }
        }
        Kind::Enum { options } => {
            let allowed: Vec<&Value> = options.as_array().map(|o| o.iter().collect()).unwrap_or_default();
            plain(not_allowed(value, &pointer, &allowed))
        }
        Kind::Constant { expected_value } => plain(not_allowed(value, &pointer, &[&**expected_value])),
        Kind::Required { property } => {
            let property = property.as_str().map_or_else(|| property.to_string(), str::to_owned);
            plain(format!("{} needs the field `{property}`", what(&pointer, noun)))
        }
        Kind::Type { .. } => {
            let expected: Vec<&str> = match parent(root, &schema_path).and_then(|schema| schema.get("type")) {
                Some(Value::String(one)) => vec![one.as_str()],
                Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).filter(|t| *t != "null").collect(),
                _ => Vec::new(),
            };
            let words: Vec<&str> = expected.iter().map(|t| type_words(t)).collect();
            let quote = if expected.contains(&"string") && matches!(&**value, Value::Number(_) | Value::Bool(_)) {
                format!(" (write it in quotes, \"{value}\", to keep it as text)")
            } else {
                String::new()
            };
            plain(format!(
                "`{}` must be {}, not {}{quote}",
                field(&pointer, noun),
                if words.is_empty() {
                    "another type".to_owned()
                } else {
                    words.join(" or ")
                },
                type_words(json_type(value))
            ))
        }
        Kind::MinLength { .. } => plain(format!(
            "`{}` is empty: write the text, or leave the field out",
            field(&pointer, noun)
        )),
        Kind::Minimum { limit } => plain(format!(
            "`{}` must be at least {limit}, not {value}",
            field(&pointer, noun)
        )),
        Kind::Maximum { limit } => plain(format!(
            "`{}` must be at most {limit}, not {value}",
            field(&pointer, noun)
        )),
        Kind::MaxLength { limit } => plain(format!("`{}` is longer than {limit} characters", field(&pointer, noun))),
        Kind::MinItems { limit } if *limit == 1 => plain(format!(
            "`{}` is empty: it must list at least one",
            field(&pointer, noun)
        )),
        Kind::MinItems { limit } => plain(format!("`{}` must list at least {limit}", field(&pointer, noun))),
        Kind::Pattern { pattern } => plain(pattern_message(value, &pointer, noun, pattern)),
        // A web address that is not http or https fails its pattern too, whose message says so.
        Kind::Format { format }
            if format == "uri" && value.as_str().is_some_and(|text| !WebAddress::matches_pattern(text)) =>
        {
            Vec::new()
        }
        Kind::Format { format } if format == "uri" => plain(format!(
            "{} is not a web address: write it whole, e.g. `https://example.org/page`",
            shown(value)
        )),
        Kind::Format { format } if format == "date" => {
            plain(format!("{} is not a day written `YYYY-MM-DD`", shown(value)))
        }
        _ => plain(error.to_string()),
    }
}

/// A value shown in a message: text in backticks, anything else as compact JSON, cut when long.
pub fn shown(value: &Value) -> String {
    let text = match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    let mut cut: String = text.chars().take(60).collect();
    if cut.len() < text.len() {
        cut.push('…');
    }
    format!("`{cut}`")
}

fn not_allowed(value: &Value, pointer: &str, allowed: &[&Value]) -> String {
    let names: Vec<String> = allowed
        .iter()
        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
        .collect();
    let hint = value
        .as_str()
        .and_then(|text| did_you_mean(text, names.iter().map(String::as_str)))
        .map(|close| format!(" Did you mean `{close}`?"))
        .unwrap_or_default();
    format!(
        "{} is not an allowed value of `{}`: use one of {}.{hint}",
        shown(value),
        field(pointer, "value"),
        names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
    )
}

fn pattern_message(value: &Value, pointer: &str, noun: &str, pattern: &str) -> String {
    let value = shown(value);
    match pattern {
        crate::model::SLUG_PATTERN => {
            format!(
                "{value} is not an id: lowercase letters and digits, words joined by single hyphens, e.g. `acme-corp`"
            )
        }
        "^[a-z0-9]+(_[a-z0-9]+)*$" => format!(
            "{value} is not a snake_case word: lowercase letters and digits, words joined by `_`, e.g. `government_agency`"
        ),
        "^[A-Z]{2}$" => format!("{value} is not a country code: two capital letters (ISO 3166-1 alpha-2), e.g. `US`"),
        "^[0-9]{4}-[0-9]{2}-[0-9]{2}$" => format!("{value} is not a day written `YYYY-MM-DD`"),
        "^[A-Z]{3}$" => format!("{value} is not a currency code: three capital letters (ISO 4217), e.g. `USD`"),
        crate::model::AWARD_ID_PATTERN => format!(
            "{value} is not an award id as procurement records write them: 1 to 50 characters of A-Z, 0-9 and `-`, e.g. `HSCETC15F00001`"
        ),
        crate::model::SHA256_PATTERN => format!("{value} is not a SHA-256: 64 lower-case hex digits"),
        crate::model::QUOTE_PATTERN => format!("{value} is white space only: a quote is words of its source"),
        crate::model::WEB_ADDRESS_PATTERN => format!(
            "{value} is not a web address: only http and https addresses are allowed, e.g. `https://example.org/page`"
        ),
        _ => format!(
            "{value} is not written as `{}` must be (`{pattern}`)",
            field(pointer, noun)
        ),
    }
}

/// The schema holding the keyword at `schema_path` (its parent): the paths of errors start at the
/// root or at one of its `$defs`, so the schema can be walked from the root.
fn parent<'a>(root: &'a Value, schema_path: &str) -> Option<&'a Value> {
    let (parent, _) = schema_path.rsplit_once('/')?;
    root.pointer(parent)
}

/// The schema of the value at `pointer` (an instance pointer), following `$ref` and the non-null
/// branch of an optional value's `anyOf`.
pub fn schema_at<'a>(root: &'a Value, pointer: &str) -> Option<&'a Value> {
    let mut schema = resolve(root, root)?;
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        let next = match schema.get("properties").and_then(|p| p.get(&segment)) {
            Some(property) => property,
            None => schema.get("items")?,
        };
        schema = resolve(root, next)?;
    }
    Some(schema)
}

fn resolve<'a>(root: &'a Value, mut schema: &'a Value) -> Option<&'a Value> {
    loop {
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            schema = root.pointer(reference.strip_prefix('#')?)?;
        } else if let Some(branches) = schema.get("anyOf").and_then(Value::as_array) {
            schema = branches
                .iter()
                .find(|b| b.get("type").and_then(Value::as_str) != Some("null"))?;
        } else {
            return Some(schema);
        }
    }
}

/// A friendly word for a common misnaming that no string distance finds.
fn synonym<'a>(field: &str, known: &'a [String]) -> Option<&'a str> {
    let meant = match field {
        "state" | "province" | "county" => "region",
        "town" => "city",
        "type" | "category" => "kind",
        "source" | "citations" | "refs" => "sources",
        "title" => "name",
        "notes" | "comment" => "note",
        "date" => "as_of",
        "amount" => "value",
        _ => return None,
    };
    known.iter().map(String::as_str).find(|k| *k == meant)
}

/// The name of the field at `pointer`, for messages: its key, or `<parent> item N`.
fn field(pointer: &str, noun: &str) -> String {
    let mut segments = pointer.rsplit('/');
    match segments.next() {
        None | Some("") => noun.to_owned(),
        Some(last) if last.bytes().all(|b| b.is_ascii_digit()) => {
            let parent = segments
                .next()
                .unwrap_or_default()
                .replace("~1", "/")
                .replace("~0", "~");
            format!("{parent} item {last}")
        }
        Some(last) => last.replace("~1", "/").replace("~0", "~"),
    }
}

/// What the mapping at `pointer` is, in words: "an event", "an amount", or `noun` for the document.
fn what(pointer: &str, noun: &str) -> String {
    let segments: Vec<&str> = pointer.split('/').skip(1).collect();
    let word = match segments.as_slice() {
        [] => return noun.to_owned(),
        [.., "amount"] => "an amount",
        [.., "headquarters"] => "headquarters",
        [.., section, index] if index.bytes().all(|b| b.is_ascii_digit()) => match *section {
            "sources" => "a source",
            "organizations" => "an organization",
            "systems" => "a system",
            "contracts" => "a contract",
            "figures" => "a figure",
            "events" => "an event",
            "relations" => "a relation",
            _ => return format!("item {index} of `{section}`"),
        },
        [.., last] => return format!("`{last}`"),
    };
    word.to_owned()
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn type_words(json_type: &str) -> &'static str {
    match json_type {
        "string" => "text",
        "integer" => "a whole number",
        "number" => "a number",
        "boolean" => "true or false",
        "array" => "a list",
        "object" => "a mapping of fields",
        "null" => "empty",
        _ => "another type",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_and_sections_in_words() {
        assert_eq!(field("/events/0/description", "a revision"), "description");
        assert_eq!(field("/sources/2", "a revision"), "sources item 2");
        assert_eq!(field("", "a revision"), "a revision");
        assert_eq!(what("/events/0", "a revision"), "an event");
        assert_eq!(what("/contracts/1/amount", "a revision"), "an amount");
        assert_eq!(what("", "a revision"), "a revision");
    }

    #[test]
    fn long_values_are_cut() {
        assert_eq!(shown(&Value::String("x".repeat(100))), format!("`{}…`", "x".repeat(60)));
        assert_eq!(shown(&serde_json::json!(["Acme"])), "`[\"Acme\"]`");
    }
}
