//! Catalogue entries against the real captures made for them with `leakscope capture`
//! (fixtures/go/stdlib, fixtures/node/core, each with its capture.sh): each entry names the
//! leak of its scenario and stays quiet on every healthy run and on the noisy services.

mod common;

use common::{fixture, path, run_json, statuses};

/// Entry, and the scenario (under fixtures/) whose `-leak` capture shows it.
const ENTRIES: [(&str, &str); 20] = [
    (
        "go.http.response-body-not-closed",
        "go/stdlib/body-not-closed",
    ),
    (
        "go.http.transport-per-request",
        "go/stdlib/transport-per-request",
    ),
    ("go.http.server-idle-conns", "go/stdlib/server-idle-conns"),
    ("go.http.server-not-closed", "go/stdlib/server-not-closed"),
    (
        "go.context.cancel-not-called",
        "go/stdlib/context-not-cancelled",
    ),
    ("go.sql.rows-not-closed", "go/stdlib/sql-rows-not-closed"),
    ("go.sql.db-not-closed", "go/stdlib/sql-db-not-closed"),
    ("go.sync.waitgroup-wait-stuck", "go/stdlib/waitgroup-stuck"),
    ("go.signal.notify-not-stopped", "go/stdlib/signal-notify"),
    ("go.time.afterfunc-pending", "go/stdlib/afterfunc-pending"),
    ("go.chan.send-blocked", "go/stdlib/result-abandoned"),
    ("go.chan.receive-blocked", "go/stdlib/workers-never-stopped"),
    ("go.sync.mutex-lock-piling", "go/stdlib/mutex-held"),
    ("go.time.sleep-loop-piling", "go/stdlib/poller-per-request"),
    (
        "rust.tokio.task-never-finishes",
        "rust/core/task-never-finishes",
    ),
    (
        "rust.tokio.unbounded-channel-filling",
        "rust/core/unbounded-channel-filling",
    ),
    (
        "rust.reqwest.client-per-request",
        "rust/core/client-per-request",
    ),
    ("node.http.agent-per-request", "node/core/agent-per-request"),
    (
        "node.events.eventtarget-listeners-piling",
        "node/core/abort-listeners",
    ),
    (
        "node.promise.pending-piling",
        "node/core/promise-never-settled",
    ),
];

fn capture(name: &str) -> String {
    path(&fixture(name)).to_string()
}

/// A jemalloc dump needs the binary that wrote it; each folder of one capture is a scenario.
fn scan_capture(scenario: &str, variant: &str) -> (i32, serde_json::Value) {
    let binary = capture("rust/core/rustleaks");
    let extra: &[&str] = if scenario.starts_with("rust/") {
        &["--binary", &binary]
    } else {
        &[]
    };
    run_json("scan", &[capture(&format!("{scenario}-{variant}"))], extra)
}

#[test]
fn each_entry_names_the_leak_of_its_capture() {
    for (id, scenario) in ENTRIES {
        let (code, report) = scan_capture(scenario, "leak");
        let found = statuses(&report);
        assert_eq!(code, 1, "{scenario}: {found:?}");
        assert!(
            found
                .iter()
                .any(|(s, status)| s == id && status == "growing"),
            "{scenario}: {id} not growing in {found:?}"
        );
        // The entry explains the growth: no generic finding is left beside it.
        assert!(
            found
                .iter()
                .all(|(s, _)| !s.ends_with(".growth") || scenario.ends_with("body-not-closed")),
            "{scenario}: {found:?}"
        );
    }
}

#[test]
fn healthy_runs_have_no_finding() {
    for (_, scenario) in ENTRIES {
        let (code, report) = scan_capture(scenario, "healthy");
        assert_eq!((code, statuses(&report)), (0, vec![]), "{scenario}-healthy");
    }
    // No entry for Arc cycles: an allocation profile shows where memory was allocated, not what
    // holds it. The capture stays one of generic growth, which 4 dumps are too few for.
    let (code, report) = scan_capture("rust/core/arc-cycle", "leak");
    assert_eq!((code, statuses(&report)), (0, vec![]));
}

