//! `check`: scan's findings judged by a policy, for CI.

use std::path::Path;

use super::{analyse_snapshots, catalogue, io, Outcome};
use crate::cli::{CheckArgs, CheckFormat};
use crate::detect;
use crate::error::Result;
use crate::gate::{baseline_fingerprints, Date, Policy, Verdict, DEFAULT_POLICY};
use crate::output::schema::{CheckReport, Grouping, InputInfo, JudgedFinding, SCHEMA};
use crate::output::{self, check};

pub fn run(args: &CheckArgs) -> Result<Outcome> {
    if args.print_default_policy {
        return Ok(Outcome {
            text: DEFAULT_POLICY.to_string(),
            leak_found: false,
        });
    }
    let catalogue = catalogue(&args.rules)?;
    let policy = match &args.policy {
        Some(path) => Policy::from_file(path, &catalogue)?,
        None => Policy::default_policy(),
    };
    let baseline = match &args.baseline_findings {
        Some(path) => baseline_fingerprints(path)?,
        None => Vec::new(),
    };
    let inputs = io::read_all(&args.files, &args.input)?;
    policy.check_inputs(&inputs)?;
    let today = Date::today();
    let findings: Vec<JudgedFinding> =
        detect::scan(&inputs, &analyse_snapshots(&inputs), &catalogue)
            .into_iter()
            .map(|finding| {
                let known = baseline.contains(&finding.fingerprint);
                let (verdict, reason) = policy.judge(&finding, known, today);
                JudgedFinding {
                    finding,
                    verdict,
                    reason,
                    known,
                }
            })
            .collect();
    let regressions = findings
        .iter()
        .filter(|f| f.verdict == Verdict::Fail)
        .count();
    let grouping = Grouping::of(&inputs);
    let report = CheckReport {
        schema: SCHEMA,
        verdict: if regressions > 0 { "fail" } else { "pass" },
        regressions,
        warnings: findings
            .iter()
            .filter(|f| f.verdict == Verdict::Warn)
            .count(),
        policy: args
            .policy
            .as_ref()
            .map_or("default".to_string(), |p| p.display().to_string()),
        baseline: args
            .baseline_findings
            .as_ref()
            .map(|p| p.display().to_string()),
        inputs: inputs.iter().map(InputInfo::of).collect(),
        signatures_checked: catalogue.ids_for(&grouping.runtimes()),
        grouping,
        findings,
    };
    let render = |format: CheckFormat| -> String {
        match format {
            CheckFormat::Text => check::text(
                &report,
                (!args.wide).then(|| output::table::terminal_width() as usize),
            ),
            CheckFormat::Json => output::json(&report),
            CheckFormat::Junit => check::junit(&report),
            CheckFormat::Sarif => check::sarif(&report, &catalogue),
            CheckFormat::Github => check::github(&report),
            CheckFormat::Md => check::markdown(&report),
        }
    };
    for (format, path) in &args.outputs {
        io::write_atomically(path, &render(*format))?;
    }
    if args.format == CheckFormat::Github {
        if let Some(summary) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|s| !s.is_empty()) {
            io::append_whole(Path::new(&summary), &check::markdown(&report))?;
        }
    }
    Ok(Outcome {
        text: render(args.format),
        leak_found: regressions > 0,
    })
}
