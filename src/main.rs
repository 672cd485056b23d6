//! The `blogsmith` command: parses arguments, calls the library, maps the
//! result to an exit code (see `cli`).

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    cli::run(cli::Cli::parse())
}
