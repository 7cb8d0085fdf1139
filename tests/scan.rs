//! `leakscope scan` on every captured series: the right signature, with the manifests' counts,
//! on every leaking series; nothing on healthy ones or on single healthy snapshots. Counts come
//! from fixtures/*/MANIFEST.md.

mod common;

use common::*;
use serde_json::Value;

/// Runs `scan` with JSON output; returns the exit code and the report.
fn scan(files: &[String], extra: &[&str]) -> (i32, Value) {
    run_json("scan", files, extra)
}

fn files(pattern: &str, names: &[&str]) -> Vec<String> {
    names
        .iter()
        .map(|n| path(&fixture(&pattern.replace("{}", n))).to_string())
        .collect()
}

fn ids(report: &Value) -> Vec<String> {
    findings(report)
        .iter()
        .map(|f| f["signature"].as_str().unwrap().to_string())
        .collect()
}

fn named(f: &Value, list: &str, name: &str) -> Vec<i64> {
    let item = f["evidence"][list]
        .as_array()
        .unwrap_or_else(|| panic!("no {list} in {f}"))
        .iter()
        .find(|x| x["name"] == name)
        .unwrap_or_else(|| panic!("no {list} {name} in {f}"));
    numbers(&item["values"])
}

const GO_ITERATIONS: [&str; 4] = ["0000", "0050", "0100", "0200"];
const GO_STREAM_ITERATIONS: [&str; 4] = ["0000", "0025", "0050", "0100"];
const GO_GOROUTINE_FORMATS: [&str; 3] = [
    "goroutine-debug0.pb.gz",
    "goroutine-debug1.txt",
    "goroutine-debug2.txt",
];

fn go_series(dir: &str, run: &str, iterations: &[&str], kind: &str) -> Vec<String> {
    files(&format!("go/{dir}/{run}-iter{{}}-{kind}"), iterations)
}

#[test]
fn go_conn_leak_names_unclosed_clientconns_in_every_goroutine_format() {
    for format in GO_GOROUTINE_FORMATS {
        let (code, report) = scan(
            &go_series("conn-leak", "conn-leak", &GO_ITERATIONS, format),
            &[],
        );
        assert_eq!(code, 1, "{format}");
        assert_eq!(
            ids(&report),
            ["go.grpc.clientconn-not-closed", "go.grpc.server-transports-piling"],
            "{format}: the co-growing reader, loopy and keepalive goroutines are not reported again"
        );
        let f = finding(&report, "go.grpc.clientconn-not-closed");
        assert_eq!(f["status"], "growing");
        // 3 serializers : 1 reader : 1 loopy writer per leaked ClientConn.
        assert_eq!(numbers(&f["series"]), [0, 150, 300, 600], "{format}");
        assert_eq!(
            named(f, "co_growing", "transport reader"),
            [0, 50, 100, 200]
        );
        assert_eq!(named(f, "co_growing", "loopy writer"), [0, 50, 100, 200]);
        let server = finding(&report, "go.grpc.server-transports-piling");
        assert_eq!(numbers(&server["series"]), [0, 50, 100, 200]);
        assert_eq!(
            named(server, "co_growing", "server keepalive"),
            [0, 50, 100, 200]
        );
        assert_eq!(
            named(server, "co_growing", "server loopy writer"),
            [0, 50, 100, 200]
        );
        assert!(f["fix"].as_str().unwrap().contains("Close"));
    }
}

#[test]
fn go_full_dumps_say_who_created_the_leaked_goroutines() {
    let (_, report) = scan(
        &go_series(
            "conn-leak",
            "conn-leak",
            &GO_ITERATIONS,
            "goroutine-debug2.txt",
        ),
        &[],
    );
    let creators = &finding(&report, "go.grpc.clientconn-not-closed")["evidence"]["creators"];
    let first = &creators[0];
    assert_eq!(
        first["function"],
        "google.golang.org/grpc/internal/grpcsync.NewCallbackSerializer"
    );
    assert_eq!(first["goroutines"], 600);
    // All 600 serializers come from the main goroutine's loop, not from request handlers.
    assert_eq!(first["distinct_creators"], 1);
    assert_eq!(first["top_creators"][0]["id"], 1);
    assert_eq!(first["top_creators"][0]["now_in"], "main.checkpoint");
    let server = &finding(&report, "go.grpc.server-transports-piling")["evidence"]["creators"][0];
    assert_eq!(
        server["distinct_creators"], 200,
        "one per accepted connection"
    );
}

