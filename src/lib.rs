//! profile-export: curated company profiles in, a checked open dataset out.
//!
//! The pipeline is staged: `load` (files to positioned documents), `check` (JSON Schema and data
//! rules to a trusted dataset or every problem), then the exports.

/// Writes a line on stderr. A closed or broken stderr is not worth a panic: the exit code still tells.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

pub mod archive;
pub mod build;
pub mod changes;
pub mod check;
pub mod claim;
pub mod cli;
pub mod date;
pub mod diagnostic;
pub mod diff;
pub mod emit;
pub mod escape;
pub mod export;
pub mod gates;
pub mod identifier;
pub mod input;
pub mod load;
pub mod model;
pub mod new;
pub mod progress;
pub mod publish;
pub mod quantity;
pub mod quote;
pub mod schema;
pub mod tables;

use diagnostic::Diagnostic;
use emit::OutputFormat;
use std::io::Write;
use std::process::ExitCode;

/// Exit code: the input is invalid.
pub const EXIT_INVALID: u8 = 1;
/// Exit code: a usage or I/O error.
pub const EXIT_USAGE: u8 = 2;

/// Runs a parsed command line and returns the process exit code.
pub fn run(cli: cli::Cli) -> ExitCode {
    // Reading and checking a value recurse into it, on the pool's threads: they get the main
    // thread's 8 MiB of stack (reserved, touched only as used) instead of 2 MiB, so the deepest
    // value `--max-depth` allows stays far from its end. It fails only if a pool already exists,
    // which then keeps its own.
    let _ = rayon::ThreadPoolBuilder::new().stack_size(8 << 20).build_global();
    match cli.command {
        cli::Command::Build(args) => build_dataset(&args),
        cli::Command::Diff(args) => diff(&args),
        cli::Command::New(args) => new_revision(&args),
        cli::Command::Check(args) if args.parse_only => parse_only(&args.check),
        cli::Command::Check(args) => match streamed_as(&args.check, args.archive.as_deref(), args.format) {
            Ok(checked) => {
                let files = checked.entities.files();
                say!(
                    "checked {} revisions of {} profiles: no problems",
                    files.len(),
                    files.chunk_by(|a, b| a.profile == b.profile).count()
                );
                ExitCode::SUCCESS
            }
            Err(code) => code,
        },
        cli::Command::Schema { output } => match schema::write(&output) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                say!(
                    "error: cannot write the schemas into {}: {e}",
                    crate::escape::path(&output)
                );
                ExitCode::from(EXIT_USAGE)
            }
        },
    }
}

/// The checked input, revisions not kept, or the exit code after reporting why there is none, with
/// the problems reported in `format`. The publication gates of `dataset.yaml`, if it has any, are
/// counted on the rows `build` would write and judged; without any, no row is made.
fn streamed_as(
    args: &cli::CheckArgs,
    archive: Option<&std::path::Path>,
    format: OutputFormat,
) -> Result<check::Checked, ExitCode> {
    let input = open_input(args)?;
    let archive = open_archive(archive, args)?;
    let limits = args.limits();
    let mut dataset = check::dataset(&input, &limits);
    let tables = tables::all();
    let gates = gates::Gates::of(&mut dataset, &tables);
    if !gates.is_empty() {
        let checked = build::check_gated(&input, dataset, gates, &tables, &limits, args.quiet, archive.as_ref());
        return checked.map_err(|error| match error {
            build::BuildError::Problems(problems) => {
                report(&problems, format);
                ExitCode::from(EXIT_INVALID)
            }
            other => {
                say!("error: {other}");
                ExitCode::from(EXIT_USAGE)
            }
        });
    }
    // Freeing a batch's revisions takes a while: the pool does it while this thread checks on.
    let ignore = |revisions: Vec<check::CheckedRevision>| {
        rayon::spawn(move || drop(revisions));
        Ok::<(), std::convert::Infallible>(())
    };
    check::stream(&input, dataset, &limits, args.quiet, archive.as_ref(), ignore)
        .map_err(|failure| stopped(failure, format))
}

/// Reports why checking stopped, in `format`, and gives the exit code: invalid input, or an I/O
/// error of the temporary folder.
fn stopped(failure: check::Failure<std::convert::Infallible>, format: OutputFormat) -> ExitCode {
    match failure {
        check::Failure::Problems(problems) => {
            report(&problems, format);
            ExitCode::from(EXIT_INVALID)
        }
        check::Failure::Spill(error) => {
            say!("error: {error}");
            ExitCode::from(EXIT_USAGE)
        }
        check::Failure::Visit(never) => match never {},
    }
}

/// Reads and parses every file, checking nothing, and says how many: the floor of `check` and
/// `build`, for benchmarks.
fn parse_only(args: &cli::CheckArgs) -> ExitCode {
    use rayon::prelude::*;
    let limits = args.limits();
    let input = match open_input(args) {
        Ok(input) => input,
        Err(code) => return code,
    };
    let files = input.profile_files().0;
    let parsed = files
        .par_iter()
        .filter(|path| load::load_file(&input, path, &limits).is_ok())
        .count();
    say!("parsed {parsed} of {} files", files.len());
    ExitCode::SUCCESS
}

/// The checked revisions of `profile`, or the exit code after reporting why there are none.
fn checked(args: &cli::CheckArgs, profile: &str) -> Result<Vec<check::CheckedRevision>, ExitCode> {
    let input = open_input(args)?;
    check::revisions_of(&input, &args.limits(), args.quiet, profile)
        .map_err(|failure| stopped(failure, OutputFormat::Text))
}

