//! Verdicts on the files people really have, not only curated series: mixed inputs, a proof
//! below any threshold, one dump, any order, leaks outside the catalogue traced to the line of
//! code. Every case runs the binary on real captures (fixtures/*/MANIFEST.md).

mod common;

use common::*;
use serde_json::Value;

fn fixtures(paths: &[&str]) -> Vec<String> {
    paths
        .iter()
        .map(|p| fixture(p).display().to_string())
        .collect()
}

/// The inputs of each series the report formed.
fn series_inputs(report: &Value) -> Vec<Vec<i64>> {
    report["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| numbers(&s["inputs"]))
        .collect()
}

#[test]
fn a_go_pair_beside_a_rust_pair_is_judged_as_two_series() {
    let files = fixtures(&[
        "go/conn-leak/conn-leak-iter0000-heap.pb.gz",
        "go/conn-leak/conn-leak-iter0200-heap.pb.gz",
        "rust/channel-leak-i0010.heap",
        "rust/channel-leak-i0100.heap",
    ]);
    let binary = fixture("rust/leaklab").display().to_string();
    let (code, report) = run_json("check", &files, &["--binary", &binary]);
    assert_eq!(code, 1, "{report}");
    assert!(
        statuses(&report).contains(&("rust.tonic.channel-not-dropped".into(), "growing".into())),
        "{report}"
    );
    let series = report["series"].as_array().unwrap();
    assert_eq!(series.len(), 2, "{report}");
    assert_eq!(
        (series[0]["runtime"].as_str(), numbers(&series[0]["inputs"])),
        (Some("go"), vec![0, 1])
    );
    assert_eq!(
        (series[1]["runtime"].as_str(), numbers(&series[1]["inputs"])),
        (Some("rust"), vec![2, 3])
    );

    // A diff across runtimes compares nothing: an input error, not a table of "new" rows.
    let out = run(&["diff", &files[0], &files[2], "--binary", &binary]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot compare") && stderr.contains("rust"),
        "{stderr}"
    );
}

#[test]
fn profiles_of_two_runs_of_one_binary_form_two_series() {
    // The same leaklab binary, two runs: their load addresses differ.
    let files = fixtures(&[
        "rust/channel-leak-i0010.heap",
        "rust/healthy-i0020.heap",
        "rust/channel-leak-i0100.heap",
        "rust/healthy-i0200.heap",
    ]);
    let binary = fixture("rust/leaklab").display().to_string();
    let (_, report) = run_json("scan", &files, &["--binary", &binary]);
    let series = series_inputs(&report);
    assert_eq!(series, [vec![0, 2], vec![1, 3]], "{report}");
    assert_eq!(
        statuses(&report),
        [(
            "rust.tonic.channel-not-dropped".to_string(),
            "growing".to_string()
        )]
    );
}

#[test]
fn snapshots_of_two_node_processes_form_two_series() {
    // V8 snapshots name no process, but a process keeps its objects' ids: the leaking client's
    // two snapshots share them, the healthy client's snapshot does not.
    let files = fixtures(&[
        "node/local-pool-i0160.heapsnapshot.gz",
        "node/healthy-i0160.heapsnapshot.gz",
        "node/local-pool-i0010.heapsnapshot.gz",
    ]);
    let (code, report) = run_json("scan", &files, &[]);
    assert_eq!(code, 1, "{report}");
    let series = series_inputs(&report);
    assert_eq!(series, [vec![2, 0], vec![1]], "{report}");
    assert!(report["series"][0]["process"]
        .as_str()
        .unwrap()
        .ends_with("local-pool-i0010.heapsnapshot.gz"));
    let client = finding(&report, "node.grpcjs.client-not-closed");
    assert_eq!(numbers(&client["series"]), [11, 161]);
    assert!(
        findings(&report)
            .iter()
            .all(|f| f["signature"] != "heap.growth"),
        "no growth made up between two processes: {report}"
    );
}

#[test]
fn goroutines_the_runtime_proves_leaked_fail_at_any_count() {
    // The second dump has 4 goroutines marked (leaked): fewer than any growth threshold.
    let files = fixtures(&[
        "go/user-leak/user-leak-iter0200-goroutine-debug2.txt",
        "go/user-leak/user-leak-iter0300-goroutine-debug2.txt",
    ]);
    let (code, report) = run_json("check", &files, &[]);
    assert_eq!(code, 1, "{report}");
    let proof = finding(&report, "go.runtime.goroutine-leak-proven");
    assert_eq!(proof["status"], "present");
    assert_eq!(proof["verdict"], "fail", "{proof}");
    assert_eq!(numbers(&proof["series"]), [0, 4]);

    // Allow-listed explicitly, it passes.
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("p.toml");
    std::fs::write(
        &policy,
        "[signatures]\n\"go.runtime.goroutine-leak-proven\" = \"ignore\"\n",
    )
    .unwrap();
    let (code, _) = run_json("check", &files, &["--policy", policy.to_str().unwrap()]);
    assert_eq!(code, 0);
}

/// The last moment of every leaking fixture series, alone, and the signature it must suspect.
const LAST_MOMENTS: [(&str, &str); 12] = [
    (
        "go/conn-leak/conn-leak-iter0200-goroutine-debug0.pb.gz",
        "go.grpc.clientconn-not-closed",
    ),
    (
        "go/conn-leak/conn-leak-iter0200-goroutine-debug1.txt",
        "go.grpc.clientconn-not-closed",
    ),
    (
        "go/conn-leak/conn-leak-iter0200-goroutine-debug2.txt",
        "go.grpc.clientconn-not-closed",
    ),
    (
        "go/old-grpc/old-conn-leak-iter0100-goroutine-debug2.txt",
        "go.grpc.clientconn-not-closed",
    ),
    (
        "go/stream-leak/stream-leak-iter0100-goroutine-debug2.txt",
        "go.grpc.client-stream-abandoned",
    ),
    (
        "go/stream-leak/stream-leak-iter0100-heap.pb.gz",
        "go.grpc.stream-buffers-unread",
    ),
    (
        "node/recreate-default-i0160.heapsnapshot.gz",
        "node.grpcjs.client-not-closed",
    ),
    (
        "node/recreate-channelz0-i0160.heapsnapshot.gz",
        "node.grpcjs.client-not-closed",
    ),
    (
        "node/local-pool-i0160.heapsnapshot.gz",
        "node.grpcjs.client-not-closed",
    ),
    (
        "node/stream-server-i0160.heapsnapshot.gz",
        "node.grpcjs.stream-not-ended",
    ),
    (
        "rust/channel-leak-i0100.heap",
        "rust.tonic.channel-not-dropped",
    ),
    (
        "rust/stream-leak-i0200.heap",
        "rust.tonic.stream-not-dropped",
    ),
];

#[test]
fn one_dump_of_a_leaking_service_is_suspect_of_the_right_leak() {
    let binary = fixture("rust/leaklab").display().to_string();
    for (file, signature) in LAST_MOMENTS {
        let (code, report) = run_json("scan", &fixtures(&[file]), &["--binary", &binary]);
        assert_eq!(code, 0, "{file}: a suspect is not a measured leak");
        assert!(
            statuses(&report).contains(&(signature.into(), "suspect".into())),
            "{file}: {:?}",
            statuses(&report)
        );
        assert!(
            report["series"][0]["notes"][0]
                .as_str()
                .unwrap()
                .contains("growth cannot be measured"),
            "{file}"
        );
    }
}

#[test]
fn one_dump_of_a_healthy_service_suspects_nothing() {
    let binary = fixture("rust/leaklab").display().to_string();
    let mut healthy: Vec<String> = Vec::new();
    for dir in ["go/healthy", "go/old-grpc", "node", "rust"] {
        for entry in std::fs::read_dir(fixture(dir)).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_str().unwrap().to_string();
            let profile = name.ends_with(".txt")
                || name.ends_with(".gz")
                || name.ends_with(".heap")
                || name.ends_with(".heapsnapshot");
            if profile && (name.starts_with("healthy") || name.starts_with("old-healthy")) {
                healthy.push(path.display().to_string());
            }
        }
    }
    assert!(healthy.len() >= 30, "{healthy:?}");
    for file in healthy {
        let (code, report) = run_json("scan", std::slice::from_ref(&file), &["--binary", &binary]);
        assert_eq!(code, 0, "{file}");
        assert!(findings(&report).is_empty(), "{file}: {report}");
    }
}

