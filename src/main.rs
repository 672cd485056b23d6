//! The `blogsmith` command: parses arguments, calls the library, maps the
//! result to an exit code (see `cli`).

mod cli;

use std::process::ExitCode;

use clap::Parser;

/// musl's allocator serialises threads: the static Linux release binary built the
/// pumpkin-book 4.6 times slower than the glibc one with it (docs/dev/performance.md).
#[cfg(target_env = "musl")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    cli::run(cli::Cli::parse())
}
