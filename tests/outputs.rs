//! Goldens of leakscope's own outputs: what a user sees, byte for byte, for every command and
//! every `check` format on real Go, Node and Rust captures.
//!
//! Each file under `tests/golden/outputs/` starts with the command line that made it, then what
//! it printed (or, for `report`, the Markdown it wrote), then its exit code. A change that moves
//! code keeps them byte-identical; a change meant to alter what users see re-blesses them:
//!
//! ```sh
//! LEAKSCOPE_BLESS=1 cargo test --test outputs
//! git diff tests/golden/outputs/   # read every change before committing it
//! ```

use std::path::PathBuf;

use assert_cmd::Command;

/// (golden name, arguments). Paths are relative to the crate root, where the binary runs, so
/// the outputs carry no machine path. `@OUT@` stands for the file a `report` writes, whose
/// contents become part of the golden.
const CASES: &[(&str, &str)] = &[
    // Go: goroutine dumps (debug=2, debug=1, debug=0), heap profiles, labels.
    ("top.go-debug2", "top fixtures/go/conn-leak/conn-leak-iter0200-goroutine-debug2.txt"),
    ("top.go-debug2.by-stack.md", "top fixtures/go/conn-leak/conn-leak-iter0200-goroutine-debug2.txt --by stack -n 5 --format md"),
    ("top.go-debug1.json", "top fixtures/go/conn-leak/conn-leak-iter0200-goroutine-debug1.txt -n 8 --format json"),
    ("top.go-heap.cum", "top fixtures/go/stream-leak/stream-leak-iter0100-heap.pb.gz --sort cum -n 12"),
    ("top.go-heap.alloc-space.wide", "top fixtures/go/stream-leak/stream-leak-iter0100-heap.pb.gz --sample-index alloc_space -n 8 --wide"),
    ("top.go-labels.by-labels", "top fixtures/go/labels/goroutine-debug0.pb.gz --by labels"),
    ("peek.go-goroutine", "peek fixtures/go/conn-leak/conn-leak-iter0200-goroutine-debug0.pb.gz readFrame --keep-runtime-frames"),
    ("peek.go-heap.md", "peek fixtures/go/stream-leak/stream-leak-iter0100-heap.pb.gz readDataFrame --format md"),
    ("tree.go-goroutine.md", "tree fixtures/go/conn-leak/conn-leak-iter0200-goroutine-debug0.pb.gz -n 4 --format md"),
    ("list.go-user-source", "list fixtures/go/user-leak/user-leak-iter0300-heap.pb.gz main.main.func1 --sample-index inuse_space --source-dir fixtures/go/user-leak"),
    ("list.go-heap.json", "list fixtures/go/stream-leak/stream-leak-iter0100-heap.pb.gz readDataFrame --format json"),
    ("graph.go-heap-diff.dot", "graph fixtures/go/stream-leak/stream-leak-iter0025-heap.pb.gz fixtures/go/stream-leak/stream-leak-iter0100-heap.pb.gz -n 8"),
    ("traces.go-labels", "traces fixtures/go/labels/goroutine-debug0.pb.gz -n 4"),
    ("top.go-heap.focus-lines", "top fixtures/go/stream-leak/stream-leak-iter0100-heap.pb.gz --focus transport --hide ^runtime --lines -n 6"),
    ("diff.go-heap", "diff fixtures/go/stream-leak/stream-leak-iter0025-heap.pb.gz fixtures/go/stream-leak/stream-leak-iter0100-heap.pb.gz -n 12"),
    ("diff.go-heap.wide", "diff fixtures/go/stream-leak/stream-leak-iter0025-heap.pb.gz fixtures/go/stream-leak/stream-leak-iter0100-heap.pb.gz -n 12 --wide"),
    ("diff.go-heap.cum.json", "diff fixtures/go/stream-leak/stream-leak-iter0025-heap.pb.gz fixtures/go/stream-leak/stream-leak-iter0100-heap.pb.gz --measure cum -n 5 --format json"),
    ("series.go-debug2", "diff fixtures/go/conn-leak/conn-leak-iter0000-goroutine-debug2.txt fixtures/go/conn-leak/conn-leak-iter0050-goroutine-debug2.txt fixtures/go/conn-leak/conn-leak-iter0100-goroutine-debug2.txt fixtures/go/conn-leak/conn-leak-iter0200-goroutine-debug2.txt --fold-closures"),
    ("series.go-debug2.wide", "diff fixtures/go/conn-leak/conn-leak-iter0000-goroutine-debug2.txt fixtures/go/conn-leak/conn-leak-iter0050-goroutine-debug2.txt fixtures/go/conn-leak/conn-leak-iter0100-goroutine-debug2.txt fixtures/go/conn-leak/conn-leak-iter0200-goroutine-debug2.txt --fold-closures --wide"),
    ("series.go-debug2.by-stack.md", "diff fixtures/go/conn-leak/conn-leak-iter0000-goroutine-debug2.txt fixtures/go/conn-leak/conn-leak-iter0100-goroutine-debug2.txt fixtures/go/conn-leak/conn-leak-iter0200-goroutine-debug2.txt --by stack -n 4 --format md"),
    ("series.go-debug2.json", "diff fixtures/go/conn-leak/conn-leak-iter0000-goroutine-debug2.txt fixtures/go/conn-leak/conn-leak-iter0100-goroutine-debug2.txt fixtures/go/conn-leak/conn-leak-iter0200-goroutine-debug2.txt -n 6 --format json"),
    ("scan.go-conn-leak", "scan fixtures/go/conn-leak/conn-leak-iter0000-goroutine-debug2.txt fixtures/go/conn-leak/conn-leak-iter0050-goroutine-debug2.txt fixtures/go/conn-leak/conn-leak-iter0100-goroutine-debug2.txt fixtures/go/conn-leak/conn-leak-iter0200-goroutine-debug2.txt fixtures/go/conn-leak/conn-leak-iter0000-heap.pb.gz fixtures/go/conn-leak/conn-leak-iter0200-heap.pb.gz"),
    ("scan.go-conn-leak.wide", "scan fixtures/go/conn-leak/conn-leak-iter0000-goroutine-debug2.txt fixtures/go/conn-leak/conn-leak-iter0050-goroutine-debug2.txt fixtures/go/conn-leak/conn-leak-iter0100-goroutine-debug2.txt fixtures/go/conn-leak/conn-leak-iter0200-goroutine-debug2.txt fixtures/go/conn-leak/conn-leak-iter0000-heap.pb.gz fixtures/go/conn-leak/conn-leak-iter0200-heap.pb.gz --wide"),
    ("scan.go-conn-leak.json", "scan fixtures/go/conn-leak/conn-leak-iter0000-goroutine-debug2.txt fixtures/go/conn-leak/conn-leak-iter0050-goroutine-debug2.txt fixtures/go/conn-leak/conn-leak-iter0100-goroutine-debug2.txt fixtures/go/conn-leak/conn-leak-iter0200-goroutine-debug2.txt --format json"),
    ("scan.go-stream-leak.md", "scan fixtures/go/stream-leak/stream-leak-iter0025-goroutine-debug0.pb.gz fixtures/go/stream-leak/stream-leak-iter0050-goroutine-debug0.pb.gz fixtures/go/stream-leak/stream-leak-iter0100-goroutine-debug0.pb.gz fixtures/go/stream-leak/stream-leak-iter0025-heap.pb.gz fixtures/go/stream-leak/stream-leak-iter0100-heap.pb.gz --format md"),
    ("scan.go-goroutineleak", "scan fixtures/go/goroutineleak/goroutine-debug2.txt"),
    ("scan.go-healthy", "scan fixtures/go/healthy/healthy-iter0000-goroutine-debug2.txt fixtures/go/healthy/healthy-iter0200-goroutine-debug2.txt"),
    ("check.go.text", "check fixtures/go/conn-leak/conn-leak-iter0000-goroutine-debug2.txt fixtures/go/conn-leak/conn-leak-iter0100-goroutine-debug2.txt fixtures/go/conn-leak/conn-leak-iter0200-goroutine-debug2.txt"),
    ("check.go.text.wide", "check fixtures/go/conn-leak/conn-leak-iter0000-goroutine-debug2.txt fixtures/go/conn-leak/conn-leak-iter0100-goroutine-debug2.txt fixtures/go/conn-leak/conn-leak-iter0200-goroutine-debug2.txt --wide"),
    ("check.go.md", "check fixtures/go/conn-leak/conn-leak-iter0000-goroutine-debug2.txt fixtures/go/conn-leak/conn-leak-iter0100-goroutine-debug2.txt fixtures/go/conn-leak/conn-leak-iter0200-goroutine-debug2.txt --format md"),
    ("check.go.json", "check fixtures/go/conn-leak/conn-leak-iter0000-goroutine-debug2.txt fixtures/go/conn-leak/conn-leak-iter0100-goroutine-debug2.txt fixtures/go/conn-leak/conn-leak-iter0200-goroutine-debug2.txt --format json"),
    ("check.go.junit", "check fixtures/go/conn-leak/conn-leak-iter0000-goroutine-debug2.txt fixtures/go/conn-leak/conn-leak-iter0100-goroutine-debug2.txt fixtures/go/conn-leak/conn-leak-iter0200-goroutine-debug2.txt --format junit"),
    ("check.go.sarif", "check fixtures/go/conn-leak/conn-leak-iter0000-goroutine-debug2.txt fixtures/go/conn-leak/conn-leak-iter0100-goroutine-debug2.txt fixtures/go/conn-leak/conn-leak-iter0200-goroutine-debug2.txt --format sarif"),
    ("check.go.github", "check fixtures/go/conn-leak/conn-leak-iter0000-goroutine-debug2.txt fixtures/go/conn-leak/conn-leak-iter0100-goroutine-debug2.txt fixtures/go/conn-leak/conn-leak-iter0200-goroutine-debug2.txt --format github"),
    ("check.go-healthy.text", "check fixtures/go/healthy/healthy-iter0000-goroutine-debug2.txt fixtures/go/healthy/healthy-iter0100-goroutine-debug2.txt fixtures/go/healthy/healthy-iter0200-goroutine-debug2.txt"),
    ("check.print-default-policy", "check --print-default-policy"),
    ("report.go-conn-leak.md", "report fixtures/go/conn-leak/conn-leak-iter0000-goroutine-debug2.txt fixtures/go/conn-leak/conn-leak-iter0100-goroutine-debug2.txt fixtures/go/conn-leak/conn-leak-iter0200-goroutine-debug2.txt fixtures/go/conn-leak/conn-leak-iter0000-heap.pb.gz fixtures/go/conn-leak/conn-leak-iter0200-heap.pb.gz -o @OUT@.md"),
    ("signatures.list", "signatures list"),
    ("signatures.list.md", "signatures list --format md"),
    ("signatures.list.json", "signatures list --format json"),
    ("signatures.show", "signatures show go.grpc.clientconn-not-closed"),
    // Node: V8 heap snapshots.
    ("top.node", "top fixtures/node/recreate-default-i0160.heapsnapshot.gz -n 15"),
    ("top.node.wide", "top fixtures/node/recreate-default-i0160.heapsnapshot.gz -n 15 --wide"),
    ("top.node.by-type.json", "top fixtures/node/recreate-default-i0160.heapsnapshot.gz --by type --format json"),
    ("diff.node", "diff fixtures/node/recreate-default-i0010.heapsnapshot.gz fixtures/node/recreate-default-i0160.heapsnapshot.gz -n 12"),
    ("diff.node.json", "diff fixtures/node/recreate-default-i0010.heapsnapshot.gz fixtures/node/recreate-default-i0160.heapsnapshot.gz -n 5 --format json"),
    ("series.node.leaks-since", "diff fixtures/node/recreate-default-i0010.heapsnapshot.gz fixtures/node/recreate-default-i0060.heapsnapshot.gz fixtures/node/recreate-default-i0160.heapsnapshot.gz --leaks-since fixtures/node/recreate-default-i0010.heapsnapshot.gz -n 10"),
    ("series.node.md", "diff fixtures/node/stream-server-i0010.heapsnapshot.gz fixtures/node/stream-server-i0060.heapsnapshot.gz fixtures/node/stream-server-i0160.heapsnapshot.gz -n 10 --format md"),
    ("retainers.node", "retainers fixtures/node/recreate-default-i0160.heapsnapshot.gz --class InternalChannel --paths 3"),
    ("retainers.node.wide", "retainers fixtures/node/recreate-default-i0160.heapsnapshot.gz --class InternalChannel --paths 3 --wide"),
    ("retainers.node.json", "retainers fixtures/node/recreate-default-i0160.heapsnapshot.gz --class Subchannel --paths 2 --format json"),
    ("dominators.node", "dominators fixtures/node/recreate-default-i0160.heapsnapshot.gz -n 4"),
    ("dominators.node.id", "dominators fixtures/node/recreate-default-i0160.heapsnapshot.gz --id 217331 --depth 1 -n 4"),
    ("dominators.node.class.md", "dominators fixtures/node/recreate-default-i0160.heapsnapshot.gz --class InternalChannel --depth 1 -n 2 --format md"),
    ("dominators.node.json", "dominators fixtures/node/recreate-default-i0160.heapsnapshot.gz --class Subchannel --depth 1 -n 2 --format json"),
    ("containment.node", "containment fixtures/node/recreate-default-i0160.heapsnapshot.gz --id 217331 --depth 1 -n 6"),
    ("scan.node-recreate", "scan fixtures/node/recreate-default-i0010.heapsnapshot.gz fixtures/node/recreate-default-i0060.heapsnapshot.gz fixtures/node/recreate-default-i0160.heapsnapshot.gz"),
    ("scan.node-stream-server.json", "scan fixtures/node/stream-server-i0010.heapsnapshot.gz fixtures/node/stream-server-i0060.heapsnapshot.gz fixtures/node/stream-server-i0160.heapsnapshot.gz --format json"),
    ("scan.node-healthy", "scan fixtures/node/healthy-i0010.heapsnapshot.gz fixtures/node/healthy-i0060.heapsnapshot.gz fixtures/node/healthy-i0160.heapsnapshot.gz"),
    ("check.node.text", "check fixtures/node/recreate-default-i0010.heapsnapshot.gz fixtures/node/recreate-default-i0060.heapsnapshot.gz fixtures/node/recreate-default-i0160.heapsnapshot.gz"),
    ("check.node.junit", "check fixtures/node/recreate-default-i0010.heapsnapshot.gz fixtures/node/recreate-default-i0060.heapsnapshot.gz fixtures/node/recreate-default-i0160.heapsnapshot.gz --format junit"),
    ("check.node.sarif", "check fixtures/node/recreate-default-i0010.heapsnapshot.gz fixtures/node/recreate-default-i0060.heapsnapshot.gz fixtures/node/recreate-default-i0160.heapsnapshot.gz --format sarif"),
    ("check.node.md", "check fixtures/node/recreate-default-i0010.heapsnapshot.gz fixtures/node/recreate-default-i0060.heapsnapshot.gz fixtures/node/recreate-default-i0160.heapsnapshot.gz --format md"),
    ("check.node.json", "check fixtures/node/recreate-default-i0010.heapsnapshot.gz fixtures/node/recreate-default-i0060.heapsnapshot.gz fixtures/node/recreate-default-i0160.heapsnapshot.gz --format json"),
    ("check.node.github", "check fixtures/node/recreate-default-i0010.heapsnapshot.gz fixtures/node/recreate-default-i0060.heapsnapshot.gz fixtures/node/recreate-default-i0160.heapsnapshot.gz --format github"),
    ("report.node-recreate.md", "report fixtures/node/recreate-default-i0010.heapsnapshot.gz fixtures/node/recreate-default-i0060.heapsnapshot.gz fixtures/node/recreate-default-i0160.heapsnapshot.gz -o @OUT@.md"),
    // Rust: jemalloc dumps and pprof protobuf, symbolized from the binary.
    ("top.rust-jemalloc", "top fixtures/rust/channel-leak-i0100.heap --binary fixtures/rust/leaklab -n 10"),
    ("top.rust-jemalloc.wide", "top fixtures/rust/channel-leak-i0100.heap --binary fixtures/rust/leaklab -n 10 --wide"),
    ("top.rust-pprof.by-stack.json", "top fixtures/rust/stream-leak-i0200.pb.gz --binary fixtures/rust/leaklab --by stack -n 3 --format json"),
    ("diff.rust", "diff fixtures/rust/channel-leak-i0010.heap fixtures/rust/channel-leak-i0100.heap --binary fixtures/rust/leaklab -n 10"),
    ("diff.rust.wide", "diff fixtures/rust/channel-leak-i0010.heap fixtures/rust/channel-leak-i0100.heap --binary fixtures/rust/leaklab -n 10 --wide"),
    ("series.rust.md", "diff fixtures/rust/cache-leak-i0020.heap fixtures/rust/cache-leak-i0100.heap fixtures/rust/cache-leak-i0200.heap --binary fixtures/rust/leaklab -n 8 --format md"),
    ("scan.rust-channel-leak", "scan fixtures/rust/channel-leak-i0010.heap fixtures/rust/channel-leak-i0050.heap fixtures/rust/channel-leak-i0100.heap --binary fixtures/rust/leaklab"),
    ("scan.rust-stream-leak.json", "scan fixtures/rust/stream-leak-i0020.pb.gz fixtures/rust/stream-leak-i0100.pb.gz fixtures/rust/stream-leak-i0200.pb.gz --binary fixtures/rust/leaklab --format json"),
    ("check.rust.text", "check fixtures/rust/channel-leak-i0010.heap fixtures/rust/channel-leak-i0050.heap fixtures/rust/channel-leak-i0100.heap --binary fixtures/rust/leaklab"),
    ("check.rust.md", "check fixtures/rust/channel-leak-i0010.heap fixtures/rust/channel-leak-i0050.heap fixtures/rust/channel-leak-i0100.heap --binary fixtures/rust/leaklab --format md"),
    ("check.rust.json", "check fixtures/rust/channel-leak-i0010.heap fixtures/rust/channel-leak-i0050.heap fixtures/rust/channel-leak-i0100.heap --binary fixtures/rust/leaklab --format json"),
    ("check.rust.junit", "check fixtures/rust/channel-leak-i0010.heap fixtures/rust/channel-leak-i0050.heap fixtures/rust/channel-leak-i0100.heap --binary fixtures/rust/leaklab --format junit"),
    ("check.rust.sarif", "check fixtures/rust/channel-leak-i0010.heap fixtures/rust/channel-leak-i0050.heap fixtures/rust/channel-leak-i0100.heap --binary fixtures/rust/leaklab --format sarif"),
    ("check.rust.github", "check fixtures/rust/channel-leak-i0010.heap fixtures/rust/channel-leak-i0050.heap fixtures/rust/channel-leak-i0100.heap --binary fixtures/rust/leaklab --format github"),
    ("report.rust-channel-leak.md", "report fixtures/rust/channel-leak-i0010.heap fixtures/rust/channel-leak-i0050.heap fixtures/rust/channel-leak-i0100.heap --binary fixtures/rust/leaklab -o @OUT@.md"),
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The golden text of one case: the command, what it printed or wrote, its exit code. A
/// written report lands under `target/golden-outputs/`, named after the case, so the
/// reproduce commands it records are the same on every machine.
fn produce(name: &str, args: &str) -> String {
    let scratch = format!("target/golden-outputs/{name}");
    let words: Vec<String> = args
        .split_whitespace()
        .map(|word| word.replace("@OUT@", &scratch))
        .collect();
    let written = words.iter().find(|w| w.starts_with(&scratch)).cloned();
    if let Some(path) = &written {
        let path = root().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let _ = std::fs::remove_file(&path);
    }
    let output = Command::cargo_bin("leakscope")
        .unwrap()
        .current_dir(root())
        .env_remove("COLUMNS")
        .env_remove("GITHUB_STEP_SUMMARY")
        // What this machine's libc happens to be must not change the goldens.
        .env("LEAKSCOPE_SYSROOT", root().join("target/empty-sysroot"))
        .args(&words)
        .output()
        .unwrap();
    let mut text = format!("$ leakscope {args}\n");
    match written {
        Some(path) => {
            let contents = std::fs::read_to_string(root().join(&path)).unwrap_or_else(|e| {
                panic!(
                    "leakscope {args} wrote nothing to {path} ({e}): {}",
                    String::from_utf8_lossy(&output.stderr)
                )
            });
            text.push_str(&String::from_utf8_lossy(&output.stdout));
            text.push_str(&format!("--- {}\n", path.replace(&scratch, "@OUT@")));
            text.push_str(&contents);
        }
        None => text.push_str(&String::from_utf8_lossy(&output.stdout)),
    }
    if !output.stderr.is_empty() {
        text.push_str("--- stderr\n");
        text.push_str(&String::from_utf8_lossy(&output.stderr));
    }
    text.push_str(&format!(
        "--- exit {}\n",
        output.status.code().unwrap_or(-1)
    ));
    text
}

#[test]
fn outputs_match_their_goldens() {
    let bless = std::env::var_os("LEAKSCOPE_BLESS").is_some_and(|v| !v.is_empty());
    let dir = root().join("tests/golden/outputs");
    let mut changed = Vec::new();
    for (name, args) in CASES {
        let path = dir.join(format!("{name}.txt"));
        let actual = produce(name, args);
        let expected = std::fs::read_to_string(&path).unwrap_or_default();
        if actual == expected {
            continue;
        }
        if bless {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &actual).unwrap();
        } else {
            let line = first_difference(&expected, &actual);
            changed.push(format!("{name}: first difference at line {line}"));
        }
    }
    assert!(
        changed.is_empty(),
        "outputs differ from tests/golden/outputs/ (re-bless with LEAKSCOPE_BLESS=1 \
         cargo test --test outputs, then read `git diff`):\n{}",
        changed.join("\n")
    );
}