#[test]
fn the_entries_stay_quiet_on_the_noisy_services() {
    let go = |run: &str| -> Vec<String> {
        (1..=12)
            .flat_map(|m| {
                ["goroutine-debug2.txt", "heap-gc.pb.gz"]
                    .map(|kind| capture(&format!("go/noisy/{run}-m{m:02}-{kind}")))
            })
            .collect()
    };
    let node = |run: &str| -> Vec<String> {
        (1..=8)
            .map(|m| capture(&format!("node/noisy/{run}-m{m:02}.heapsnapshot.gz")))
            .collect()
    };
    // The noisy goroutine leak is goroutines waiting in `chan receive` for a change that never
    // comes: go.chan.receive-blocked is its name; every other entry stays quiet.
    let runs = [
        (go("noisy-healthy"), None),
        (go("noisy-goroutine-leak"), Some("go.chan.receive-blocked")),
        (go("noisy-cache-leak"), None),
        (node("noisy-healthy"), None),
        (node("noisy-client-leak"), None),
        (node("noisy-stream-leak"), None),
    ];
    for (files, named) in runs {
        let (_, report) = run_json("scan", &files, &[]);
        let found = statuses(&report);
        for (id, _) in ENTRIES {
            assert!(
                found.iter().all(|(s, _)| s != id || named == Some(id)),
                "{}: {found:?}",
                files[0]
            );
        }
        if let Some(id) = named {
            assert!(found.contains(&(id.into(), "growing".into())), "{found:?}");
        }
    }
    // The tonic captures spawn tasks and fill channels of their own: those are tonic's leaks.
    let binary = capture("rust/leaklab");
    for (run, moments) in [
        ("channel-leak", ["0010", "0050", "0100"]),
        ("stream-leak", ["0020", "0100", "0200"]),
        ("cache-leak", ["0020", "0100", "0200"]),
        ("healthy", ["0020", "0100", "0200"]),
    ] {
        let files = moments.map(|i| capture(&format!("rust/{run}-i{i}.heap")));
        let (_, report) = run_json("scan", &files, &["--binary", &binary]);
        let found = statuses(&report);
        assert!(
            found.iter().all(|(s, _)| s.starts_with("rust.tonic.")),
            "{run}: {found:?}"
        );
    }
}

/// The last file of `kind` in a capture folder (names sort by time).
fn last(dir: &str, kind: &str) -> String {
    let mut files: Vec<String> = std::fs::read_dir(fixture(dir))
        .unwrap()
        .map(|e| path(&e.unwrap().path()).to_string())
        .filter(|p| p.contains(kind))
        .collect();
    files.sort();
    files.pop().unwrap()
}

#[test]
fn one_snapshot_of_many_handles_is_suspect() {
    for (id, scenario, kind) in [
        (
            "go.sql.db-not-closed",
            "go/stdlib/sql-db-not-closed",
            "goroutine",
        ),
        (
            "node.http.agent-per-request",
            "node/core/agent-per-request",
            "heapsnapshot",
        ),
    ] {
        let (code, report) = run_json("scan", &[last(&format!("{scenario}-leak"), kind)], &[]);
        assert_eq!(code, 0, "{scenario}: a suspect is not a measured leak");
        assert!(
            statuses(&report).contains(&(id.into(), "suspect".into())),
            "{scenario}: {:?}",
            statuses(&report)
        );
        let (code, report) = run_json("scan", &[last(&format!("{scenario}-healthy"), kind)], &[]);
        assert_eq!((code, statuses(&report)), (0, vec![]), "{scenario}-healthy");
    }
}

/// Protobuf goroutine profiles keep the runtime's frames (runtime.chansend1) and print no states:
/// the channel entries name the same leaks from those frames.
#[test]
fn channel_entries_read_the_runtime_frames_of_protobuf_profiles() {
    for (id, scenario) in [
        ("go.chan.send-blocked", "go/stdlib/result-abandoned"),
        ("go.chan.receive-blocked", "go/stdlib/workers-never-stopped"),
    ] {
        let (code, report) = run_json("scan", &[capture(&format!("{scenario}-leak-debug0"))], &[]);
        assert_eq!(
            (code, statuses(&report)),
            (1, vec![(id.to_string(), "growing".to_string())]),
            "{scenario}"
        );
        let (code, report) = run_json(
            "scan",
            &[capture(&format!("{scenario}-healthy-debug0"))],
            &[],
        );
        assert_eq!((code, statuses(&report)), (0, vec![]), "{scenario}-healthy");
    }
}
