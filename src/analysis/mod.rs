//! Analysis on the model: grouping, diffs and series. Knows nothing of file formats or output.

pub mod aggregate;
pub mod analysed;
pub mod call_graph;
pub mod class_summary;
pub mod diff;
pub mod dominators;
pub mod filter;
pub mod heap_classes;
pub mod keys;
pub mod list;
pub mod object_tree;
pub mod peek;
pub mod retainer_paths;
pub mod retaining_edges;
pub mod runtime_version;
pub mod series;
pub mod shallow_sizes;
pub mod snapshot_diff;
pub mod traces;
pub mod trend;
pub mod user_code;

pub use aggregate::{aggregate, Aggregate, GroupBy, Row};
pub use analysed::AnalysedSnapshot;
pub use diff::{diff, Diff, Measure};
pub use keys::KeyOptions;
pub use series::{series, Series};