#[test]
fn a_report_of_one_dump_never_says_no_leak_beside_a_suspect() {
    let dir = tempfile::tempdir().unwrap();
    let md = dir.path().join("one.md");
    let html = dir.path().join("one.html");
    let dump = fixture("go/conn-leak/conn-leak-iter0200-goroutine-debug2.txt");
    for out in [&md, &html] {
        let result = run(&[
            "report",
            dump.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ]);
        assert_eq!(result.status.code(), Some(0), "{result:?}");
    }
    let md = std::fs::read_to_string(md).unwrap();
    assert!(!md.contains("No leak found"), "{md}");
    assert!(md.contains("## Verdict: Leak suspected"), "{md}");
    assert!(md.contains("growth cannot be measured"), "{md}");
    assert!(md.contains("**SUSPECT** grpc-go ClientConn created and never closed"));
    assert!(
        md.contains(
            "at least 60 goroutines in one snapshot, most of them started by one goroutine"
        ),
        "the report says why it suspects: {md}"
    );
    let html = std::fs::read_to_string(html).unwrap();
    assert!(html.contains("class=\"verdict suspect\""));
    assert!(!html.contains("No leak found"));

    // check warns on it by default, and fails when the policy says so.
    let (code, report) = run_json("check", &[dump.display().to_string()], &[]);
    assert_eq!(code, 0);
    assert_eq!(report["warnings"], 1, "{report}");
    let policy = dir.path().join("p.toml");
    std::fs::write(&policy, "fail_on_suspect = true\n").unwrap();
    let (code, _) = run_json(
        "check",
        &[dump.display().to_string()],
        &["--policy", policy.to_str().unwrap()],
    );
    assert_eq!(code, 1);
}

