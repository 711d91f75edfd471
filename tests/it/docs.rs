//! The repository stands alone: the README and the contract in `docs/` point only at files that are
//! in the repository, and the code's licence is there.

use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The targets of the Markdown links in a text: `[text](target)`.
fn links(text: &str) -> Vec<&str> {
    text.split("](")
        .skip(1)
        .filter_map(|rest| rest.split_once(')').map(|(target, _)| target))
        .collect()
}

#[test]
fn readme_and_docs_point_only_at_files_in_the_repository() {
    for document in ["README.md", "docs/contract.md"] {
        let text = std::fs::read_to_string(root().join(document)).expect(document);
        // Relative paths inside a revision file (`../../../schema/...`) are fine; a way out is not.
        for outside in ["../shared", "](../", "/work/", "SPEC.md"] {
            assert!(!text.contains(outside), "{document} mentions {outside:?}");
        }
        let folder = root().join(document).parent().expect("folder").to_owned();
        for target in links(&text) {
            if target.starts_with("http") || target.starts_with('#') {
                continue;
            }
            assert!(
                folder.join(target).exists(),
                "{document} links {target}, which is not in the repository"
            );
        }
    }
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    assert!(
        readme.contains("(docs/contract.md)"),
        "the README points at the contract"
    );
}

#[test]
fn the_code_has_its_licence_and_the_data_has_its_own() {
    let licence = std::fs::read_to_string(root().join("LICENSE")).expect("LICENSE");
    assert!(
        licence.trim_start().starts_with("Apache License\n"),
        "LICENSE is the Apache License"
    );
    assert!(licence.contains("Version 2.0, January 2004"));
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).expect("Cargo.toml");
    assert!(manifest.contains("license = \"Apache-2.0\""));
    let dataset = std::fs::read_to_string(root().join("input/dataset.yaml")).expect("dataset.yaml");
    assert!(
        dataset.contains("license: CC-BY-4.0"),
        "the data's licence is stated in dataset.yaml"
    );
    let package = std::fs::read_to_string(root().join("output/datapackage.json")).expect("datapackage.json");
    assert!(package.contains("\"name\": \"CC-BY-4.0\""), "and in the data package");
}
