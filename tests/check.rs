//! `leakscope check` on the real fixture series: verdicts and exit codes, the policy (actions,
//! thresholds, allow-list with expiry), baselines, and every output format.

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;

fn series(pattern: &str, names: &[&str]) -> Vec<String> {
    names
        .iter()
        .map(|n| path(&fixture(&pattern.replace("{}", n))).to_string())
        .collect()
}

fn conn_leak() -> Vec<String> {
    series(
        "go/conn-leak/conn-leak-iter{}-goroutine-debug1.txt",
        &["0000", "0050", "0100", "0200"],
    )
}

fn go_healthy() -> Vec<String> {
    series(
        "go/healthy/healthy-iter{}-goroutine-debug0.pb.gz",
        &["0000", "0050", "0100", "0200"],
    )
}

/// Runs `check FILES... EXTRA...`; returns the exit code, stdout and stderr.
fn check(files: &[String], extra: &[&str]) -> (i32, String, String) {
    let mut args: Vec<&str> = vec!["check"];
    args.extend(files.iter().map(String::as_str));
    args.extend(extra);
    let out = run(&args);
    (
        out.status.code().expect("exited"),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn check_json(files: &[String], extra: &[&str]) -> (i32, Value) {
    let mut all = extra.to_vec();
    all.extend(["--format", "json"]);
    let (code, stdout, stderr) = check(files, &all);
    assert!(code == 0 || code == 1, "exit {code}: {stderr}");
    (code, serde_json::from_str(&stdout).expect("JSON"))
}

fn verdicts(report: &Value) -> Vec<(String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["signature"].as_str().unwrap().to_string(),
                f["verdict"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    path(&p).to_string()
}

#[test]
fn leaking_series_fail_and_healthy_series_pass() {
    let (code, stdout, _) = check(&conn_leak(), &[]);
    assert_eq!(code, 1);
    assert!(
        stdout.starts_with("leakscope check: FAIL, 2 leak regressions"),
        "{stdout}"
    );
    assert!(
        stdout.contains("FAIL go.grpc.clientconn-not-closed"),
        "{stdout}"
    );

    let (code, stdout, _) = check(&go_healthy(), &[]);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("leakscope check: PASS"), "{stdout}");

    let node = series(
        "node/stream-server-i{}.heapsnapshot.gz",
        &["0010", "0060", "0160"],
    );
    let (code, report) = check_json(&node, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        verdicts(&report),
        [("node.grpcjs.stream-not-ended".into(), "fail".into())]
    );

    let healthy = series(
        "node/healthy-i{}.heapsnapshot.gz",
        &["0010", "0060", "0160"],
    );
    assert_eq!(check_json(&healthy, &[]).0, 0);

    let binary = path(&fixture("rust/leaklab")).to_string();
    let rust = series("rust/channel-leak-i{}.heap", &["0010", "0050", "0100"]);
    let (code, report) = check_json(&rust, &["--binary", &binary]);
    assert_eq!(code, 1);
    assert_eq!(
        verdicts(&report),
        [("rust.tonic.channel-not-dropped".into(), "fail".into())]
    );
}

#[test]
fn generic_growth_warns_by_default_and_fails_when_the_policy_says_so() {
    // A cache that keeps every response, five heap profiles of a service under load.
    let cache = series(
        "go/noisy/noisy-cache-leak-m{}-heap.pb.gz",
        &["01", "02", "03", "04", "05"],
    );
    let (code, report) = check_json(&cache, &[]);
    assert_eq!(code, 0, "heap.growth warns by default");
    assert_eq!(verdicts(&report), [("heap.growth".into(), "warn".into())]);
    assert_eq!(report["warnings"], 1);

    let dir = tempfile::tempdir().unwrap();
    let policy = write(
        dir.path(),
        "p.toml",
        "[signatures]\n\"heap.growth\" = \"fail\"\n",
    );
    let (code, report) = check_json(&cache, &["--policy", &policy]);
    assert_eq!(code, 1);
    assert_eq!(verdicts(&report), [("heap.growth".into(), "fail".into())]);
}

#[test]
fn policy_actions_and_absolute_thresholds() {
    let dir = tempfile::tempdir().unwrap();
    let ignore = write(
        dir.path(),
        "ignore.toml",
        "[signatures]\n\"go.grpc.server-transports-piling\" = \"ignore\"\n\"go.grpc.clientconn-not-closed\" = \"warn\"\n",
    );
    let (code, report) = check_json(&conn_leak(), &["--policy", &ignore]);
    assert_eq!(code, 0);
    assert_eq!(
        verdicts(&report),
        [
            ("go.grpc.clientconn-not-closed".into(), "warn".into()),
            ("go.grpc.server-transports-piling".into(), "pass".into())
        ]
    );

    // 600 serializers is over any threshold below it; a relative limit cannot hide that.
    let high = write(
        dir.path(),
        "high.toml",
        "[thresholds]\ngoroutines = 1000\ngoroutines_percent = 100000\n",
    );
    let (code, report) = check_json(&conn_leak(), &["--policy", &high]);
    assert_eq!(code, 0, "both findings are under 1000 goroutines");
    assert!(report["findings"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("under the threshold"));
    let low = write(dir.path(), "low.toml", "[thresholds]\ngoroutines = 300\n");
    let (code, report) = check_json(&conn_leak(), &["--policy", &low]);
    assert_eq!(code, 1);
    assert_eq!(
        verdicts(&report),
        [
            ("go.grpc.clientconn-not-closed".into(), "fail".into()),
            ("go.grpc.server-transports-piling".into(), "pass".into())
        ],
        "600 over 300 fails, 200 under it does not"
    );
    // A relative limit adds a failure the absolute one would not: 200 goroutines from a
    // first value of 50 is +300%.
    let partial = series(
        "go/conn-leak/conn-leak-iter{}-goroutine-debug1.txt",
        &["0050", "0100", "0200"],
    );
    let relative = write(
        dir.path(),
        "rel.toml",
        "[thresholds]\ngoroutines = 1000\ngoroutines_percent = 100\n",
    );
    let (code, report) = check_json(&partial, &["--policy", &relative]);
    assert_eq!(code, 1);
    assert_eq!(report["regressions"], 2);
}

#[test]
fn allow_list_passes_until_it_expires() {
    let (_, report) = check_json(&conn_leak(), &[]);
    let fingerprints: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap())
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let allow = |expires: &str| {
        fingerprints
            .iter()
            .map(|f| format!("[[allow]]\nfingerprint = \"{f}\"\nreason = \"tenant pools, being fixed\"\nexpires = {expires}\n"))
            .collect::<String>()
    };
    let valid = write(dir.path(), "valid.toml", &allow("2999-12-31"));
    let (code, report) = check_json(&conn_leak(), &["--policy", &valid]);
    assert_eq!(code, 0);
    assert!(report["findings"][0]["reason"]
        .as_str()
        .unwrap()
        .starts_with("allowed until 2999-12-31: tenant pools"));

    let expired = write(dir.path(), "expired.toml", &allow("2000-01-31"));
    let (code, stdout, _) = check(&conn_leak(), &["--policy", &expired]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("the allow-list entry for this fingerprint expired on 2000-01-31"),
        "{stdout}"
    );

    let undated = write(
        dir.path(),
        "undated.toml",
        "[[allow]]\nfingerprint = \"x\"\nreason = \"r\"\nexpires = \"soon\"\n",
    );
    let (code, _, stderr) = check(&conn_leak(), &["--policy", &undated]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("undated.toml") && stderr.contains("expires must be a date"),
        "{stderr}"
    );
}

#[test]
fn baseline_with_the_same_fingerprints_passes() {
    let dir = tempfile::tempdir().unwrap();
    let (_, stdout, _) = check(&conn_leak(), &["--format", "json"]);
    let baseline = write(dir.path(), "main.json", &stdout);
    let (code, report) = check_json(&conn_leak(), &["--baseline-findings", &baseline]);
    assert_eq!(code, 0);
    assert!(report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["known"] == true));

    // A baseline from `scan` works too, and a finding it lacks is new.
    let mut args = vec!["scan", "--format", "json"];
    let streams = series(
        "go/stream-leak/stream-leak-iter{}-goroutine-debug1.txt",
        &["0000", "0025", "0050", "0100"],
    );
    args.extend(streams.iter().map(String::as_str));
    let scan_baseline = write(
        dir.path(),
        "scan.json",
        &String::from_utf8(run(&args).stdout).unwrap(),
    );
    let (code, report) = check_json(&conn_leak(), &["--baseline-findings", &scan_baseline]);
    assert_eq!(code, 1);
    assert_eq!(report["regressions"], 2);

    let junk = write(dir.path(), "junk.json", "{\"rows\": []}");
    let (code, _, stderr) = check(&conn_leak(), &["--baseline-findings", &junk]);
    assert_eq!(code, 2);
    assert!(stderr.contains("junk.json"), "{stderr}");
}

#[test]
fn too_few_snapshots_is_an_input_error() {
    let one = &conn_leak()[..1];
    let dir = tempfile::tempdir().unwrap();
    let policy = write(dir.path(), "two.toml", "min_snapshots = 2\n");
    let (code, _, stderr) = check(one, &["--policy", &policy]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("at least 2 go goroutine profiles"),
        "{stderr}"
    );
    let policy = write(dir.path(), "p.toml", "min_snapshots = 5\n");
    let (code, _, stderr) = check(&conn_leak(), &["--policy", &policy]);
    assert_eq!(code, 2, "{stderr}");
    // By default one snapshot is enough: the runtime's own proof needs no series.
    let proof = series("go/goroutineleak/{}", &["goroutineleak-debug1.txt"]);
    let (code, report) = check_json(&proof, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        verdicts(&report),
        [("go.runtime.goroutine-leak-proven".into(), "fail".into())]
    );
}

#[test]
fn bad_policy_names_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let policy = write(
        dir.path(),
        "bad.toml",
        "min_snapshots = 2\n[thresholds]\ngoroutine = 5\n",
    );
    let (code, _, stderr) = check(&conn_leak(), &["--policy", &policy]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("bad.toml") && stderr.contains("line 3") && stderr.contains("column 1"),
        "{stderr}"
    );
    let policy = write(
        dir.path(),
        "typo.toml",
        "[signatures]\n\"go.grpc.clientconn-not-close\" = \"warn\"\n",
    );
    let (code, _, stderr) = check(&conn_leak(), &["--policy", &policy]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("no signature go.grpc.clientconn-not-close"),
        "{stderr}"
    );
}

