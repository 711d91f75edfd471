//! Crash safety: `build` killed with SIGKILL at many points leaves the previous dataset or the new
//! one, whole, never a mix, and the next build cleans up what the killed one left.

use crate::generate;
use crate::support::{leftovers, run_in, tree};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

type Tree = BTreeMap<String, Vec<u8>>;

fn build_into(dir: &Path, input: &str) -> Tree {
    let outcome = run_in(dir, &["build", "--input", input, "--output", "output"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    tree(&dir.join("output"))
}

#[test]
fn a_killed_build_leaves_the_old_dataset_or_the_new_one() {
    let dir = tempfile::tempdir().expect("temporary folder");
    generate::generate(40, 1, &dir.path().join("a")).expect("input a");
    generate::generate(40, 2, &dir.path().join("b")).expect("input b");
    let b = build_into(dir.path(), "b");
    let started = Instant::now();
    let a = build_into(dir.path(), "a");
    let full = started.elapsed();
    assert!(a != b);

    let (mut current, mut current_input) = (&a, "a");
    let steps = 16;
    let mut outcomes = BTreeMap::new();
    for step in 0..=steps {
        let (next, next_input) = if current_input == "a" { (&b, "b") } else { (&a, "a") };
        let mut child = Command::new(env!("CARGO_BIN_EXE_profile-export"))
            .args(["build", "--input", next_input, "--output", "output"])
            .current_dir(dir.path())
            .stderr(Stdio::null())
            .spawn()
            .expect("the binary runs");
        std::thread::sleep(full.mul_f64(1.2 * f64::from(step) / f64::from(steps)));
        let _ = child.kill(); // SIGKILL; the build may have finished already
        let _ = child.wait();
        let found = tree(&dir.path().join("output"));
        if found == *next {
            (current, current_input) = (next, next_input);
            *outcomes.entry("new").or_insert(0) += 1;
        } else {
            assert!(
                found == *current,
                "step {step}: output/ is neither the old dataset nor the new one"
            );
            *outcomes.entry("old").or_insert(0) += 1;
        }
    }
    assert!(
        outcomes.contains_key("old"),
        "no kill landed before the swap: {outcomes:?}"
    );

    // The next build removes the staging folders of the killed ones.
    build_into(dir.path(), "a");
    let left = leftovers(dir.path(), &["a", "b", "output"]);
    // What a leftover holds says which step of a build it was killed at.
    let inside: Vec<Vec<(String, usize)>> = left
        .iter()
        .map(|name| {
            let files = tree(&dir.path().join(name));
            files.into_iter().map(|(path, bytes)| (path, bytes.len())).collect()
        })
        .collect();
    assert_eq!(left, Vec::<String>::new(), "{inside:?}");
}
