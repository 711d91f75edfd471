//! The command line: clap arguments, turned into the configuration each command needs.

use crate::diff::DiffFormat;
use crate::emit::OutputFormat;
use crate::export::Format;
use crate::load::Limits;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Turns curated company profiles into an open dataset: Parquet, CSV, JSON and a Frictionless data package.
#[derive(Debug, Parser)]
#[command(name = "profile-export", version)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the curated folder, then write the dataset: Parquet, CSV, JSON, datapackage.json and a data dictionary.
    Build(BuildArgs),
    /// Check the curated folder and print every problem found (exit 1 if any).
    Check(CheckCommand),
    /// Show what changed between two revisions of a profile (by default its latest two).
    Diff(DiffArgs),
    /// Start the next revision of a profile: a copy of its latest revision with the new date, or a
    /// skeleton for a new profile; an existing file is never overwritten.
    New(NewArgs),
    /// Write the JSON Schemas generated from the program's own types.
    Schema {
        /// Folder to write the schemas into.
        #[arg(long, default_value = "schema")]
        output: PathBuf,
    },
}

/// What `build` reads and writes.
#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub check: CheckArgs,
    /// Folder to write the dataset into; it is replaced as a whole, atomically.
    #[arg(long, default_value = "output")]
    pub output: PathBuf,
    /// Formats to write, separated by commas (default: every format).
    #[arg(long, value_delimiter = ',', default_value = "json,csv,parquet,xlsx,sqlite")]
    pub format: Vec<Format>,
    /// Folder of archived source texts: each source's `sha256` must name one of its files, and each
    /// quote must be in the text of a source it cites that has a `sha256`.
    #[arg(long, value_name = "DIR")]
    pub archive: Option<PathBuf>,
}

/// What `check` reads.
#[derive(Debug, Args)]
pub struct CheckCommand {
    #[command(flatten)]
    pub check: CheckArgs,
    /// How problems are printed: `text` for people (stderr), `json` (one object a line) or `github`
    /// (GitHub Actions workflow commands) for machines (stdout).
    #[arg(long, value_enum, default_value = "text")]
    pub format: OutputFormat,
    /// Only read and parse every file, checking nothing: the floor that benchmarks compare with.
    #[arg(long, hide = true)]
    pub parse_only: bool,
    /// Folder of archived source texts: each source's `sha256` must name one of its files, and each
    /// quote must be in the text of a source it cites that has a `sha256`.
    #[arg(long, value_name = "DIR")]
    pub archive: Option<PathBuf>,
}

/// What `diff` compares.
#[derive(Debug, Args)]
pub struct DiffArgs {
    #[command(flatten)]
    pub check: CheckArgs,
    /// The profile, e.g. `amazon`.
    pub profile: String,
    /// The older revision's date (default: the one before the newest).
    pub from: Option<String>,
    /// The newer revision's date (default: the newest).
    pub to: Option<String>,
    /// `text` for people, `json` for machines.
    #[arg(long, value_enum, default_value = "text")]
    pub format: DiffFormat,
}

/// What `new` starts.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// The profile, e.g. `amazon`; a profile without revisions gets a skeleton.
    pub profile: String,
    /// The new revision's date, `YYYY-MM-DD` (default: today, in UTC).
    #[arg(long)]
    pub updated: Option<String>,
    /// The curated folder: `dataset.yaml` and `profiles/<profile>/<updated>.<ext>`.
    #[arg(long, default_value = "input")]
    pub input: PathBuf,
}

/// Where the curated input is and the limits that protect against hostile files.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The curated folder: `dataset.yaml` and `profiles/<profile>/<updated>.<ext>`.
    #[arg(long, default_value = "input")]
    pub input: PathBuf,
    /// Largest input file read, in bytes.
    #[arg(long, default_value_t = Limits::default().max_file_bytes)]
    pub max_file_size: u64,
    /// Deepest nesting of mappings and lists in a file (at most 512).
    #[arg(long, default_value_t = Limits::default().max_depth, value_parser = depth)]
    pub max_depth: usize,
    /// Most values in one file, counting every YAML alias expansion and the copy each anchor keeps.
    #[arg(long, default_value_t = Limits::default().max_nodes)]
    pub max_values: usize,
    /// Longest text value or key in a file, in characters.
    #[arg(long, default_value_t = Limits::default().max_text_chars)]
    pub max_text_length: usize,
    /// Show no progress bar (it shows only on a terminal anyway).
    #[arg(long, short)]
    pub quiet: bool,
}

/// The most `--max-depth` allows. Reading and checking a value descend into it recursively (the
/// YAML builder, the JSON Schema, freeing it): on a worker thread's stack a value of about 1,500
/// levels overflowed it and aborted the process, so the limit keeps well below that.
pub const MOST_DEPTH: usize = 512;

fn depth(text: &str) -> Result<usize, String> {
    let depth: usize = text.parse().map_err(|e| format!("{e}"))?;
    match depth {
        1..=MOST_DEPTH => Ok(depth),
        _ => Err(format!(
            "must be 1 to {MOST_DEPTH}: deeper nesting could exhaust a thread's stack"
        )),
    }
}

impl CheckArgs {
    /// The limits these arguments set.
    pub fn limits(&self) -> Limits {
        Limits {
            max_file_bytes: self.max_file_size,
            max_depth: self.max_depth,
            max_nodes: self.max_values,
            max_text_chars: self.max_text_length,
        }
    }
}
