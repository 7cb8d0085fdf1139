//! Verdicts under load: every window of consecutive moments of real captures of services whose
//! in-flight work swings (fixtures/go/noisy, fixtures/node/noisy), judged by `scan` and by
//! `check`'s default policy. Healthy runs must stay quiet, slow leaks must be named. The tables
//! in docs/accuracy.md are what this prints with `LEAKSCOPE_ACCURACY_TABLE=1`.

use std::path::PathBuf;

use leakscope::analysis::class_summary::ClassKey;
use leakscope::analysis::AnalysedSnapshot;
use leakscope::detect::{scan, Catalogue};
use leakscope::formats::{self, ReadOptions};
use leakscope::gate::{Date, Policy, Verdict};
use leakscope::model::{Finding, Input};

/// Window lengths, in consecutive moments.
const WINDOWS: [usize; 5] = [2, 3, 4, 5, 6];

/// Targets: false alarms on healthy runs, as a share of windows, by window length.
fn false_alarm_target(window: usize) -> f64 {
    if window == 2 {
        0.05
    } else {
        0.02
    }
}

/// From this window length on, a slow leak is named in every window.
const LEAK_ALWAYS_NAMED_FROM: usize = 6;

struct Run {
    /// What the rows call it: `go goroutines debug=2 healthy`.
    name: String,
    inputs: Vec<Input>,
    /// The leak the run has, as a test on a finding; `None` for healthy runs.
    leak: Option<fn(&Finding) -> bool>,
    /// The leak is a catalogue signature, which `check` fails by default (generic growth
    /// warns).
    gate_fails: bool,
}

fn read(pattern: &str, moments: usize) -> Vec<Input> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    (1..=moments)
        .map(|m| {
            let path = root.join(pattern.replace("{}", &format!("{m:02}")));
            formats::read(&path, &ReadOptions::default())
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        })
        .collect()
}

/// The leaked goroutines wait in `chan receive`: the catalogue names them by that wait, with
/// waitForChange as the function they wait in.
fn waits_for_change(f: &Finding) -> bool {
    f.signature == "go.chan.receive-blocked"
        && format!("{:?}", f.evidence).contains("waitForChange")
}

fn remembers_responses(f: &Finding) -> bool {
    f.signature == "heap.growth" && f.title.contains("rememberResponse")
}

fn go_runs() -> Vec<Run> {
    let mut runs = Vec::new();
    for (scenario, goroutine_leak, heap_leak) in [
        ("healthy", None, None),
        (
            "goroutine-leak",
            Some(waits_for_change as fn(&Finding) -> bool),
            None,
        ),
        (
            "cache-leak",
            None,
            Some(remembers_responses as fn(&Finding) -> bool),
        ),
    ] {
        for (kind, leak) in [
            ("goroutine-debug2.txt", goroutine_leak),
            ("goroutine-debug0.pb.gz", goroutine_leak),
            ("heap.pb.gz", heap_leak),
            ("heap-gc.pb.gz", heap_leak),
        ] {
            runs.push(Run {
                name: format!("go {kind} {scenario}"),
                inputs: read(&format!("go/noisy/noisy-{scenario}-m{{}}-{kind}"), 12),
                leak,
                // The goroutine leak is a catalogue entry's, which fails the gate; the cache
                // leak is generic growth, which warns.
                gate_fails: kind.starts_with("goroutine") && leak.is_some(),
            });
        }
    }
    runs
}

fn streams_not_ended(f: &Finding) -> bool {
    f.signature == "node.grpcjs.stream-not-ended"
}

fn clients_not_closed(f: &Finding) -> bool {
    f.signature == "node.grpcjs.client-not-closed"
}

fn node_runs() -> Vec<Run> {
    [
        ("healthy", None),
        (
            "stream-leak",
            Some(streams_not_ended as fn(&Finding) -> bool),
        ),
        (
            "client-leak",
            Some(clients_not_closed as fn(&Finding) -> bool),
        ),
    ]
    .into_iter()
    .map(|(scenario, leak)| Run {
        name: format!("node snapshots {scenario}"),
        inputs: read(
            &format!("node/noisy/noisy-{scenario}-m{{}}.heapsnapshot.gz"),
            8,
        ),
        leak,
        gate_fails: leak.is_some(),
    })
    .collect()
}

