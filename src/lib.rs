//! leakscope finds memory and goroutine leaks in the profiles services already produce.
//!
//! Data flows one way, and each layer names only the layers below it:
//!
//! ```text
//! cli      the command line (clap), nothing else
//! app      one file per command: read the inputs, call the layers, hand the result to output
//! output   JSON shapes, terminal tables, Markdown, the check formats, the postmortem report
//! gate     check's policy, baseline findings and allow-list
//! detect   the catalogue of known leaks and one file per detector
//! analysis aggregates, diffs, series, dominators, retainer paths, class summaries
//! formats  one reader per input format, behind one trait
//! model    profiles, heap graphs, inputs, series, findings
//! error    the errors every layer reports (the ground floor)
//! progress what long work is doing, for a terminal (ground floor too; shown only by `app`)
//! parallel work on many inputs, one per core at a time (ground floor too)
//! ```
//!
//! The rules, checked by `tests/layering.rs` on every `crate::` path in the source:
//! - `model` names nothing of the crate but `error`;
//! - `formats` and `analysis` name only `model` (and `error`);
//! - `detect` and `gate` never name `output`, `app` or `cli`;
//! - `output` never names `cli`, `app` or `formats`, nor a module inside `detect`;
//! - only `cli` and `app` know clap.

pub mod analysis;
pub mod app;
pub mod cli;
pub mod detect;
pub mod error;
pub mod formats;
pub mod gate;
pub mod model;
pub mod output;
pub mod parallel;
pub mod progress;
