//! A call graph as SVG. Graphviz's `dot` lays out pprof-sized graphs (80 boxes) far better than
//! any layout written in Rust we tried, so it is used when installed; without it the built-in
//! layered layout (layout-rs) draws graphs of a few dozen boxes well, larger ones with edges
//! across boxes. docs/graph.md shows both.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use layout::backends::svg::SVGWriter;
use layout::core::base::Orientation;
use layout::core::color::Color;
use layout::core::geometry::Point;
use layout::core::style::{LineStyleKind, StyleAttr};
use layout::std_shapes::shapes::{Arrow, Element, LineEndKind, ShapeKind};
use layout::topo::layout::VisualGraph;

use super::{dot, Drawing};

/// Who lays the graph out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Graphviz when `dot` is on the PATH, else the built-in layout.
    Auto,
    Graphviz,
    Builtin,
}

/// An SVG picture and who laid it out, for the page or the terminal to say.
pub struct Laid {
    /// `<svg ...>...</svg>`, without an XML prolog, ready to embed in HTML.
    pub svg: String,
    pub by: String,
}

/// How long Graphviz may take: far more than any graph of pprof's size needs.
const GRAPHVIZ_TIMEOUT: Duration = Duration::from_secs(120);

/// Lays `drawing` out; `prefix` makes its element ids unique within a page.
pub fn svg(drawing: &Drawing, layout: Layout, prefix: &str) -> Result<Laid, String> {
    let graphviz = match layout {
        Layout::Builtin => None,
        Layout::Graphviz => Some(graphviz(&dot(drawing))?),
        Layout::Auto => graphviz(&dot(drawing)).ok(),
    };
    Ok(match graphviz {
        Some((svg, version)) => Laid {
            svg: prefix_ids(&without_prolog(&svg), prefix),
            by: version,
        },
        None => Laid {
            svg: builtin(drawing, prefix),
            by: match layout {
                Layout::Builtin => "the built-in layout".to_string(),
                _ => "the built-in layout (Graphviz's dot was not found; it lays out large \
                      graphs better)"
                    .to_string(),
            },
        },
    })
}

/// Runs `dot -Tsvg`; its version for the credit line.
fn graphviz(dot_text: &str) -> Result<(String, String), String> {
    let mut child = Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run Graphviz's dot: {e}"))?;
    let mut stdin = child.stdin.take().expect("piped");
    let text = dot_text.to_string();
    let writer = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
    let mut stdout = child.stdout.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut svg = String::new();
        stdout.read_to_string(&mut svg).map(|_| svg)
    });
    let mut stderr = child.stderr.take().expect("piped");
    let errors = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > GRAPHVIZ_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "Graphviz's dot did not finish within {} s",
                    GRAPHVIZ_TIMEOUT.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(format!("Graphviz's dot: {e}")),
        }
    };
    let _ = writer.join();
    let svg = reader
        .join()
        .map_err(|_| "Graphviz's output could not be read".to_string())?
        .map_err(|e| format!("Graphviz's output: {e}"))?;
    let errors = errors.join().unwrap_or_default();
    if !status.success() || !svg.contains("<svg") {
        return Err(format!("Graphviz's dot failed: {}", errors.trim()));
    }
    let version = Command::new("dot")
        .arg("-V")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stderr).trim().to_string())
        .filter(|v| !v.is_empty())
        .and_then(|v| {
            // `dot - graphviz version 2.43.0 (0)`
            let version = v.split("version").nth(1)?.split_whitespace().next()?;
            Some(format!("Graphviz {version}"))
        })
        .unwrap_or_else(|| "Graphviz".to_string());
    Ok((svg, version))
}

/// The `<svg>` element alone: Graphviz writes an XML prolog, a DOCTYPE and comments first.
fn without_prolog(svg: &str) -> String {
    svg.find("<svg")
        .map_or(svg, |at| &svg[at..])
        .trim_end()
        .to_string()
}

/// Every `id` and reference to one made unique with `prefix`.
fn prefix_ids(svg: &str, prefix: &str) -> String {
    if prefix.is_empty() {
        return svg.to_string();
    }
    svg.replace(" id=\"", &format!(" id=\"{prefix}"))
        .replace("url(#", &format!("url(#{prefix}"))
        .replace("href=\"#", &format!("href=\"#{prefix}"))
}

