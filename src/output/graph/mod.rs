//! Call graphs as pictures: `dot` writes the graph in Graphviz's language, `svg` lays it out
//! (with Graphviz when it is installed, else with a built-in layered layout). This file holds
//! what both draw the same: labels, sizes and colours, as pprof draws them, except that
//! shrinking is blue rather than green.

mod dot;
mod svg;

pub use dot::dot;
pub use svg::{svg, Laid, Layout};

use crate::analysis::call_graph::CallGraph;
use crate::output::names::short_frame;
use crate::output::values::{format_delta, format_value, percent};

/// How one function is drawn.
pub struct NodeLook {
    /// The name split at its dots (package, type, method), then flat, then cum.
    pub lines: Vec<String>,
    pub font_size: u32,
    pub border: String,
    pub fill: String,
    pub tooltip: String,
}

/// How one call is drawn.
pub struct EdgeLook {
    pub from: usize,
    pub to: usize,
    pub label: String,
    pub width: u32,
    /// Graphviz's rank weight: heavy calls are kept short and straight.
    pub weight: u32,
    pub color: String,
    pub dotted: bool,
    pub tooltip: String,
}

/// A graph ready to draw: a legend and the looks of its nodes and edges.
pub struct Drawing {
    pub legend: Vec<String>,
    pub nodes: Vec<NodeLook>,
    pub edges: Vec<EdgeLook>,
}

impl Drawing {
    pub fn new(graph: &CallGraph, legend: Vec<String>) -> Drawing {
        let value = |v: i64| {
            if graph.diff {
                format_delta(v, &graph.unit)
            } else {
                format_value(v, &graph.unit)
            }
        };
        let total = graph.total.abs().max(1) as f64;
        let max_flat = graph.nodes.iter().map(|n| n.flat.abs()).max().unwrap_or(0) as f64;
        let nodes = graph
            .nodes
            .iter()
            .map(|node| {
                let mut lines = name_lines(&node.key);
                let flat = match node.flat {
                    0 => "0".to_string(),
                    f => format!("{} ({})", value(f), percent(f, graph.total)),
                };
                if node.cum == node.flat {
                    lines.push(flat);
                } else if node.flat == 0 {
                    lines.push(format!(
                        "0 of {} ({})",
                        value(node.cum),
                        percent(node.cum, graph.total)
                    ));
                } else {
                    lines.push(flat);
                    lines.push(format!(
                        "of {} ({})",
                        value(node.cum),
                        percent(node.cum, graph.total)
                    ));
                }
                // pprof: 8 to 24 points by the square root of flat's share of the largest.
                let font_size = if max_flat > 0.0 && node.flat != 0 {
                    8 + (16.0 * (node.flat.abs() as f64 / max_flat).sqrt()).ceil() as u32
                } else {
                    8
                };
                let score = node.cum as f64 / total;
                NodeLook {
                    lines,
                    font_size,
                    border: color(score, false),
                    fill: color(score, true),
                    tooltip: format!("{} ({})", node.key, value(node.cum)),
                }
            })
            .collect();
        let edges = graph
            .edges
            .iter()
            .map(|edge| {
                let share = edge.value.abs() as f64 / total;
                let label = value(edge.value);
                EdgeLook {
                    from: edge.from,
                    to: edge.to,
                    width: 1 + (share * 5.0).min(5.0) as u32,
                    weight: 1 + (share * 100.0).min(100.0) as u32,
                    color: color(edge.value as f64 / total, false),
                    dotted: edge.residual,
                    tooltip: format!(
                        "{} {} {} ({label})",
                        graph.nodes[edge.from].key,
                        if edge.residual { "..." } else { "->" },
                        graph.nodes[edge.to].key
                    ),
                    label,
                }
            })
            .collect();
        Drawing {
            legend,
            nodes,
            edges,
        }
    }
}

/// `grpcsync.(*CallbackSerializer).run` as `grpcsync`, `(*CallbackSerializer)`, `run`; with
/// `--lines`, the file and line last. Generic arguments `[...]` stay whole.
fn name_lines(key: &str) -> Vec<String> {
    let short = short_frame(key);
    let (name, location) = match short.rsplit_once(' ') {
        Some((name, location)) if location.contains(':') => (name.to_string(), Some(location)),
        _ => (short.clone(), None),
    };
    let mut lines: Vec<String> = name
        .replace("[...]", "[…]")
        .replace("::", ".")
        .split('.')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    lines.extend(location.map(str::to_string));
    lines
}

/// pprof's colour scale: a score from -1 to 1 as grey near 0, red towards 1 and (here) blue
/// towards -1; light for a box's fill, dark for lines and borders.
pub fn color(score: f64, background: bool) -> String {
    // Scores are pushed away from grey so that small changes still show.
    const SHIFT: f64 = 0.7;
    let (mut saturation, value) = if background { (0.1, 0.93) } else { (1.0, 0.7) };
    let mut score = score.clamp(-1.0, 1.0);
    if score.abs() < 0.2 {
        saturation *= score.abs() / 0.2;
    }
    score = score.signum() * score.abs().powf(1.0 - SHIFT);
    let strong = value;
    let weak = value * (1.0 - saturation * score.abs());
    let (r, g, b) = if score < 0.0 {
        (weak, weak, strong)
    } else {
        (strong, weak, value * (1.0 - saturation))
    };
    let byte = |x: f64| (x * 255.0) as u8;
    format!("#{:02x}{:02x}{:02x}", byte(r), byte(g), byte(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colors_run_from_blue_through_grey_to_red() {
        assert_eq!(color(1.0, false), "#b20000");
        assert_eq!(color(-1.0, false), "#0000b2");
        // Near zero: grey, neither red nor blue.
        assert_eq!(color(0.0, false), "#b2b2b2");
        assert_eq!(color(0.0, true), "#ededed");
    }

    #[test]
    fn names_split_at_their_dots() {
        assert_eq!(
            name_lines("google.golang.org/grpc/internal/grpcsync.(*CallbackSerializer).run"),
            ["grpcsync", "(*CallbackSerializer)", "run"]
        );
        assert_eq!(
            name_lines("main.main.func1 /src/main.go:42"),
            ["main", "main", "func1", "main.go:42"]
        );
    }
}
