//! The data dictionary (`output/README.md`): it opens with how to load the data, and text from
//! `dataset.yaml` reaches it escaped, so that a title or description cannot inject Markdown or HTML.

use crate::support::{REVISION, REVISION_PATH, Workdir};

#[test]
fn dataset_text_is_escaped_in_the_dictionary() {
    let dataset = r#"name: test
title: "<script>alert(1)</script> *Acme* [x](javascript:alert(1))"
description: |
  First line
  # Not a heading
  <img src=x onerror=alert(1)>
  - not a list
version: '1'
license: CC-BY-4.0
publisher: "| pipe & co"
sources:
  - title: "Report](javascript:alert(1))"
    url: "https://example.org/report"
"#;
    let work = Workdir::new(&[
        ("dataset.yaml", dataset.as_bytes()),
        (REVISION_PATH, REVISION.as_bytes()),
    ]);
    let outcome = work.run(&["build", "--format", "csv"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let readme = std::fs::read_to_string(work.path("output/README.md")).expect("README.md");
    let lines: Vec<&str> = readme.lines().collect();
    assert_eq!(
        lines[0],
        r"# &lt;script&gt;alert\(1\)&lt;/script&gt; \*Acme\* \[x\]\(javascript:alert\(1\)\)"
    );
    assert_eq!(
        lines[2],
        r"First line \# Not a heading &lt;img src=x onerror=alert\(1\)&gt; - not a list"
    );
    assert!(lines[4].ends_with(r" · published by \| pipe &amp; co"), "{}", lines[4]);
    assert_eq!(
        lines[6],
        r"Sources: [Report\]\(javascript:alert\(1\)\)](<https://example.org/report>)."
    );
    for injected in ["<script", "<img", "](javascript", "\n# Not", "\n- not"] {
        assert!(!readme.contains(injected), "README.md holds {injected:?}");
    }
}

#[test]
fn the_dictionary_opens_with_how_to_load_the_data() {
    let work = Workdir::with_revision(REVISION);
    let outcome = work.run(&["build"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let readme = std::fs::read_to_string(work.path("output/README.md")).expect("README.md");
    let sections: Vec<&str> = readme.lines().filter(|l| l.starts_with("## ")).collect();
    assert_eq!(
        sections,
        ["## How to load the data", "## Conventions", "## Files", "## Tables"]
    );
    for needle in [
        "dtype_backend=\"pyarrow\"",
        "pa.decimal128(28, 9)",
        "pl.read_parquet(",
        "CREATE VIEW changes AS SELECT * FROM read_parquet('parquet/changes.parquet');",
        "spark.read.parquet(",
        "`xlsx/test.xlsx`",
        "datasette sqlite/test.sqlite --metadata sqlite/test.metadata.json",
        "65001: Unicode (UTF-8)",
    ] {
        assert!(readme.contains(needle), "README.md lacks {needle:?}");
    }
}
