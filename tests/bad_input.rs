//! Damaged and hostile inputs: one clear error naming the file and the place, exit code 2,
//! no panic; or, where the data up to the damage is sound, a result with a warning.

mod common;

use std::io::Write;

use common::*;
use flate2::{write::GzEncoder, Compression};
use pprof::protos::Message;

fn temp_file(name: &str, bytes: &[u8]) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(name);
    std::fs::write(&file, bytes).unwrap();
    let p = file.to_str().unwrap().to_string();
    (dir, p)
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

#[test]
fn empty_file() {
    let (_d, f) = temp_file("empty.pb.gz", b"");
    let e = expect_input_error(&["top", &f], &f);
    assert!(e.contains("empty"), "{e}");
}

#[test]
fn missing_file() {
    let e = expect_input_error(&["top", "no/such/profile.pb.gz"], "no/such/profile.pb.gz");
    assert!(e.contains("cannot open"), "{e}");
}

#[test]
fn text_that_is_no_profile() {
    let (_d, f) = temp_file("notes.txt", b"Dear diary,\ntoday the service leaked.\n");
    let e = expect_input_error(&["top", &f], &f);
    assert!(
        e.contains("byte 0") && e.contains("not a recognised profile"),
        "{e}"
    );
    assert!(e.contains("Dear diary"), "shows what it found: {e}");
}

#[test]
fn truncated_gzip() {
    let whole = std::fs::read(fixture("go/stream-leak/stream-leak-iter0100-heap.pb.gz")).unwrap();
    let (_d, f) = temp_file("cut.pb.gz", &whole[..whole.len() / 2]);
    let e = expect_input_error(&["top", &f], &f);
    assert!(e.contains("truncated gzip"), "{e}");
}

#[test]
fn corrupt_protobuf() {
    let whole = std::fs::read(fixture("go/stream-leak/stream-leak-iter0100-heap.pb.gz")).unwrap();
    let mut raw = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&whole[..]), &mut raw).unwrap();
    // Cut inside the message: a length-delimited field now runs past the end.
    let (_d, f) = temp_file("cut.pb", &raw[..raw.len() - 7]);
    let e = expect_input_error(&["top", &f], &f);
    assert!(e.contains("corrupt pprof protobuf"), "{e}");
}

#[test]
fn protobuf_with_string_index_past_the_table() {
    let profile = pprof::protos::Profile {
        sample_type: vec![pprof::protos::ValueType { ty: 1, unit: 99 }],
        string_table: vec![String::new(), "goroutine".into()],
        ..Default::default()
    };
    let (_d, f) = temp_file("bad-strings.pb.gz", &gzip(&profile.encode_to_vec()));
    let e = expect_input_error(&["top", &f], &f);
    assert!(e.contains("string index 99"), "{e}");
}

#[test]
fn protobuf_sample_with_unknown_location() {
    let profile = pprof::protos::Profile {
        sample_type: vec![pprof::protos::ValueType { ty: 1, unit: 2 }],
        sample: vec![pprof::protos::Sample {
            location_id: vec![42],
            value: vec![1],
            label: vec![],
        }],
        string_table: vec![String::new(), "goroutine".into(), "count".into()],
        ..Default::default()
    };
    let (_d, f) = temp_file("bad-location.pb.gz", &gzip(&profile.encode_to_vec()));
    let e = expect_input_error(&["top", &f], &f);
    assert!(e.contains("location id 42"), "{e}");
}

#[test]
fn goroutine_header_with_absurd_numbers() {
    let (_d, f) = temp_file(
        "dump.txt",
        b"goroutine 1 [running]:\nmain.main()\n\t/m.go:1 +0x1\n\ngoroutine 99999999999999999999999 [select]:\nmain.f()\n\t/m.go:2 +0x1\n",
    );
    let e = expect_input_error(&["top", &f], &f);
    assert!(
        e.contains("line 5") && e.contains("not a 64-bit number"),
        "{e}"
    );
    let (_d, f) = temp_file(
        "debug1.txt",
        b"goroutine profile: total 4611686018427387904999\n",
    );
    let e = expect_input_error(&["top", &f], &f);
    assert!(e.contains("line 1"), "{e}");
}

#[test]
fn absurd_declared_total_is_reported_not_allocated() {
    // 2^62 fits 64 bits; nothing is sized from it, and the mismatch is said.
    let (_d, f) = temp_file(
        "debug1.txt",
        b"goroutine profile: total 4611686018427387904\n1 @ 0x1\n#\t0x1\tmain.f+0x1\t/m.go:1\n",
    );
    let report = json(&["top", &f]);
    assert_eq!(report["total"], 1);
    let warning = report["input"]["warnings"][0].as_str().unwrap();
    assert!(warning.contains("4611686018427387904"), "{warning}");
}