#[test]
fn default_policy_prints_and_is_what_check_uses() {
    let out = run(&["check", "--print-default-policy"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("min_snapshots = 1") && text.contains("[[allow]]"));
    let dir = tempfile::tempdir().unwrap();
    let policy = write(dir.path(), "leakscope.toml", &text);
    let (_, with_file) = check_json(&conn_leak(), &["--policy", &policy]);
    let (_, built_in) = check_json(&conn_leak(), &[]);
    assert_eq!(verdicts(&with_file), verdicts(&built_in));
}

#[test]
fn every_output_format_names_the_signature() {
    let dir = tempfile::tempdir().unwrap();
    let mut extra: Vec<String> = Vec::new();
    for format in ["text", "json", "junit", "sarif", "github", "md"] {
        extra.push("--output".into());
        extra.push(format!(
            "{format}={}",
            dir.path().join(format!("out.{format}")).display()
        ));
    }
    let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
    let (code, _, stderr) = check(&conn_leak(), &extra);
    assert_eq!(code, 1, "{stderr}");
    for format in ["text", "json", "junit", "sarif", "github", "md"] {
        let text = std::fs::read_to_string(dir.path().join(format!("out.{format}"))).unwrap();
        assert!(
            text.contains("go.grpc.clientconn-not-closed"),
            "{format}: {text}"
        );
    }
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 6, "no temporary files left: {names:?}");

    let github = std::fs::read_to_string(dir.path().join("out.github")).unwrap();
    assert!(
        github.starts_with("::error title=leakscope%3A go.grpc.clientconn-not-closed::"),
        "{github}"
    );
    let junit = std::fs::read_to_string(dir.path().join("out.junit")).unwrap();
    assert!(junit.contains("failures=\"2\""), "{junit}");
    let sarif: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out.sarif")).unwrap())
            .unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["level"], "error");
    assert!(results[0]["partialFingerprints"]["leakscope/v1"].is_string());
}

