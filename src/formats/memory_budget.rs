//! The memory a run's heap snapshots may take: one budget shared by every input, the estimate
//! of each snapshot taken from it when its header is read, and a check of all of them before
//! any is read, so that a run that cannot fit says so at once instead of swapping.

use std::fs::File;
use std::path::PathBuf;

use super::{head, v8_snapshot};
use crate::error::{Error, FormatError};

/// Checks, before any is read, that the heap snapshots among `paths` fit the run's memory
/// budget together (by the counts their headers declare): the first that does not is named.
/// Inputs that cannot be opened, or are no snapshots, are left to the reading to report.
pub fn check_snapshots_fit(paths: &[PathBuf], budget: &MemoryBudget) -> Result<(), Error> {
    let mut needed_before = 0u64;
    for path in paths {
        let Ok(file) = File::open(path) else { continue };
        let Ok((head, _)) = head(&file, path) else {
            continue;
        };
        let Some((nodes, edges)) = v8_snapshot::declared_counts(&head) else {
            continue;
        };
        let needed = crate::model::HeapGraph::memory_to_analyse(nodes, edges);
        if let Some(over) = budget.would_exceed(needed_before, needed) {
            return Err(FormatError::new(over.message(nodes, edges)).in_file(path));
        }
        needed_before = needed_before.saturating_add(needed);
    }
    Ok(())
}

/// The memory the analyses of a run's heap snapshots may take together: each snapshot takes
/// its estimate when its header is read (its graph stays for the whole run), or is refused.
#[derive(Debug)]
pub struct MemoryBudget {
    /// None: no limit (the memory available is unknown here).
    total: Option<u64>,
    /// Given on the command line (else: the memory available when the run began).
    pub given: bool,
    taken: std::sync::Mutex<u64>,
}

/// A snapshot the budget cannot hold: its need, what was left, and the whole budget.
#[derive(Debug, Clone, Copy)]
pub struct OverBudget {
    pub needed: u64,
    pub left: u64,
    pub total: u64,
    pub given: bool,
}

impl OverBudget {
    /// What the user is told of a snapshot of `nodes` objects and `edges` edges.
    pub fn message(&self, nodes: u64, edges: u64) -> String {
        let size = |bytes: u64| match bytes {
            b if b >= 1 << 30 => format!("{:.1} GiB", b as f64 / f64::from(1u32 << 30)),
            b if b >= 1 << 20 => format!("{:.1} MiB", b as f64 / f64::from(1u32 << 20)),
            b => format!("{b} bytes"),
        };
        let (whole, advice) = if self.given {
            (
                "the limit given with --memory-limit",
                "raise it if the machine has more",
            )
        } else {
            (
                "the memory available",
                "free memory, or read it on a larger machine; --memory-limit overrides this check",
            )
        };
        let left = if self.left == self.total {
            format!("{whole} is {}", size(self.total))
        } else {
            format!(
                "{} of {whole} ({}) is left for it after the snapshots before it",
                size(self.left),
                size(self.total)
            )
        };
        format!(
            "analysing this snapshot ({nodes} objects, {edges} edges) needs about {} of memory, and {left}: {advice}",
            size(self.needed),
        )
    }
}

impl MemoryBudget {
    /// `limit` from the command line, else the memory available now.
    pub fn new(limit: Option<u64>) -> Self {
        MemoryBudget {
            total: limit.or_else(available_memory),
            given: limit.is_some(),
            taken: std::sync::Mutex::new(0),
        }
    }

    /// Whether `needed` more would not fit after `before` (and what was taken already).
    pub fn would_exceed(&self, before: u64, needed: u64) -> Option<OverBudget> {
        let total = self.total?;
        let taken = *self.taken.lock().unwrap_or_else(|p| p.into_inner());
        let left = total.saturating_sub(taken.saturating_add(before));
        (needed > left).then_some(OverBudget {
            needed,
            left,
            total,
            given: self.given,
        })
    }

    pub fn take(&self, needed: u64) -> Result<(), OverBudget> {
        let Some(total) = self.total else {
            return Ok(());
        };
        let mut taken = self.taken.lock().unwrap_or_else(|p| p.into_inner());
        let left = total.saturating_sub(*taken);
        if needed > left {
            return Err(OverBudget {
                needed,
                left,
                total,
                given: self.given,
            });
        }
        *taken += needed;
        Ok(())
    }
}

/// The memory the kernel could hand out now without swapping (Linux's MemAvailable).
fn available_memory() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}