/// `members` copies of one gzip member holding `chunk` zero bytes, after an optional first
/// member: about 1 KB per MiB of output.
fn zero_bomb(first: Option<&[u8]>, chunk: usize, members: usize) -> Vec<u8> {
    let zeros = gzip(&vec![0u8; chunk]);
    let mut out = first.map(gzip).unwrap_or_default();
    for _ in 0..members {
        out.extend_from_slice(&zeros);
    }
    out
}

#[test]
fn gzip_bomb_of_zeros_stops_at_the_first_bytes() {
    // 10 GiB of zeros in ~10 MB of gzip.
    let bomb = zero_bomb(None, 16 << 20, 640);
    let (_d, f) = temp_file("bomb.pb.gz", &bomb);
    let e = expect_input_error(&["top", &f], &f);
    assert!(e.contains("not a recognised profile"), "{e}");
}

#[test]
fn gzip_bomb_behind_a_valid_header_stops_at_a_nul_byte() {
    let bomb = zero_bomb(Some(b"goroutine profile: total 1\n"), 16 << 20, 640);
    let (_d, f) = temp_file("bomb.txt.gz", &bomb);
    let e = expect_input_error(&["top", &f], &f);
    assert!(e.contains("NUL byte") && e.contains("byte 27"), "{e}");
}

#[test]
fn gzip_bomb_of_text_stops_at_the_size_limit() {
    let filler = vec![b'#'; 1 << 20];
    let member = gzip(&filler);
    let mut bomb = gzip(b"goroutine profile: total 1\n");
    for _ in 0..64 {
        bomb.extend_from_slice(&member);
    }
    let (_d, f) = temp_file("bomb.txt.gz", &bomb);
    let e = expect_input_error(&["top", &f, "--max-input-size", "16M"], &f);
    assert!(e.contains("input limit of 16777216 bytes"), "{e}");
}

#[test]
fn dump_cut_at_the_go_runtime_limit_is_salvaged_and_marked() {
    // Like a real 100k-goroutine server dump: exactly 64 MiB, the last record cut mid-frame.
    let record = |id: usize| {
        format!(
            "goroutine {id} [select, 3 minutes]:\n\
google.golang.org/grpc/health.(*Server).Watch(0xc000123456, 0xc000234567, {{0x10a8b58, 0xc000345678}})\n\
\t/src/google.golang.org/grpc/health/server.go:116 +0x1d4\n\
created by google.golang.org/grpc.(*Server).serveStreams.func2 in goroutine 77\n\
\t/src/google.golang.org/grpc/server.go:1090 +0x1a5\n\n"
        )
    };
    let mut dump = String::new();
    let mut id = 1;
    while dump.len() < 64 << 20 {
        dump.push_str(&record(id));
        id += 1;
    }
    dump.truncate(64 << 20);
    let complete = dump.matches("\n\n").count();
    let (_d, f) = temp_file("dump.txt", dump.as_bytes());
    let report = json(&["top", &f]);
    assert_eq!(report["total"].as_u64().unwrap() as usize, complete);
    let warning = report["input"]["warnings"][0].as_str().unwrap();
    assert!(
        warning.contains("truncated") && warning.contains("64 MiB"),
        "{warning}"
    );
    // The table says it too.
    let out = run(&["top", &f]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("truncated"));
}

#[test]
fn unknown_sample_index() {
    let f = fixture("go/stream-leak/stream-leak-iter0100-heap.pb.gz");
    let out = run(&["top", path(&f), "--sample-index", "nonsense"]);
    assert_eq!(out.status.code(), Some(2));
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(e.contains("inuse_space"), "lists what exists: {e}");
}

