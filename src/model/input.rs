//! One input as read: its format, the runtime that wrote it, and what it holds.

use std::path::PathBuf;

use super::{HeapGraph, Profile};

/// An input's format, decided from its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// pprof protobuf (profile.proto).
    Pprof,
    /// Go goroutine profile text, debug=1.
    GoroutineText,
    /// Go goroutine traceback: debug=2, panic and SIGQUIT output.
    GoroutineTraceback,
    /// Go legacy heap profile text, debug=1.
    GoHeapText,
    /// V8 `.heapsnapshot` JSON.
    V8HeapSnapshot,
    /// jemalloc `heap_v2` text dump.
    JemallocHeap,
}

impl Format {
    /// The stable name used in JSON output.
    pub fn name(self) -> &'static str {
        match self {
            Format::Pprof => "pprof",
            Format::GoroutineText => "goroutine-text",
            Format::GoroutineTraceback => "goroutine-traceback",
            Format::GoHeapText => "go-heap-text",
            Format::V8HeapSnapshot => "v8-heapsnapshot",
            Format::JemallocHeap => "jemalloc-heap",
        }
    }
}

/// Which runtime produced an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runtime {
    Go,
    Node,
    Rust,
}

impl Runtime {
    pub fn name(self) -> &'static str {
        match self {
            Runtime::Go => "go",
            Runtime::Node => "node",
            Runtime::Rust => "rust",
        }
    }
}

/// What an input holds: sampled stacks (pprof, goroutine dumps, heap profiles) or an object
/// graph (heap snapshots).
#[derive(Debug, Clone)]
pub enum Contents {
    Stacks(Profile),
    Heap(HeapGraph),
}

/// A profile read from one file, with what was learned about the file.
#[derive(Debug, Clone)]
pub struct Input {
    pub path: PathBuf,
    pub format: Format,
    pub runtime: Runtime,
    pub gzipped: bool,
    /// Size after decompression.
    pub size: u64,
    pub contents: Contents,
}

impl Input {
    pub fn profile(&self) -> Option<&Profile> {
        match &self.contents {
            Contents::Stacks(p) => Some(p),
            Contents::Heap(_) => None,
        }
    }

    pub fn heap(&self) -> Option<&HeapGraph> {
        match &self.contents {
            Contents::Heap(g) => Some(g),
            Contents::Stacks(_) => None,
        }
    }

    /// `heap`, `goroutine`, ... for profiles; `heap-snapshot` for object graphs.
    pub fn kind_name(&self) -> &'static str {
        match &self.contents {
            Contents::Stacks(p) => p.kind.name(),
            Contents::Heap(_) => "heap-snapshot",
        }
    }

    pub fn warnings(&self) -> &[String] {
        match &self.contents {
            Contents::Stacks(p) => &p.warnings,
            Contents::Heap(_) => &[],
        }
    }
}
