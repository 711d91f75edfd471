//! Editor support and CI as shipped: the VS Code settings map the curated files to the committed
//! schemas, the schema line that `new` writes leads to the same schema, and the workflow runs
//! `check --format github` on pull requests.

use crate::support::{REVISION, Workdir};
use std::path::{Component, Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `base` joined with `relative`, with `..` resolved by hand (the path need not exist).
fn resolve(base: &Path, relative: &str) -> PathBuf {
    let mut path = base.to_path_buf();
    for component in Path::new(relative).components() {
        match component {
            Component::ParentDir => {
                path.pop();
            }
            Component::Normal(part) => path.push(part),
            _ => {}
        }
    }
    path
}

#[test]
fn vscode_settings_map_the_curated_files_to_the_schemas() {
    let text = std::fs::read_to_string(root().join(".vscode/settings.json")).expect(".vscode/settings.json");
    let settings: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let yaml = &settings["yaml.schemas"];
    let globs = yaml["./schema/revision.schema.json"]
        .as_array()
        .expect("the revision schema is mapped");
    assert!(globs.iter().any(|g| g == "input/profiles/**/*.yaml"), "{globs:?}");
    assert!(globs.iter().any(|g| g == "input/profiles/**/*.yml"), "{globs:?}");
    assert_eq!(yaml["./schema/dataset.schema.json"][0], "input/dataset.yaml");
    let json = &settings["json.schemas"][0];
    assert_eq!(json["fileMatch"][0], "input/profiles/**/*.json");
    assert_eq!(json["url"], "./schema/revision.schema.json");
    for schema in ["schema/revision.schema.json", "schema/dataset.schema.json"] {
        assert!(root().join(schema).is_file(), "{schema} is committed");
    }
}

#[test]
fn the_schema_line_of_a_new_revision_leads_to_the_committed_schema() {
    let work = Workdir::with_revision(REVISION);
    assert_eq!(work.run(&["new", "demo", "--updated", "2021-01-01"]).code, 0);
    let written = std::fs::read_to_string(work.path("input/profiles/demo/2021-01-01.yaml")).expect("written");
    let relative = written
        .lines()
        .next()
        .and_then(|line| line.strip_prefix("# yaml-language-server: $schema="))
        .expect("the first line names the schema");
    // In the repository, the file would be input/profiles/demo/2021-01-01.yaml.
    let schema = resolve(&root().join("input/profiles/demo"), relative);
    assert_eq!(schema, root().join("schema/revision.schema.json"));
    assert!(schema.is_file());
}

#[test]
fn the_ci_workflow_checks_pull_requests_with_annotations() {
    let workflow = std::fs::read_to_string(root().join(".github/workflows/check.yml")).expect("the workflow");
    assert!(workflow.contains("pull_request:"), "{workflow}");
    assert!(workflow.contains("profile-export check --format github"), "{workflow}");
    let outcome = crate::support::run_in(root(), &["check", "--format", "github"]);
    assert_eq!(outcome.code, 0, "the committed input checks clean: {}", outcome.stderr);
}
