//! The catalogue's entries for Go's standard library against real captures
//! (fixtures/go/stdlib, made by its capture.sh with `leakscope capture`): each entry names the
//! leak of its scenario and stays quiet on every healthy run and on the noisy services.

mod common;

use common::{fixture, path, run_json, statuses};

/// Entry, and the scenario whose `-leak` run shows it.
const ENTRIES: [(&str, &str); 9] = [
    ("go.http.response-body-not-closed", "body-not-closed"),
    ("go.http.transport-per-request", "transport-per-request"),
    ("go.http.server-idle-conns", "server-idle-conns"),
    ("go.context.cancel-not-called", "context-not-cancelled"),
    ("go.sql.rows-not-closed", "sql-rows-not-closed"),
    ("go.sql.db-not-closed", "sql-db-not-closed"),
    ("go.sync.waitgroup-wait-stuck", "waitgroup-stuck"),
    ("go.signal.notify-not-stopped", "signal-notify"),
    ("go.time.afterfunc-pending", "afterfunc-pending"),
];

fn capture(name: &str) -> String {
    path(&fixture(&format!("go/stdlib/{name}"))).to_string()
}

#[test]
fn each_entry_names_the_leak_of_its_capture() {
    for (id, scenario) in ENTRIES {
        let (code, report) = run_json("scan", &[capture(&format!("{scenario}-leak"))], &[]);
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
                .all(|(s, _)| !s.ends_with(".growth") || scenario == "body-not-closed"),
            "{scenario}: {found:?}"
        );
    }
}

#[test]
fn healthy_runs_have_no_finding() {
    for (_, scenario) in ENTRIES {
        let (code, report) = run_json("scan", &[capture(&format!("{scenario}-healthy"))], &[]);
        assert_eq!((code, statuses(&report)), (0, vec![]), "{scenario}-healthy");
    }
}

#[test]
fn the_entries_stay_quiet_on_the_noisy_services() {
    for run in ["noisy-healthy", "noisy-goroutine-leak", "noisy-cache-leak"] {
        let files: Vec<String> = (1..=12)
            .flat_map(|m| {
                ["goroutine-debug2.txt", "heap-gc.pb.gz"].map(|kind| {
                    path(&fixture(&format!("go/noisy/{run}-m{m:02}-{kind}"))).to_string()
                })
            })
            .collect();
        let (_, report) = run_json("scan", &files, &[]);
        let found = statuses(&report);
        for (id, _) in ENTRIES {
            assert!(found.iter().all(|(s, _)| s != id), "{run}: {found:?}");
        }
    }
}

#[test]
fn one_dump_of_many_database_handles_is_suspect() {
    let last = |variant: &str| {
        let dir = fixture(&format!("go/stdlib/sql-db-not-closed-{variant}"));
        let mut dumps: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.to_string_lossy().contains("goroutine"))
            .map(|p| path(&p).to_string())
            .collect();
        dumps.sort();
        dumps.pop().unwrap()
    };
    let (code, report) = run_json("scan", &[last("leak")], &[]);
    assert_eq!(code, 0, "a suspect is not a measured leak");
    assert!(
        statuses(&report).contains(&("go.sql.db-not-closed".into(), "suspect".into())),
        "{report}"
    );
    let (code, report) = run_json("scan", &[last("healthy")], &[]);
    assert_eq!((code, statuses(&report)), (0, vec![]));
}
