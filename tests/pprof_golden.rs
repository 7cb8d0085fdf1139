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
    check_top_against(golden_file, &golden(golden_file), args);
}

/// `leakscope top` (JSON) against pprof's `-top` text, `golden_file` naming it in messages.
fn check_top_against(golden_file: &str, text: &str, args: &[&str]) {
    let (total, rows) = parse_top(text);
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
    // With filters and every node shown, pprof's "accounting for" is what the filters kept.
    if text.contains("Active filters:") {
        let showing = text
            .lines()
            .find(|l| l.starts_with("Showing nodes accounting for"))
            .and_then(|l| l.split_whitespace().nth(4))
            .map(|t| pprof_value(t.trim_end_matches(',')))
            .unwrap();
        assert_close(
            &format!("{golden_file} kept"),
            report["kept"].as_f64().unwrap(),
            showing.0,
            showing.1.max(total_tolerance),
        );
    }
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
    assert_diff_rows(&rows, &report);
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

/// pprof's filters, against `go tool pprof` with the same options (tests/golden/pprof/, made
/// by bench/pprof-goldens.sh). Cases whose regex matches the binary's path (pprof also matches
/// mapping file names; leakscope matches function names and source files) are left out:
/// `-show=grpc` and `-focus=grpc` keep everything there because the binary is `grpcleaklab`.
#[test]
fn filters_match_pprof() {
    let heap = fixture("go/stream-leak/stream-leak-iter0100-heap.pb.gz");
    let goroutines = fixture("go/conn-leak/conn-leak-iter0200-goroutine-debug0.pb.gz");
    let labelled = fixture("go/labels/goroutine-debug0.pb.gz");
    let heap_cases: [(&str, &[&str]); 6] = [
        ("heap.focus", &["--focus", "transport"]),
        ("heap.ignore", &["--ignore", "readDataFrame"]),
        (
            "heap.hide",
            &["--hide", "^runtime\\.|^google.golang.org/grpc/internal/mem"],
        ),
        (
            "heap.show-anchored",
            &[
                "--show",
                "^google\\.golang\\.org/grpc/internal/transport\\.",
            ],
        ),
        (
            "heap.show-from",
            &["--show-from", "transport\\.\\(\\*http2Client\\)"],
        ),
        (
            "heap.show-from-mid",
            &["--show-from", "\\(\\*framer\\)\\.readDataFrame"],
        ),
    ];
    for (golden, filters) in heap_cases {
        let mut args = vec!["top", path(&heap), "-n", "0"];
        args.extend(filters);
        check_top(&format!("pprof/{golden}.txt"), &args);
    }
    let goroutine_cases: [(&str, &str, &[&str]); 5] = [
        (
            "goroutine.focus",
            path(&goroutines),
            &["--focus", "CallbackSerializer"],
        ),
        (
            "goroutine.ignore-hide",
            path(&goroutines),
            &["--ignore", "CallbackSerializer", "--hide", "^runtime\\."],
        ),
        (
            "goroutine.tagfocus",
            path(&labelled),
            &["--tagfocus", "tenant=acme"],
        ),
        (
            "goroutine.tagignore",
            path(&labelled),
            &["--tagignore", "tenant=acme"],
        ),
        (
            "goroutine.tagfocus-nokey",
            path(&labelled),
            &["--tagfocus", "/upload"],
        ),
    ];
    for (golden, file, filters) in goroutine_cases {
        let mut args = vec!["top", file, "-n", "0", "--keep-runtime-frames"];
        args.extend(filters);
        check_top(&format!("pprof/{golden}.txt"), &args);
    }
}

/// What the filters kept is said beside the total the percentages are of.
#[test]
fn filtered_tops_say_what_they_kept() {
    let heap = fixture("go/stream-leak/stream-leak-iter0100-heap.pb.gz");
    let report = json(&["top", path(&heap), "--focus", "transport"]);
    let (total, kept) = (
        report["total"].as_f64().unwrap(),
        report["kept"].as_f64().unwrap(),
    );
    // pprof: 1576.29MB of 1632.66MB total.
    assert_close(
        "kept",
        kept,
        1576.29 * 1024.0 * 1024.0,
        0.006 * 1024.0 * 1024.0,
    );
    assert!(kept < total);
    assert!(json(&["top", path(&heap)]).get("kept").is_none());
}

#[test]
fn filtered_diff_matches_pprof_diff_base() {
    let (_, rows) = parse_top(&golden("pprof/diff.focus.txt"));
    let base = fixture("go/stream-leak/stream-leak-iter0025-heap.pb.gz");
    let target = fixture("go/stream-leak/stream-leak-iter0100-heap.pb.gz");
    let report = json(&[
        "diff",
        path(&base),
        path(&target),
        "--focus",
        "handleStream",
    ]);
    assert_diff_rows(&rows, &report);
}

/// Every row pprof printed has the same flat and cum change here.
fn assert_diff_rows(rows: &HashMap<String, PprofRow>, report: &serde_json::Value) {
    assert!(rows.len() >= 3);
    for (name, row) in rows {
        let ours = common::row(report, name);
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
}

/// One block of `go tool pprof -peek`: the function, its cum, and its callers and callees with
/// the value through each edge.
struct PeekBlock {
    function: String,
    cum: (f64, f64),
    callers: HashMap<String, (f64, f64)>,
    callees: HashMap<String, (f64, f64)>,
}

fn parse_peek(text: &str) -> Vec<PeekBlock> {
    let name = |raw: &str| {
        let raw = raw.trim().strip_suffix(" (inline)").unwrap_or(raw.trim());
        normalize_function(raw, &KeyOptions::default())
    };
    let mut blocks = Vec::new();
    for block in
        text.split("----------------------------------------------------------+-------------")
    {
        let mut current: Option<PeekBlock> = None;
        let mut callers = HashMap::new();
        for line in block.lines().filter(|l| l.contains('|')) {
            let (numbers, rest) = line.split_once('|').unwrap();
            let fields: Vec<&str> = numbers.split_whitespace().collect();
            if rest.starts_with("   ") && fields.len() == 2 {
                let value = pprof_value(fields[0]);
                match &mut current {
                    None => {
                        callers.insert(name(rest), value);
                    }
                    Some(b) => {
                        b.callees.insert(name(rest), value);
                    }
                }
            } else if fields.len() == 5 {
                current = Some(PeekBlock {
                    function: name(rest),
                    cum: pprof_value(fields[3]),
                    callers: std::mem::take(&mut callers),
                    callees: HashMap::new(),
                });
            }
        }
        blocks.extend(current);
    }
    blocks
}

#[test]
fn peek_and_tree_match_pprof() {
    let goroutines = fixture("go/conn-leak/conn-leak-iter0200-goroutine-debug0.pb.gz");
    let heap = fixture("go/stream-leak/stream-leak-iter0100-heap.pb.gz");
    for (golden_file, args) in [
        (
            "pprof/goroutine.peek.txt",
            vec![
                "peek",
                path(&goroutines),
                "readFrame",
                "--keep-runtime-frames",
            ],
        ),
        (
            "pprof/heap.peek.txt",
            vec!["peek", path(&heap), "readDataFrame"],
        ),
        // `tree` is `peek` of every function.
        (
            "pprof/goroutine.tree.txt",
            vec![
                "tree",
                path(&goroutines),
                "--keep-runtime-frames",
                "-n",
                "0",
            ],
        ),
        ("pprof/heap.tree.txt", vec!["tree", path(&heap), "-n", "0"]),
    ] {
        let blocks = parse_peek(&golden(golden_file));
        let report = json(&args);
        let entries = report["entries"].as_array().unwrap();
        assert_eq!(
            entries.len(),
            blocks.len(),
            "{golden_file}: functions matched"
        );
        for block in &blocks {
            let entry = entries
                .iter()
                .find(|e| e["key"] == block.function.as_str())
                .unwrap_or_else(|| panic!("{golden_file}: no entry {}", block.function));
            assert_close(
                &format!("{golden_file} cum {}", block.function),
                entry["cum"].as_f64().unwrap(),
                block.cum.0,
                block.cum.1,
            );
            for (side, expected) in [("callers", &block.callers), ("callees", &block.callees)] {
                let ours = entry[side].as_array().unwrap();
                assert_eq!(
                    ours.len(),
                    expected.len(),
                    "{golden_file} {side} of {}",
                    block.function
                );
                for (key, (value, tolerance)) in expected {
                    let edge = ours
                        .iter()
                        .find(|e| e["key"] == key.as_str())
                        .unwrap_or_else(|| panic!("{golden_file}: no {side} edge {key}"));
                    assert_close(
                        &format!("{golden_file} {side} {key}"),
                        edge["value"].as_f64().unwrap(),
                        *value,
                        *tolerance,
                    );
                }
            }
        }
    }
}

/// `go tool pprof -traces` as (value, labels `key=value` sorted, frames leaf first), sorted.
fn parse_traces(text: &str) -> Vec<(f64, Vec<String>, Vec<String>)> {
    let mut out = Vec::new();
    for block in text
        .split("-----------+-------------------------------------------------------")
        .skip(1)
    {
        let mut labels = Vec::new();
        let mut frames = Vec::new();
        let mut value = None;
        for line in block.lines().filter(|l| !l.trim().is_empty()) {
            if let Some((key, label)) = line.split_once(":  ").filter(|_| value.is_none()) {
                labels.push(format!("{}={}", key.trim(), label.trim()));
            } else if value.is_none() {
                let (number, frame) = line.trim_start().split_once("   ").unwrap();
                value = Some(pprof_value(number).0);
                frames.push(frame.trim().to_string());
            } else {
                frames.push(line.trim().to_string());
            }
        }
        if let Some(value) = value {
            labels.sort();
            out.push((value, labels, frames));
        }
    }
    out.sort_by(|a, b| a.partial_cmp(b).unwrap());
    out
}

#[test]
fn traces_match_pprof() {
    let goroutines = fixture("go/conn-leak/conn-leak-iter0200-goroutine-debug0.pb.gz");
    let labelled = fixture("go/labels/goroutine-debug0.pb.gz");
    for (golden_file, args) in [
        (
            "pprof/goroutine.traces.txt",
            vec![
                "traces",
                path(&goroutines),
                "--focus",
                "CallbackSerializer",
                "--keep-runtime-frames",
            ],
        ),
        (
            "pprof/goroutine.traces-labels.txt",
            vec![
                "traces",
                path(&labelled),
                "--keep-runtime-frames",
                "-n",
                "0",
            ],
        ),
    ] {
        let expected = parse_traces(&golden(golden_file));
        assert!(!expected.is_empty(), "{golden_file}: parsed no trace");
        let report = json(&args);
        let mut ours: Vec<(f64, Vec<String>, Vec<String>)> = report["traces"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                let strings = |v: &serde_json::Value| -> Vec<String> {
                    v.as_array()
                        .unwrap()
                        .iter()
                        .map(|s| s.as_str().unwrap().to_string())
                        .collect()
                };
                let mut labels = strings(&t["labels"]);
                labels.sort();
                (t["value"].as_f64().unwrap(), labels, strings(&t["frames"]))
            })
            .collect();
        ours.sort_by(|a, b| a.partial_cmp(b).unwrap());
        assert_eq!(ours, expected, "{golden_file}");
    }
}

/// A `go tool pprof -list` routine: function, flat, cum, and per source line (line, flat, cum).
struct ListBlock {
    function: String,
    flat: (f64, f64),
    cum: (f64, f64),
    lines: Vec<ListLine>,
}

/// A source line: number, flat and cum (each a value and pprof's rounding tolerance).
type ListLine = (u64, (f64, f64), (f64, f64));

fn parse_list(text: &str) -> Vec<ListBlock> {
    let value = |token: &str| {
        if token == "." {
            (0.0, 0.0)
        } else {
            pprof_value(token)
        }
    };
    let mut blocks: Vec<ListBlock> = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("ROUTINE ======================== ") {
            let (function, _) = rest.rsplit_once(" in ").unwrap();
            blocks.push(ListBlock {
                function: function.to_string(),
                flat: (0.0, 0.0),
                cum: (0.0, 0.0),
                lines: Vec::new(),
            });
            continue;
        }
        let Some(block) = blocks.last_mut() else {
            continue;
        };
        let tokens: Vec<&str> = line.split_whitespace().collect();
        if line.contains("(flat, cum)") {
            block.flat = value(tokens[0]);
            block.cum = value(tokens[1]);
        } else if tokens.len() >= 3 && tokens[2].ends_with(':') {
            if let Ok(n) = tokens[2].trim_end_matches(':').parse() {
                block.lines.push((n, value(tokens[0]), value(tokens[1])));
            }
        }
    }
    blocks
}

