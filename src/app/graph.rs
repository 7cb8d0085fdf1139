//! `graph`: a profile's call graph, or the graph of its change, as DOT or SVG.

use std::path::Path;

use super::{comparable_profiles, io};
use crate::analysis::call_graph::{call_graph, CallGraph, Side};
use crate::cli::{GraphArgs, GraphLayout};
use crate::error::{Error, Result};
use crate::model::{against_the_clock, Input};
use crate::output::graph::{dot, svg, Drawing, Layout};
use crate::output::schema::{GraphReport, InputInfo, SCHEMA};
use crate::output::values::{format_bytes, format_delta, format_value};

#[derive(Clone, Copy)]
enum Picture {
    Dot,
    Svg,
    Json,
}

fn picture(path: &Path) -> Result<Picture> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("dot" | "gv") => Ok(Picture::Dot),
        Some("svg") => Ok(Picture::Svg),
        Some("json") => Ok(Picture::Json),
        _ => Err(Error::Usage(format!(
            "{}: name the graph .svg, .dot or .json to choose its format",
            path.display()
        ))),
    }
}

pub fn run(args: &GraphArgs) -> Result<String> {
    let pictures = args
        .outputs
        .iter()
        .map(|p| picture(p))
        .collect::<Result<Vec<_>>>()?;
    io::refuse_overwriting_inputs(&args.files, &args.outputs, "graph")?;
    let inputs = io::read_all(&args.files, &args.input)?;
    let profiles = comparable_profiles(&inputs, args.sample.sample_index.as_deref())?;
    let side = |&(profile, sample_index), sign| Side {
        profile,
        sample_index,
        sign,
    };
    let target = side(profiles.last().expect("at least one file"), 1);
    let base = (profiles.len() > 1).then(|| side(&profiles[0], -1));
    let graph = call_graph(base, target, &args.keys.options(), args.nodecount);
    let drawing = Drawing::new(&graph, legend(&inputs, &graph));
    if args.outputs.is_empty() {
        return Ok(dot(&drawing));
    }
    let layout = match args.layout {
        GraphLayout::Auto => Layout::Auto,
        GraphLayout::Graphviz => Layout::Graphviz,
        GraphLayout::Builtin => Layout::Builtin,
    };
    let mut text = String::new();
    let mut laid = None;
    for (path, picture) in args.outputs.iter().zip(pictures) {
        let document = match picture {
            Picture::Dot => dot(&drawing),
            Picture::Json => crate::output::json(&GraphReport {
                schema: SCHEMA,
                inputs: inputs.iter().map(InputInfo::of).collect(),
                graph: graph.clone(),
            }),
            Picture::Svg => {
                if laid.is_none() {
                    laid = Some(svg(&drawing, layout, "").map_err(Error::Usage)?);
                }
                let laid = laid.as_ref().expect("just laid out");
                format!("{}\n", laid.svg)
            }
        };
        io::write_atomically(path, &document)?;
        text.push_str(&format!(
            "wrote {} ({})\n",
            path.display(),
            format_bytes(document.len() as i64)
        ));
    }
    if let Some(laid) = laid {
        text.push_str(&format!("laid out by {}\n", laid.by));
    }
    Ok(text)
}

/// pprof's legend: what was read, which value, and what the cut left out.
fn legend(inputs: &[Input], graph: &CallGraph) -> Vec<String> {
    let mut lines = Vec::new();
    match inputs {
        [one] => lines.push(format!("File: {}", one.path.display())),
        [base, .., target] => {
            lines.push(format!("Base: {}", base.path.display()));
            lines.push(format!("Target: {}", target.path.display()));
            if inputs.len() > 2 {
                lines.push(format!(
                    "First against last of {} profiles in the order given",
                    inputs.len()
                ));
            }
        }
        [] => {}
    }
    lines.push(format!(
        "Type: {}{}",
        graph.sample_type,
        if graph.diff {
            ", change from base to target (red grew, blue shrank)"
        } else {
            ""
        }
    ));
    let value = |v: i64| {
        if graph.diff {
            format_delta(v, &graph.unit)
        } else {
            format_value(v, &graph.unit)
        }
    };
    lines.push(format!(
        "Showing {} of {} functions, accounting for {} of {} flat; percentages of {}",
        graph.nodes.len(),
        graph.node_count,
        value(graph.kept_flat),
        value(graph.all_flat),
        if graph.diff {
            format!(
                "the target's total {}",
                format_value(graph.total, &graph.unit)
            )
        } else {
            format!("the total {}", format_value(graph.total, &graph.unit))
        }
    ));
    if graph.dropped_edges > 0 {
        lines.push(format!(
            "{} lighter calls not drawn (at most 3 per function)",
            graph.dropped_edges
        ));
    }
    for (newer, older, clock) in against_the_clock(inputs) {
        lines.push(format!(
            "Warning: {} is older than {}, which comes before it, by {}",
            inputs[older].path.display(),
            inputs[newer].path.display(),
            clock.words()
        ));
    }
    lines
}
