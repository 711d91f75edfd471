//! The fuzzers' corpus (`fuzz/corpus/`), replayed on every test run with the fuzz targets' own
//! assertions: every input the fuzzers kept, and every crash they found, stays a regression test.

use profile_export::check::check_bytes;
use profile_export::date::DateSpan;
use profile_export::load::Limits;
use profile_export::quantity::Decimal;
use std::path::{Path, PathBuf};

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus").join(target);
    let mut files: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(&folder)
        .expect("the corpus folder")
        .map(|entry| {
            let path = entry.expect("entry").path();
            let bytes = std::fs::read(&path).expect("corpus file");
            (path, bytes)
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} is empty", folder.display());
    files
}

#[test]
fn revision_corpus() {
    for (path, data) in corpus("revision") {
        let Some((&selector, bytes)) = data.split_first() else {
            continue;
        };
        let file = ["acme/2020-01-01.yaml", "acme/2020-01-01.json", "acme/2020-01-01.toml"][usize::from(selector % 3)];
        let lines = bytes.split(|&b| b == b'\n').count().max(1);
        for problem in check_bytes(Path::new(file), bytes, &Limits::default()) {
            let line = problem.position.line as usize;
            assert!(
                line >= 1 && line <= lines && problem.position.column >= 1,
                "{}: {problem:?}",
                path.display()
            );
        }
    }
}

#[test]
fn amount_corpus() {
    for (path, data) in corpus("amount") {
        let Ok(text) = std::str::from_utf8(&data) else { continue };
        if let Ok(decimal) = Decimal::parse(text) {
            assert_eq!(Decimal::parse(&decimal.to_string()), Ok(decimal), "{}", path.display());
        }
    }
}

#[test]
fn date_corpus() {
    for (path, data) in corpus("date") {
        let Ok(text) = std::str::from_utf8(&data) else { continue };
        if let Ok(span) = DateSpan::parse(text) {
            assert!(span.from <= span.to, "{}", path.display());
        }
    }
}