#[test]
fn list_matches_pprof() {
    let user = fixture("go/user-leak/user-leak-iter0300-heap.pb.gz");
    let source = fixture("go/user-leak");
    let heap = fixture("go/stream-leak/stream-leak-iter0100-heap.pb.gz");
    let goroutines = fixture("go/conn-leak/conn-leak-iter0200-goroutine-debug0.pb.gz");
    for (golden_file, args) in [
        (
            "pprof/heap.list-source.txt",
            vec![
                "list",
                path(&user),
                "main\\.main\\.func1",
                "--sample-index",
                "inuse_space",
                "--source-dir",
                path(&source),
            ],
        ),
        (
            "pprof/heap.list.txt",
            vec!["list", path(&heap), "readDataFrame|readFrame"],
        ),
        (
            "pprof/goroutine.list.txt",
            vec!["list", path(&goroutines), "readFrame"],
        ),
    ] {
        let blocks = parse_list(&golden(golden_file));
        let report = json(&args);
        let routines = report["routines"].as_array().unwrap();
        assert_eq!(
            routines.len(),
            blocks.len(),
            "{golden_file}: functions listed"
        );
        for block in &blocks {
            let routine = routines
                .iter()
                .find(|r| r["function"] == block.function.as_str())
                .unwrap_or_else(|| panic!("{golden_file}: no routine {}", block.function));
            let what = |w: &str| format!("{golden_file} {} {w}", block.function);
            assert_close(
                &what("flat"),
                routine["flat"].as_f64().unwrap(),
                block.flat.0,
                block.flat.1,
            );
            assert_close(
                &what("cum"),
                routine["cum"].as_f64().unwrap(),
                block.cum.0,
                block.cum.1,
            );
            if block.lines.is_empty() {
                // pprof found no source: it shows no lines, leakscope the lines with values.
                assert!(routine["source"].is_null(), "{}", what("source"));
                continue;
            }
            // The same lines shown, the same values on each.
            let shown: Vec<u64> = routine["source"]
                .as_array()
                .unwrap_or_else(|| panic!("{}: no source", what("source")))
                .iter()
                .map(|l| l[0].as_u64().unwrap())
                .collect();
            let expected: Vec<u64> = block.lines.iter().map(|l| l.0).collect();
            assert_eq!(shown, expected, "{}", what("lines shown"));
            for (n, flat, cum) in &block.lines {
                let ours = routine["lines"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|l| l["line"] == *n);
                let (our_flat, our_cum) = ours.map_or((0.0, 0.0), |l| {
                    (l["flat"].as_f64().unwrap(), l["cum"].as_f64().unwrap())
                });
                assert_close(&what(&format!("line {n} flat")), our_flat, flat.0, flat.1);
                assert_close(&what(&format!("line {n} cum")), our_cum, cum.0, cum.1);
            }
        }
    }
}

