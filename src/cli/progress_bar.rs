//! A progress bar on standard error for long builds on a terminal.

use std::io::Write as _;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;

use blogsmith::progress::Progress;

/// Builds shorter than this never show a bar (no flicker for small sites).
const DELAY: Duration = Duration::from_millis(400);
const TICK: Duration = Duration::from_millis(100);
const WIDTH: usize = 30;

/// Runs `work`, drawing its progress meanwhile when `show`; the bar is
/// erased before `work`'s result is returned, so output that follows is clean.
pub fn while_running<T>(show: bool, work: impl FnOnce(Option<Arc<Progress>>) -> T) -> T {
    if !show {
        return work(None);
    }
    let progress = Arc::new(Progress::default());
    let finished = Arc::new((Mutex::new(false), Condvar::new()));
    let drawer = {
        let (progress, finished) = (Arc::clone(&progress), Arc::clone(&finished));
        std::thread::spawn(move || draw_until_finished(&progress, &finished))
    };
    let result = work(Some(progress));
    let (lock, wake) = &*finished;
    *lock.lock().unwrap_or_else(PoisonError::into_inner) = true;
    wake.notify_all();
    let _ = drawer.join();
    result
}

fn draw_until_finished(progress: &Progress, finished: &(Mutex<bool>, Condvar)) {
    let (lock, wake) = finished;
    let mut done = lock.lock().unwrap_or_else(PoisonError::into_inner);
    // Tests set a shorter delay (and tick) to see the bar on a small site.
    let test_delay = std::env::var("BLOGSMITH_PROGRESS_DELAY_MS")
        .ok()
        .and_then(|ms| ms.parse().ok())
        .map(Duration::from_millis);
    let tick = test_delay.map_or(TICK, |d| d.max(Duration::from_millis(1)));
    let mut wait = test_delay.unwrap_or(DELAY);
    let mut drawn = false;
    loop {
        done = wake
            .wait_timeout_while(done, wait, |done| !*done)
            .unwrap_or_else(PoisonError::into_inner)
            .0;
        if *done {
            break;
        }
        draw(progress);
        drawn = true;
        wait = tick;
    }
    if drawn {
        // Erase the bar's line.
        let _ = write!(std::io::stderr(), "\r\x1b[2K");
    }
}

fn draw(progress: &Progress) {
    let (stage, done, total) = progress.snapshot();
    if total == 0 {
        let _ = write!(std::io::stderr(), "\r\x1b[2K{}…", stage.name());
        return;
    }
    let filled = (done * WIDTH).checked_div(total).unwrap_or(0);
    let bar: String = (0..WIDTH)
        .map(|i| match i.cmp(&filled) {
            std::cmp::Ordering::Less => '=',
            std::cmp::Ordering::Equal if done < total => '>',
            _ => ' ',
        })
        .collect();
    let _ = write!(
        std::io::stderr(),
        "\r\x1b[2K{:>8} [{bar}] {done}/{total}",
        stage.name()
    );
    let _ = std::io::stderr().flush();
}
