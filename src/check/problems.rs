//! Problems as they are found, held to a bound: at most `MAX_FILE_PROBLEMS` of one file and
//! `MAX_PROBLEMS` in all are kept, the first in the order they are printed in; the rest are counted,
//! and each count becomes a problem of its own (`E0014`). Memory stays bounded however many
//! problems the input has, and what is listed is what a full sort would list first.

use crate::diagnostic::{Code, Diagnostic, Position, Unlisted};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Most problems of one file listed: a file with more has a mistake repeated, and the first ones
/// show it (a file holds at most a million values, each of which could be a problem).
pub const MAX_FILE_PROBLEMS: usize = 1_000;

/// Most problems of a run listed, over every file: enough for any curator to work through, and
/// about 70 MB of memory at most (a problem with its source line takes about 0.7 KB).
pub const MAX_PROBLEMS: usize = 100_000;

/// Where the checks put what they find.
pub trait Sink {
    /// Takes one problem.
    fn push(&mut self, problem: Diagnostic);
}

/// The order problems are printed in, owned: the last problem kept under the total bound.
type Key = (PathBuf, Position, Code, String);

fn key(problem: &Diagnostic) -> Key {
    let (path, position, code, message) = problem.sort_key();
    (path.to_owned(), position, code, message.to_owned())
}

/// Sorts problems in the order they are printed in, and drops repeats.
fn sort(problems: &mut Vec<Diagnostic>) {
    problems.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    problems.dedup();
}

/// The problems of one file: the first `limit` in printed order are kept, the others counted.
#[derive(Debug)]
pub struct FileProblems {
    limit: usize,
    kept: Vec<Diagnostic>,
    /// Problems found past the bound.
    counted: u64,
    /// Every problem found.
    found: u64,
}

impl FileProblems {
    /// No problem yet; at most `limit` will be kept.
    pub fn new(limit: usize) -> FileProblems {
        FileProblems {
            limit: limit.max(1),
            kept: Vec::new(),
            counted: 0,
            found: 0,
        }
    }

    /// How many problems were found so far, kept or counted.
    pub fn found(&self) -> u64 {
        self.found
    }

    /// The problems kept, in the order they came in since the last sort.
    pub fn kept(&self) -> &[Diagnostic] {
        &self.kept
    }

    /// The problems kept, to be completed (with their source lines).
    pub fn kept_mut(&mut self) -> &mut [Diagnostic] {
        &mut self.kept
    }

    /// Keeps the first `limit` problems: sorting twice the bound at a time costs a logarithm a
    /// problem, and memory holds at most twice the bound.
    fn trim(&mut self) {
        sort(&mut self.kept);
        if self.kept.len() > self.limit {
            self.counted += (self.kept.len() - self.limit) as u64;
            self.kept.truncate(self.limit);
        }
    }

    /// The problems kept, sorted, and how many more were found.
    pub fn finish(mut self) -> (Vec<Diagnostic>, u64) {
        self.trim();
        (self.kept, self.counted)
    }

    /// The problems kept, sorted, then an `E0014` problem at the start of `path` that counts the
    /// others, if there are any: what a caller with no other problems of the file gets.
    pub fn into_vec(self, path: &Path) -> Vec<Diagnostic> {
        let limit = self.limit;
        let (mut kept, counted) = self.finish();
        if counted > 0 {
            kept.push(file_count(path, counted, limit, "a file"));
            kept.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        }
        kept
    }
}

impl Sink for FileProblems {
    fn push(&mut self, problem: Diagnostic) {
        self.found += 1;
        self.kept.push(problem);
        if self.kept.len() >= 2 * self.limit {
            self.trim();
        }
    }
}

/// The problem that counts a file's problems not listed, which the bound of `what` (a file, or the
/// run) left out.
fn file_count(path: &Path, counted: u64, limit: usize, what: &str) -> Diagnostic {
    let mut problem = Diagnostic::new(
        Code::TooManyProblems,
        path,
        Position::START,
        format!(
            "has {counted} more problem{}, counted but not listed: only the first {limit} problems of {what} \
             are listed; fix these and check again",
            plural(counted)
        ),
    );
    problem.unlisted = Some(Box::new(Unlisted {
        problems: counted,
        files: 0,
    }));
    problem
}

fn plural(count: u64) -> &'static str {
    if count == 1 { "" } else { "s" }
}

/// The problems of one file, within the run's bound.
#[derive(Debug, Default)]
struct Bucket {
    kept: Vec<Diagnostic>,
    /// Problems of the file found but not kept.
    counted: u64,
}

impl Bucket {
    /// Keeps the first `room` problems, counting the others; returns how many it let go.
    fn trim(&mut self, room: usize) -> usize {
        sort(&mut self.kept);
        let over = self.kept.len().saturating_sub(room);
        self.counted += over as u64;
        self.kept.truncate(room);
        over
    }
}

