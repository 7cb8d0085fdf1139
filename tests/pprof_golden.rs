//! Cross-check against `go tool pprof -top` output recorded once in tests/golden (see its
//! README for the commands): every function pprof lists must have the same flat and cum here,
//! to pprof's printed precision.

mod common;

use std::collections::HashMap;

use common::*;
use leakscope::analysis::keys::{normalize_function, KeyOptions};

struct PprofRow {
    flat: f64,
    cum: f64,
    /// Half of the last printed digit, in the value's unit.
    tolerance: f64,
}

/// `1393.53MB` -> (bytes, tolerance); `1603` -> (1603, 0.5).
fn pprof_value(token: &str) -> (f64, f64) {
    let split = token
        .find(|c: char| c.is_ascii_alphabetic())
        .unwrap_or(token.len());
    let (number, unit) = token.split_at(split);
    let scale = match unit {
        "" | "B" => 1.0,
        "kB" => 1024.0,
        "MB" => 1024.0 * 1024.0,
        "GB" => 1024.0 * 1024.0 * 1024.0,
        other => panic!("unit {other}"),
    };
    let value: f64 = number.parse().unwrap();
    // pprof prints at most two decimals and trims trailing zeros (`11MB`).
    let tolerance = if scale == 1.0 {
        0.5
    } else {
        0.005 * scale + 1.0
    };
    (value * scale, tolerance)
}

fn parse_top(text: &str) -> (f64, HashMap<String, PprofRow>) {
    let total_line = text
        .lines()
        .find(|l| l.starts_with("Showing nodes"))
        .unwrap();
    let total = total_line
        .split_whitespace()
        .rev()
        .nth(1)
        .map(|t| pprof_value(t).0)
        .unwrap();
    let mut rows = HashMap::new();
    let mut in_table = false;
    for line in text.lines() {
        if line.trim_start().starts_with("flat") {
            in_table = true;
            continue;
        }
        if !in_table {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        let (flat, flat_tol) = pprof_value(fields[0]);
        let (cum, cum_tol) = pprof_value(fields[3]);
        let name = fields[5..].join(" ");
        let name = name.strip_suffix(" (inline)").unwrap_or(&name);
        rows.insert(
            normalize_function(name, &KeyOptions::default()),
            PprofRow {
                flat,
                cum,
                tolerance: flat_tol.max(cum_tol),
            },
        );
    }
    (total, rows)
}

fn assert_close(what: &str, ours: f64, theirs: f64, tolerance: f64) {
    assert!(
        (ours - theirs).abs() <= tolerance,
        "{what}: leakscope {ours}, pprof {theirs}"
    );
}

fn check_top(golden_file: &str, args: &[&str]) {
    let (total, rows) = parse_top(&golden(golden_file));
    let report = json(args);
    let ours: HashMap<&str, (f64, f64)> = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["key"].as_str().unwrap(),
                (r["flat"].as_f64().unwrap(), r["cum"].as_f64().unwrap()),
            )
        })
        .collect();
    let total_tolerance = rows.values().map(|r| r.tolerance).fold(0.5, f64::max);
    assert_close(
        "total",
        report["total"].as_f64().unwrap(),
        total,
        total_tolerance,
    );
    assert!(rows.len() >= 3, "{golden_file}: parsed too few rows");
    for (name, row) in &rows {
        let (flat, cum) = ours
            .get(name.as_str())
            .copied()
            .unwrap_or_else(|| panic!("{golden_file}: no row {name}"));
        assert_close(
            &format!("{golden_file} flat {name}"),
            flat,
            row.flat,
            row.tolerance,
        );
        assert_close(
            &format!("{golden_file} cum {name}"),
            cum,
            row.cum,
            row.tolerance,
        );
    }
}

#[test]
fn stream_leak_heap_matches_pprof_top() {
    let f = fixture("go/stream-leak/stream-leak-iter0100-heap.pb.gz");
    check_top(
        "stream-leak-iter0100-heap.inuse_space.top.txt",
        &["top", path(&f), "-n", "0"],
    );
    check_top(
        "stream-leak-iter0100-heap.alloc_space.top.txt",
        &["top", path(&f), "-n", "0", "--sample-index", "alloc_space"],
    );
    check_top(
        "stream-leak-iter0100-heap.inuse_space.cum.top.txt",
        &["top", path(&f), "-n", "0", "--sort", "cum"],
    );
}

#[test]
fn stream_leak_heap_is_the_unread_receive_buffers() {
    // fixtures/go/MANIFEST.md: ~1.6 GB in use at 100 abandoned streams, 99% of it allocated by
    // mem.(*sizedBufferPool).Get under the client transport reader.
    let f = fixture("go/stream-leak/stream-leak-iter0100-heap.pb.gz");
    let report = json(&["top", path(&f)]);
    assert_eq!(report["sample_type"], "inuse_space");
    let total = report["total"].as_f64().unwrap();
    assert!((1.6e9..1.75e9).contains(&total), "{total}");
    let pool = row(
        &report,
        "google.golang.org/grpc/internal/mem.(*sizedBufferPool).Get",
    );
    assert_eq!(report["rows"][0]["key"], pool["key"]);
    assert!(pool["flat"].as_f64().unwrap() / total > 0.99);
    let reader = row(
        &report,
        "google.golang.org/grpc/internal/transport.(*http2Client).reader",
    );
    assert!(reader["cum"].as_f64().unwrap() / total > 0.96);
}

#[test]
fn goroutine_profile_matches_pprof_top_with_runtime_frames() {
    let f = fixture("go/conn-leak/conn-leak-iter0200-goroutine-debug0.pb.gz");
    check_top(
        "conn-leak-iter0200-goroutine.top.txt",
        &["top", path(&f), "-n", "0", "--keep-runtime-frames"],
    );
}

#[test]
fn small_heap_matches_pprof_top() {
    let f = fixture("go/goroutineleak/heap.pb.gz");
    check_top(
        "goroutineleak-heap.inuse_space.top.txt",
        &["top", path(&f), "-n", "0"],
    );
}

#[test]
fn heap_diff_matches_pprof_diff_base() {
    let (_, rows) = parse_top(&golden(
        "stream-leak-iter0025-0100-heap.inuse_space.diff.top.txt",
    ));
    let base = fixture("go/stream-leak/stream-leak-iter0025-heap.pb.gz");
    let target = fixture("go/stream-leak/stream-leak-iter0100-heap.pb.gz");
    let report = json(&["diff", path(&base), path(&target)]);
    assert_eq!(report["measure"], "flat");
    assert!(rows.len() >= 3);
    for (name, row) in &rows {
        let ours = common::row(&report, name);
        assert_close(
            &format!("flat delta {name}"),
            ours["flat"]["delta"].as_f64().unwrap(),
            row.flat,
            row.tolerance,
        );
        assert_close(
            &format!("cum delta {name}"),
            ours["cum"]["delta"].as_f64().unwrap(),
            row.cum,
            row.tolerance,
        );
    }
    // Percentages are of the key's own base, not pprof's 604% of the base total.
    let pool = common::row(
        &report,
        "google.golang.org/grpc/internal/mem.(*sizedBufferPool).Get",
    );
    let expected = pool["delta"].as_f64().unwrap() * 100.0 / pool["base"].as_f64().unwrap();
    assert_close(
        "delta_percent",
        pool["delta_percent"].as_f64().unwrap(),
        expected,
        1e-9,
    );
}
