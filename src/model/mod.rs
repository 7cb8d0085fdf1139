//! The in-memory shapes every layer shares: what an input holds once read (profiles, goroutine
//! dumps, heap graphs), the loaded input itself, inputs grouped into series, and the findings
//! `scan` makes. Imports nothing of the crate.

pub mod findings;
pub mod goroutines;
pub mod heap_graph;
pub mod input;
pub mod lists;
pub mod node_sizes;
pub mod profile;
pub mod series;

pub use findings::{
    CodeSite, Creator, CreatorGroup, Evidence, Finding, NamedSeries, PathGroup, SiteRole, Status,
    Step, Trend,
};
pub use goroutines::{Goroutine, GoroutineDump, SpawnTree, Truncation};
pub use heap_graph::HeapGraph;
pub use input::{Contents, Format, Input, Runtime};
pub use lists::Lists;
pub use profile::{
    Frame, Function, Labels, Profile, ProfileBuilder, ProfileKind, Sample, ValueType,
};
pub use series::{
    against_the_clock, group_inputs, series_order, unjoined, InputSeries, OrderBasis, ProfileClass,
};
