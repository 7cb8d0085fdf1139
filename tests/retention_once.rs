//! The costliest pass on a heap snapshot, its retention (dominators and retained sizes), runs
//! once per snapshot per command: `scan`, `check` and `report` share one analysis between the
//! detectors and the report's tables. One test in its own binary, so that no other test counts
//! along in the same process.

use clap::Parser;
use leakscope::analysis::dominators::retention_computations;
use leakscope::cli::Cli;

fn fixture(name: &str) -> String {
    format!("{}/fixtures/node/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// Runs one command line in this process and returns how many retentions it computed.
fn computations(args: &[&str]) -> usize {
    let cli = Cli::try_parse_from(std::iter::once("leakscope").chain(args.iter().copied()))
        .expect("a valid command line");
    let before = retention_computations();
    leakscope::app::run(&cli.command).expect("the command runs");
    retention_computations() - before
}

#[test]
fn each_snapshot_is_analysed_once_per_command() {
    let snapshots = [
        fixture("recreate-default-i0010.heapsnapshot.gz"),
        fixture("recreate-default-i0060.heapsnapshot.gz"),
        fixture("recreate-default-i0160.heapsnapshot.gz"),
    ];
    let files: Vec<&str> = snapshots.iter().map(String::as_str).collect();
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("report.html");
    let md = dir.path().join("report.md");

    let mut report = vec!["report"];
    report.extend(&files);
    report.extend(["-o", html.to_str().unwrap(), "-o", md.to_str().unwrap()]);
    assert_eq!(
        computations(&report),
        3,
        "report: both pages from one analysis"
    );
    assert!(std::fs::metadata(&md).unwrap().len() > 0);

    for command in ["scan", "check"] {
        let mut args = vec![command];
        args.extend(&files);
        assert_eq!(computations(&args), 3, "{command}");
    }
    let mut diff = vec!["diff"];
    diff.extend(&files);
    assert_eq!(computations(&diff), 3, "diff of a series");
    assert_eq!(computations(&["top", files[2]]), 1, "top");
    assert_eq!(
        computations(&["retainers", files[2], "--class", "InternalChannel"]),
        1,
        "retainers"
    );
}
