//! The binary: parse the command line, run, exit with the code. Nothing else.

use clap::Parser;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    profile_export::run(profile_export::cli::Cli::parse())
}