#[test]
fn go_stream_leak_names_abandoned_streams_and_their_server_handlers() {
    for format in GO_GOROUTINE_FORMATS {
        let (code, report) = scan(
            &go_series("stream-leak", "stream-leak", &GO_STREAM_ITERATIONS, format),
            &[],
        );
        assert_eq!(code, 1);
        assert_eq!(
            ids(&report),
            [
                "go.grpc.client-stream-abandoned",
                "go.grpc.server-handlers-piling"
            ],
            "{format}"
        );
        // One watcher and one server handler per leaked stream: 25, 50, 100.
        let client = finding(&report, "go.grpc.client-stream-abandoned");
        assert_eq!(numbers(&client["series"]), [0, 25, 50, 100], "{format}");
        assert_eq!(client["status"], "growing");
        let server = finding(&report, "go.grpc.server-handlers-piling");
        assert_eq!(numbers(&server["series"]), [0, 25, 50, 100]);
        assert_eq!(
            named(server, "co_growing", "blocked on flow control"),
            [0, 25, 50, 100],
            "the handlers wait in writeQuota.get"
        );
    }
}

#[test]
fn go_stream_leak_heap_shows_the_unread_receive_buffers() {
    let (code, report) = scan(
        &go_series(
            "stream-leak",
            "stream-leak",
            &GO_STREAM_ITERATIONS,
            "heap.pb.gz",
        ),
        &[],
    );
    assert_eq!(code, 1);
    assert_eq!(
        ids(&report),
        ["go.grpc.stream-buffers-unread"],
        "the server's send buffers are part of it"
    );
    let f = finding(&report, "go.grpc.stream-buffers-unread");
    let mib = |v: i64| v as f64 / (1 << 20) as f64;
    let values = numbers(&f["series"]);
    // In-use heap 230, 828 and 1633 MiB at 25, 50 and 100 leaked streams, 96% under the reader.
    for (ours, manifest) in values[1..].iter().zip([230.0, 828.0, 1633.0]) {
        assert!(
            (mib(*ours) - manifest).abs() / manifest < 0.02,
            "{} MiB vs {manifest}",
            mib(*ours)
        );
    }
    let reader = named(f, "co_growing", "client receive buffers");
    assert!(
        reader[3] as f64 >= 0.95 * values[3] as f64,
        "{reader:?} of {values:?}"
    );
}

#[test]
fn go_old_grpc_is_recognised_by_its_old_frames() {
    for format in ["goroutine-debug0.pb.gz", "goroutine-debug2.txt"] {
        let (code, report) = scan(
            &go_series(
                "old-grpc",
                "old-conn-leak",
                &["0000", "0025", "0050", "0100"],
                format,
            ),
            &[],
        );
        assert_eq!(code, 1);
        let f = finding(&report, "go.grpc.clientconn-not-closed");
        // grpc-go 1.33: a balancer watcher and a resetTransport goroutine per leaked conn.
        assert_eq!(numbers(&f["series"]), [0, 50, 100, 200], "{format}");
        assert_eq!(named(f, "co_growing", "transport reader"), [0, 25, 50, 100]);
        assert_eq!(named(f, "co_growing", "loopy writer"), [0, 25, 50, 100]);
        let stacks = f["evidence"]["stacks"].to_string();
        assert!(stacks.contains("(*ccBalancerWrapper).watcher"), "{stacks}");
        assert!(stacks.contains("(*addrConn).resetTransport"), "{stacks}");
        assert_eq!(
            numbers(&finding(&report, "go.grpc.server-transports-piling")["series"]),
            [0, 25, 50, 100]
        );
    }
}

#[test]
fn go_healthy_series_and_snapshots_report_nothing() {
    let sets = [
        ("healthy", "healthy", GO_ITERATIONS.to_vec()),
        ("old-grpc", "old-healthy", vec!["0000", "0050", "0100"]),
    ];
    for (dir, run, iterations) in sets {
        for kind in GO_GOROUTINE_FORMATS.iter().chain(&["heap.pb.gz"]) {
            let all = go_series(dir, run, &iterations, kind);
            let (code, report) = scan(&all, &[]);
            assert_eq!((code, ids(&report)), (0, vec![]), "{run} {kind}");
            for one in &all {
                let (code, report) = scan(std::slice::from_ref(one), &[]);
                assert_eq!((code, ids(&report)), (0, vec![]), "{one}");
            }
        }
    }
}