/// Characters per font pixel, for box widths (a sans-serif average).
const CHAR_WIDTH: f64 = 0.6;
/// Graphviz sizes fonts in points, 4/3 of a pixel each: the same look in pixels.
const PIXELS_PER_POINT: f64 = 4.0 / 3.0;
/// The legend's font, in pixels.
const LEGEND_FONT: f64 = 16.0;

fn builtin(drawing: &Drawing, prefix: &str) -> String {
    if drawing.nodes.is_empty() {
        // The layout cannot place an empty graph; say what there is instead.
        return format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"480\" height=\"40\" viewBox=\"0 0 480 40\">\
             <text x=\"8\" y=\"24\" font-family=\"sans-serif\" font-size=\"14\">{}</text></svg>",
            crate::output::escape::markup("No function is above the graph's cut.")
        );
    }
    let dir = Orientation::TopToBottom;
    let mut graph = VisualGraph::new(dir);
    let box_of = |lines: &[String], font: f64| {
        let widest = lines.iter().map(|l| l.chars().count()).max().unwrap_or(1) as f64;
        Point::new(
            widest * font * CHAR_WIDTH + 16.0,
            lines.len() as f64 * font * 1.2 + 12.0,
        )
    };
    let handles: Vec<_> = drawing
        .nodes
        .iter()
        .map(|node| {
            let font = (node.font_size as f64 * PIXELS_PER_POINT).round();
            let look = StyleAttr::new(
                Color::fast(&node.border),
                1,
                Some(Color::fast(&node.fill)),
                0,
                font as usize,
            );
            let size = box_of(&node.lines, font);
            graph.add_node(Element::create(
                ShapeKind::new_box(&node.lines.join("\n")),
                look,
                dir,
                size,
            ))
        })
        .collect();
    for edge in &drawing.edges {
        let look = StyleAttr::new(Color::fast(&edge.color), edge.width as usize, None, 0, 13);
        let line = if edge.dotted {
            LineStyleKind::Dashed
        } else {
            LineStyleKind::Normal
        };
        graph.add_edge(
            Arrow::new(
                LineEndKind::None,
                LineEndKind::Arrow,
                line,
                &edge.label,
                &look,
                &None,
                &None,
            ),
            handles[edge.from],
            handles[edge.to],
        );
    }
    let mut writer = SVGWriter::new();
    graph.do_it(false, false, false, &mut writer);
    let svg = without_prolog(&writer.finalize())
        // Arrowheads the size of the line's width, not multiplied by it.
        .replace("<marker ", "<marker markerUnits=\"userSpaceOnUse\" ")
        .replace("font-family: Times, serif;", "font-family: sans-serif;")
        // Edge labels run along their line: a white halo keeps them legible.
        .replace(
            "<style>\n",
            "<style>\ntextPath { paint-order: stroke; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; }\n",
        );
    prefix_ids(&with_legend(&svg, &drawing.legend), prefix)
}

/// The picture moved down to make room for the legend's lines above it, as Graphviz draws it
/// in a box at the top left.
fn with_legend(svg: &str, legend: &[String]) -> String {
    let Some(end) = svg.find('>') else {
        return svg.to_string();
    };
    let number = |name: &str| -> Option<f64> {
        let at = svg[..end].find(&format!(" {name}=\""))? + name.len() + 3;
        let rest = &svg[at..end];
        rest[..rest.find('"')?].parse().ok()
    };
    let (Some(width), Some(height)) = (number("width"), number("height")) else {
        return svg.to_string();
    };
    let line_height = LEGEND_FONT * 1.3;
    let top = legend.len() as f64 * line_height + 16.0;
    let widest = legend.iter().map(|l| l.chars().count()).max().unwrap_or(0) as f64;
    let width = width.max(widest * LEGEND_FONT * CHAR_WIDTH + 24.0);
    let height = height + top;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\">\n<g class=\"legend\" font-family=\"sans-serif\" \
         font-size=\"{LEGEND_FONT}\">\n"
    );
    for (i, line) in legend.iter().enumerate() {
        out.push_str(&format!(
            "<text x=\"12\" y=\"{}\">{}</text>\n",
            12.0 + (i as f64 + 0.8) * line_height,
            crate::output::escape::markup(line)
        ));
    }
    out.push_str(&format!("</g>\n<g transform=\"translate(0 {top})\">\n"));
    // The laid-out picture, without its own <svg> element around it.
    let inner = svg[end + 1..].trim_end().trim_end_matches("</svg>");
    out.push_str(inner);
    out.push_str("\n</g>\n</svg>");
    out
}
