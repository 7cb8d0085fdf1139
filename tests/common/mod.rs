//! Helpers for tests that run the built binary on real fixtures.
#![allow(dead_code)]

pub mod browser;

use std::path::PathBuf;
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;

pub fn fixture(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(relative)
}

pub fn golden(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// An empty root for the libraries jemalloc dumps name: what this machine's libc happens to
/// be must not change what the tests see.
pub fn empty_sysroot() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("empty-sysroot");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn run(args: &[&str]) -> Output {
    Command::cargo_bin("leakscope")
        .unwrap()
        .env("LEAKSCOPE_SYSROOT", empty_sysroot())
        .args(args)
        .output()
        .unwrap()
}

/// Runs with `--format json` and parses stdout; fails the test on a non-zero exit.
pub fn json(args: &[&str]) -> Value {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--format", "json"]);
    let out = run(&all);
    assert!(
        out.status.success(),
        "leakscope {all:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

/// The row with `key`, from a report's `rows`.
pub fn row<'a>(report: &'a Value, key: &str) -> &'a Value {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == key)
        .unwrap_or_else(|| panic!("no row {key}"))
}

pub fn values(row: &Value, field: &str) -> Vec<i64> {
    row[field]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect()
}

pub fn path(p: &std::path::Path) -> &str {
    p.to_str().unwrap()
}

/// Runs the binary and expects exit code 2 with one error line naming `file`.
pub fn expect_input_error(args: &[&str], file: &str) -> String {
    let out = run(args);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    assert!(
        stderr.contains(file),
        "error does not name the file: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(
        stderr.trim_end().lines().count(),
        1,
        "one clear line: {stderr}"
    );
    stderr
}

/// Runs a command on `files` with `--format json`, expecting exit code 0 or 1 (a finding is not
/// a failure to run); returns the exit code and the report.
pub fn run_json(command: &str, files: &[String], extra: &[&str]) -> (i32, Value) {
    let mut args: Vec<&str> = vec![command];
    args.extend(files.iter().map(String::as_str));
    args.extend(extra);
    args.extend(["--format", "json"]);
    let out = run(&args);
    let code = out.status.code().expect("exited");
    assert!(
        code == 0 || code == 1,
        "leakscope {args:?} failed ({code}): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        code,
        serde_json::from_slice(&out.stdout).expect("valid JSON"),
    )
}

/// (signature, status) of every finding.
pub fn statuses(report: &Value) -> Vec<(String, String)> {
    findings(report)
        .iter()
        .map(|f| {
            (
                f["signature"].as_str().unwrap().to_string(),
                f["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

pub fn findings(report: &Value) -> Vec<&Value> {
    report["findings"].as_array().unwrap().iter().collect()
}

/// The finding with this signature, or a panic naming the ones there are.
pub fn finding<'a>(report: &'a Value, signature: &str) -> &'a Value {
    findings(report)
        .into_iter()
        .find(|f| f["signature"] == signature)
        .unwrap_or_else(|| {
            let ids: Vec<&str> = findings(report)
                .iter()
                .filter_map(|f| f["signature"].as_str())
                .collect();
            panic!("no finding {signature} in {ids:?}")
        })
}

/// A JSON array of integers.
pub fn numbers(v: &Value) -> Vec<i64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_i64().unwrap())
        .collect()
}