#[test]
fn heap_and_goroutine_profiles_do_not_diff() {
    let heap = fixture("go/stream-leak/stream-leak-iter0100-heap.pb.gz");
    let goroutines = fixture("go/stream-leak/stream-leak-iter0100-goroutine-debug0.pb.gz");
    let out = run(&["diff", path(&heap), path(&goroutines)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot compare"));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(run(&["diff", "only-one-file"]).status.code(), Some(2));
    assert_eq!(run(&["top"]).status.code(), Some(2));
}

/// The text of a real snapshot, to damage.
fn snapshot_text() -> String {
    let mut raw = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(
            std::fs::File::open(fixture("node/healthy-i0010.heapsnapshot.gz")).unwrap(),
        ),
        &mut raw,
    )
    .unwrap();
    raw
}

/// Replaces the `nth` (0-based) number after `marker` with `with`.
fn replace_number_after(text: &str, marker: &str, nth: usize, with: &str) -> String {
    let start = text.find(marker).unwrap() + marker.len();
    let mut at = start;
    for _ in 0..nth {
        at += text[at..].find(',').unwrap() + 1;
    }
    let end = at + text[at..].find(|c: char| !c.is_ascii_digit()).unwrap();
    format!("{}{with}{}", &text[..at], &text[end..])
}

#[test]
fn truncated_heap_snapshot() {
    let text = snapshot_text();
    let (_d, f) = temp_file("cut.heapsnapshot", &text.as_bytes()[..text.len() * 3 / 5]);
    let e = expect_input_error(&["top", &f], &f);
    assert!(e.contains("byte ") && e.contains("truncated"), "{e}");
    // Cut inside the gzip stream too.
    let gz = std::fs::read(fixture("node/healthy-i0010.heapsnapshot.gz")).unwrap();
    let (_d2, f) = temp_file("cut.heapsnapshot.gz", &gz[..gz.len() / 2]);
    expect_input_error(&["top", &f], &f);
}

#[test]
fn heap_snapshot_meta_disagreeing_with_arrays() {
    let text = snapshot_text();
    let damaged = replace_number_after(&text, "\"node_count\":", 0, "90660");
    let (_d, f) = temp_file("meta.heapsnapshot", damaged.as_bytes());
    let e = expect_input_error(&["top", &f], &f);
    assert!(e.contains("90660 nodes"), "{e}");
}

#[test]
fn heap_snapshot_holding_more_than_its_meta_stops_early() {
    let text = snapshot_text();
    let damaged = replace_number_after(&text, "\"node_count\":", 0, "10");
    let (_d, f) = temp_file("meta.heapsnapshot", damaged.as_bytes());
    let e = expect_input_error(&["top", &f], &f);
    assert!(e.contains("says 10 nodes but `nodes` holds more"), "{e}");
}

#[test]
fn heap_snapshot_too_large_for_memory_is_refused_up_front() {
    let f = fixture("node/healthy-i0010.heapsnapshot.gz");
    let f = f.to_str().unwrap();
    let e = expect_input_error(&["top", f, "--memory-limit", "1M"], f);
    assert!(
        e.contains("objects") && e.contains("needs about") && e.contains("--memory-limit"),
        "{e}"
    );
    // A header claiming billions of objects is refused before any of them is read.
    let text = snapshot_text();
    let damaged = replace_number_after(&text, "\"node_count\":", 0, "4000000000");
    let (_d, f) = temp_file("huge.heapsnapshot", damaged.as_bytes());
    let e = expect_input_error(&["top", &f, "--memory-limit", "64G"], &f);
    assert!(e.contains("4000000000 objects"), "{e}");
}

#[test]
fn heap_snapshots_that_do_not_fit_together_are_refused_before_any_is_read() {
    // Each needs about 9 MB: the second does not fit what the first leaves of 16M.
    let first = fixture("node/healthy-i0010.heapsnapshot.gz");
    let second = fixture("node/healthy-i0060.heapsnapshot.gz");
    let (first, second) = (first.to_str().unwrap(), second.to_str().unwrap());
    let e = expect_input_error(&["scan", first, second, "--memory-limit", "16M"], second);
    assert!(e.contains("after the snapshots before it"), "{e}");
    let output = run(&["scan", first, "--memory-limit", "16M"]);
    assert_ne!(output.status.code(), Some(2), "one fits");
}

#[test]
fn heap_snapshot_edge_past_the_end() {
    let text = snapshot_text();
    let damaged = replace_number_after(&text, "\"edges\":[", 2, "700000000");
    let (_d, f) = temp_file("edge.heapsnapshot", damaged.as_bytes());
    let e = expect_input_error(&["top", &f], &f);
    assert!(e.contains("node offset 700000000"), "{e}");
}

#[test]
fn heap_snapshot_non_numeric_value() {
    let text = snapshot_text();
    let damaged = text.replacen("\"nodes\":[9,", "\"nodes\":[\"nine\",", 1);
    assert_ne!(damaged, text);
    let (_d, f) = temp_file("value.heapsnapshot", damaged.as_bytes());
    let e = expect_input_error(&["top", &f], &f);
    let offset = text.find("\"nodes\":[").unwrap() + "\"nodes\":[".len();
    assert!(
        e.contains(&format!("byte {offset}")) && e.contains("non-negative integer"),
        "{e}"
    );
}
