//! The binary on real jemalloc heap dumps of a tonic gRPC program, symbolized offline with the
//! program's own binary; numbers from fixtures/rust/MANIFEST.md and jeprof's output for the
//! same dumps (fixtures/rust/jeprof-reference).

mod common;

use common::*;
use serde_json::Value;

fn binary() -> String {
    path(&fixture("rust/leaklab")).to_string()
}

fn dump(name: &str) -> String {
    path(&fixture(&format!("rust/{name}"))).to_string()
}

/// `Total: 9.5 MB` from a jeprof output, in bytes (jeprof's MB are MiB).
fn jeprof_total(file: &str) -> f64 {
    let text = std::fs::read_to_string(fixture(&format!("rust/jeprof-reference/{file}"))).unwrap();
    let mb: f64 = text
        .lines()
        .next()
        .unwrap()
        .trim_start_matches("Total: ")
        .trim_end_matches(" MB")
        .parse()
        .unwrap();
    mb * 1024.0 * 1024.0
}

fn close_to_jeprof(ours: f64, jeprof: f64, what: &str) {
    // jeprof prints one decimal of a MiB.
    assert!(
        (ours - jeprof).abs() <= 0.05 * 1024.0 * 1024.0 + 1.0,
        "{what}: leakscope {ours}, jeprof {jeprof}"
    );
}

const SERIES: [(&str, [u32; 3]); 4] = [
    ("channel-leak", [10, 50, 100]),
    ("stream-leak", [20, 100, 200]),
    ("cache-leak", [20, 100, 200]),
    ("healthy", [20, 100, 200]),
];

fn files(series: &str, iterations: [u32; 3], ext: &str) -> Vec<String> {
    iterations
        .iter()
        .map(|i| dump(&format!("{series}-i{i:04}.{ext}")))
        .collect()
}

#[test]
fn totals_agree_with_jeprof() {
    for (series, iterations) in SERIES {
        let files = files(series, iterations, "heap");
        let last = json(&["top", &files[2], "--binary", &binary()]);
        assert_eq!(last["input"]["format"], "jemalloc-heap");
        assert_eq!(last["input"]["runtime"], "rust");
        assert_eq!(last["sample_type"], "inuse_space");
        close_to_jeprof(
            last["total"].as_f64().unwrap(),
            jeprof_total(&format!("{series}-text-last.txt")),
            series,
        );
        // jeprof --base=FIRST LAST.
        let diff = json(&["diff", &files[0], &files[2], "--binary", &binary()]);
        let delta = diff["target_total"].as_f64().unwrap() - diff["base_total"].as_f64().unwrap();
        close_to_jeprof(
            delta,
            jeprof_total(&format!("{series}-text-base-excl.txt")),
            series,
        );
    }
}

#[test]
fn allocator_frames_fold_unless_asked() {
    let last = dump("cache-leak-i0200.heap");
    // jeprof without --exclude: 100% flat in jemalloc's own unwinder.
    let kept = json(&[
        "top",
        &last,
        "--binary",
        &binary(),
        "--keep-allocator-frames",
    ]);
    let top = &kept["rows"][0];
    assert_eq!(top["key"], "prof_backtrace_impl");
    assert_eq!(top["flat"], kept["total"]);
    // Folded: the first frame is the allocation site in the program (manifest: the 16 KiB
    // values inserted by leaklab::main's closure).
    let folded = json(&["top", &last, "--binary", &binary()]);
    let site = &folded["rows"][0];
    assert_eq!(site["key"], "leaklab::main::{{closure}}");
    assert!(site["flat"].as_f64().unwrap() / folded["total"].as_f64().unwrap() > 0.9);
    let names: Vec<&str> = folded["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["key"].as_str().unwrap())
        .collect();
    assert!(
        names
            .iter()
            .all(|n| !n.starts_with("prof_") && !n.contains("__rust_alloc")),
        "{names:?}"
    );
}

#[test]
fn pprof_of_the_same_moment_agrees() {
    for (series, iterations) in SERIES {
        let heap = json(&[
            "top",
            &files(series, iterations, "heap")[2],
            "--binary",
            &binary(),
        ]);
        let pprof = json(&[
            "top",
            &files(series, iterations, "pb.gz")[2],
            "--binary",
            &binary(),
        ]);
        assert_eq!(pprof["input"]["format"], "pprof");
        assert_eq!(pprof["input"]["runtime"], "rust");
        let (a, b) = (
            heap["total"].as_f64().unwrap(),
            pprof["total"].as_f64().unwrap(),
        );
        assert!((a - b).abs() / a < 0.01, "{series}: heap {a}, pprof {b}");
        assert_eq!(heap["rows"][0]["key"], pprof["rows"][0]["key"], "{series}");
    }
}

fn series_report(series: &str, iterations: [u32; 3], extra: &[&str]) -> Value {
    let files = files(series, iterations, "heap");
    let mut args = vec!["diff"];
    args.extend(files.iter().map(String::as_str));
    let binary = binary();
    args.extend(["--binary", binary.as_str()]);
    args.extend_from_slice(extra);
    json(&args)
}

#[test]
fn leaking_series_put_the_leaking_site_first() {
    // cache-leak: one site, 16 KiB per iteration.
    let cache = series_report("cache-leak", [20, 100, 200], &[]);
    let top = &cache["rows"][0];
    assert_eq!(top["key"], "leaklab::main::{{closure}}");
    assert_eq!(top["grew_every_step"], true);
    let growth = top["delta"].as_f64().unwrap();
    assert!(
        (growth - 180.0 * 16384.0).abs() / (180.0 * 16384.0) < 0.1,
        "{growth}"
    );
    // stream-leak: unread HTTP/2 data in BytesMut buffers (jeprof: 21.9 MB cum).
    let stream = series_report("stream-leak", [20, 100, 200], &["--measure", "cum"]);
    let reserve = row(&stream, "bytes::bytes_mut::BytesMut::reserve_inner");
    assert_eq!(reserve["grew_every_step"], true);
    close_to_jeprof(
        reserve["delta"].as_f64().unwrap(),
        21.9 * 1024.0 * 1024.0,
        "reserve_inner",
    );
    // channel-leak: the h2 codec of every leaked connection, under tonic's Endpoint::connect.
    let channel = series_report("channel-leak", [10, 50, 100], &["--measure", "cum"]);
    for frame in [
        "h2::codec::Codec::with_max_recv_frame_size",
        "tonic::transport::channel::endpoint::Endpoint::connect::{{closure}}",
    ] {
        let r = row(&channel, frame);
        assert_eq!(r["grew_every_step"], true, "{frame}");
        assert!(
            r["delta"].as_f64().unwrap() > 1024.0 * 1024.0,
            "{frame}: {r}"
        );
    }
}

#[test]
fn healthy_series_has_no_site_growing_at_every_step() {
    let healthy = series_report("healthy", [20, 100, 200], &["-n", "0"]);
    let growing: Vec<&Value> = healthy["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["grew_every_step"] == true)
        .collect();
    assert!(growing.is_empty(), "{growing:?}");
}

#[test]
fn threads_are_kept() {
    let report = json(&[
        "top",
        &dump("stream-leak-i0100.heap"),
        "--binary",
        &binary(),
        "--by",
        "labels",
    ]);
    let keys: Vec<&str> = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["key"].as_str().unwrap())
        .collect();
    assert!(keys.iter().all(|k| k.starts_with("thread=t")), "{keys:?}");
    assert!(keys.len() >= 2, "{keys:?}");
    let sum: i64 = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["flat"].as_i64().unwrap())
        .sum();
    let total = report["total"].as_i64().unwrap();
    assert!(
        (sum - total).abs() <= report["rows"].as_array().unwrap().len() as i64,
        "{sum} vs {total}"
    );
}