#[test]
fn go_runtime_leak_proof_is_present_from_one_snapshot() {
    for file in [
        "goroutineleak-debug0.pb.gz",
        "goroutineleak-debug1.txt",
        "goroutineleak-debug2.txt",
        "goroutine-debug2.txt",
    ] {
        let (code, report) = scan(&files("go/goroutineleak/{}", &[file]), &[]);
        assert_eq!(code, 1, "{file}");
        assert_eq!(ids(&report), ["go.runtime.goroutine-leak-proven"], "{file}");
        let f = finding(&report, "go.runtime.goroutine-leak-proven");
        assert_eq!(f["status"], "present");
        // 5 senders and 3 receivers blocked on channels nothing else can reach.
        assert_eq!(numbers(&f["series"]), [8], "{file}");
        let stacks = f["evidence"]["stacks"].to_string();
        assert!(
            stacks.contains("main.leakyWorker") && stacks.contains("main.leakyReceiver"),
            "{stacks}"
        );
    }
    // The plain goroutine profile of the same moment carries no marks: no proof there.
    let (code, report) = scan(
        &files("go/goroutineleak/{}", &["goroutine-debug0.pb.gz"]),
        &[],
    );
    assert_eq!((code, ids(&report)), (0, vec![]));
}

#[test]
fn fingerprints_are_the_same_across_formats_and_series_lengths() {
    let mut seen: Vec<String> = Vec::new();
    for format in GO_GOROUTINE_FORMATS {
        for iterations in [&GO_ITERATIONS[..], &GO_ITERATIONS[1..3]] {
            let (_, report) = scan(
                &go_series("conn-leak", "conn-leak", iterations, format),
                &[],
            );
            let f = finding(&report, "go.grpc.clientconn-not-closed");
            seen.push(f["fingerprint"].as_str().unwrap().to_string());
        }
    }
    seen.dedup();
    assert_eq!(seen.len(), 1, "{seen:?}");
    for run in ["channel-leak", "stream-leak"] {
        let prints: Vec<String> = ["heap", "pb.gz"]
            .iter()
            .map(|ext| {
                let (_, report) = scan(&rust_series(run, ext), &["--binary", &rust_binary()]);
                findings(&report)[0]["fingerprint"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(prints[0], prints[1], "{run}: jemalloc dump and pprof agree");
    }
}

/// The findings of a run, without the indexes that depend on the order given: what a user
/// compares between two orders of the same files.
fn verdicts(report: &Value) -> Vec<(String, String, Vec<i64>)> {
    findings(report)
        .iter()
        .map(|f| {
            (
                f["signature"].as_str().unwrap().to_string(),
                f["status"].as_str().unwrap().to_string(),
                numbers(&f["series"]),
            )
        })
        .collect()
}

#[test]
fn reversed_or_shuffled_inputs_give_the_findings_of_time_order() {
    // pprof files record their capture time; full dumps have goroutine ids, which only grow
    // within a process.
    for format in ["goroutine-debug0.pb.gz", "goroutine-debug2.txt"] {
        let in_order = go_series("conn-leak", "conn-leak", &GO_ITERATIONS, format);
        let (code, expected) = scan(&in_order, &[]);
        assert_eq!(code, 1);
        assert_eq!(
            numbers(&finding(&expected, "go.grpc.clientconn-not-closed")["series"]),
            [0, 150, 300, 600]
        );
        let mut reversed = in_order.clone();
        reversed.reverse();
        let shuffled: Vec<String> = [2, 0, 3, 1].iter().map(|&i| in_order[i].clone()).collect();
        for other in [reversed, shuffled] {
            let (code, report) = scan(&other, &[]);
            assert_eq!(code, 1, "{format}");
            assert_eq!(verdicts(&report), verdicts(&expected), "{format}");
            let series_info = &report["series"][0];
            assert!(
                series_info["notes"][0]
                    .as_str()
                    .unwrap()
                    .contains("another order"),
                "{format}: the reordering is said: {series_info}"
            );
        }
    }
    let (_, reversed) = scan(
        &go_series(
            "conn-leak",
            "conn-leak",
            &["0200", "0000"],
            "goroutine-debug0.pb.gz",
        ),
        &[],
    );
    assert_eq!(
        numbers(&finding(&reversed, "go.grpc.clientconn-not-closed")["inputs"]),
        [1, 0],
        "indexes into inputs, in time order"
    );

    // V8 object ids only grow within a process too.
    let in_order = node_series("recreate-default");
    let (_, expected) = scan(&in_order, &[]);
    let shuffled: Vec<String> = [1, 2, 0].iter().map(|&i| in_order[i].clone()).collect();
    let (code, report) = scan(&shuffled, &[]);
    assert_eq!(code, 1);
    assert_eq!(verdicts(&report), verdicts(&expected));
    assert_eq!(report["series"][0]["ordered_by"], "object-ids");
}

#[test]
fn without_a_clock_the_command_line_order_stands_and_is_said() {
    // debug=1 dumps record no time and no goroutine ids. Up, then down, is receding, which is
    // not a failure.
    let shuffled = go_series(
        "conn-leak",
        "conn-leak",
        &["0000", "0200", "0100"],
        "goroutine-debug1.txt",
    );
    let (code, report) = scan(&shuffled, &[]);
    assert_eq!(code, 0);
    let f = finding(&report, "go.grpc.clientconn-not-closed");
    assert_eq!(f["status"], "receding");
    assert_eq!(numbers(&f["series"]), [0, 600, 300]);
    assert_eq!(report["series"][0]["ordered_by"], "command-line");
    assert!(report["series"][0]["notes"][0]
        .as_str()
        .unwrap()
        .contains("the files record no clock"));
}

fn node_series(run: &str) -> Vec<String> {
    files(
        &format!("node/{run}-i{{}}.heapsnapshot.gz"),
        &["0010", "0060", "0160"],
    )
}

#[test]
fn node_recreated_clients_are_named_with_their_retainers() {
    for run in ["recreate-default", "recreate-channelz0"] {
        let (code, report) = scan(&node_series(run), &[]);
        assert_eq!(code, 1);
        assert_eq!(ids(&report), ["node.grpcjs.client-not-closed"], "{run}");
        let f = finding(&report, "node.grpcjs.client-not-closed");
        assert_eq!(f["status"], "growing");
        // One InternalChannel per client created (11, 61, 161); the clients themselves and
        // their ChannelImplementation wrappers are collected.
        assert_eq!(numbers(&f["series"]), [11, 61, 161], "{run}");
        assert_eq!(named(f, "classes", "ChannelImplementation"), [1, 1, 1]);
        assert_eq!(
            named(f, "classes", "Subchannel"),
            [1, 1, 1],
            "one shared subchannel"
        );
        assert_eq!(named(f, "classes", "ResolvingLoadBalancer"), [11, 61, 161]);
        let hints = f["evidence"]["hints"].to_string();
        assert!(
            hints.contains("Subchannel .stateListeners"),
            "{run}: {hints}"
        );
        let paths = f["evidence"]["retainers"].as_array().unwrap();
        assert!(!paths.is_empty() && paths[0]["fingerprint"].is_string());
    }
}

#[test]
fn node_per_channel_subchannel_pools_pile_up_connections() {
    // Clients created with a local subchannel pool and never closed: every channel keeps its
    // own subchannel, HTTP/2 session and socket.
    let (code, report) = scan(&node_series("local-pool"), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        ids(&report),
        [
            "node.grpcjs.client-not-closed",
            "node.grpcjs.subchannels-piling"
        ]
    );
    let f = finding(&report, "node.grpcjs.subchannels-piling");
    assert_eq!(f["status"], "growing");
    assert_eq!(numbers(&f["series"]), [11, 61, 161]);
    for class in [
        "Http2Transport",
        "ClientHttp2Session",
        "Http2SubchannelConnector",
    ] {
        assert_eq!(named(f, "classes", class), [11, 61, 161], "{class}");
    }
    assert!(f["evidence"]["hints"]
        .to_string()
        .contains("channelz registry"));
    assert_eq!(
        numbers(&finding(&report, "node.grpcjs.client-not-closed")["series"]),
        [11, 61, 161]
    );
}

#[test]
fn node_unended_streams_are_named() {
    let (code, report) = scan(&node_series("stream-server"), &[]);
    assert_eq!(code, 1);
    assert_eq!(ids(&report), ["node.grpcjs.stream-not-ended"]);
    let f = finding(&report, "node.grpcjs.stream-not-ended");
    assert_eq!(
        numbers(&f["series"]),
        [10, 60, 160],
        "one call per stream opened"
    );
    for class in [
        "ClientReadableStreamImpl",
        "ClientHttp2Stream",
        "ResolvingCall",
    ] {
        assert_eq!(named(f, "classes", class), [10, 60, 160], "{class}");
    }
}

#[test]
fn node_healthy_series_and_snapshots_report_nothing() {
    let all = files(
        "node/healthy-i{}.heapsnapshot.gz",
        &["0010", "0060", "0160", "0161"],
    );
    let (code, report) = scan(&all, &[]);
    assert_eq!((code, ids(&report)), (0, vec![]));
    for one in &all {
        let (code, report) = scan(std::slice::from_ref(one), &[]);
        assert_eq!((code, ids(&report)), (0, vec![]), "{one}");
    }
}

fn rust_binary() -> String {
    path(&fixture("rust/leaklab")).to_string()
}

fn rust_series(run: &str, ext: &str) -> Vec<String> {
    let iterations: &[&str] = match run {
        "channel-leak" => &["0010", "0050", "0100"],
        _ => &["0020", "0100", "0200"],
    };
    files(&format!("rust/{run}-i{{}}.{ext}"), iterations)
}

#[test]
fn rust_leaks_are_named_from_jemalloc_dumps_and_pprof() {
    let binary = rust_binary();
    for ext in ["heap", "pb.gz"] {
        let (code, report) = scan(&rust_series("channel-leak", ext), &["--binary", &binary]);
        assert_eq!(code, 1);
        assert_eq!(ids(&report), ["rust.tonic.channel-not-dropped"], "{ext}");
        let values = numbers(&finding(&report, "rust.tonic.channel-not-dropped")["series"]);
        // About 57 KB per channel kept, 90 channels between the first and last dump.
        let per_channel = (values[2] - values[0]) as f64 / 90.0;
        assert!(
            (40_000.0..120_000.0).contains(&per_channel),
            "{per_channel}"
        );

        let (code, report) = scan(&rust_series("stream-leak", ext), &["--binary", &binary]);
        assert_eq!(code, 1);
        assert_eq!(ids(&report), ["rust.tonic.stream-not-dropped"], "{ext}");
        let values = numbers(&finding(&report, "rust.tonic.stream-not-dropped")["series"]);
        // About 125 KB per stream kept, 180 streams between the first and last dump.
        let per_stream = (values[2] - values[0]) as f64 / 180.0;
        assert!((100_000.0..150_000.0).contains(&per_stream), "{per_stream}");
    }
}

#[test]
fn rust_leak_outside_the_catalogue_needs_more_than_three_heap_profiles() {
    // Three heap profiles carry no ids and cannot tell growth from load: nothing generic is
    // claimed, and the series says why.
    let (code, report) = scan(
        &rust_series("cache-leak", "heap"),
        &["--binary", &rust_binary()],
    );
    assert_eq!((code, ids(&report)), (0, vec![]));
    let notes = report["series"][0]["notes"].to_string();
    assert!(
        notes.contains("3 heap profiles: too few to tell growth from load for allocation sites no signature names (that takes 5)"),
        "{notes}"
    );
}

#[test]
fn rust_healthy_series_and_dumps_report_nothing() {
    let binary = rust_binary();
    for ext in ["heap", "pb.gz"] {
        let all = rust_series("healthy", ext);
        let (code, report) = scan(&all, &["--binary", &binary]);
        assert_eq!((code, ids(&report)), (0, vec![]), "{ext}");
        for one in &all {
            let (code, report) = scan(std::slice::from_ref(one), &["--binary", &binary]);
            assert_eq!((code, ids(&report)), (0, vec![]), "{one}");
        }
    }
}

#[test]
fn report_lists_inputs_and_signatures_checked() {
    let (_, report) = scan(&node_series("stream-server"), &[]);
    assert_eq!(report["schema"], "leakscope/1");
    assert_eq!(report["inputs"].as_array().unwrap().len(), 3);
    assert_eq!(report["inputs"][0]["kind"], "heap-snapshot");
    let checked = report["signatures_checked"].as_array().unwrap();
    assert!(checked
        .iter()
        .any(|s| s == "node.grpcjs.subchannels-piling"));
    // Only the runtimes of the inputs: a Node run checks no grpc-go signature.
    assert!(checked
        .iter()
        .all(|s| s.as_str().unwrap().starts_with("node.")));
    let f = finding(&report, "node.grpcjs.stream-not-ended");
    for field in [
        "title",
        "fingerprint",
        "metric",
        "unit",
        "explanation",
        "fix",
        "references",
    ] {
        assert!(!f[field].is_null(), "{field}");
    }
}

#[test]
fn tables_and_markdown_show_status_evidence_and_fix() {
    let all = go_series(
        "conn-leak",
        "conn-leak",
        &GO_ITERATIONS,
        "goroutine-debug2.txt",
    );
    let mut args: Vec<&str> = vec!["scan"];
    args.extend(all.iter().map(String::as_str));
    let out = run(&args);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("go.grpc.clientconn-not-closed"), "{text}");
    assert!(text.contains("GROWING"));
    assert!(text.contains("0 → 150 → 300 → 600"));
    assert!(
        text.contains("one goroutine (1) created them all"),
        "{text}"
    );
    assert!(
        text.contains("Fix: Create one ClientConn per target"),
        "{text}"
    );
    args.extend(["--format", "md"]);
    let md = String::from_utf8(run(&args).stdout).unwrap();
    assert!(md.contains("| `go.grpc.clientconn-not-closed`"), "{md}");
}

#[test]
fn input_errors_exit_2_even_beside_leaks() {
    let mut all = go_series(
        "conn-leak",
        "conn-leak",
        &GO_ITERATIONS,
        "goroutine-debug2.txt",
    );
    all.push(path(&fixture("go/MANIFEST.md")).to_string());
    let mut args: Vec<&str> = vec!["scan"];
    args.extend(all.iter().map(String::as_str));
    let out = run(&args);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("MANIFEST.md"));
}

#[test]
fn user_rules_add_signatures_and_bad_rules_name_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules.toml");
    std::fs::write(
        &rules,
        r#"
[[signature]]
id = "acme.health-checker-loop"
runtime = "go"
profile = "goroutine"
title = "our DNS watchers pile up"
library = "acme"
versions = "all"
recognised_by = "the resolver's watcher"
metric = "goroutines"
markers = ['grpc/internal/resolver/dns\.\(\*dnsResolver\)\.watcher$', 'transport\.\(\*http2Server\)\.keepalive$']
min_growth = 10
explanation = "Ours."
fix = "Stop them."
"#,
    )
    .unwrap();
    let all = go_series(
        "conn-leak",
        "conn-leak",
        &GO_ITERATIONS,
        "goroutine-debug1.txt",
    );
    let (code, report) = scan(&all, &["--rules", path(&rules)]);
    assert_eq!(code, 1);
    assert_eq!(
        numbers(&finding(&report, "acme.health-checker-loop")["series"]),
        [0, 50, 100, 200]
    );

    std::fs::write(
        &rules,
        "[[signature]]\nid = \"x\"\nruntime = \"go\"\nprofile = \"goroutines\"\n",
    )
    .unwrap();
    let mut args: Vec<&str> = vec!["scan", "--rules", path(&rules)];
    args.extend(all.iter().map(String::as_str));
    let out = run(&args);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("rules.toml") && stderr.contains("line 4") && stderr.contains("column 11"),
        "{stderr}"
    );
}

#[test]
fn signatures_show_explains_and_fixes_every_entry() {
    let list = json(&["signatures", "list"]);
    let entries = list.as_array().unwrap();
    assert!(entries.len() >= 11);
    for entry in entries {
        let id = entry["id"].as_str().unwrap();
        let out = run(&["signatures", "show", id]);
        assert!(out.status.success(), "{id}");
        let text = String::from_utf8(out.stdout).unwrap();
        let explanation: String = entry["explanation"]
            .as_str()
            .unwrap()
            .split_whitespace()
            .take(6)
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            text.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .contains(&explanation),
            "{id}"
        );
        assert!(text.contains("\nFix\n"), "{id}");
    }
    let out = run(&["signatures", "show", "no.such.id"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn docs_signatures_md_is_the_generated_catalogue() {
    let out = run(&["signatures", "list", "--format", "md"]);
    assert!(out.status.success());
    let generated = String::from_utf8(out.stdout).unwrap();
    let docs = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/signatures.md"),
    )
    .unwrap();
    assert!(
        docs == generated,
        "docs/signatures.md is stale: run `cargo run --release -- signatures list --format md > docs/signatures.md`"
    );
}