/// What one window makes of a run: any finding (`scan`), a failing verdict (`check`), and
/// whether the run's leak was named.
struct Outcome {
    scan_flagged: bool,
    check_failed: bool,
    named: bool,
}

fn judge_windows(run: &Run, window: usize, catalogue: &Catalogue) -> Vec<Outcome> {
    let graphs: Vec<_> = run.inputs.iter().filter_map(Input::heap).collect();
    let analysed = AnalysedSnapshot::all(&graphs, ClassKey::Constructor);
    let mut analysed = analysed.into_iter();
    let snapshots: Vec<Option<AnalysedSnapshot>> = run
        .inputs
        .iter()
        .map(|i| i.heap().and_then(|_| analysed.next()))
        .collect();
    let policy = Policy::default_policy();
    let today = Date::today();
    (0..=run.inputs.len() - window)
        .map(|start| {
            let found = scan(
                &run.inputs[start..start + window],
                &snapshots[start..start + window],
                catalogue,
            );
            if std::env::var_os("LEAKSCOPE_ACCURACY_DEBUG").is_some()
                && run.leak.is_some_and(|leak| !found.iter().any(leak))
                && window >= 6
            {
                eprintln!("{} [{start}+{window}] leak not named", run.name);
            }
            if std::env::var_os("LEAKSCOPE_ACCURACY_DEBUG").is_some() {
                for f in &found {
                    eprintln!(
                        "{} [{start}+{window}] {} {} {:?} {}",
                        run.name,
                        f.signature,
                        f.status.name(),
                        f.series,
                        f.title
                    );
                }
            }
            Outcome {
                scan_flagged: !found.is_empty(),
                check_failed: found
                    .iter()
                    .any(|f| policy.judge(f, false, today).0 == Verdict::Fail),
                named: run.leak.is_some_and(|leak| found.iter().any(leak)),
            }
        })
        .collect()
}

#[test]
fn healthy_runs_stay_quiet_and_slow_leaks_are_named() {
    let catalogue = Catalogue::builtin();
    let print = std::env::var_os("LEAKSCOPE_ACCURACY_TABLE").is_some();
    let mut missed = Vec::new();
    let mut table = String::from(
        "| run | window | windows | scan flagged | check failed | leak named |\n|---|---|---|---|---|---|\n",
    );
    for run in go_runs().into_iter().chain(node_runs()) {
        for window in WINDOWS {
            let outcomes = judge_windows(&run, window, &catalogue);
            let n = outcomes.len();
            let flagged = outcomes.iter().filter(|o| o.scan_flagged).count();
            let failed = outcomes.iter().filter(|o| o.check_failed).count();
            let named = outcomes.iter().filter(|o| o.named).count();
            let leak_cell = if run.leak.is_some() {
                format!("{named}/{n}")
            } else {
                "".into()
            };
            table.push_str(&format!(
                "| {} | {window} | {n} | {flagged}/{n} | {failed}/{n} | {leak_cell} |\n",
                run.name
            ));
            if run.leak.is_none() {
                let limit = false_alarm_target(window) * n as f64;
                if flagged as f64 > limit || failed as f64 > limit {
                    missed.push(format!(
                        "{} windows of {window}: {flagged} flagged by scan, {failed} failed by check, of {n}",
                        run.name
                    ));
                }
            } else if window >= LEAK_ALWAYS_NAMED_FROM {
                if named < n {
                    missed.push(format!(
                        "{} windows of {window}: leak named in {named} of {n}",
                        run.name
                    ));
                }
                // A catalogue signature fails by default: the gate must stop these builds.
                if run.gate_fails && failed < n {
                    missed.push(format!(
                        "{} windows of {window}: check failed {failed} of {n}",
                        run.name
                    ));
                }
            }
        }
    }
    if print {
        println!("{table}");
    }
    assert!(
        missed.is_empty(),
        "targets missed:\n{}\n\n{table}",
        missed.join("\n")
    );
}
