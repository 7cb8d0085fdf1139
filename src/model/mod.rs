//! The in-memory shapes every input format is read into.

pub mod goroutines;
pub mod heap_graph;
pub mod profile;

pub use goroutines::{Goroutine, GoroutineDump, SpawnTree, Truncation};
pub use heap_graph::HeapGraph;
pub use profile::{
    Frame, Function, Labels, Profile, ProfileBuilder, ProfileKind, Sample, ValueType,
};