#[test]
fn dumps_given_newest_first_are_taken_in_the_order_of_their_goroutine_ids() {
    let files = fixtures(&[
        "go/conn-leak/conn-leak-iter0200-goroutine-debug2.txt",
        "go/conn-leak/conn-leak-iter0000-goroutine-debug2.txt",
    ]);
    let (code, report) = run_json("scan", &files, &[]);
    assert_eq!(code, 1, "{report}");
    assert!(statuses(&report).contains(&(
        "go.grpc.clientconn-not-closed".to_string(),
        "growing".to_string()
    )));
    let series = &report["series"][0];
    assert_eq!(series["ordered_by"], "goroutine-ids");
    assert_eq!(numbers(&series["inputs"]), [1, 0]);
    assert!(series["notes"][0]
        .as_str()
        .unwrap()
        .contains("the command line gave these goroutine profiles in another order"));
}

#[test]
fn snapshots_of_a_busy_client_are_ordered_by_their_heap_object_ids() {
    // Native objects carry large even ids that do not grow; heap objects' odd ids do.
    let in_order: Vec<String> = (1..=8)
        .map(|m| {
            fixture(&format!(
                "node/noisy/noisy-client-leak-m{m:02}.heapsnapshot.gz"
            ))
            .display()
            .to_string()
        })
        .collect();
    let shuffled: Vec<String> = [6, 3, 4, 0, 2, 7, 5, 1]
        .iter()
        .map(|&i| in_order[i].clone())
        .collect();
    let (_, report) = run_json("scan", &shuffled, &[]);
    assert_eq!(report["series"][0]["ordered_by"], "object-ids");
    assert_eq!(series_inputs(&report), [vec![3, 7, 4, 1, 2, 6, 0, 5]]);
    let client = finding(&report, "node.grpcjs.client-not-closed");
    assert_eq!(numbers(&client["series"]), [2, 3, 4, 5, 7, 8, 9, 11]);
}

