//! Phase timings on standard error, for profiling: set `BLOGSMITH_TRACE=1`.
//!
//! Each line reads `trace: <phase> <milliseconds> ms`, easy to grep and sum;
//! on Linux it ends with the memory resident then and the peak so far
//! (`rss 512 MB, peak 700 MB`), to see which phase holds what.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Whether `BLOGSMITH_TRACE` is set (read once).
pub fn enabled() -> bool {
    static ENABLED: OnceLock<bool> = OnceLock::new();
    *ENABLED.get_or_init(|| std::env::var_os("BLOGSMITH_TRACE").is_some_and(|v| v != "0"))
}

/// Prints how long `phase` took since `started`, when tracing is on.
pub fn phase(phase: &str, started: Instant) {
    took(phase, started.elapsed());
}

/// Prints that `phase` took `time` (summed over its parts), when tracing is on.
pub fn took(phase: &str, time: Duration) {
    if enabled() {
        eprintln!(
            "trace: {phase} {:.1} ms{}",
            time.as_secs_f64() * 1e3,
            memory()
        );
    }
}

/// `, rss R MB, peak P MB` from `/proc/self/status`, or nothing.
fn memory() -> String {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return String::new();
    };
    let megabytes = |field: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(field))
            .and_then(|rest| {
                rest.trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<u64>()
                    .ok()
            })
            .map(|kb| kb / 1024)
    };
    match (megabytes("VmRSS:"), megabytes("VmHWM:")) {
        (Some(rss), Some(peak)) => format!(", rss {rss} MB, peak {peak} MB"),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_os = "linux")]
    #[test]
    fn memory_is_read_on_linux() {
        let memory = super::memory();
        assert!(
            memory.starts_with(", rss ") && memory.ends_with(" MB"),
            "{memory}"
        );
    }
}
