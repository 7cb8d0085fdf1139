//! Real captures for the detectors' unit tests: the fixtures beside the crate, read as a user's
//! files are.

use std::path::Path;

use crate::formats::{self, ReadOptions};
use crate::model::Input;

/// Reads fixtures (paths under `fixtures/`) in the order given.
pub fn read(paths: &[&str]) -> Vec<Input> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    paths
        .iter()
        .map(|p| formats::read(&root.join(p), &ReadOptions::default()).expect("a fixture reads"))
        .collect()
}

/// The conn-leak series: a grpc-go client that never closes its ClientConns, as full dumps.
pub const CONN_LEAK_DUMPS: [&str; 4] = [
    "go/conn-leak/conn-leak-iter0000-goroutine-debug2.txt",
    "go/conn-leak/conn-leak-iter0050-goroutine-debug2.txt",
    "go/conn-leak/conn-leak-iter0100-goroutine-debug2.txt",
    "go/conn-leak/conn-leak-iter0200-goroutine-debug2.txt",
];

/// A grpc-js client re-created without close(), three heap snapshots.
pub const RECREATE_SNAPSHOTS: [&str; 3] = [
    "node/recreate-default-i0010.heapsnapshot.gz",
    "node/recreate-default-i0060.heapsnapshot.gz",
    "node/recreate-default-i0160.heapsnapshot.gz",
];