#[test]
fn jemalloc_dumps_are_ordered_by_the_sequence_numbers_in_their_names() {
    // jemalloc names its dumps PREFIX.PID.SEQ.iN.heap; the series' own files, so named.
    let dir = tempfile::tempdir().unwrap();
    let mut named = Vec::new();
    for (seq, iteration) in ["0010", "0050", "0100"].iter().enumerate() {
        let to = dir.path().join(format!("jeprof.4242.{seq}.i{seq}.heap"));
        std::fs::copy(
            fixture(&format!("rust/channel-leak-i{iteration}.heap")),
            &to,
        )
        .unwrap();
        named.push(to.display().to_string());
    }
    let binary = fixture("rust/leaklab").display().to_string();
    let (_, expected) = run_json("scan", &named, &["--binary", &binary]);
    let shuffled = vec![named[2].clone(), named[0].clone(), named[1].clone()];
    let (code, report) = run_json("scan", &shuffled, &["--binary", &binary]);
    assert_eq!(code, 1);
    assert_eq!(statuses(&report), statuses(&expected));
    assert_eq!(report["series"][0]["ordered_by"], "dump-sequence");
    assert_eq!(series_inputs(&report), [vec![1, 2, 0]]);
}

#[test]
fn a_diff_given_newest_first_says_so() {
    let files = fixtures(&[
        "go/conn-leak/conn-leak-iter0200-goroutine-debug2.txt",
        "go/conn-leak/conn-leak-iter0000-goroutine-debug2.txt",
    ]);
    let (_, report) = run_json("diff", &files, &[]);
    let warning = report["inputs"][1]["warnings"][0]
        .as_str()
        .unwrap_or_default();
    assert!(
        warning.contains("older than") && warning.contains("goroutine ids"),
        "{report}"
    );
    // In time order, nothing to say.
    let (_, report) = run_json("diff", &[files[1].clone(), files[0].clone()], &[]);
    assert!(report["inputs"][1].get("warnings").is_none(), "{report}");
}

