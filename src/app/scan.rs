//! `scan`: name the leaks in the profiles of one process.

use super::{analyse_snapshots, catalogue, io, style, Outcome};
use crate::cli::ScanArgs;
use crate::detect;
use crate::error::Result;
use crate::output::schema::{Grouping, InputInfo, ScanReport, SCHEMA};
use crate::output::{self, tables, Format};

pub fn run(args: &ScanArgs) -> Result<Outcome> {
    let catalogue = catalogue(&args.rules)?;
    let inputs = io::read_all(&args.files, &args.input)?;
    let grouping = Grouping::of(&inputs);
    let report = ScanReport {
        schema: SCHEMA,
        inputs: inputs.iter().map(InputInfo::of).collect(),
        signatures_checked: catalogue.ids_for(&grouping.runtimes()),
        grouping,
        findings: detect::scan(&inputs, &analyse_snapshots(&inputs), &catalogue),
    };
    let style = style(&args.output);
    let text = match args.output.format {
        Format::Json => output::json(&report),
        // The summary lists every finding; `-n` bounds the evidence tables after it.
        _ => tables::scan(&report, &style)
            .iter()
            .take(match args.output.rows {
                Some(0) | None => usize::MAX,
                Some(n) => n.saturating_add(1),
            })
            .map(|t| output::render(t, &style))
            .collect::<Vec<_>>()
            .join("\n"),
    };
    Ok(Outcome {
        text,
        leak_found: report.has_active_leak(),
    })
}
