//! `leakscope graph`: call graphs of real Go profiles and of their change, as DOT, JSON and
//! SVG, the pictures opened in headless Chromium.

mod common;

use std::path::{Path, PathBuf};

use common::browser::{open_in_chromium, Screenshot};
use common::{fixture, path, run};

fn out_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("graph")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn stream_heaps() -> [PathBuf; 2] {
    [
        fixture("go/stream-leak/stream-leak-iter0025-heap.pb.gz"),
        fixture("go/stream-leak/stream-leak-iter0100-heap.pb.gz"),
    ]
}

fn conn_goroutines() -> Vec<PathBuf> {
    ["0000", "0050", "0100", "0200"]
        .iter()
        .map(|i| {
            fixture(&format!(
                "go/conn-leak/conn-leak-iter{i}-goroutine-debug2.txt"
            ))
        })
        .collect()
}

/// DOT's nodes (`N3 [label=...]`) and edges (`N1 -> N3 [...]`) as lines.
fn nodes_and_edges(dot: &str) -> (Vec<&str>, Vec<&str>) {
    let nodes = dot
        .lines()
        .filter(|l| l.starts_with('N') && !l.contains(" -> "))
        .collect();
    let edges = dot.lines().filter(|l| l.contains(" -> ")).collect();
    (nodes, edges)
}

fn graph_json(args: &[&str], dir: &Path) -> serde_json::Value {
    let out = dir.join("graph.json");
    let mut all = vec!["graph"];
    all.extend(args);
    all.extend(["-o", path(&out)]);
    let status = run(&all);
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap()
}

#[test]
fn a_heap_diff_graph_leads_with_the_growing_buffer_pool_in_red() {
    let [base, target] = stream_heaps();
    let out = run(&["graph", path(&base), path(&target)]);
    assert!(out.status.success());
    let dot = String::from_utf8(out.stdout).unwrap();
    assert!(dot.starts_with("digraph"), "{dot}");
    let (nodes, edges) = nodes_and_edges(&dot);
    assert!(
        !nodes.is_empty() && nodes.len() <= 40,
        "{} nodes",
        nodes.len()
    );
    // The largest change: the receive buffers the leaked streams hold, +1.36 GiB, red.
    assert!(
        nodes[0].contains("(*sizedBufferPool)\\nGet\\n+1.36GiB"),
        "{}",
        nodes[0]
    );
    let border = nodes[0].split("color=\"#").nth(1).unwrap();
    let channel = |i: usize| u8::from_str_radix(&border[i..i + 2], 16).unwrap();
    let (r, g, b) = (channel(0), channel(2), channel(4));
    assert!(r > 150 && g < 40 && b < 40, "not red: {}", nodes[0]);
    // Every edge joins two drawn nodes.
    for edge in &edges {
        let (from, rest) = edge.split_once(" -> ").unwrap();
        let to = rest.split_whitespace().next().unwrap();
        for end in [from, to] {
            assert!(
                nodes.iter().any(|n| n.starts_with(&format!("{end} "))),
                "{edge}"
            );
        }
    }
    // The reader's path to the pool is drawn, weighted by the change through it.
    assert!(
        dot.contains("readDataFrame"),
        "the read path is missing:\n{dot}"
    );
}