/// Every problem of a run: at most `file_limit` of a file and `total_limit` in all kept, the first
/// in printed order; the others counted, in their file's count while some of its problems are
/// kept, else in the run's.
#[derive(Debug)]
pub struct Problems {
    /// Where a count of the whole run is reported: the input folder.
    input: PathBuf,
    file_limit: usize,
    total_limit: usize,
    files: BTreeMap<PathBuf, Bucket>,
    /// Problems kept, over every file.
    kept: usize,
    /// Once the total bound was reached: the last problem kept. One that sorts after it is counted.
    cutoff: Option<Key>,
    /// Problems counted in files none of whose problems are kept, and those files.
    beyond: u64,
    beyond_files: BTreeSet<PathBuf>,
    /// Every problem found.
    found: u64,
}

impl Problems {
    /// No problem yet, with the bounds `MAX_FILE_PROBLEMS` and `MAX_PROBLEMS`; a count of the whole
    /// run is reported at `input`.
    pub fn new(input: &Path) -> Problems {
        Problems::with_limits(input, MAX_FILE_PROBLEMS, MAX_PROBLEMS)
    }

    /// No problem yet, with the given bounds.
    pub fn with_limits(input: &Path, file_limit: usize, total_limit: usize) -> Problems {
        Problems {
            input: input.to_owned(),
            file_limit: file_limit.max(1),
            total_limit: total_limit.max(1),
            files: BTreeMap::new(),
            kept: 0,
            cutoff: None,
            beyond: 0,
            beyond_files: BTreeSet::new(),
            found: 0,
        }
    }

    /// Whether no problem at all has been found.
    pub fn is_empty(&self) -> bool {
        self.found == 0
    }

    /// Takes the problems of one file's own checks: `kept` of them, sorted, and `counted` more.
    pub fn add_file(&mut self, path: &Path, kept: Vec<Diagnostic>, counted: u64) {
        self.found += counted;
        if counted > 0 {
            self.count(path, counted);
        }
        for problem in kept {
            self.push(problem);
        }
    }

    /// Counts `counted` problems of the file `path` without keeping them.
    fn count(&mut self, path: &Path, counted: u64) {
        if let Some(bucket) = self.files.get_mut(path) {
            bucket.counted += counted;
        } else if self.is_beyond(path) {
            self.beyond += counted;
            self.beyond_files.insert(path.to_owned());
        } else {
            self.files.entry(path.to_owned()).or_default().counted += counted;
        }
    }

    /// Whether no problem of the file `path` can be kept any more: it sorts after the cutoff's file.
    fn is_beyond(&self, path: &Path) -> bool {
        self.cutoff.as_ref().is_some_and(|cutoff| path > cutoff.0.as_path())
    }

    /// Keeps the first problems of each file and of the run, counting the others.
    fn trim(&mut self) {
        let mut kept = 0;
        let mut cut_from = None;
        for (path, bucket) in &mut self.files {
            if kept == self.total_limit {
                cut_from = Some(path.clone());
                break;
            }
            bucket.trim(self.file_limit.min(self.total_limit - kept));
            kept += bucket.kept.len();
        }
        self.kept = kept;
        if let Some(first) = cut_from {
            // Files none of whose problems can be kept: counted in the run's count.
            for (path, bucket) in self.files.split_off(&first) {
                self.beyond += bucket.counted + bucket.kept.len() as u64;
                self.beyond_files.insert(path);
            }
            self.cutoff = self.files.values().rev().find_map(|bucket| bucket.kept.last()).map(key);
        }
    }

    /// Every problem kept, sorted, with an `E0014` problem for each file that has more, and one at
    /// the input folder for the files none of whose problems are listed.
    pub fn finish(mut self) -> Vec<Diagnostic> {
        self.trim();
        let mut problems = Vec::with_capacity(self.kept + self.files.len() + 1);
        for (path, bucket) in std::mem::take(&mut self.files) {
            if bucket.counted > 0 {
                // A file cut short of its own bound was cut by the run's.
                let (limit, what) = match bucket.kept.len() < self.file_limit {
                    true => (self.total_limit, "a run"),
                    false => (self.file_limit, "a file"),
                };
                problems.push(file_count(&path, bucket.counted, limit, what));
            }
            problems.extend(bucket.kept);
        }
        if self.beyond > 0 {
            let files = self.beyond_files.len() as u64;
            let mut problem = Diagnostic::new(
                Code::TooManyProblems,
                &self.input,
                Position::START,
                format!(
                    "has {} more problem{} in {files} more file{}, counted but not listed: only the first {} \
                     problems of a run are listed; fix these and check again",
                    self.beyond,
                    plural(self.beyond),
                    plural(files),
                    self.total_limit
                ),
            );
            problem.unlisted = Some(Box::new(Unlisted {
                problems: self.beyond,
                files,
            }));
            problems.push(problem);
        }
        problems.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        problems
    }
}

