//! Phase timings on standard error, for profiling: set `BLOGSMITH_TRACE=1`.
//!
//! Each line reads `trace: <phase> <milliseconds> ms`, easy to grep and sum.

use std::sync::OnceLock;
use std::time::Instant;

/// Whether `BLOGSMITH_TRACE` is set (read once).
pub fn enabled() -> bool {
    static ENABLED: OnceLock<bool> = OnceLock::new();
    *ENABLED.get_or_init(|| std::env::var_os("BLOGSMITH_TRACE").is_some_and(|v| v != "0"))
}

/// Prints how long `phase` took since `started`, when tracing is on.
pub fn phase(phase: &str, started: Instant) {
    if enabled() {
        eprintln!(
            "trace: {phase} {:.1} ms",
            started.elapsed().as_secs_f64() * 1e3
        );
    }
}
