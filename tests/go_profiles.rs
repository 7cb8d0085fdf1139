//! The binary on real Go captures: numbers from fixtures/go/MANIFEST.md and from `go tool pprof`.

mod common;

use common::*;
use serde_json::Value;

const SERIALIZER: &str = "google.golang.org/grpc/internal/grpcsync.(*CallbackSerializer).run";
const READER: &str = "google.golang.org/grpc/internal/transport.(*http2Client).reader";
const LOOPY: &str = "google.golang.org/grpc/internal/transport.NewHTTP2Client.func6";
const STREAM_WATCHER: &str = "google.golang.org/grpc.newClientStreamWithParams.func4";

fn conn_leak(encoding: &str) -> Vec<String> {
    [0, 50, 100, 200]
        .iter()
        .map(|i| {
            let ext = if encoding == "debug0" { "pb.gz" } else { "txt" };
            path(&fixture(&format!(
                "go/conn-leak/conn-leak-iter{i:04}-goroutine-{encoding}.{ext}"
            )))
            .to_string()
        })
        .collect()
}

#[test]
fn conn_leak_series_grows_per_client_conn_in_every_encoding() {
    for encoding in ["debug0", "debug1", "debug2"] {
        let files = conn_leak(encoding);
        let mut args = vec!["diff"];
        args.extend(files.iter().map(String::as_str));
        let report = json(&args);
        assert_eq!(report["schema"], "leakscope/1");
        assert_eq!(report["measure"], "cum");
        let serializer = row(&report, SERIALIZER);
        assert_eq!(
            values(serializer, "values"),
            [0, 150, 300, 600],
            "{encoding}"
        );
        assert_eq!(serializer["delta"], 600);
        assert_eq!(serializer["grew_every_step"], true);
        for per_conn in [READER, LOOPY] {
            assert_eq!(
                values(row(&report, per_conn), "values"),
                [0, 50, 100, 200],
                "{encoding} {per_conn}"
            );
        }
        // Largest growth first.
        assert_eq!(report["rows"][0]["key"], SERIALIZER, "{encoding}");
    }
}

#[test]
fn two_file_diff_reports_new_keys_and_totals() {
    let files = conn_leak("debug1");
    let report = json(&["diff", &files[0], &files[3]]);
    assert_eq!(report["base_total"], 6);
    assert_eq!(report["target_total"], 1608);
    let serializer = row(&report, SERIALIZER);
    assert_eq!(
        (serializer["base"].as_i64(), serializer["target"].as_i64()),
        (Some(0), Some(600))
    );
    assert_eq!(serializer["delta"], 600);
    assert_eq!(serializer["change"], "new");
    assert!(serializer.get("delta_percent").is_none());
}

#[test]
fn healthy_series_has_no_grpc_growth() {
    let files: Vec<String> = [0, 50, 100, 200]
        .iter()
        .map(|i| {
            path(&fixture(&format!(
                "go/healthy/healthy-iter{i:04}-goroutine-debug2.txt"
            )))
            .to_string()
        })
        .collect();
    let mut args = vec!["diff"];
    args.extend(files.iter().map(String::as_str));
    let report = json(&args);
    assert_eq!(values(row(&report, SERIALIZER), "values"), [3, 3, 3, 3]);
    assert_eq!(values(row(&report, READER), "values"), [0, 1, 1, 1]);
    let grew_always: Vec<&Value> = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["grew_every_step"] == true)
        .collect();
    assert!(grew_always.is_empty(), "{grew_always:?}");
}

#[test]
fn stream_leak_goroutines_and_spawn_tree() {
    let f = fixture("go/stream-leak/stream-leak-iter0100-goroutine-debug2.txt");
    let report = json(&["top", path(&f), "--by", "stack"]);
    assert_eq!(report["total"], 214);
    let watchers = row(&report, STREAM_WATCHER);
    assert_eq!(watchers["flat"], 100);
    let detail = &watchers["goroutines"];
    assert_eq!(detail["states"][0]["state"], "select");
    assert_eq!(detail["states"][0]["count"], 100);
    // One loop in goroutine 1 opened every stream.
    let creators = &detail["creators"][0];
    assert_eq!(
        creators["function"],
        "google.golang.org/grpc.newClientStreamWithParams"
    );
    assert_eq!(creators["distinct_creators"], 1);
    assert_eq!(creators["top_creators"][0]["id"], 1);
    assert_eq!(creators["top_creators"][0]["now_in"], "main.checkpoint");
}

