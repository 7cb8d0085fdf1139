//! `watch`: capture from a running service and judge after every capture, then judge the
//! whole series as `scan` (or `check --policy`) does, with their exit codes.

use std::ffi::OsString;

use clap::Parser;

use super::capture::{catch_interrupts, Capturer};
use super::{analyse_snapshots, io, Outcome};
use crate::analysis::AnalysedSnapshot;
use crate::cli::{Cli, InputArgs, WatchArgs};
use crate::detect;
use crate::detect::GENERIC_SIGNATURES;
use crate::error::{Error, Result};
use crate::model::{Input, ProfileClass};
use crate::output::values::{format_bytes, format_value};

pub fn run(args: &WatchArgs) -> Result<Outcome> {
    let mut capturer = Capturer::new(&args.capture)?;
    let out = capturer.out().to_path_buf();
    let catalogue = crate::detect::Catalogue::builtin();
    catch_interrupts();
    capturer.run_all(|capturer, line| {
        // Everything captured so far, judged as `scan` would.
        let inputs = io::read_all(std::slice::from_ref(&out), &InputArgs::default())?;
        let analysed = analyse_snapshots(&inputs);
        let findings = detect::scan(&inputs, &analysed, &catalogue);
        let judged = if findings.is_empty() {
            "no findings".to_string()
        } else {
            findings
                .iter()
                .map(|f| {
                    let status = f.status.name().to_ascii_uppercase();
                    // A generic id says only "growth": its title says of what.
                    if GENERIC_SIGNATURES.contains(&f.signature.as_str()) {
                        format!("{} {status} ({})", f.signature, f.title)
                    } else {
                        format!("{} {status}", f.signature)
                    }
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        capturer.say(&format!("{line}; {}; {judged}", latest(&inputs, &analysed)));
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
fn latest(inputs: &[Input], analysed: &[Option<AnalysedSnapshot<'_>>]) -> String {
    let mut goroutines = None;
    let mut heap = None;
    for (input, snapshot) in inputs.iter().zip(analysed) {
        if let Some(snapshot) = snapshot {
            // The root retains the whole heap, as DevTools' total.
            heap = (!snapshot.retention.retained.is_empty())
                .then(|| snapshot.retention.retained.get(0) as i64);
        }
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
