//! Progress of long work, for a person watching a terminal. The layers say what they are doing
//! (a phase, and how far through a known total it is); whether and how anyone is told is the
//! command's choice: it installs a listener, or none, and then every call here costs one
//! atomic load. This is the ground floor beside `error`: every layer may name it.

use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// Who hears about phases: the command line's progress display.
pub trait Listener: Send + Sync {
    /// A phase begins: what it does, and its total (bytes) when known.
    fn start(&self, phase: u64, what: &str, total: Option<u64>);
    /// `done` of the total is done.
    fn advance(&self, phase: u64, done: u64);
    fn finish(&self, phase: u64);
}

static LISTENER: OnceLock<Box<dyn Listener>> = OnceLock::new();
static NEXT: AtomicU64 = AtomicU64::new(1);

/// Installs the listener for the rest of the process (the first one stays).
pub fn listen(listener: Box<dyn Listener>) {
    let _ = LISTENER.set(listener);
}

/// A phase of work, finished when dropped.
pub struct Phase {
    id: u64,
}

/// Begins a phase: `what` is shown as it is (`reading big.heapsnapshot`).
pub fn phase(what: &str, total: Option<u64>) -> Phase {
    let id = match LISTENER.get() {
        Some(listener) => {
            let id = NEXT.fetch_add(1, Ordering::Relaxed);
            listener.start(id, what, total);
            id
        }
        None => 0,
    };
    Phase { id }
}

impl Phase {
    pub fn advance(&self, done: u64) {
        if self.id != 0 {
            if let Some(listener) = LISTENER.get() {
                listener.advance(self.id, done);
            }
        }
    }
}

impl Drop for Phase {
    fn drop(&mut self) {
        if self.id != 0 {
            if let Some(listener) = LISTENER.get() {
                listener.finish(self.id);
            }
        }
    }
}

/// A reader that reports the bytes read through it to a phase, every MiB.
pub struct Reading<'p, R> {
    inner: R,
    phase: &'p Phase,
    read: u64,
    reported: u64,
}

impl<'p, R> Reading<'p, R> {
    pub fn new(inner: R, phase: &'p Phase) -> Self {
        Reading {
            inner,
            phase,
            read: 0,
            reported: 0,
        }
    }
}

impl<R: Read> Read for Reading<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read - self.reported >= 1 << 20 || n == 0 {
            self.reported = self.read;
            self.phase.advance(self.read);
        }
        Ok(n)
    }
}