impl Sink for Problems {
    fn push(&mut self, problem: Diagnostic) {
        self.found += 1;
        if let Some((path, position, code, message)) = &self.cutoff
            && problem.sort_key() > (path.as_path(), *position, *code, message.as_str())
        {
            return self.count(&problem.path, 1);
        }
        let bucket = self.files.entry(problem.path.clone()).or_default();
        bucket.kept.push(problem);
        self.kept += 1;
        if bucket.kept.len() >= 2 * self.file_limit {
            self.kept -= bucket.trim(self.file_limit);
        }
        if self.kept >= 2 * self.total_limit {
            self.trim();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(file: &str, line: u32) -> Diagnostic {
        Diagnostic::new(
            Code::UnknownField,
            Path::new(file),
            Position { line, column: 1 },
            format!("problem at line {line}"),
        )
    }

    /// What a finished list shows: file, line and, for a count, how many it stands for.
    fn shown(problems: &[Diagnostic]) -> Vec<(String, u32, u64, u64)> {
        problems
            .iter()
            .map(|p| {
                (
                    p.path.display().to_string(),
                    p.position.line,
                    p.counted().problems,
                    p.counted().files,
                )
            })
            .collect()
    }

    #[test]
    fn a_file_keeps_its_first_problems_whatever_the_order_they_come_in() {
        let mut file = FileProblems::new(3);
        for line in [9, 4, 7, 1, 8, 2, 6, 3, 5, 10] {
            file.push(problem("a", line));
        }
        assert_eq!(file.found(), 10);
        assert_eq!(
            shown(&file.into_vec(Path::new("a"))),
            [
                ("a".into(), 1, 7, 0),
                ("a".into(), 1, 0, 0),
                ("a".into(), 2, 0, 0),
                ("a".into(), 3, 0, 0)
            ]
        );
    }

    #[test]
    fn a_problem_found_twice_is_listed_once() {
        let mut file = FileProblems::new(3);
        for line in [2, 1, 2] {
            file.push(problem("a", line));
        }
        assert_eq!(file.finish(), (vec![problem("a", 1), problem("a", 2)], 0));
    }

    #[test]
    fn the_count_of_a_file_says_how_many_are_not_listed() {
        let mut file = FileProblems::new(2);
        for line in 1..=5 {
            file.push(problem("a", line));
        }
        let problems = file.into_vec(Path::new("a"));
        assert_eq!(problems[0].code, Code::TooManyProblems);
        assert_eq!(problems[0].position, Position::START);
        assert_eq!(
            problems[0].message,
            "has 3 more problems, counted but not listed: only the first 2 problems of a file are listed; \
             fix these and check again"
        );
        assert_eq!(problems[0].counted().problems, 3);
    }

    #[test]
    fn the_run_keeps_the_first_problems_of_each_file_and_of_all() {
        let mut run = Problems::with_limits(Path::new("in"), 3, 5);
        // Files come in any order, and one file's problems in several parts (its own checks, then
        // the cross-file rules).
        for (file, lines) in [
            ("in/c", vec![1, 2]),
            ("in/a", vec![5, 4, 3, 2, 1]),
            ("in/d", vec![1]),
            ("in/b", vec![2]),
            ("in/a", vec![6]),
            ("in/c", vec![3]),
            ("in/e", vec![1, 2]),
            ("in/b", vec![1]),
        ] {
            for line in lines {
                run.push(problem(file, line));
            }
        }
        assert!(!run.is_empty());
        assert_eq!(
            shown(&run.finish()),
            [
                // c (3 problems), d and e (3 more) are past the five listed.
                ("in".into(), 1, 6, 3),
                // a: three listed, three counted.
                ("in/a".into(), 1, 3, 0),
                ("in/a".into(), 1, 0, 0),
                ("in/a".into(), 2, 0, 0),
                ("in/a".into(), 3, 0, 0),
                ("in/b".into(), 1, 0, 0),
                ("in/b".into(), 2, 0, 0),
            ]
        );
    }

    #[test]
    fn a_file_cut_by_the_bound_of_the_run_counts_what_it_loses() {
        let mut run = Problems::with_limits(Path::new("in"), 10, 4);
        for line in 1..=3 {
            run.push(problem("in/a", line));
        }
        run.add_file(Path::new("in/b"), vec![problem("in/b", 1), problem("in/b", 2)], 7);
        // Past the bound: in a file after the cutoff, and in the cutoff's own file.
        for line in 1..=10 {
            run.push(problem("in/c", line));
        }
        run.push(problem("in/b", 3));
        assert_eq!(
            shown(&run.finish()),
            [
                ("in".into(), 1, 10, 1),
                ("in/a".into(), 1, 0, 0),
                ("in/a".into(), 2, 0, 0),
                ("in/a".into(), 3, 0, 0),
                // b keeps one problem: its count holds the other two and the seven of its own.
                ("in/b".into(), 1, 9, 0),
                ("in/b".into(), 1, 0, 0),
            ]
        );
        let finished = {
            let mut run = Problems::with_limits(Path::new("in"), 10, 4);
            run.add_file(
                Path::new("in/a"),
                (1..=6).map(|line| problem("in/a", line)).collect(),
                0,
            );
            run.finish()
        };
        assert_eq!(
            finished[0].message,
            "has 2 more problems, counted but not listed: only the first 4 problems of a run are listed; fix \
             these and check again"
        );
    }

    #[test]
    fn no_problem_is_no_count() {
        let run = Problems::new(Path::new("in"));
        assert!(run.is_empty());
        assert!(run.finish().is_empty());
    }
}
