//! A series of jemalloc dumps of one program reads the program's debug information once, not
//! once per dump (inflating a binary's compressed DWARF is most of the work of reading a dump).
//! One test in its own binary, so that no other test counts along in the same process.

use clap::Parser;
use leakscope::cli::Cli;
use leakscope::formats::symbolize::debug_info_reads;

#[test]
fn a_series_of_dumps_reads_its_binary_once() {
    let dir = format!(
        "{}/fixtures/rust/core/task-never-finishes-leak",
        env!("CARGO_MANIFEST_DIR")
    );
    let binary = format!(
        "{}/fixtures/rust/core/rustleaks",
        env!("CARGO_MANIFEST_DIR")
    );
    // No system libraries: only the program's own binary is there to read.
    let sysroot = tempfile::tempdir().unwrap();
    let dumps: Vec<String> = (1..=4)
        .map(|k| format!("{dir}/task-never-finishes-leak-m{k}.heap"))
        .collect();
    let mut args = vec![
        "leakscope",
        "scan",
        "--binary",
        &binary,
        "--sysroot",
        sysroot.path().to_str().unwrap(),
    ];
    args.extend(dumps.iter().map(String::as_str));
    let cli = Cli::try_parse_from(args).expect("a valid command line");
    let before = debug_info_reads();
    leakscope::app::run(&cli.command).expect("the command runs");
    assert_eq!(debug_info_reads() - before, 1);
}
