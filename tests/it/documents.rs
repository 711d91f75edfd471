//! Every line of `json/profiles.jsonl` is a document the published schema accepts: the build does
//! not validate its documents (they are serialized from the types the schema is generated from), so
//! this proves it on generated datasets of several seeds, with the `jsonschema` crate.

use crate::generate;
use crate::support::run_in;

#[test]
fn generated_datasets_give_documents_the_schema_accepts() {
    let schema = profile_export::schema::output_profile_document();
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(&schema)
        .expect("a valid schema");
    for seed in [1, 7, 42] {
        let dir = tempfile::tempdir().expect("temporary folder");
        generate::generate(30, seed, &dir.path().join("in")).expect("generated input");
        let outcome = run_in(
            dir.path(),
            &["build", "--input", "in", "--output", "out", "--format", "json,csv"],
        );
        assert_eq!(outcome.code, 0, "{}", outcome.stderr);
        let text = std::fs::read_to_string(dir.path().join("out/json/profiles.jsonl")).expect("jsonl");
        let profiles = std::fs::read_to_string(dir.path().join("out/csv/profiles.csv")).expect("csv");
        let revisions = profiles.lines().count() - 1;
        assert_eq!(text.lines().count(), revisions, "one line a revision");
        for (number, line) in text.lines().enumerate() {
            let document: serde_json::Value = serde_json::from_str(line).expect("one JSON document a line");
            let errors: Vec<String> = validator
                .iter_errors(&document)
                .map(|e| format!("{}: {e}", e.instance_path()))
                .collect();
            assert!(errors.is_empty(), "seed {seed}, line {}: {errors:?}", number + 1);
            assert!(
                !line.contains(":null"),
                "seed {seed}, line {}: a null member",
                number + 1
            );
        }
    }
}