fn build_dataset(args: &cli::BuildArgs) -> ExitCode {
    let input = &args.check.input;
    // The last line of every failed build once the output folder is claimed.
    let unchanged = |why: &str| {
        say!(
            "error: nothing was written{why}; {} is unchanged",
            crate::escape::path(&args.output)
        )
    };
    // Refuse an output folder that is not ours before spending any time on the input.
    let target = match publish::claim(&args.output, input) {
        Ok(target) => target,
        Err(message) => {
            say!("error: {message}");
            say!("error: nothing was written");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let opened = match open_input(&args.check) {
        Ok(opened) => opened,
        Err(code) => {
            unchanged("");
            return code;
        }
    };
    let mut formats = args.format.clone();
    formats.sort();
    formats.dedup();
    let archive = match open_archive(args.archive.as_deref(), &args.check) {
        Ok(archive) => archive,
        Err(code) => {
            unchanged("");
            return code;
        }
    };
    let result = build::build(
        &opened,
        &args.check.limits(),
        args.check.quiet,
        archive.as_ref(),
        &target,
        &formats,
    );
    match result {
        Ok(summary) => {
            say!(
                "built {} from {}:",
                crate::escape::path(&args.output),
                crate::escape::path(input)
            );
            say!("{summary}");
            for warning in &summary.warnings {
                say!("warning: {warning}");
            }
            ExitCode::SUCCESS
        }
        Err(build::BuildError::Problems(problems)) => {
            report(&problems, OutputFormat::Text);
            unchanged("");
            ExitCode::from(EXIT_INVALID)
        }
        Err(e) => {
            say!("error: {e}");
            // The file named is in the staging folder, which is gone by now: say so, lest it be
            // looked for.
            let removed = match e.path().is_some_and(|path| target.in_staging(path)) {
                true => " (the staging folder named above is removed)",
                false => "",
            };
            unchanged(removed);
            ExitCode::from(EXIT_USAGE)
        }
    }
}

fn diff(args: &cli::DiffArgs) -> ExitCode {
    use std::io::IsTerminal;
    let revisions = match checked(&args.check, &args.profile) {
        Ok(revisions) => revisions,
        Err(code) => return code,
    };
    let (old, new) = match diff::revisions(&revisions, &args.profile, args.from.as_deref(), args.to.as_deref()) {
        Ok(pair) => pair,
        Err(message) => {
            say!("error: {message}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let stdout = std::io::stdout();
    let text = match args.format {
        diff::DiffFormat::Json => diff::json(old, new),
        diff::DiffFormat::Text => {
            let colour = stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none();
            diff::text(old, new, colour)
        }
    };
    match stdout.lock().write_all(text.as_bytes()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            say!("error: cannot write the changelog: {e}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

fn new_revision(args: &cli::NewArgs) -> ExitCode {
    match new::start(&args.input, &args.profile, args.updated.as_deref()) {
        Ok(started) => {
            match &started.from {
                Some(from) => say!(
                    "created {}, a copy of {} with the new date: edit it, then `profile-export check` \
                     and `profile-export diff {}`",
                    crate::escape::path(&started.path),
                    crate::escape::path(from),
                    args.profile
                ),
                None => say!(
                    "created {}, the skeleton of a new profile: fill it in, then `profile-export check`",
                    crate::escape::path(&started.path)
                ),
            }
            ExitCode::SUCCESS
        }
        Err(new::Refused(message)) => {
            say!("error: {message}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

/// The input folder, or the exit code after saying why it cannot be read.
/// The archive folder of `--archive`, read whole, or the exit code after saying why it cannot be.
fn open_archive(folder: Option<&std::path::Path>, args: &cli::CheckArgs) -> Result<Option<archive::Archive>, ExitCode> {
    let Some(folder) = folder else { return Ok(None) };
    archive::Archive::read(folder, args.max_file_size)
        .map(Some)
        .map_err(|message| {
            say!("error: {message}");
            ExitCode::from(EXIT_USAGE)
        })
}

fn open_input(args: &cli::CheckArgs) -> Result<input::Input, ExitCode> {
    input::Input::open(&args.input).map_err(|message| {
        say!("error: {message}");
        ExitCode::from(EXIT_USAGE)
    })
}

/// Prints every problem in `format` (text on stderr, the machine formats on stdout), each as soon as
/// it is rendered, then a count on stderr: every problem found, those counted but not listed
/// (`E0014`) included. A closed pipe ends the output quietly.
pub fn report(problems: &[Diagnostic], format: OutputFormat) {
    let mut emitter = format.emitter();
    // A write error (a reader that went away) stops the output; the exit code still says why.
    let _ = if format.on_stdout() {
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        emitter.emit(&mut out, problems).and_then(|()| out.flush())
    } else {
        emitter.emit(&mut std::io::stderr().lock(), problems)
    };
    let counts = |p: &&Diagnostic| p.code == diagnostic::Code::TooManyProblems;
    let listed = problems.iter().filter(|p| !counts(p)).count() as u64;
    let unlisted: u64 = problems.iter().filter(counts).map(|p| p.counted().problems).sum();
    // A count of the whole run stands at the input folder, and names the files it counts.
    let files: std::collections::BTreeSet<_> = problems
        .iter()
        .filter(|p| p.counted().files == 0)
        .map(|p| &p.path)
        .collect();
    let files = files.len() as u64 + problems.iter().map(|p| p.counted().files).sum::<u64>();
    let found = listed + unlisted;
    let plural = |n: u64| if n == 1 { "" } else { "s" };
    let listed_only = match unlisted {
        0 => String::new(),
        _ => format!(", {listed} of them listed (the others are counted: E0014)"),
    };
    say!(
        "error: {found} problem{} found in {files} file{}{listed_only}",
        plural(found),
        plural(files)
    );
}
