//! The progress display on stderr (indicatif): one line per phase of work that has run longer
//! than a moment, with its bytes when the phase has a total; shown only when stderr is a
//! terminal and `--quiet` is not given.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::progress::{self, Listener};

/// How long a phase runs before it is shown (LEAKSCOPE_PROGRESS_DELAY, in seconds, changes it).
const DEFAULT_DELAY: Duration = Duration::from_secs(1);

static MULTI: OnceLock<MultiProgress> = OnceLock::new();

/// The display every progress line of this process joins (hidden until `enable`).
pub fn multi() -> &'static MultiProgress {
    MULTI.get_or_init(|| MultiProgress::with_draw_target(ProgressDrawTarget::hidden()))
}

/// Shows progress on stderr from now on, when it is a terminal and the user did not ask for
/// quiet.
pub fn enable(quiet: bool) {
    let stderr = ProgressDrawTarget::stderr();
    if quiet || stderr.is_hidden() {
        return;
    }
    multi().set_draw_target(stderr);
    let delay = std::env::var("LEAKSCOPE_PROGRESS_DELAY")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map_or(DEFAULT_DELAY, Duration::from_secs_f64);
    let display: &'static Display = Box::leak(Box::new(Display {
        phases: Mutex::new(HashMap::new()),
        delay,
    }));
    // Phases that report nothing while they run (a dominator tree) still appear on time.
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_millis(100));
        display.show_overdue();
    });
    progress::listen(Box::new(display));
}

struct Display {
    phases: Mutex<HashMap<u64, Shown>>,
    delay: Duration,
}

struct Shown {
    what: String,
    total: Option<u64>,
    done: u64,
    started: Instant,
    bar: Option<ProgressBar>,
}

impl Display {
    fn show_overdue(&self) {
        let mut phases = self.phases.lock().unwrap_or_else(|e| e.into_inner());
        for shown in phases.values_mut() {
            self.show_if_due(shown);
        }
    }

    fn show_if_due(&self, shown: &mut Shown) {
        if shown.bar.is_some() || shown.started.elapsed() < self.delay {
            return;
        }
        let bar = match shown.total.filter(|&t| t > 0) {
            Some(total) => {
                let bar = ProgressBar::hidden().with_style(
                    // The message takes what is left of the line, cut to fit.
                    ProgressStyle::with_template(
                        "{spinner} {wide_msg} [{bar:20}] {binary_bytes}/{binary_total_bytes} \
                         {elapsed}",
                    )
                    .expect("a valid progress template")
                    .progress_chars("=> "),
                );
                bar.set_length(total);
                bar.set_position(shown.done);
                bar
            }
            None => ProgressBar::hidden().with_style(
                ProgressStyle::with_template("{spinner} {wide_msg} {elapsed}")
                    .expect("a valid progress template"),
            ),
        };
        // Elapsed counts from the phase's start, not from when it is first shown.
        let bar = bar
            .with_message(shown.what.clone())
            .with_elapsed(shown.started.elapsed());
        let bar = multi().add(bar);
        bar.enable_steady_tick(Duration::from_millis(120));
        shown.bar = Some(bar);
    }
}

impl Listener for &'static Display {
    fn start(&self, phase: u64, what: &str, total: Option<u64>) {
        let mut phases = self.phases.lock().unwrap_or_else(|e| e.into_inner());
        phases.insert(
            phase,
            Shown {
                what: what.to_string(),
                total,
                done: 0,
                started: Instant::now(),
                bar: None,
            },
        );
    }

    fn advance(&self, phase: u64, done: u64) {
        let mut phases = self.phases.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(shown) = phases.get_mut(&phase) {
            shown.done = done;
            self.show_if_due(shown);
            if let Some(bar) = &shown.bar {
                bar.set_position(done);
            }
        }
    }

    fn finish(&self, phase: u64) {
        let mut phases = self.phases.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(Shown { bar: Some(bar), .. }) = phases.remove(&phase) {
            bar.finish_and_clear();
            multi().remove(&bar);
        }
    }
}
