//! profile-export: curated company profiles in, a checked open dataset out.
//!
//! The pipeline is staged: `load` (files to positioned documents), `check` (JSON Schema and data
//! rules to a trusted dataset or every problem), then the exports.

pub mod check;
pub mod claim;
pub mod cli;
pub mod date;
pub mod diagnostic;
pub mod load;
pub mod model;
pub mod quantity;
pub mod schema;

use diagnostic::{Diagnostic, Renderer};
use std::io::Write;
use std::process::ExitCode;

/// Exit code: the input is invalid.
pub const EXIT_INVALID: u8 = 1;
/// Exit code: a usage or I/O error.
pub const EXIT_USAGE: u8 = 2;

/// Runs a parsed command line and returns the process exit code.
pub fn run(cli: cli::Cli) -> ExitCode {
    match cli.command {
        cli::Command::Check(args) => {
            if !args.input.is_dir() {
                eprintln!("error: the input folder {} does not exist", args.input.display());
                return ExitCode::from(EXIT_USAGE);
            }
            match check::check(&args.input, &args.limits()) {
                Ok(dataset) => {
                    eprintln!(
                        "checked {} revisions of {} profiles: no problems",
                        dataset.revisions.len(),
                        count_profiles(&dataset)
                    );
                    ExitCode::SUCCESS
                }
                Err(problems) => {
                    report(&problems);
                    ExitCode::from(EXIT_INVALID)
                }
            }
        }
        cli::Command::Schema { output } => match schema::write(&output) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: cannot write the schemas into {}: {e}", output.display());
                ExitCode::from(EXIT_USAGE)
            }
        },
    }
}

fn count_profiles(dataset: &check::Dataset) -> usize {
    dataset
        .revisions
        .chunk_by(|a, b| a.revision.profile == b.revision.profile)
        .count()
}

/// Prints every problem on stderr, then a count.
pub fn report(problems: &[Diagnostic]) {
    let mut renderer = Renderer::default();
    let mut out = String::new();
    for problem in problems {
        out.push_str(&renderer.render(problem));
        out.push('\n');
    }
    let files: std::collections::BTreeSet<_> = problems.iter().map(|p| &p.path).collect();
    let plural = if problems.len() == 1 { "" } else { "s" };
    out.push_str(&format!(
        "error: {} problem{plural} found in {} file{}\n",
        problems.len(),
        files.len(),
        if files.len() == 1 { "" } else { "s" }
    ));
    let _ = std::io::stderr().lock().write_all(out.as_bytes());
}
