//! A revision file from bytes, in each format (the first byte picks YAML, JSON or TOML), through
//! the loader, the JSON Schema and the per-file rules: any input gives problems, never a panic, and
//! every problem has a position inside the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use profile_export::check::check_bytes;
use profile_export::load::Limits;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else { return };
    let path = match selector % 3 {
        0 => "acme/2020-01-01.yaml",
        1 => "acme/2020-01-01.json",
        _ => "acme/2020-01-01.toml",
    };
    let limits = Limits::default();
    for problem in check_bytes(Path::new(path), bytes, &limits) {
        assert!(problem.position.line >= 1 && problem.position.column >= 1, "{problem:?}");
        let lines = bytes.split(|&b| b == b'\n').count().max(1);
        assert!(problem.position.line as usize <= lines, "line past the end: {problem:?}");
    }
});
