//! A call graph in Graphviz's DOT language, as `go tool pprof -dot` writes it: a legend box,
//! one box per function, one arrow per call.

use super::Drawing;

pub fn dot(drawing: &Drawing) -> String {
    let mut out = String::from("digraph \"leakscope\" {\n");
    // No background of its own: a page's colour shows through.
    out.push_str("bgcolor=\"transparent\"\n");
    out.push_str("node [style=filled fillcolor=\"#f8f8f8\"]\n");
    out.push_str(&format!(
        "subgraph cluster_L {{ \"legend\" [shape=box fontsize=16 label=\"{}\\l\" tooltip=\"leakscope\"] }}\n",
        drawing.legend.iter().map(|l| escape(l)).collect::<Vec<_>>().join("\\l")
    ));
    for (i, node) in drawing.nodes.iter().enumerate() {
        let label: Vec<String> = node.lines.iter().map(|l| escape(l)).collect();
        out.push_str(&format!(
            "N{i} [label=\"{}\" id=\"node{i}\" fontsize={} shape=box tooltip=\"{}\" color=\"{}\" fillcolor=\"{}\"]\n",
            label.join("\\n"),
            node.font_size,
            escape(&node.tooltip),
            node.border,
            node.fill
        ));
    }
    for edge in &drawing.edges {
        let mut attributes = format!("label=\" {}\"", escape(&edge.label));
        if edge.weight > 1 {
            attributes.push_str(&format!(" weight={}", edge.weight));
        }
        if edge.width > 1 {
            attributes.push_str(&format!(" penwidth={}", edge.width));
        }
        attributes.push_str(&format!(
            " color=\"{}\" tooltip=\"{tip}\" labeltooltip=\"{tip}\"",
            edge.color,
            tip = escape(&edge.tooltip)
        ));
        if edge.dotted {
            attributes.push_str(" style=\"dotted\"");
        }
        out.push_str(&format!("N{} -> N{} [{attributes}]\n", edge.from, edge.to));
    }
    out.push_str("}\n");
    out
}

/// Quotes and backslashes escaped for a DOT string; newlines become centred line breaks.
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