#[test]
fn github_format_writes_the_job_summary() {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let mut args = vec!["check", "--format", "github"];
    let files = conn_leak();
    args.extend(files.iter().map(String::as_str));
    let out = assert_cmd::Command::cargo_bin("leakscope")
        .unwrap()
        .args(&args)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(
        text.starts_with("earlier step\n### leakscope check: FAIL"),
        "{text}"
    );
    assert!(
        text.contains("| FAIL | `go.grpc.clientconn-not-closed` |"),
        "{text}"
    );
}

#[test]
fn an_output_that_cannot_be_written_is_an_error_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("missing-dir").join("out.xml");
    let arg = format!("junit={}", target.display());
    let (code, _, stderr) = check(&conn_leak(), &["--output", &arg]);
    assert_eq!(code, 2);
    assert!(stderr.contains("out.xml"), "{stderr}");
    let (code, _, stderr) = check(&conn_leak(), &["--output", "xml=out.xml"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("unknown format"), "{stderr}");
}

/// `check` writes SARIF and JUnit for the conn-leak series (failing) and the healthy one.
fn ci_outputs(dir: &Path) -> Vec<(String, std::path::PathBuf, std::path::PathBuf)> {
    let mut out = Vec::new();
    let own_code = series(
        "go/user-leak/user-leak-iter{}-goroutine-debug2.txt",
        &["0100", "0200", "0300"],
    );
    for (name, files) in [
        ("leak", conn_leak()),
        ("healthy", go_healthy()),
        ("own-code", own_code),
    ] {
        let sarif = dir.join(format!("{name}.sarif"));
        let junit = dir.join(format!("{name}.xml"));
        let (code, _, stderr) = check(
            &files,
            &[
                "--output",
                &format!("sarif={}", sarif.display()),
                "--output",
                &format!("junit={}", junit.display()),
            ],
        );
        assert!(code == 0 || code == 1, "{stderr}");
        out.push((name.to_string(), sarif, junit));
    }
    out
}

