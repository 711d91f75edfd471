//! The repository keeps its promises: the committed schemas are what the code generates, the README
//! lists every error code, and the real input checks clean.

use profile_export::diagnostic::Code;
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn committed_schemas_are_what_the_code_generates() {
    for (name, schema) in profile_export::schema::all() {
        let committed = std::fs::read_to_string(root().join("schema").join(name)).unwrap_or_default();
        assert!(
            committed == profile_export::schema::render(&schema),
            "schema/{name} differs from the generated schema: run `cargo run --release -- schema` and commit"
        );
    }
}

#[test]
fn readme_lists_every_error_code() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap_or_default();
    for code in Code::ALL {
        let row = format!("| `{}` | {} |", code.as_str(), code.meaning());
        assert!(readme.contains(&row), "README.md lacks the row: {row}");
    }
}

#[test]
fn the_real_input_checks_clean() {
    let outcome = crate::support::run_in(root(), &["check"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    assert!(
        outcome.stderr.contains("checked 2 revisions of 1 profiles"),
        "{}",
        outcome.stderr
    );
}
