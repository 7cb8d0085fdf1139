//! Inputs the fuzzers (fuzz/) once crashed a reader on: each must now give a result or one
//! clear error (exit 0 or 2), never a panic.

mod common;

use common::*;

#[test]
fn every_input_that_once_crashed_a_reader_is_handled() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let file = entry.unwrap().path();
        if file.extension().is_some_and(|e| e == "md") {
            continue;
        }
        seen += 1;
        for command in ["top", "scan"] {
            let out = run(&[command, path(&file)]);
            let stderr = String::from_utf8_lossy(&out.stderr);
            let code = out.status.code();
            assert!(
                matches!(code, Some(0..=2)) && !stderr.contains("panicked"),
                "{command} {}: exit {code:?}: {stderr}",
                file.display()
            );
            if code == Some(2) {
                assert!(
                    stderr.contains(&*file.file_name().unwrap().to_string_lossy()),
                    "{stderr}"
                );
            }
        }
    }
    assert!(seen > 0, "no regression inputs in {}", dir.display());
}