/// `(role, function, file:line)` of a finding's code sites.
fn sites(f: &Value) -> Vec<(String, String, String)> {
    f["evidence"]["code"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|s| {
                    (
                        s["role"].as_str().unwrap().to_string(),
                        s["function"].as_str().unwrap().to_string(),
                        format!("{}:{}", s["file"].as_str().unwrap(), s["line"]),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_leak_in_the_program_s_own_code_is_traced_to_its_lines() {
    let site = |role: &str, function: &str, place: &str| {
        (role.to_string(), function.to_string(), place.to_string())
    };
    // Full dumps: who started the goroutines and where they wait, with file and line.
    let dumps = fixtures(&[
        "go/user-leak/user-leak-iter0100-goroutine-debug2.txt",
        "go/user-leak/user-leak-iter0200-goroutine-debug2.txt",
        "go/user-leak/user-leak-iter0300-goroutine-debug2.txt",
    ]);
    let (_, report) = run_json("scan", &dumps, &[]);
    // They wait on channels nobody closes: the catalogue names that wait, and the evidence
    // leads to the program's lines.
    let growth = finding(&report, "go.chan.receive-blocked");
    assert_eq!(numbers(&growth["series"]), [100, 200, 300]);
    assert_eq!(growth["growth_per_step"], 100.0);
    // Three dumps are too few to tell growth from load; one loop behind 300 goroutines that
    // all stayed makes it a suspect.
    assert_eq!(growth["status"], "suspect");
    assert!(growth["evidence"]["hints"][0]
        .as_str()
        .unwrap()
        .contains("started 300 of them"));
    let found = sites(growth);
    assert!(
        found.contains(&site(
            "created-by",
            "main.main.func1",
            "userleak/main.go:44"
        )),
        "{found:?}"
    );
    assert!(
        found.contains(&site(
            "own-code",
            "main.main.func1.1",
            "userleak/main.go:46"
        )),
        "{found:?}"
    );
    let creators = &growth["evidence"]["creators"][0];
    assert_eq!(creators["goroutines"], 300);
    assert_eq!(creators["top_creators"][0]["now_in"], "main.write");

    // Aggregated profiles have no creators, but their stacks still reach the program's code
    // (five of them: without ids, fewer cannot tell growth from load).
    let noisy = |scenario: &str, kind: &str| {
        let paths: Vec<String> = (1..=5)
            .map(|m| format!("go/noisy/noisy-{scenario}-m{m:02}-{kind}"))
            .collect();
        fixtures(&paths.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let (_, report) = run_json(
        "scan",
        &noisy("goroutine-leak", "goroutine-debug0.pb.gz"),
        &[],
    );
    assert!(
        sites(finding(&report, "go.chan.receive-blocked")).contains(&site(
            "own-code",
            "main.waitForChange",
            "noisy-go/main.go:172"
        ))
    );

    // Heap: the allocation site, with its line.
    let (_, report) = run_json("scan", &noisy("cache-leak", "heap.pb.gz"), &[]);
    let found = sites(finding(&report, "heap.growth"));
    assert_eq!(
        found.first(),
        Some(&site(
            "allocated-at",
            "main.rememberResponse",
            "noisy-go/main.go:180"
        )),
        "{found:?}"
    );

    // Catalogue findings too: the ClientConns' serializers were started by grpc-go, for a loop
    // now in the program's checkpoint function.
    let (_, report) = run_json(
        "scan",
        &fixtures(&[
            "go/conn-leak/conn-leak-iter0000-goroutine-debug2.txt",
            "go/conn-leak/conn-leak-iter0200-goroutine-debug2.txt",
        ]),
        &[],
    );
    let conn = finding(&report, "go.grpc.clientconn-not-closed");
    assert_eq!(
        conn["evidence"]["creators"][0]["top_creators"][0]["now_in"],
        "main.checkpoint"
    );
    assert!(sites(conn)
        .iter()
        .any(|(role, function, place)| role == "created-by"
            && function.ends_with("grpcsync.NewCallbackSerializer")
            && place.ends_with("callback_serializer.go:57")));
}

#[test]
fn sarif_results_point_at_the_line_of_code() {
    let files = fixtures(&[
        "go/user-leak/user-leak-iter0200-goroutine-debug2.txt",
        "go/user-leak/user-leak-iter0300-goroutine-debug2.txt",
    ]);
    let (_, sarif) = {
        let mut args = vec!["check"];
        args.extend(files.iter().map(String::as_str));
        args.extend(["--format", "sarif"]);
        let out = run(&args);
        (
            out.status.code(),
            serde_json::from_slice::<Value>(&out.stdout).expect("SARIF is JSON"),
        )
    };
    let result = &sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "go.runtime.goroutine-leak-proven")
        .expect("the proof is a result")
        .clone();
    let location = &result["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "userleak/main.go");
    assert_eq!(location["region"]["startLine"], 66);
    let related = result["relatedLocations"].as_array().unwrap();
    assert!(related
        .iter()
        .any(|l| l["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .ends_with("user-leak-iter0300-goroutine-debug2.txt")));
}

#[test]
fn a_series_that_fell_below_its_start_is_receding_and_steps_are_measured() {
    // debug=1 and debug=0 of the same moments: no clock common to all four, so the command
    // line's order stands: 300, 600, then 0 and 0.
    let files = fixtures(&[
        "go/conn-leak/conn-leak-iter0100-goroutine-debug1.txt",
        "go/conn-leak/conn-leak-iter0200-goroutine-debug1.txt",
        "go/conn-leak/conn-leak-iter0000-goroutine-debug1.txt",
        "go/conn-leak/conn-leak-iter0000-goroutine-debug0.pb.gz",
    ]);
    let (code, report) = run_json("scan", &files, &[]);
    assert_eq!(code, 0, "{report}");
    let conn = finding(&report, "go.grpc.clientconn-not-closed");
    assert_eq!(numbers(&conn["series"]), [300, 600, 0, 0]);
    assert_eq!(conn["status"], "receding");
    assert_eq!(report["series"][0]["ordered_by"], "command-line");

    // 0 → 150 → 300 → 600 is 200 per step on average.
    let (_, report) = run_json(
        "scan",
        &fixtures(&[
            "go/conn-leak/conn-leak-iter0000-goroutine-debug2.txt",
            "go/conn-leak/conn-leak-iter0050-goroutine-debug2.txt",
            "go/conn-leak/conn-leak-iter0100-goroutine-debug2.txt",
            "go/conn-leak/conn-leak-iter0200-goroutine-debug2.txt",
        ]),
        &[],
    );
    assert_eq!(
        finding(&report, "go.grpc.clientconn-not-closed")["growth_per_step"],
        200.0
    );
}