#[test]
fn sarif_validates_against_the_sarif_2_1_0_schema() {
    let schema: Value =
        serde_json::from_str(include_str!("schemas/sarif-schema-2.1.0.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let dir = tempfile::tempdir().unwrap();
    let mut lines = 0;
    for (name, sarif, _) in ci_outputs(dir.path()) {
        let log: Value = serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
        lines += log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["locations"][0]["physicalLocation"]["region"]["startLine"].is_u64())
            .count();
        let errors: Vec<String> = validator
            .iter_errors(&log)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:#?}");
    }
    assert!(
        lines >= 2,
        "results with file:line locations were validated"
    );
    // The validator does reject what the schema forbids.
    let bad = serde_json::json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}},
        "results": [{"ruleId": "a", "level": "fatal", "message": {"text": "m"}}]}]});
    assert!(!validator.is_valid(&bad));
}

#[test]
fn junit_validates_against_the_jenkins_junit_schema() {
    let xmllint = std::process::Command::new("xmllint")
        .arg("--version")
        .output();
    if xmllint.is_err() {
        // .ci/run installs it (Debian libxml2-utils).
        eprintln!("SKIPPED: xmllint is not installed (apt-get install libxml2-utils); JUnit XML not validated");
        return;
    }
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/junit.xsd");
    let dir = tempfile::tempdir().unwrap();
    for (name, _, junit) in ci_outputs(dir.path()) {
        let out = std::process::Command::new("xmllint")
            .arg("--noout")
            .arg("--schema")
            .arg(&schema)
            .arg(&junit)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(&junit).unwrap()
        );
    }
    // And the schema does reject what Jenkins would not read.
    let bad = dir.path().join("bad.xml");
    std::fs::write(
        &bad,
        "<testsuites><testsuite name=\"x\"><testcase/></testsuite></testsuites>",
    )
    .unwrap();
    let out = std::process::Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(&schema)
        .arg(&bad)
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "a testsuite without tests= and a nameless testcase are invalid"
    );
}