/// The bigheap pair (~260k and ~300k stacks), too large to keep in the repository: made and
/// compared by bench/pprof-bigheap.sh, which writes pprof's outputs next to the profiles and
/// runs this with `LEAKSCOPE_BIGHEAP` naming their folder.
#[test]
#[ignore = "needs the bigheap pair and pprof's outputs: bench/pprof-bigheap.sh"]
fn bigheap_matches_pprof() {
    let dir = std::path::PathBuf::from(
        std::env::var_os("LEAKSCOPE_BIGHEAP").expect("LEAKSCOPE_BIGHEAP names the folder"),
    );
    let a = dir.join("heap-A.pb.gz");
    let b = dir.join("heap-B.pb.gz");
    let pprof = |name: &str| {
        std::fs::read_to_string(dir.join("pprof").join(format!("{name}.txt")))
            .unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    let tops: [(&str, &[&str]); 6] = [
        ("top", &[]),
        ("focus", &["--focus", "main\\.readIndex"]),
        ("ignore", &["--ignore", "main\\.parseHeader"]),
        ("hide", &["--hide", "^main\\.(walk|run|phase)"]),
        ("show-from", &["--show-from", "main\\.handleBatch"]),
        (
            "focus-hide",
            &["--focus", "main\\.buildBatch", "--hide", "main\\.emit"],
        ),
    ];
    for (name, filters) in tops {
        let mut args = vec!["top", path(&b), "-n", "0", "--sample-index", "inuse_space"];
        args.extend(filters);
        check_top_against(&format!("bigheap {name}"), &pprof(name), &args);
        eprintln!("bigheap {name}: agrees with pprof");
    }
    for (name, filters) in [
        ("diff", vec![]),
        ("diff-focus", vec!["--focus", "main\\.readIndex"]),
    ] {
        let (_, rows) = parse_top(&pprof(name));
        let mut args = vec![
            "diff",
            path(&a),
            path(&b),
            "-n",
            "0",
            "--sample-index",
            "inuse_space",
        ];
        args.extend(filters);
        assert_diff_rows(&rows, &json(&args));
        eprintln!("bigheap {name}: agrees with pprof");
    }
    let blocks = parse_peek(&pprof("peek"));
    let report = json(&[
        "peek",
        path(&b),
        "main\\.readFrame",
        "--sample-index",
        "inuse_space",
    ]);
    let entries = report["entries"].as_array().unwrap();
    assert_eq!(
        entries.len(),
        blocks.len(),
        "bigheap peek: functions matched"
    );
    for block in &blocks {
        let entry = entries
            .iter()
            .find(|e| e["key"] == block.function.as_str())
            .unwrap_or_else(|| panic!("bigheap peek: no entry {}", block.function));
        assert_close(
            "bigheap peek cum",
            entry["cum"].as_f64().unwrap(),
            block.cum.0,
            block.cum.1,
        );
        for (side, expected) in [("callers", &block.callers), ("callees", &block.callees)] {
            let ours = entry[side].as_array().unwrap();
            assert_eq!(ours.len(), expected.len(), "bigheap peek {side}");
            for (key, (value, tolerance)) in expected {
                let edge = ours
                    .iter()
                    .find(|e| e["key"] == key.as_str())
                    .unwrap_or_else(|| panic!("bigheap peek: no {side} edge {key}"));
                assert_close(
                    &format!("bigheap peek {side} {key}"),
                    edge["value"].as_f64().unwrap(),
                    *value,
                    *tolerance,
                );
            }
        }
    }
    eprintln!("bigheap peek: agrees with pprof");
}
