use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
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
