//! The binary on real V8 heap snapshots of @grpc/grpc-js processes: numbers from
//! fixtures/node/MANIFEST.md.

mod common;

use std::io::Read;

use common::*;
use serde_json::Value;

fn series(name: &str) -> Vec<String> {
    [10, 60, 160]
        .iter()
        .map(|i| path(&fixture(&format!("node/{name}-i{i:04}.heapsnapshot.gz"))).to_string())
        .collect()
}

fn diff_json(files: &[String], extra: &[&str]) -> Value {
    let mut args = vec!["diff"];
    args.extend(files.iter().map(String::as_str));
    args.extend_from_slice(extra);
    json(&args)
}

#[test]
fn recreated_clients_leak_internal_channels_not_clients() {
    for name in ["recreate-default", "recreate-channelz0"] {
        let report = diff_json(&series(name), &[]);
        assert_eq!(report["schema"], "leakscope/1");
        for (class, counts) in [
            ("InternalChannel", [11, 61, 161]),
            ("ResolvingLoadBalancer", [11, 61, 161]),
            ("PickFirstLoadBalancer", [10, 60, 160]),
            ("DnsResolver", [11, 61, 161]),
            ("Timeout", [66, 366, 966]),
            ("BackoffTimeout", [23, 123, 323]),
        ] {
            let r = row(&report, class);
            assert_eq!(values(r, "values"), counts, "{name} {class}");
            assert_eq!(r["beyond_noise"], true, "{name} {class}");
        }
        // What users hold is not what leaks: the client objects stay at one.
        for class in [
            "ServiceClientImpl",
            "ChannelImplementation",
            "Subchannel",
            "ClientHttp2Session",
        ] {
            let r = row(&report, class);
            assert_eq!(values(r, "values"), [1, 1, 1], "{name} {class}");
            assert_eq!(r["beyond_noise"], false);
        }
        let retained = values(row(&report, "InternalChannel"), "retained_values");
        assert!(
            retained[0] < retained[1] && retained[1] < retained[2],
            "{retained:?}"
        );
    }
}

#[test]
fn open_streams_leak_per_call_objects() {
    let report = diff_json(&series("stream-server"), &[]);
    for class in [
        "ClientReadableStreamImpl",
        "ClientHttp2Stream",
        "Http2SubchannelCall",
        "LoadBalancingCall",
        "RetryingCall",
        "ResolvingCall",
    ] {
        assert_eq!(
            values(row(&report, class), "values"),
            [10, 60, 160],
            "{class}"
        );
    }
    assert_eq!(values(row(&report, "Buffer"), "values"), [378, 2178, 5778]);
    assert_eq!(values(row(&report, "Http2Stream"), "values"), [13, 63, 163]);
    assert_eq!(values(row(&report, "InternalChannel"), "values"), [1, 1, 1]);
}

#[test]
fn healthy_series_has_no_growth_beyond_noise() {
    let report = diff_json(&series("healthy"), &["-n", "0"]);
    let growing: Vec<&str> = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["beyond_noise"] == true)
        .map(|r| r["key"].as_str().unwrap())
        .collect();
    assert!(growing.is_empty(), "{growing:?}");
    assert_eq!(values(row(&report, "InternalChannel"), "values"), [1, 1, 1]);
    // After close() every grpc-js object is gone.
    let closed = json(&[
        "top",
        path(&fixture("node/healthy-i0161.heapsnapshot.gz")),
        "-n",
        "0",
    ]);
    for class in [
        "InternalChannel",
        "Subchannel",
        "ClientHttp2Session",
        "ServiceClientImpl",
    ] {
        assert!(
            closed["rows"]
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r["key"] != class),
            "{class} still present"
        );
    }
    assert_eq!(row(&closed, "Timeout")["count"], 1);
}

#[test]
fn summary_rows_and_totals() {
    let f = fixture("node/recreate-default-i0160.heapsnapshot.gz");
    let report = json(&["top", path(&f)]);
    assert_eq!(report["input"]["format"], "v8-heapsnapshot");
    assert_eq!(report["input"]["runtime"], "node");
    assert_eq!(report["totals"]["node_count"], 124_455);
    assert_eq!(report["totals"]["edge_count"], 562_201);
    // Every object hangs somewhere below the root.
    assert_eq!(
        report["totals"]["root_retained"],
        report["totals"]["total_size"]
    );
    let channel = row(&report, "InternalChannel");
    assert_eq!(channel["count"], 161);
    let (shallow, retained) = (
        channel["shallow"].as_u64().unwrap(),
        channel["retained"].as_u64().unwrap(),
    );
    assert!(shallow > 0 && retained > shallow);
    // Sorted by retained size.
    let sizes: Vec<u64> = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["retained"].as_u64().unwrap())
        .collect();
    assert!(sizes.windows(2).all(|w| w[0] >= w[1]));
    let by_type = json(&["top", path(&f), "--by", "type", "-n", "0"]);
    let objects = row(&by_type, "object")["count"].as_u64().unwrap();
    let closures = row(&by_type, "closure")["count"].as_u64().unwrap();
    assert!(objects > 10_000 && closures > 10_000);
}