#[test]
fn values_and_cuts_agree_with_the_profiles() {
    let dir = out_dir("json");
    let [base, target] = stream_heaps();
    let all = graph_json(&[path(&target), "-n", "0"], &dir);
    // One profile: flat values sum to the profile's total, as `top` reports it.
    let top = common::json(&["top", path(&target), "-n", "0"]);
    let flat: i64 = all["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["flat"].as_i64().unwrap())
        .sum();
    assert_eq!(
        all["all_flat"].as_i64().unwrap(),
        top["total"].as_i64().unwrap()
    );
    assert!(flat <= all["all_flat"].as_i64().unwrap());
    // A diff's node values are target minus base, function by function, as `diff` has them.
    let diff = graph_json(&[path(&base), path(&target), "-n", "0"], &dir);
    let rows = common::json(&[
        "diff",
        path(&base),
        path(&target),
        "-n",
        "0",
        "--full-names",
    ]);
    for node in diff["nodes"].as_array().unwrap().iter().take(10) {
        let key = node["key"].as_str().unwrap();
        let row = rows["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["key"] == key)
            .unwrap_or_else(|| panic!("{key} is not in the diff"));
        assert_eq!(node["flat"], row["flat"]["delta"], "{key} flat");
        assert_eq!(node["cum"], row["cum"]["delta"], "{key} cum");
    }
    // Cut to the 4 largest, the graph loses readFrame, between the transport's reader and
    // readDataFrame: the call between those two is kept, as a residual (dotted) edge.
    let small = graph_json(&[path(&base), path(&target), "-n", "4"], &dir);
    let nodes: Vec<&str> = small["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["key"].as_str().unwrap())
        .collect();
    assert_eq!(nodes.len(), 4);
    assert!(
        !nodes.iter().any(|k| k.ends_with(".readFrame")),
        "{nodes:?}"
    );
    let at = |suffix: &str| nodes.iter().position(|k| k.ends_with(suffix)).unwrap();
    let (reader, data) = (at("(*http2Client).reader"), at(".readDataFrame"));
    let edge = small["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["from"] == reader && e["to"] == data)
        .unwrap_or_else(|| panic!("no edge reader -> readDataFrame: {small}"));
    assert_eq!(edge["residual"], true);
}

#[test]
fn filters_apply_to_the_graph() {
    let [base, target] = stream_heaps();
    let out = run(&[
        "graph",
        path(&base),
        path(&target),
        "--focus",
        "readDataFrame",
    ]);
    assert!(out.status.success());
    let dot = String::from_utf8(out.stdout).unwrap();
    assert!(dot.contains("readDataFrame"));
    // The server's send path does not run through the focused function.
    assert!(!dot.contains("processStreamingRPC"), "{dot}");
}

#[test]
fn a_goroutine_series_graph_counts_the_new_serializers() {
    let files = conn_goroutines();
    let args: Vec<&str> = std::iter::once("graph")
        .chain(files.iter().map(|f| path(f)))
        .collect();
    let out = run(&args);
    assert!(out.status.success());
    let dot = String::from_utf8(out.stdout).unwrap();
    // 0 → 600 goroutines in CallbackSerializer.run over the series, first against last.
    assert!(dot.contains("(*CallbackSerializer)\\nrun\\n+600"), "{dot}");
    assert!(dot.contains("First against last of 4 profiles"), "{dot}");
}

#[test]
fn wrong_inputs_and_outputs_are_usage_errors() {
    let dir = out_dir("errors");
    let [base, _] = stream_heaps();
    let snapshot = fixture("node/recreate-default-i0160.heapsnapshot.gz");
    let out = run(&["graph", path(&snapshot)]);
    assert_eq!(out.status.code(), Some(2));
    let bad = dir.join("graph.png");
    let out = run(&["graph", path(&base), "-o", path(&bad)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains(".svg, .dot or .json"));
    assert!(!bad.exists());
    let goroutines = conn_goroutines();
    let out = run(&["graph", path(&base), path(&goroutines[0])]);
    assert_eq!(out.status.code(), Some(2));
}

fn graphviz_installed() -> bool {
    std::process::Command::new("dot")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Both layouts of a heap diff and of a goroutine series draw a picture Chromium shows without
/// a console message. Graphviz's is drawn where it is installed (always in CI, which sets
/// `LEAKSCOPE_REQUIRE_GRAPHVIZ`).
#[test]
fn graph_pictures_open_in_chromium() {
    let dir = out_dir("svg");
    let [base, target] = stream_heaps();
    let goroutines = conn_goroutines();
    let mut layouts = vec!["builtin"];
    if graphviz_installed() {
        layouts.push("graphviz");
    } else if std::env::var_os("LEAKSCOPE_REQUIRE_GRAPHVIZ").is_some() {
        panic!("Graphviz's dot is not installed and LEAKSCOPE_REQUIRE_GRAPHVIZ is set");
    } else {
        eprintln!("skipping the Graphviz layout: dot is not installed (apt-get install graphviz)");
    }
    for layout in layouts {
        for (name, files) in [
            ("heap-diff", vec![base.clone(), target.clone()]),
            ("goroutine-series", goroutines.clone()),
        ] {
            let svg = dir.join(format!("{name}.{layout}.svg"));
            let mut args: Vec<&str> = vec!["graph"];
            args.extend(files.iter().map(|f| path(f)));
            args.extend(["--layout", layout, "-o", path(&svg)]);
            let out = run(&args);
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let text = std::fs::read_to_string(&svg).unwrap();
            assert!(text.starts_with("<svg") && text.trim_end().ends_with("</svg>"));
            // A page that shows the picture at its own size, as a browser opens the file.
            let page = dir.join(format!("{name}.{layout}.html"));
            std::fs::write(
                &page,
                format!("<!doctype html><body style=\"margin:0\">{text}</body>"),
            )
            .unwrap();
            let (screenshot, console) = open_in_chromium(&page);
            let Some(png) = screenshot else {
                return;
            };
            assert!(
                console.is_empty(),
                "{name} ({layout}): console: {console:?}"
            );
            let shot = Screenshot::read(&png);
            let drawn = shot
                .pixels
                .iter()
                .filter(|&&p| p != [255, 255, 255])
                .count();
            assert!(
                drawn > 50_000,
                "{name} ({layout}) is nearly blank: {drawn} pixels drawn"
            );
            // The growth's red borders and arrows are on screen.
            let red = shot
                .pixels
                .iter()
                .filter(|&&[r, g, b]| {
                    r >= 150 && r > g.saturating_add(80) && r > b.saturating_add(100)
                })
                .count();
            assert!(red > 100, "{name} ({layout}): {red} red pixels");
        }
    }
}