#[test]
fn plateau_and_receding_fail_only_when_the_policy_says_so() {
    // The same dump twice at the end: grew, then flat.
    let plateau = series(
        "go/conn-leak/conn-leak-iter{}-goroutine-debug1.txt",
        &["0000", "0200", "0200"],
    );
    let (code, report) = check_json(&plateau, &[]);
    assert_eq!(code, 0);
    assert_eq!(report["findings"][0]["status"], "plateau");
    assert!(report["findings"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("fail_on_plateau = false"));
    let receding = series(
        "go/conn-leak/conn-leak-iter{}-goroutine-debug1.txt",
        &["0000", "0200", "0100"],
    );
    assert_eq!(check_json(&receding, &[]).0, 0);

    let dir = tempfile::tempdir().unwrap();
    let strict = write(
        dir.path(),
        "strict.toml",
        "fail_on_plateau = true\nfail_on_receding = true\n",
    );
    assert_eq!(check_json(&plateau, &["--policy", &strict]).0, 1);
    assert_eq!(check_json(&receding, &["--policy", &strict]).0, 1);
}

#[test]
fn markdown_keeps_the_catalogue_s_code_spans_as_code() {
    let (code, md, _) = check(&conn_leak(), &["--format", "md"]);
    assert_eq!(code, 1);
    let spans: Vec<String> = pulldown_cmark::Parser::new(&md)
        .filter_map(|event| match event {
            pulldown_cmark::Event::Code(text) => Some(text.to_string()),
            _ => None,
        })
        .collect();
    assert!(
        spans.iter().any(|s| s == "defer conn.Close()"),
        "the fix's code span is code: {spans:?}"
    );
    assert!(!md.contains("\\`"), "no escaped backticks:\n{md}");
}

#[test]
fn junit_lists_only_the_signatures_of_the_runtimes_in_the_inputs() {
    let node = series(
        "node/healthy-i{}.heapsnapshot.gz",
        &["0010", "0060", "0160"],
    );
    for (files, runtime) in [(conn_leak(), "go."), (node, "node.")] {
        let (_, xml, _) = check(&files, &["--format", "junit"]);
        let names: Vec<&str> = xml
            .split("<testcase ")
            .skip(1)
            .filter_map(|case| case.split(" name=\"").nth(1)?.split('"').next())
            .collect();
        assert!(xml.contains(&format!("tests=\"{}\"", names.len())), "{xml}");
        assert!(names.contains(&"heap.growth"), "{names:?}");
        assert!(
            names.iter().all(|n| n.starts_with(runtime)
                || *n == "heap.growth"
                || *n == "go.goroutines.growth"),
            "{runtime}: {names:?}"
        );
        assert!(names.iter().filter(|n| n.starts_with(runtime)).count() >= 3);
    }
}