#[test]
fn raw_and_gzipped_snapshots_read_the_same() {
    let gz = fixture("node/stream-server-i0010.heapsnapshot.gz");
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&gz).unwrap())
        .read_to_end(&mut raw)
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("stream-server-i0010.heapsnapshot");
    std::fs::write(&plain, &raw).unwrap();
    let a = json(&["top", path(&gz), "-n", "0"]);
    let b = json(&["top", path(&plain), "-n", "0"]);
    assert_eq!(a["rows"], b["rows"]);
    assert_eq!(b["input"]["gzipped"], false);
    assert_eq!(b["input"]["size"], raw.len());
}

#[test]
fn leaked_channel_retainer_path() {
    let f = fixture("node/recreate-default-i0160.heapsnapshot.gz");
    let report = json(&["retainers", path(&f), "--class", "InternalChannel"]);
    assert_eq!(report["objects"], 161);
    let top = &report["paths"][0];
    // fixtures/node/MANIFEST.md: the old channels are held by the shared Subchannel's state
    // listeners and by the channels' timers; one path shape covers most of them.
    assert!(top["objects"].as_u64().unwrap() >= 100, "{top}");
    let steps: Vec<String> = top["path"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            format!(
                "{} {}",
                s["node"].as_str().unwrap(),
                s["edge"].as_str().unwrap()
            )
        })
        .collect();
    let text = steps.join(" -> ");
    for part in [
        "Timeout ._onTimeout",
        "Subchannel .stateListeners",
        "system / Context ->channel",
    ] {
        assert!(text.contains(part), "{part} not in {text}");
    }
    assert!(text.ends_with("InternalChannel "), "{text}");
    // Fingerprints name the shape, not the run: the same on a second reading.
    let again = json(&["retainers", path(&f), "--class", "InternalChannel"]);
    assert_eq!(again["paths"][0]["fingerprint"], top["fingerprint"]);
    assert_eq!(top["fingerprint"].as_str().unwrap().len(), 16);
    // One object by id.
    let id = top["example_id"].as_u64().unwrap().to_string();
    let one = json(&["retainers", path(&f), "--id", &id]);
    assert_eq!(one["objects"], 1);
    assert_eq!(one["paths"][0]["fingerprint"], top["fingerprint"]);
}

#[test]
fn stream_call_is_held_by_the_detached_native_stream() {
    let f = fixture("node/stream-server-i0160.heapsnapshot.gz");
    let report = json(&["retainers", path(&f), "--class", "ClientReadableStreamImpl"]);
    assert_eq!(report["objects"], 160);
    let covered: u64 = report["paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["objects"].as_u64().unwrap())
        .sum();
    assert!(covered > 0);
    let text = report["paths"].to_string();
    assert!(text.contains("Http2SubchannelCall"), "{text}");
}

#[test]
fn comparison_by_object_id() {
    let files = series("recreate-default");
    let report = diff_json(&files[..2], &["-n", "0", "--new-objects", "5"]);
    let channel = row(&report, "InternalChannel");
    assert_eq!(
        (channel["new"].as_u64(), channel["deleted"].as_u64()),
        (Some(50), Some(0))
    );
    assert_eq!(channel["delta"], 50);
    assert!(channel["size_delta"].as_i64().unwrap() > 0);
    assert_eq!(report["new_objects"].as_array().unwrap().len(), 5);
    let first = &report["new_objects"][0];
    assert!(first["retained"].as_u64().unwrap() >= first["self_size"].as_u64().unwrap());
}

#[test]
fn leaks_since_the_baseline() {
    let files = series("recreate-default");
    let report = diff_json(&files, &["--leaks-since", &files[0]]);
    let leaks = &report["leaks_since"];
    let rows = leaks["rows"].as_array().unwrap();
    let channel = rows.iter().find(|r| r["key"] == "InternalChannel").unwrap();
    // 50 clients were created between the first two snapshots; all are still alive at the end.
    assert_eq!(channel["count"], 50);
    assert!(!leaks["paths"].as_array().unwrap().is_empty());
    let healthy = series("healthy");
    let report = diff_json(&healthy, &["--leaks-since", &healthy[0]]);
    let rows = report["leaks_since"]["rows"].as_array().unwrap().clone();
    assert!(rows.iter().all(|r| r["key"] != "InternalChannel"));
}

#[test]
fn snapshot_usage_errors() {
    let f = fixture("node/healthy-i0010.heapsnapshot.gz");
    let go = fixture("go/conn-leak/conn-leak-iter0000-goroutine-debug1.txt");
    for args in [
        vec!["top", path(&f), "--by", "function"],
        vec!["diff", path(&f), path(&go)],
        vec!["retainers", path(&go), "--class", "X"],
        vec!["retainers", path(&f), "--class", "NoSuchClass"],
        vec!["retainers", path(&f)],
    ] {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
}