/// Every golden file belongs to a case: a renamed case leaves no stale file behind.
#[test]
fn every_golden_has_a_case() {
    let dir = root().join("tests/golden/outputs");
    let entries = std::fs::read_dir(&dir).expect("tests/golden/outputs/ holds the goldens");
    for entry in entries {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let stem = name.strip_suffix(".txt").unwrap_or(&name);
        assert!(
            CASES.iter().any(|(case, _)| *case == stem),
            "tests/golden/outputs/{name} has no case in tests/outputs.rs"
        );
    }
}

/// What a name looks like in the text outputs: a token with a letter and a separator of
/// packages, types or paths.
fn identifiers(text: &str) -> Vec<&str> {
    text.split_whitespace()
        .map(|t| t.trim_end_matches([',', ';', ':']))
        .filter(|t| t.chars().any(|c| c.is_ascii_alphabetic()))
        .filter(|t| t.contains(['.', ':', '/', '(', '_']))
        .collect()
}

/// At 80 columns no name is split across lines: every name in a table or text output is a
/// name the same command prints with `--wide`, or one it shortened on purpose (`…`).
#[test]
fn no_name_is_split_at_80_columns() {
    let text_cases = CASES.iter().filter(|(name, args)| {
        !args.contains("--format")
            && !args.contains("--wide")
            && !args.contains("@OUT@")
            && !name.starts_with("signatures")
            // DOT is read by Graphviz, not people.
            && !name.ends_with(".dot")
            && !args.contains("--print-default-policy")
    });
    let mut checked = 0;
    for (name, args) in text_cases {
        let fitted = produce(name, args);
        let wide = produce(name, &format!("{args} --wide"));
        let whole: std::collections::HashSet<&str> = identifiers(&wide).into_iter().collect();
        for line in fitted.lines().skip(1) {
            assert!(
                line.chars().count() <= 80
                    || !line.trim_start().contains(' ')
                    || line.starts_with("--- "),
                "{name}: a line of {} columns with room to wrap: {line}",
                line.chars().count()
            );
        }
        for id in identifiers(&fitted) {
            assert!(
                id.contains('…') || whole.contains(id),
                "{name}: `{id}` is not a whole name of `leakscope {args} --wide`"
            );
        }
        checked += 1;
    }
    assert!(checked >= 15, "{checked} text cases");
}

fn first_difference(expected: &str, actual: &str) -> usize {
    expected
        .lines()
        .zip(actual.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()))
        + 1
}
