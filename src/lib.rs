//! leakscope finds memory and goroutine leaks in the profiles services already produce.
//!
//! Data flows one way: [`formats`] read bytes into the [`model`], [`analysis`] groups, diffs
//! and follows series, [`report`] holds what a command says, [`render`] prints it.

pub mod analysis;
pub mod cli;
pub mod commands;
pub mod error;
pub mod formats;
pub mod model;
pub mod policy;
pub mod postmortem;
pub mod render;
pub mod report;
pub mod signatures;