#[test]
fn conn_leak_creators_are_one_loop_for_serializers_and_many_for_transports() {
    let f = fixture("go/conn-leak/conn-leak-iter0200-goroutine-debug2.txt");
    let report = json(&["top", path(&f)]);
    let serializer = &row(&report, SERIALIZER)["goroutines"]["creators"][0];
    assert_eq!(serializer["goroutines"], 600);
    assert_eq!(serializer["distinct_creators"], 1);
    // Each transport's reader was started by its own (exited) connect goroutine.
    let reader = &row(&report, READER)["goroutines"]["creators"][0];
    assert_eq!(
        reader["function"],
        "google.golang.org/grpc/internal/transport.NewHTTP2Client"
    );
    assert_eq!(reader["goroutines"], 200);
    assert_eq!(reader["distinct_creators"], 200);
    assert!(reader["top_creators"][0].get("now_in").is_none());
    let waiting = row(&report, SERIALIZER)["goroutines"]["waiting_1m_plus"]
        .as_i64()
        .unwrap();
    assert!(waiting > 0, "early conns show a wait age of 1 minute");
}

#[test]
fn old_grpc_frames_and_dumps_without_creator_ids() {
    let files: Vec<String> = [0, 25, 50, 100]
        .iter()
        .map(|i| {
            path(&fixture(&format!(
                "go/old-grpc/old-conn-leak-iter{i:04}-goroutine-debug2.txt"
            )))
            .to_string()
        })
        .collect();
    let mut args = vec!["diff"];
    args.extend(files.iter().map(String::as_str));
    let report = json(&args);
    for frame in [
        "google.golang.org/grpc.(*ccBalancerWrapper).watcher",
        "google.golang.org/grpc.(*addrConn).resetTransport",
        "google.golang.org/grpc/internal/transport.newHTTP2Client.func3",
        READER,
    ] {
        assert_eq!(
            values(row(&report, frame), "values"),
            [0, 25, 50, 100],
            "{frame}"
        );
    }
    // The debug=2 dumps were fetched apart from the debug=1 ones quoted in the manifest: 182
    // goroutines at iteration 25 (the manifest's 183 counts one more capture goroutine).
    assert_eq!(values(&report, "totals"), [6, 182, 356, 706]);
    // Go 1.19 prints no `in goroutine N`: creators are known by function only.
    let top = json(&["top", &files[3]]);
    let creators = &row(&top, "google.golang.org/grpc.(*ccBalancerWrapper).watcher")["goroutines"]
        ["creators"][0];
    assert_eq!(
        creators["function"],
        "google.golang.org/grpc.newCCBalancerWrapper"
    );
    assert_eq!(creators["distinct_creators"], 0);
}

#[test]
fn closure_folding_matches_across_grpc_versions() {
    let modern = fixture("go/conn-leak/conn-leak-iter0050-goroutine-debug1.txt");
    let report = json(&["top", path(&modern), "--fold-closures"]);
    assert_eq!(
        row(
            &report,
            "google.golang.org/grpc/internal/transport.NewHTTP2Client.func#"
        )["cum"],
        50
    );
}

/// Functions of the goroutines serving the profile over HTTP: each encoding was fetched by its
/// own request, so these differ between the three files of one moment by construction.
const CAPTURE_FRAMES: [&str; 3] = [
    "net/http.(*conn).serve",
    "net/http.(*connReader)",
    "runtime/pprof.",
];

/// Per-function goroutine counts (goroutines whose stack contains the function), from
/// `top --by stack`, leaving out the capture's own goroutines.
fn function_counts(file: &str) -> std::collections::BTreeMap<String, i64> {
    let report = json(&["top", file, "--by", "stack", "-n", "0"]);
    let mut counts = std::collections::BTreeMap::new();
    for row in report["rows"].as_array().unwrap() {
        let key = row["key"].as_str().unwrap();
        // debug=1 symbolizes no frame of a goroutine that has not started running yet (the
        // capture's just-spawned background reader): debug=2 names it, debug=1 cannot.
        if key == "(no frames)" || CAPTURE_FRAMES.iter().any(|f| key.contains(f)) {
            continue;
        }
        let mut seen = std::collections::BTreeSet::new();
        for function in key.split(';') {
            if seen.insert(function) {
                *counts.entry(function.to_string()).or_default() += row["flat"].as_i64().unwrap();
            }
        }
    }
    counts
}

#[test]
fn three_goroutine_encodings_of_one_moment_agree() {
    let mut checked = 0;
    for dir in ["conn-leak", "stream-leak", "healthy", "old-grpc"] {
        let folder = fixture(&format!("go/{dir}"));
        let mut stems: Vec<String> = std::fs::read_dir(&folder)
            .unwrap()
            .filter_map(|e| {
                let name = e.unwrap().file_name().into_string().unwrap();
                name.strip_suffix("-goroutine-debug2.txt")
                    .map(str::to_string)
            })
            .collect();
        stems.sort();
        for stem in stems {
            let file =
                |suffix: &str| path(&folder.join(format!("{stem}-goroutine-{suffix}"))).to_string();
            let debug0 = function_counts(&file("debug0.pb.gz"));
            let debug1 = function_counts(&file("debug1.txt"));
            let debug2 = function_counts(&file("debug2.txt"));
            assert_eq!(debug0, debug1, "{stem}: debug=0 vs debug=1");
            assert_eq!(debug1, debug2, "{stem}: debug=1 vs debug=2");
            checked += 1;
        }
    }
    assert_eq!(checked, 19);
}

