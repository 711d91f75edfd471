//! `profile-export schema`: the JSON Schemas of the input (from the model) and of the JSON documents
//! (from the tables' row types), written into a folder.

use crate::tables::rows::ProfileDocument;
use serde_json::Value;
use std::path::Path;

/// The output schema of one line of `json/profiles.jsonl`: a revision, fully resolved.
pub fn output_profile_document() -> Value {
    let mut schema = schemars::schema_for!(ProfileDocument<'static>);
    schema.insert(
        "title".into(),
        "A company profile revision, fully resolved: one line of json/profiles.jsonl".into(),
    );
    schema.to_value()
}

/// Every schema with its file name, as written to `schema/`.
pub fn all() -> Vec<(&'static str, Value)> {
    vec![
        ("revision.schema.json", crate::model::revision_schema()),
        ("dataset.schema.json", crate::model::dataset_schema()),
        ("profiles.schema.json", output_profile_document()),
    ]
}

/// The text of a schema file: pretty JSON with a final newline.
pub fn render(schema: &Value) -> String {
    let mut text = serde_json::to_string_pretty(schema).unwrap_or_default();
    text.push('\n');
    text
}

/// Writes every schema into `folder`.
pub fn write(folder: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(folder)?;
    for (name, schema) in all() {
        // A new file renamed into place: a link at the schema's name is replaced, never followed.
        let mut file = tempfile::NamedTempFile::new_in(folder)?;
        use std::os::unix::fs::PermissionsExt;
        file.as_file().set_permissions(std::fs::Permissions::from_mode(0o644))?;
        std::io::Write::write_all(&mut file, render(&schema).as_bytes())?;
        file.persist(folder.join(name)).map_err(|e| e.error)?;
    }
    Ok(())
}
