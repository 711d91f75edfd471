//! `json/profiles.json` for downstream apps: an array with one fully resolved document per revision,
//! one per line. Every document is validated against the published schema before it is written.

use super::ExportError;
use crate::schema;
use crate::tables::Normalized;
use jsonschema::Validator;
use rayon::prelude::*;
use std::sync::LazyLock;

/// The schema of one document: the items of `schema/profiles.schema.json`.
static DOCUMENT_VALIDATOR: LazyLock<Validator> = LazyLock::new(|| {
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(&schema::output_profile_document())
        .expect("the generated schema is a valid JSON Schema")
});

/// The document of every revision of a batch, validated and serialized on one line each, in order.
pub fn documents(normalized: &Normalized) -> Result<Vec<String>, ExportError> {
    (0..normalized.profiles.len())
        .into_par_iter()
        .map(|index| {
            let document =
                serde_json::to_value(normalized.document(index)).map_err(|e| ExportError::Encode(e.to_string()))?;
            if let Some(error) = DOCUMENT_VALIDATOR.iter_errors(&document).next() {
                return Err(ExportError::Invalid(format!(
                    "revision {} at {}: {error}",
                    normalized.profiles[index].id,
                    error.instance_path()
                )));
            }
            serde_json::to_string(&document).map_err(|e| ExportError::Encode(e.to_string()))
        })
        .collect()
}
