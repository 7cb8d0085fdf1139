use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    hand_large_frees_back();
    let cli = leakscope::cli::Cli::parse();
    leakscope::app::show_progress(cli.quiet);
    match leakscope::app::run(&cli.command) {
        Ok(outcome) => {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`| head`) is not an error worth reporting.
            let _ = stdout.write_all(outcome.text.as_bytes());
            if outcome.leak_found {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(error) => {
            eprintln!("leakscope: error: {error}");
            ExitCode::from(2)
        }
    }
}

/// A snapshot's analysis allocates and frees arrays of tens of megabytes in turn. glibc raises
/// its mmap threshold to the size of each mapped block freed, so after the first such free the
/// next ones come from the heap and, freed, stay with the process (30 MiB more peak on the
/// 538 MB benchmark snapshot). A fixed threshold, which also stops the raising, maps them all
/// and hands each back when freed; the time is the same.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn hand_large_frees_back() {
    // SAFETY: mallopt only sets an allocator parameter; called before any thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn hand_large_frees_back() {}
