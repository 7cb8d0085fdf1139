//! The report as one self-contained HTML page: inline CSS, inline SVG charts, flame graphs in
//! sandboxed frames, a content security policy that forbids every fetch, and a few lines of
//! script. Every string from a profile goes through `escape::html`.

use super::chart::{self, Line};
use super::{
    creators_reading, leaf_first, web_link, Postmortem, SeriesSection, CREATORS_PER_FINDING,
    PATHS_PER_FINDING, STACKS_PER_FINDING,
};
use crate::model::{Finding, NamedSeries, Status};
use crate::output::escape::markup as html;
use crate::output::names::{short_function, stack_label};
use crate::output::prose::{metric_counts, site_place, site_role};
use crate::output::tables::path_lines;
use crate::output::values::{format_bytes, format_delta, format_time, format_value};
use crate::output::TextTable;

/// Nothing may be fetched: styles, scripts and pictures (SVG) are inline.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; \
     script-src 'unsafe-inline'";

const STYLE: &str = r#"
:root { --leak: #b3261e; --ok: #1e7b34; --suspect: #a05a00; --muted: #5f6368; --line: #dadce0; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto;
  max-width: 1180px; padding: 1.5rem; color: #202124; }
h1 { font-size: 1.6rem; margin: 0 0 .2rem; }
h2 { border-bottom: 1px solid var(--line); padding-bottom: .2rem; margin-top: 2.2rem; }
h3 { margin-bottom: .3rem; }
code, pre { font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre { background: #f6f8fa; padding: .6rem .8rem; overflow-x: auto; white-space: pre; }
.meta, .note { color: var(--muted); }
.verdict { border-left: 6px solid var(--ok); background: #e6f4ea; padding: .6rem 1rem; }
.verdict.leak { border-color: var(--leak); background: #fce8e6; }
.verdict.suspect { border-color: var(--suspect); background: #fef7e0; }
.verdict h2 { border: 0; margin: .2rem 0; }
.verdict .note { margin: .1rem 0; }
.status { display: inline-block; border-radius: 3px; padding: 0 .4rem; font-size: .8rem;
  font-weight: 600; text-transform: uppercase; color: #fff; background: var(--muted); }
.status.growing, .status.present { background: var(--leak); }
.status.suspect { background: var(--suspect); }
.finding { border: 1px solid var(--line); border-radius: 6px; padding: .2rem 1rem 1rem;
  margin: 1rem 0; }
table { border-collapse: collapse; margin: .6rem 0; }
th, td { border: 1px solid var(--line); padding: .2rem .5rem; vertical-align: top;
  text-align: left; }
th { background: #f1f3f4; }
td.num, th.num { text-align: right; white-space: nowrap; }
td .detail { color: var(--muted); font-size: .85em; white-space: pre-wrap; }
td code { overflow-wrap: anywhere; }
details { margin: .3rem 0; }
summary { cursor: pointer; }
.chart { background: #fafbfc; }
.chart text { font-size: 11px; fill: var(--muted); }
.chart .grid { stroke: #eee; }
.legend span { margin-right: 1rem; }
.legend i { display: inline-block; width: .8rem; height: .25rem; vertical-align: middle;
  margin-right: .3rem; }
figure.flame { margin: .6rem 0; }
.flame-tools { margin: .3rem 0; }
.flame-tools input { width: 22rem; max-width: 100%; font: inherit; }
.flame-tools .matched { color: var(--muted); }
figure.callgraph { margin: .6rem 0; background: #f5f7fa; border: 1px solid var(--line); padding: 8px; overflow-x: auto; }
figure.callgraph svg { display: block; max-width: 100%; height: auto; margin: 0 auto; }
svg.flame { display: block; max-width: 100%; height: auto; border: 1px solid var(--line); }
svg.flame .background { fill: #eceff1; }
svg.flame text { font: 12px monospace; fill: #000; }
svg.flame text.title { font: 15px system-ui, sans-serif; text-anchor: middle; }
svg.flame g { cursor: pointer; }
svg.flame g rect { stroke: #eceff1; stroke-width: .5; }
svg.flame g.ancestor rect { opacity: .55; }
svg.flame g.match rect { fill: #d11fd1; }
nav { margin: .8rem 0; }
nav a { margin-right: 1rem; }
@media print { details > summary { list-style: none; } .flame-tools { display: none; } }
"#;

/// Opens every collapsed section for printing, and makes the flame graphs zoom and search.
/// The pictures are complete without it.
const SCRIPT: &str = r#"window.addEventListener('beforeprint', function () {
  document.querySelectorAll('details').forEach(function (d) { d.open = true; });
});
document.querySelectorAll('figure.flame').forEach(function (figure) {
  var svg = figure.querySelector('svg');
  var frames = Array.prototype.slice.call(svg.querySelectorAll('g[data-w]'));
  var width = svg.viewBox.baseVal.width, side = SIDE, charWidth = CHAR_WIDTH;
  var total = +svg.getAttribute('data-total');
  function nameOf(g) {
    var title = g.querySelector('title').textContent;
    return title.slice(0, title.lastIndexOf(' ('));
  }
  function label(name, w) {
    var fits = Math.floor((w - 6) / charWidth);
    if (fits < 3) return '';
    return name.length <= fits ? name : name.slice(0, fits - 2) + '..';
  }
  // Zooming to a frame: its callees fill the width, its callers span it above, faded.
  function zoom(target) {
    var zx = +target.getAttribute('data-x'), zw = +target.getAttribute('data-w');
    var zd = +target.getAttribute('data-d');
    var scale = (width - 2 * side) / zw;
    frames.forEach(function (g) {
      var x = +g.getAttribute('data-x'), w = +g.getAttribute('data-w');
      var d = +g.getAttribute('data-d');
      var inside = d >= zd && x >= zx && x + w <= zx + zw;
      var above = d < zd && x <= zx && x + w >= zx + zw;
      g.style.display = inside || above ? '' : 'none';
      if (!inside && !above) return;
      var px = above ? side : side + (x - zx) * scale;
      var pw = above ? width - 2 * side : w * scale;
      var rect = g.querySelector('rect'), text = g.querySelector('text');
      rect.setAttribute('x', px.toFixed(2));
      rect.setAttribute('width', pw.toFixed(2));
      text.setAttribute('x', (px + 3).toFixed(2));
      text.textContent = label(nameOf(g), pw);
      g.classList.toggle('ancestor', above);
    });
  }
  svg.addEventListener('click', function (event) {
    var g = event.target.closest('g[data-w]');
    if (g) zoom(g);
  });
  var input = figure.querySelector('input'), matched = figure.querySelector('.matched');
  input.addEventListener('input', function () {
    var pattern = null;
    try {
      pattern = input.value ? new RegExp(input.value) : null;
    } catch (e) {
      matched.textContent = 'not a regular expression';
      return;
    }
    var spans = [];
    frames.forEach(function (g) {
      var hit = pattern !== null && pattern.test(nameOf(g));
      g.classList.toggle('match', hit);
      if (hit) spans.push([+g.getAttribute('data-x'), +g.getAttribute('data-w')]);
    });
    // A match inside a matched caller adds nothing: the share is the union of the spans.
    spans.sort(function (a, b) { return a[0] - b[0]; });
    var covered = 0, end = 0;
    spans.forEach(function (s) {
      var from = Math.max(s[0], end), to = s[0] + s[1];
      if (to > from) covered += to - from;
      end = Math.max(end, to);
    });
    matched.textContent = pattern === null ? '' : spans.length + ' frames, ' +
      (total > 0 ? (100 * covered / total).toFixed(1) : '0') + '% of the total';
  });
});
"#;

fn script() -> String {
    SCRIPT
        .replace("SIDE", &super::flame::SIDE.to_string())
        .replace("CHAR_WIDTH", &super::flame::CHAR_WIDTH.to_string())
}

pub fn render(p: &Postmortem) -> String {
    let mut out = String::with_capacity(64 * 1024);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str(&format!(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"{CONTENT_SECURITY_POLICY}\">\n"
    ));
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str(&format!(
        "<title>Leak report: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        html(&p.headline())
    ));
    out.push_str("<h1>Leak report</h1>\n");
    out.push_str(&format!(
        "<p class=\"meta\">{} checked, written by leakscope {}</p>\n",
        p.scope(),
        env!("CARGO_PKG_VERSION")
    ));
    processes(&mut out, p);
    verdict(&mut out, p);
    out.push_str("<nav>");
    if !p.findings.is_empty() {
        out.push_str("<a href=\"#findings\">Findings</a>");
    }
    for (n, s) in p.series.iter().enumerate() {
        out.push_str(&format!("<a href=\"#series-{n}\">{}</a>", s.title()));
    }
    out.push_str("<a href=\"#inputs\">Inputs</a><a href=\"#reproduce\">Reproduce</a></nav>\n");
    if !p.findings.is_empty() {
        out.push_str("<section id=\"findings\">\n<h2>Findings</h2>\n");
        for (n, f) in p.findings.iter().enumerate() {
            finding(&mut out, p, n, f);
        }
        out.push_str("</section>\n");
    }
    for (n, s) in p.series.iter().enumerate() {
        series(&mut out, p, n, s);
    }
    inputs(&mut out, p);
    out.push_str("<section id=\"reproduce\">\n<h2>Reproduce</h2>\n");
    out.push_str(
        "<p>The same report, the scan behind it, and where to look next:</p>\n<pre><code>",
    );
    for c in &p.reproduce {
        out.push_str(&html(c));
        out.push('\n');
    }
    out.push_str("</code></pre>\n</section>\n");
    out.push_str(&format!(
        "<script>\n{}</script>\n</body>\n</html>\n",
        script()
    ));
    out
}

/// The header: which process wrote each series, its runtime, how many inputs and when.
fn processes(out: &mut String, p: &Postmortem) {
    if p.processes.is_empty() {
        return;
    }
    out.push_str(
        "<table class=\"processes\">\n<tr><th>process</th><th>runtime</th><th>series</th>\
         <th class=\"num\">inputs</th><th>captured</th></tr>\n",
    );
    for row in &p.processes {
        out.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td></tr>\n",
            row.process
                .as_deref()
                .map(|p| format!("<code>{}</code>", html(p)))
                .unwrap_or_else(|| "not named in the files".into()),
            html(&row.runtime_text()),
            html(row.series),
            row.inputs,
            html(&row.window_text())
        ));
    }
    out.push_str("</table>\n");
}

fn verdict(out: &mut String, p: &Postmortem) {
    let class = if p.has_active_leak() {
        "verdict leak"
    } else if p.suspects() > 0 {
        "verdict suspect"
    } else {
        "verdict"
    };
    out.push_str(&format!(
        "<section id=\"verdict\" class=\"{class}\">\n<h2>{}</h2>\n",
        html(&p.headline())
    ));
    for line in &p.grouping {
        out.push_str(&format!("<p class=\"note\">{}</p>\n", html(line.trim())));
    }
    if !p.findings.is_empty() {
        out.push_str("<ul>\n");
        for (n, f) in p.findings.iter().enumerate() {
            out.push_str(&format!(
                "<li>{} {} <a href=\"#finding-{n}\">Evidence</a></li>\n",
                status_badge(f.status),
                html(&p.sentence(f))
            ));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
}

fn status_badge(status: Status) -> String {
    format!("<span class=\"status {0}\">{0}</span>", status.name())
}

/// Catalogue prose: paragraphs, with `code` spans as code.
fn prose(text: &str) -> String {
    crate::output::prose::prose(text, |t| format!("<code>{}</code>", html(t)), html)
        .iter()
        .map(|p| format!("<p>{p}</p>\n"))
        .collect()
}

fn finding(out: &mut String, p: &Postmortem, n: usize, f: &Finding) {
    out.push_str(&format!(
        "<article class=\"finding\" id=\"finding-{n}\">\n<h3>{} {}</h3>\n",
        status_badge(f.status),
        html(&f.title)
    ));
    out.push_str(&format!(
        "<p class=\"meta\"><code>{}</code> · fingerprint <code>{}</code></p>\n<p>{}</p>\n",
        html(&f.signature),
        html(&f.fingerprint),
        html(&p.sentence(f))
    ));
    let labels: Vec<String> = f.inputs.iter().map(|&i| p.label(i)).collect();
    // Lines that share the metric's unit go on one chart; classes count objects.
    let mut lines = vec![Line {
        name: &f.metric,
        values: &f.series,
    }];
    lines.extend(f.evidence.co_growing.iter().take(3).map(|s| Line {
        name: &s.name,
        values: &s.values,
    }));
    if f.series.len() > 1 {
        // The time axis: capture times where the files record them, else file names.
        let axis = p.axis_labels(&f.inputs);
        out.push_str(&chart::svg(
            &lines,
            &axis,
            &f.unit,
            &format!("{} over the snapshots", f.metric),
        ));
        out.push_str("<div class=\"legend\">");
        for (k, l) in lines.iter().enumerate() {
            let same = chart::same_as(&lines, k)
                .map(|earlier| format!(" (dashed: the same as {})", lines[earlier].name))
                .unwrap_or_default();
            out.push_str(&format!(
                "<span><i style=\"background:{}\"></i>{}{}</span>",
                chart::colour(k),
                html(l.name),
                html(&same)
            ));
        }
        out.push_str("</div>\n");
    }
    evidence_table(out, p, f, &labels);
    creators(out, f);
    code_sites(out, f);
    retainers(out, f);
    for note in Postmortem::notes(f) {
        out.push_str(&format!("<p>{}</p>\n", html(&note)));
    }
    out.push_str("<h4>Why it leaks</h4>\n");
    out.push_str(&prose(&f.explanation));
    out.push_str("<h4>Fix</h4>\n");
    out.push_str(&prose(&f.fix));
    if !f.references.is_empty() {
        out.push_str("<h4>References</h4>\n<ul>\n");
        for r in &f.references {
            match web_link(r) {
                Some(url) => out.push_str(&format!(
                    "<li><a href=\"{0}\" rel=\"noreferrer\">{0}</a></li>\n",
                    html(url)
                )),
                None => out.push_str(&format!("<li>{}</li>\n", html(r))),
            }
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</article>\n");
}

fn value_cells(values: &[i64], unit: &str) -> String {
    values
        .iter()
        .map(|&v| format!("<td class=\"num\">{}</td>", html(&format_value(v, unit))))
        .collect()
}

fn evidence_table(out: &mut String, p: &Postmortem, f: &Finding, labels: &[String]) {
    out.push_str("<table class=\"evidence\">\n<tr><th>evidence</th>");
    for (label, &i) in labels.iter().zip(&f.inputs) {
        let time = p.inputs[i]
            .time_nanos
            .map(|t| format!("<br><span class=\"meta\">{}</span>", html(&format_time(t))))
            .unwrap_or_default();
        out.push_str(&format!(
            "<th class=\"num\" title=\"{}\">{}{time}</th>",
            html(&p.inputs[i].path),
            html(label)
        ));
    }
    out.push_str("</tr>\n");
    out.push_str(&format!(
        "<tr><td><b>{}</b>{}</td>{}</tr>\n",
        html(&f.metric),
        html(metric_counts(f)),
        value_cells(&f.series, &f.unit)
    ));
    let e = &f.evidence;
    for s in e.stacks.iter().take(STACKS_PER_FINDING) {
        out.push_str(&format!(
            "<tr><td>{}</td>{}</tr>\n",
            stack_cell(s),
            value_cells(&s.values, &f.unit)
        ));
    }
    more_row(
        out,
        e.stacks.len(),
        STACKS_PER_FINDING,
        "matched stacks",
        labels.len(),
    );
    for s in &e.co_growing {
        out.push_str(&format!(
            "<tr><td>growing with them: {}</td>{}</tr>\n",
            html(&s.name),
            value_cells(&s.values, &f.unit)
        ));
    }
    for s in &e.classes {
        out.push_str(&format!(
            "<tr><td><code>{}</code> objects</td>{}</tr>\n",
            html(&s.name),
            value_cells(&s.values, "objects")
        ));
    }
    out.push_str("</table>\n");
}

fn more_row(out: &mut String, all: usize, shown: usize, what: &str, columns: usize) {
    if all > shown {
        out.push_str(&format!(
            "<tr><td colspan=\"{}\" class=\"note\">{} more {what} not shown</td></tr>\n",
            columns + 1,
            all - shown
        ));
    }
}

/// A matched stack: its leaf in the summary, every frame (leaf first) when opened.
fn stack_cell(s: &NamedSeries) -> String {
    if !s.name.contains(';') {
        return format!("<code>{}</code>", html(&s.name));
    }
    let frames = leaf_first(&s.name);
    let summary = stack_label(&frames).describe(|name| format!("<code>{}</code>", html(name)));
    let body: Vec<String> = frames.iter().map(|f| html(f)).collect();
    format!(
        "<details><summary>{summary} ({} frames)</summary><pre>{}</pre></details>",
        frames.len(),
        body.join("\n")
    )
}

fn creators(out: &mut String, f: &Finding) {
    let groups = &f.evidence.creators;
    if groups.is_empty() {
        return;
    }
    out.push_str(
        "<h4>Who created them (last dump)</h4>\n<table>\n<tr><th>created by</th>\
                  <th class=\"num\">goroutines</th><th class=\"num\">distinct creators</th>\
                  <th>busiest creators</th></tr>\n",
    );
    for c in groups.iter().take(CREATORS_PER_FINDING) {
        let busiest: Vec<String> = c
            .top_creators
            .iter()
            .map(|k| {
                let now = match &k.now_in {
                    Some(now) => format!("now in <code>{}</code>", html(short_function(now))),
                    None => "exited".into(),
                };
                format!("goroutine {} created {}, {now}", k.id, k.created)
            })
            .collect();
        let reading = creators_reading(c.distinct_creators);
        out.push_str(&format!(
            "<tr><td><code>{}</code></td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>\n",
            html(&c.function),
            c.goroutines,
            reading,
            busiest.join("<br>")
        ));
    }
    more_row(out, groups.len(), CREATORS_PER_FINDING, "creators", 3);
    out.push_str("</table>\n");
}

/// Where the program's own code is: the `go` statements, the first own frames, the
/// allocation sites, each with file and line.
fn code_sites(out: &mut String, f: &Finding) {
    let sites = &f.evidence.code;
    if sites.is_empty() {
        return;
    }
    out.push_str(
        "<h4>In the code (last snapshot)</h4>\n<table>\n<tr><th>where</th><th>function</th>\
         <th>file:line</th><th class=\"num\">value</th></tr>\n",
    );
    for site in sites {
        out.push_str(&format!(
            "<tr><td>{}{}</td><td><code>{}</code></td><td><code>{}</code></td><td class=\"num\">{}</td></tr>\n",
            html(site_role(site)),
            if site.own { "" } else { " (library)" },
            html(&site.function),
            html(&site_place(site)),
            html(&format_value(site.value, &f.unit))
        ));
    }
    out.push_str("</table>\n");
}

fn retainers(out: &mut String, f: &Finding) {
    let groups = &f.evidence.retainers;
    if groups.is_empty() {
        return;
    }
    out.push_str("<h4>Why they are alive: retainer paths from the GC roots (last snapshot)</h4>\n");
    for (k, g) in groups.iter().take(PATHS_PER_FINDING).enumerate() {
        let target = g.path.last().map(|s| s.node.as_str()).unwrap_or("");
        let lines: Vec<String> = path_lines(g).iter().map(|l| html(l)).collect();
        out.push_str(&format!(
            "<details{}><summary>{} × <code>{}</code>, retaining {} (e.g. @{}, path {})</summary><pre>{}</pre></details>\n",
            if k == 0 { " open" } else { "" },
            g.objects,
            html(target),
            format_bytes(g.retained as i64),
            g.example_id,
            html(&g.fingerprint),
            lines.join("\n")
        ));
    }
    if groups.len() > PATHS_PER_FINDING {
        out.push_str(&format!(
            "<p class=\"note\">{} more path shapes not shown</p>\n",
            groups.len() - PATHS_PER_FINDING
        ));
    }
}

fn series(out: &mut String, p: &Postmortem, n: usize, s: &SeriesSection) {
    let labels: Vec<String> = s.inputs.iter().map(|&i| p.label(i)).collect();
    out.push_str(&format!(
        "<section id=\"series-{n}\">\n<h2>{}: {}</h2>\n",
        s.title(),
        html(&labels.join(" → "))
    ));
    if let Some(flame) = &s.flame {
        out.push_str(&format!(
            "<h3>{}</h3>\n<p class=\"note\">{} Hover over a frame for its values; click it to zoom, click the top frame to zoom out.</p>\n",
            if flame.differential {
                "Differential flame graph, first against last"
            } else {
                "Flame graph"
            },
            if flame.differential {
                "Widths are the last snapshot; red frames grew since the first, blue shrank."
            } else {
                "Widths are the snapshot's values."
            }
        ));
        out.push_str(&flame_figure(&flame.svg));
        changes_table(out, flame);
    }
    if let Some(graph) = &s.graph {
        out.push_str(&format!(
            "<h3>Call graph of the change, first against last</h3>\n<p class=\"note\">Boxes \
             are functions, their text sized by the function's own change; arrows are calls, as \
             wide as the change that passed through them; red grew, blue shrank, grey barely \
             changed; a dotted arrow skips functions left out. <code>leakscope graph</code> draws it for \
             any two profiles. Laid out by {}.</p>\n<figure class=\"callgraph\">{}</figure>\n",
            html(&graph.by),
            graph.svg
        ));
    }
    if let Some(growth) = &s.growth {
        out.push_str("<h3>Constructors by growth</h3>\n");
        text_table(out, growth);
    }
    out.push_str(&format!(
        "<h3>Top of the last snapshot ({})</h3>\n",
        html(labels.last().map(String::as_str).unwrap_or(""))
    ));
    text_table(out, &s.top);
    out.push_str("</section>\n");
}

/// The flame graph with its search box; the page's script makes both work.
fn flame_figure(svg: &str) -> String {
    format!(
        "<figure class=\"flame\">\n<p class=\"flame-tools\"><input type=\"search\" \
         placeholder=\"Highlight frames (regular expression)\" aria-label=\"Highlight frames \
         matching a regular expression\"> <span class=\"matched\"></span></p>\n{svg}</figure>\n"
    )
}

fn changes_table(out: &mut String, flame: &super::FlameGraph) {
    if flame.changes.is_empty() {
        return;
    }
    let unit = flame.unit.as_str();
    out.push_str(&format!(
        "<h4>{}</h4>\n<table>\n<tr><th>stack (expand for its frames, leaf first)</th>",
        if flame.differential {
            "Stacks by growth, first against last (shrinking last)"
        } else {
            "Largest stacks"
        }
    ));
    if flame.differential {
        out.push_str("<th class=\"num\">first</th><th class=\"num\">last</th><th class=\"num\">change</th></tr>\n");
    } else {
        out.push_str("<th class=\"num\">value</th></tr>\n");
    }
    for c in &flame.changes {
        let cell = stack_cell(&NamedSeries {
            name: c.stack.clone(),
            values: Vec::new(),
        });
        if flame.differential {
            out.push_str(&format!(
                "<tr><td>{cell}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n",
                html(&format_value(c.before, unit)),
                html(&format_value(c.after, unit)),
                html(&format_delta(c.after - c.before, unit))
            ));
        } else {
            out.push_str(&format!(
                "<tr><td>{cell}</td><td class=\"num\">{}</td></tr>\n",
                html(&format_value(c.after, unit))
            ));
        }
    }
    if flame.change_count > flame.changes.len() {
        out.push_str(&format!(
            "<tr><td colspan=\"4\" class=\"note\">{} more stacks not shown</td></tr>\n",
            flame.change_count - flame.changes.len()
        ));
    }
    out.push_str("</table>\n");
}

/// A command's table: heading and notes as paragraphs; multi-line cells keep their first line
/// as the key and the rest as detail.
fn text_table(out: &mut String, t: &TextTable) {
    for line in &t.heading {
        out.push_str(&format!("<p class=\"meta\">{}</p>\n", html(line)));
    }
    out.push_str("<table>\n<tr>");
    for (k, h) in t.headers.iter().enumerate() {
        let class = if t.numeric.get(k) == Some(&true) {
            " class=\"num\""
        } else {
            ""
        };
        out.push_str(&format!("<th{class}>{}</th>", html(h)));
    }
    out.push_str("</tr>\n");
    for row in &t.rows {
        out.push_str("<tr>");
        for (k, cell) in row.iter().enumerate() {
            let numeric = t.numeric.get(k) == Some(&true);
            let (first, rest) = cell.split_once('\n').unwrap_or((cell, ""));
            let first = if numeric {
                html(first)
            } else {
                format!("<code>{}</code>", html(first))
            };
            let detail = if rest.is_empty() {
                String::new()
            } else {
                format!("<div class=\"detail\">{}</div>", html(rest))
            };
            let class = if numeric { " class=\"num\"" } else { "" };
            out.push_str(&format!("<td{class}>{first}{detail}</td>"));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
    for note in &t.notes {
        out.push_str(&format!("<p class=\"note\">{}</p>\n", html(note)));
    }
}

fn inputs(out: &mut String, p: &Postmortem) {
    out.push_str(
        "<section id=\"inputs\">\n<h2>Inputs</h2>\n<table>\n<tr><th></th><th>file</th>\
                  <th>format</th><th>runtime</th><th>profile</th><th>captured</th>\
                  <th class=\"num\">file size</th><th class=\"num\">decoded</th></tr>\n",
    );
    for (i, input) in p.inputs.iter().enumerate() {
        out.push_str(&format!(
            "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n",
            p.label(i),
            html(&input.path),
            html(input.format),
            html(input.runtime),
            html(input.kind),
            input
                .time_nanos
                .map(|t| html(&format_time(t)))
                .unwrap_or_else(|| "not recorded".into()),
            p.file_sizes[i]
                .map(|s| format_bytes(s as i64))
                .unwrap_or_default(),
            format_bytes(input.size as i64)
        ));
    }
    out.push_str("</table>\n");
    for (path, note) in p.input_notes() {
        out.push_str(&format!(
            "<p class=\"note\"><code>{}</code>: {}</p>\n",
            html(path),
            html(&note)
        ));
    }
    out.push_str("</section>\n");
}
