//! The binary: parse the command line, run, exit with the code. Nothing else.

use clap::Parser;

fn main() -> std::process::ExitCode {
    profile_export::run(profile_export::cli::Cli::parse())
}
