//! `json/profiles.json` for downstream apps: an array with one fully resolved document per revision,
//! one per line. Every document is validated against the published schema before it is written.

use super::ExportError;
use crate::schema;
use crate::tables::Normalized;
use jsonschema::Validator;
use std::io::Write;
use std::sync::LazyLock;

/// The schema of one document: the items of `schema/profiles.schema.json`.
static DOCUMENT_VALIDATOR: LazyLock<Validator> = LazyLock::new(|| {
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(&schema::output_profile_document())
        .expect("the generated schema is a valid JSON Schema")
});

/// Writes every revision's document.
pub fn write(normalized: &Normalized, out: &mut impl Write) -> Result<(), ExportError> {
    let io = |e: std::io::Error| ExportError::Io("json/profiles.json".into(), e);
    out.write_all(b"[").map_err(io)?;
    for index in 0..normalized.profiles.len() {
        let document =
            serde_json::to_value(normalized.document(index)).map_err(|e| ExportError::Encode(e.to_string()))?;
        if let Some(error) = DOCUMENT_VALIDATOR.iter_errors(&document).next() {
            return Err(ExportError::Invalid(format!(
                "revision {} at {}: {error}",
                normalized.profiles[index].id,
                error.instance_path()
            )));
        }
        out.write_all(if index == 0 { b"\n" } else { b",\n" }).map_err(io)?;
        serde_json::to_writer(&mut *out, &document).map_err(|e| ExportError::Encode(e.to_string()))?;
    }
    out.write_all(b"\n]\n").map_err(io)
}
