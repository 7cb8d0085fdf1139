//! Tables as a person reads them in a terminal: under a pseudo-terminal that reports no size
//! (0×0, as `script` gives one when run outside a terminal), names stay whole and lines fit 80
//! columns.

use std::path::Path;
use std::process::Command;

#[test]
fn a_pseudo_terminal_of_zero_columns_reads_as_80() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dump = root.join("fixtures/go/conn-leak/conn-leak-iter0200-goroutine-debug2.txt");
    let leakscope = env!("CARGO_BIN_EXE_leakscope");
    // util-linux `script` runs the command on a new pseudo-terminal; without a terminal of its
    // own (as under `cargo test`), that one is 0×0.
    let out = Command::new("script")
        .args([
            "-qec",
            &format!("{leakscope} top {} -n 5", dump.display()),
            "/dev/null",
        ])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("`script` (util-linux) runs; .ci/run installs it");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap().replace('\r', "");
    let table: Vec<&str> = text.lines().skip(2).collect();
    assert!(table.len() > 5, "{text}");
    for line in &table {
        assert!(line.chars().count() <= 80, "wider than 80: {line:?}");
    }
    for name in [
        "grpcsync.(*CallbackSerializer).run",
        "transport.(*controlBuffer).get",
        "poll.runtime_pollWait",
    ] {
        assert!(
            table.iter().any(|l| l.contains(name)),
            "{name} whole on one line:\n{text}"
        );
    }
}
