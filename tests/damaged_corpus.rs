//! Damaged copies of real fixtures, built here: cut at many offsets, bytes flipped, gzip
//! streams cut, invalid UTF-8 in names, deeply nested JSON. Every case ends with a result
//! (exit 0 or 1) or one clear error naming the file (exit 2); never a panic, never a hang.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::*;

/// One real file per reader, small enough to damage many times.
const SOURCES: [&str; 7] = [
    "go/conn-leak/conn-leak-iter0050-goroutine-debug0.pb.gz",
    "go/conn-leak/conn-leak-iter0050-goroutine-debug1.txt",
    "go/conn-leak/conn-leak-iter0050-goroutine-debug2.txt",
    "go/goroutineleak/heap-debug1.txt",
    "go/conn-leak/conn-leak-iter0050-heap.pb.gz",
    "rust/healthy-i0020.heap",
    "rust/healthy-i0020.pb.gz",
];

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .unwrap();
    out
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// A deterministic byte stream (xorshift), so a failing case can be rebuilt.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Cuts, flips and (for gzipped sources) cut compressed streams of one source.
fn variants(source: &[u8]) -> Vec<(String, Vec<u8>)> {
    let plain = if source.starts_with(&[0x1f, 0x8b]) {
        gunzip(source)
    } else {
        source.to_vec()
    };
    let mut out = Vec::new();
    for fraction in [1, 7, 50, 333, 500, 900, 999] {
        let at = plain.len() * fraction / 1000;
        out.push((format!("cut-{fraction}permille"), plain[..at].to_vec()));
    }
    let mut noise = Noise(0x9e37_79b9_7f4a_7c15 ^ plain.len() as u64);
    for round in 0..8 {
        let mut flipped = plain.clone();
        for _ in 0..(1 << round) {
            let at = (noise.next() % plain.len() as u64) as usize;
            flipped[at] ^= 1 << (noise.next() % 8);
        }
        out.push((format!("flip-{}", 1 << round), flipped));
    }
    let mut invalid_utf8 = plain.clone();
    for at in (0..plain.len()).step_by(97) {
        if plain[at].is_ascii_alphabetic() {
            invalid_utf8[at] = 0xff;
        }
    }
    out.push(("invalid-utf8".into(), invalid_utf8));
    let compressed = gzip(&plain);
    for fraction in [100, 500, 990] {
        let at = compressed.len() * fraction / 1000;
        out.push((
            format!("gzip-cut-{fraction}permille"),
            compressed[..at].to_vec(),
        ));
    }
    out
}

/// Runs the binary with a time bound: a hang fails the test instead of stalling it.
fn run_bounded(args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("leakscope"))
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut stderr = String::new();
            use std::io::Read;
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut stderr)
                .unwrap();
            return (status.code(), stderr);
        }
        if start.elapsed() > Duration::from_secs(30) {
            child.kill().unwrap();
            panic!("leakscope {args:?} did not finish in 30 s");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn assert_handled(file: &Path) {
    let (code, stderr) = run_bounded(&["top", path(file)]);
    assert!(!stderr.contains("panicked"), "{}: {stderr}", file.display());
    match code {
        Some(0) => {}
        Some(2) => {
            let name = file.file_name().unwrap().to_string_lossy();
            assert!(stderr.contains(&*name), "{}: {stderr}", file.display());
            assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
        }
        other => panic!("{}: exit {other:?}: {stderr}", file.display()),
    }
}

#[test]
fn damaged_copies_of_every_reader_s_fixtures_are_handled() {
    let dir = tempfile::tempdir().unwrap();
    let mut cases = 0;
    for source in SOURCES {
        let bytes = std::fs::read(fixture(source)).unwrap();
        let stem = source.replace('/', "_");
        for (name, data) in variants(&bytes) {
            let file: PathBuf = dir.path().join(format!("{stem}.{name}"));
            std::fs::write(&file, &data).unwrap();
            assert_handled(&file);
            cases += 1;
        }
    }
    assert!(cases > 100, "{cases}");
}

#[test]
fn damaged_heap_snapshots_are_handled() {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = std::fs::read(fixture("node/healthy-i0010.heapsnapshot.gz")).unwrap();
    let plain = gunzip(&snapshot);
    for fraction in [3, 100, 500, 999] {
        let file = dir.path().join(format!("cut-{fraction}.heapsnapshot"));
        std::fs::write(&file, &plain[..plain.len() * fraction / 1000]).unwrap();
        assert_handled(&file);
    }
    let mut noise = Noise(7);
    for round in 0..6 {
        let mut flipped = plain.clone();
        for _ in 0..(1 << round) {
            let at = (noise.next() % plain.len() as u64) as usize;
            flipped[at] ^= 1 << (noise.next() % 8);
        }
        let file = dir.path().join(format!("flip-{round}.heapsnapshot"));
        std::fs::write(&file, &flipped).unwrap();
        assert_handled(&file);
    }
    // Absurd counts in the header: 4 billion nodes, 2^62 edges.
    let text = String::from_utf8(plain.clone()).unwrap();
    for (field, absurd) in [
        ("node_count", "4000000000"),
        ("edge_count", "4611686018427387904"),
    ] {
        let at = text.find(&format!("\"{field}\":")).unwrap() + field.len() + 3;
        let end = at + text[at..].find(|c: char| !c.is_ascii_digit()).unwrap();
        let file = dir.path().join(format!("absurd-{field}.heapsnapshot"));
        std::fs::write(&file, format!("{}{absurd}{}", &text[..at], &text[end..])).unwrap();
        assert_handled(&file);
    }
    // Deeply nested JSON where the meta object belongs.
    let depth = 200_000;
    let nested = format!(
        "{{\"snapshot\":{}{}}}",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let file = dir.path().join("nested.heapsnapshot");
    std::fs::write(&file, nested).unwrap();
    assert_handled(&file);
}