#[test]
fn goroutine_leak_profile_in_all_encodings() {
    for file in ["goroutineleak-debug0.pb.gz", "goroutineleak-debug1.txt"] {
        let report = json(&["top", path(&fixture(&format!("go/goroutineleak/{file}")))]);
        assert_eq!(report["input"]["kind"], "goroutineleak", "{file}");
        assert_eq!(report["sample_type"], "goroutineleak");
        assert_eq!(report["total"], 8);
        assert_eq!(row(&report, "main.leakyWorker")["flat"], 5);
        assert_eq!(row(&report, "main.leakyReceiver")["flat"], 3);
    }
    let dump = json(&[
        "top",
        path(&fixture("go/goroutineleak/goroutineleak-debug2.txt")),
    ]);
    assert_eq!(dump["total"], 11);
    assert_eq!(dump["input"]["leaked_goroutines"], 8);
    assert_eq!(row(&dump, "main.leakyWorker")["goroutines"]["leaked"], 5);
    assert_eq!(row(&dump, "main.leakyReceiver")["goroutines"]["leaked"], 3);
    assert_eq!(row(&dump, "main.healthyWaiter")["goroutines"]["leaked"], 0);
}

#[test]
fn heap_text_and_proto_agree_on_the_retained_buffers() {
    for (file, format) in [("heap.pb.gz", "pprof"), ("heap-debug1.txt", "go-heap-text")] {
        let f = fixture(&format!("go/goroutineleak/{file}"));
        let report = json(&["top", path(&f)]);
        assert_eq!(report["input"]["format"], format);
        assert_eq!(report["sample_type"], "inuse_space");
        assert_eq!(
            row(&report, "main.retainBuffers")["flat"],
            4_096_000,
            "{file}"
        );
        let objects = json(&["top", path(&f), "--sample-index", "inuse_objects"]);
        assert_eq!(row(&objects, "main.retainBuffers")["flat"], 1000, "{file}");
    }
    let text = json(&["top", path(&fixture("go/goroutineleak/heap-debug1.txt"))]);
    assert_eq!(
        text["total"], 4_104_944,
        "the header's inuse bytes, unscaled at heap/2"
    );
}

#[test]
fn table_and_markdown_output_fit_and_name_the_input() {
    let f = fixture("go/conn-leak/conn-leak-iter0200-goroutine-debug2.txt");
    let out = run(&["top", path(&f)]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("grpcsync.(*CallbackSerializer).run"));
    assert!(text.contains("created by grpcsync.NewCallbackSerializer"));
    // Only the line naming the input may be longer: a path is never wrapped.
    for line in text.lines().filter(|l| !l.contains("conn-leak-iter0200")) {
        assert!(line.chars().count() <= 80, "wider than 80 columns: {line}");
    }
    let md = String::from_utf8(run(&["top", path(&f), "--format", "md"]).stdout).unwrap();
    assert!(md.contains("| flat | flat% | cum | cum% | function |"));
    assert!(md.contains("`grpcsync.(*CallbackSerializer).run`"));
}

#[test]
fn goroutine_labels_from_all_three_encodings() {
    // fixtures/go/labels/MANIFEST.md: 4 + 3 goroutines in main.watchLoop told apart only by labels.
    for file in [
        "goroutine-debug0.pb.gz",
        "goroutine-debug1.txt",
        "goroutine-debug2.txt",
    ] {
        let f = fixture(&format!("go/labels/{file}"));
        let report = json(&["top", path(&f), "--by", "labels"]);
        assert_eq!(report["total"], 11, "{file}");
        assert_eq!(
            row(&report, "handler=/watch,tenant=acme")["flat"],
            4,
            "{file}"
        );
        assert_eq!(
            row(&report, "handler=/upload,tenant=big corp")["flat"],
            2,
            "{file}"
        );
        assert_eq!(row(&report, "note=a\"b}c")["flat"], 1, "{file}");
        assert_eq!(row(&report, "(no labels)")["flat"], 4, "{file}");
    }
    let dump = json(&[
        "top",
        path(&fixture("go/labels/goroutine-debug2.txt")),
        "--by",
        "labels",
    ]);
    let states = &row(&dump, "handler=/upload,tenant=big corp")["goroutines"]["states"][0];
    assert_eq!(
        (states["state"].as_str(), states["count"].as_i64()),
        (Some("select"), Some(2))
    );
    let text = String::from_utf8(
        run(&[
            "top",
            path(&fixture("go/labels/goroutine-debug1.txt")),
            "--by",
            "labels",
        ])
        .stdout,
    )
    .unwrap();
    assert!(text.contains("handler=/watch,tenant=acme"), "{text}");
}
