//! `watch`: capture from a running service and judge after every capture, then judge the
//! whole series as `scan` (or `check --policy`) does, with their exit codes.

use std::ffi::OsString;

use clap::Parser;

use super::capture::{catch_interrupts, Capturer};
use super::{analyse_snapshots, io, Outcome};
use crate::cli::{Cli, InputArgs, WatchArgs};
use crate::detect;
use crate::error::{Error, Result};
use crate::model::{Input, ProfileClass};
use crate::output::values::{format_bytes, format_value};

pub fn run(args: &WatchArgs) -> Result<Outcome> {
    let out = &args.capture.out;
    let mut capturer = Capturer::new(&args.capture)?;
    let catalogue = crate::detect::Catalogue::builtin();
    catch_interrupts();
    capturer.run_all(|_, line| {
        // Everything captured so far, judged as `scan` would.
        let inputs = io::read_all(std::slice::from_ref(out), &InputArgs::default())?;
        let findings = detect::scan(&inputs, &analyse_snapshots(&inputs), &catalogue);
        let judged = if findings.is_empty() {
            "no findings".to_string()
        } else {
            findings
                .iter()
                .map(|f| format!("{} {}", f.signature, f.status.name().to_ascii_uppercase()))
                .collect::<Vec<_>>()
                .join(", ")
        };
        println!("{line}; {}; {judged}", latest(&inputs));
        Ok(())
    })?;
    // The verdict on the whole series: the same command, on the folder.
    let mut words: Vec<OsString> = vec!["leakscope".into()];
    match &args.policy {
        Some(policy) => words.extend([
            "check".into(),
            out.clone().into(),
            "--policy".into(),
            policy.into(),
        ]),
        None => words.extend(["scan".into(), out.clone().into()]),
    }
    let judge = Cli::try_parse_from(&words).map_err(|e| Error::Usage(e.to_string()))?;
    let mut outcome = super::run(&judge.command)?;
    if let Some(report) = &args.report {
        let words: Vec<OsString> = vec![
            "leakscope".into(),
            "report".into(),
            out.clone().into(),
            "-o".into(),
            report.into(),
        ];
        let command = Cli::try_parse_from(&words).map_err(|e| Error::Usage(e.to_string()))?;
        outcome.text.push_str(&super::run(&command.command)?.text);
    }
    Ok(outcome)
}

/// The newest goroutine count and heap in use among the inputs, for the status line.
fn latest(inputs: &[Input]) -> String {
    let mut goroutines = None;
    let mut heap = None;
    for input in inputs {
        let Some(profile) = input.profile() else {
            continue;
        };
        match crate::model::series::input_class(input) {
            Some(ProfileClass::Goroutine) => goroutines = Some(profile.total(0)),
            Some(ProfileClass::Heap) => {
                if let Some(i) = profile.sample_index("inuse_space") {
                    heap = Some(profile.total(i));
                }
            }
            _ => {}
        }
    }
    let mut parts = Vec::new();
    if let Some(n) = goroutines {
        parts.push(format!("{} goroutines", format_value(n, "count")));
    }
    if let Some(bytes) = heap {
        parts.push(format!("heap in use {}", format_bytes(bytes)));
    }
    if parts.is_empty() {
        "nothing read yet".to_string()
    } else {
        parts.join(", ")
    }
}
