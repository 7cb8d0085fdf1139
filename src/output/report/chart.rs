//! A small inline SVG line chart: one finding's metric over the snapshots, with the series that
//! grew with it.

use crate::output::escape::markup as html;
use crate::output::values::format_value;

const WIDTH: f64 = 560.0;
const HEIGHT: f64 = 180.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 28.0;
const COLOURS: [&str; 4] = ["#c0392b", "#2c6fbb", "#7d8b00", "#8e44ad"];

pub struct Line<'a> {
    pub name: &'a str,
    pub values: &'a [i64],
}

/// The first earlier line with the same values as line `n`: drawn on top of it, so it is
/// dashed and the legend names the one it hides.
pub fn same_as(lines: &[Line<'_>], n: usize) -> Option<usize> {
    (0..n).find(|&k| lines[k].values == lines[n].values)
}

/// Round tick spacing near `span / 4`.
fn tick_step(span: f64) -> f64 {
    if span <= 0.0 {
        return 1.0;
    }
    let raw = span / 4.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude);
    step
}

/// `labels` name the x positions (`#1`, `#2`, ...); every line has one value per label.
pub fn svg(lines: &[Line<'_>], labels: &[String], unit: &str, description: &str) -> String {
    let max = lines
        .iter()
        .flat_map(|l| l.values.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let min = lines
        .iter()
        .flat_map(|l| l.values.iter().copied())
        .min()
        .unwrap_or(0)
        .min(0) as f64;
    let step = match unit {
        // Binary units: steps round in the unit the labels use (KiB, MiB, ...).
        "bytes" => {
            let mut scale = 1.0;
            while (max - min) / scale >= 1024.0 {
                scale *= 1024.0;
            }
            tick_step((max - min) / scale) * scale
        }
        _ => tick_step(max - min).max(1.0),
    };
    let top_value = (max / step).ceil() * step;
    let bottom_value = (min / step).floor() * step;
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let x = |i: usize| {
        if labels.len() <= 1 {
            LEFT + plot_w / 2.0
        } else {
            LEFT + plot_w * i as f64 / (labels.len() - 1) as f64
        }
    };
    let y = |v: f64| TOP + plot_h * (1.0 - (v - bottom_value) / (top_value - bottom_value));

    let mut out = format!(
        "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" \
         width=\"{WIDTH}\" height=\"{HEIGHT}\" role=\"img\" aria-label=\"{}\">\n",
        html(description)
    );
    let mut tick = bottom_value;
    while tick <= top_value + step / 2.0 {
        let ty = y(tick);
        out.push_str(&format!(
            "<line x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{ty:.1}\" y2=\"{ty:.1}\" class=\"grid\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\n",
            WIDTH - RIGHT,
            LEFT - 6.0,
            ty + 4.0,
            html(&format_value(tick as i64, unit))
        ));
        tick += step;
    }
    for (i, label) in labels.iter().enumerate() {
        // The last label ends at its point, so it stays inside the chart.
        let anchor = if labels.len() > 1 && i == labels.len() - 1 {
            "end"
        } else {
            "middle"
        };
        out.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\">{}</text>\n",
            x(i),
            HEIGHT - 8.0,
            html(label)
        ));
    }
    for (n, line) in lines.iter().enumerate() {
        let colour = COLOURS[n % COLOURS.len()];
        let points: Vec<String> = line
            .values
            .iter()
            .enumerate()
            .map(|(i, &v)| format!("{:.1},{:.1}", x(i), y(v as f64)))
            .collect();
        let dash = if same_as(lines, n).is_some() {
            " stroke-dasharray=\"6 5\""
        } else {
            ""
        };
        out.push_str(&format!(
            "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"{}\"{dash} points=\"{}\"/>\n",
            if n == 0 { 2.5 } else { 1.5 },
            points.join(" ")
        ));
        for (i, &v) in line.values.iter().enumerate() {
            out.push_str(&format!(
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{colour}\"><title>{}: {} in {}</title></circle>\n",
                x(i),
                y(v as f64),
                html(line.name),
                html(&format_value(v, unit)),
                html(labels.get(i).map(String::as_str).unwrap_or(""))
            ));
        }
    }
    out.push_str("</svg>\n");
    out
}

/// The colour of the n-th line, for a legend beside the chart.
pub fn colour(n: usize) -> &'static str {
    COLOURS[n % COLOURS.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round() {
        assert_eq!(tick_step(600.0), 200.0);
        assert_eq!(tick_step(3.0), 1.0);
        assert_eq!(tick_step(1_700_000_000.0), 500_000_000.0);
        assert_eq!(tick_step(0.4), 0.1);
    }

    #[test]
    fn a_line_on_top_of_another_is_dashed() {
        let lines = [
            Line {
                name: "loopy writer",
                values: &[0, 50, 100],
            },
            Line {
                name: "transport reader",
                values: &[0, 50, 100],
            },
        ];
        assert_eq!(same_as(&lines, 1), Some(0));
        assert_eq!(same_as(&lines, 0), None);
        let s = svg(
            &lines,
            &["#1".into(), "#2".into(), "#3".into()],
            "count",
            "x",
        );
        assert_eq!(s.matches("stroke-dasharray").count(), 1);
    }

    #[test]
    fn names_are_escaped() {
        let s = svg(
            &[Line {
                name: "<script>x</script>",
                values: &[1, 2],
            }],
            &["#1".into(), "#2".into()],
            "count",
            "a\"b",
        );
        assert!(!s.contains("<script>"));
        assert!(s.contains("&lt;script&gt;"));
        assert!(s.contains("aria-label=\"a&quot;b\""));
    }
}