#[test]
fn without_the_binary_frames_keep_their_addresses() {
    let out = run(&["top", &dump("cache-leak-i0200.heap"), "--format", "json"]);
    assert!(out.status.success());
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let warning = report["input"]["warnings"].to_string();
    assert!(warning.contains("--binary"), "{warning}");
    assert!(report["rows"][0]["key"]
        .as_str()
        .unwrap()
        .starts_with("leaklab+0x"));
}

#[test]
fn damaged_dumps_and_wrong_binaries() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string(fixture("rust/cache-leak-i0020.heap")).unwrap();
    let cases = [
        (
            "header.heap",
            good.replacen("heap_v2/4096", "heap_v2/every", 1),
            "line 1",
        ),
        (
            "version.heap",
            good.replacen("heap_v2/4096", "heap_v9/4096", 1),
            "not a recognised profile",
        ),
        (
            "at.heap",
            good.replacen("@ 0x", "@ 0xnothex 0x", 1),
            "not a hexadecimal address",
        ),
        (
            "cut.heap",
            good[..good.find("MAPPED_LIBRARIES").unwrap()].to_string(),
            "MAPPED_LIBRARIES",
        ),
    ];
    for (name, text, expected) in cases {
        let f = dir.path().join(name);
        std::fs::write(&f, text).unwrap();
        let e = expect_input_error(&["top", path(&f), "--binary", &binary()], path(&f));
        assert!(e.contains(expected), "{name}: {e}");
    }
    // Another program's binary: its segments do not fit the dump's mappings.
    let other = env!("CARGO_BIN_EXE_leakscope");
    let f = dump("cache-leak-i0020.heap");
    let e = expect_input_error(&["top", &f, "--binary", other], &f);
    assert!(e.contains("does not match"), "{e}");
    // A jemalloc_pprof profile carries build ids: another binary is refused by id.
    let f = dump("cache-leak-i0020.pb.gz");
    let e = expect_input_error(&["top", &f, "--binary", other], &f);
    assert!(
        e.contains("does not match") || e.contains("does not appear"),
        "{e}"
    );
}

#[test]
fn debug_files_are_found_by_build_id() {
    // The jemalloc_pprof profile names its binary `./leaklab` with build id 6029f1da…; a debug
    // directory laid out as `.build-id/60/29f1da….debug` supplies it.
    let dir = tempfile::tempdir().unwrap();
    let target = dir
        .path()
        .join(".build-id/60/29f1da5913941075bde099bf261904b79bb890.debug");
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    std::fs::copy(fixture("rust/leaklab"), &target).unwrap();
    let report = json(&[
        "top",
        &dump("cache-leak-i0200.pb.gz"),
        "--debug-dir",
        path(dir.path()),
    ]);
    assert_eq!(report["rows"][0]["key"], "leaklab::main::{{closure}}");
}
