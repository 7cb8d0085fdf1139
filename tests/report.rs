//! `leakscope report`: postmortem reports of the real fixture series, in HTML and Markdown,
//! opened in headless Chromium; hostile profile strings that must stay text.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::browser::*;
use common::{fixture, path, run};
use pulldown_cmark::{Event, Options, Parser, Tag};

fn files(pattern: &str, names: &[&str]) -> Vec<String> {
    names
        .iter()
        .map(|n| path(&fixture(&pattern.replace("{}", n))).to_string())
        .collect()
}

/// One real series, what its report must say, and a row of its evidence table in Markdown.
struct Series {
    name: &'static str,
    files: Vec<String>,
    extra: Vec<String>,
    verdict: &'static str,
    signature: &'static str,
    markdown_row: &'static str,
}

fn series() -> Vec<Series> {
    let go = |dir: &str, iterations: &[&str], kinds: &[&str]| -> Vec<String> {
        kinds
            .iter()
            .flat_map(|kind| files(&format!("go/{dir}/{dir}-iter{{}}-{kind}"), iterations))
            .collect()
    };
    vec![
        Series {
            name: "go-conn-leak",
            files: go(
                "conn-leak",
                &["0000", "0050", "0100", "0200"],
                &["goroutine-debug2.txt", "heap.pb.gz"],
            ),
            extra: vec![],
            verdict: "Leak found",
            signature: "go.grpc.clientconn-not-closed",
            markdown_row: "| **goroutines** (the finding's metric) | 0 | 150 | 300 | 600 |",
        },
        Series {
            name: "go-stream-leak",
            files: go(
                "stream-leak",
                &["0000", "0025", "0050", "0100"],
                &["goroutine-debug0.pb.gz", "heap.pb.gz"],
            ),
            extra: vec![],
            verdict: "Leak found",
            signature: "go.grpc.client-stream-abandoned",
            markdown_row: "| **goroutines** (the finding's metric) | 0 | 25 | 50 | 100 |",
        },
        Series {
            name: "node-recreate",
            files: files(
                "node/recreate-default-i{}.heapsnapshot.gz",
                &["0010", "0060", "0160"],
            ),
            extra: vec![],
            verdict: "Leak found",
            signature: "node.grpcjs.client-not-closed",
            markdown_row: "| **objects** (the finding's metric) | 11 | 61 | 161 |",
        },
        Series {
            name: "node-stream",
            files: files(
                "node/stream-server-i{}.heapsnapshot.gz",
                &["0010", "0060", "0160"],
            ),
            extra: vec![],
            verdict: "Leak found",
            signature: "node.grpcjs.stream-not-ended",
            markdown_row: "| **objects** (the finding's metric) | 10 | 60 | 160 |",
        },
        Series {
            name: "rust-channel",
            files: files("rust/channel-leak-i{}.heap", &["0010", "0050", "0100"]),
            extra: vec![
                "--binary".into(),
                path(&fixture("rust/leaklab")).to_string(),
            ],
            verdict: "Leak found",
            signature: "rust.tonic.channel-not-dropped",
            markdown_row: "| **inuse\\_space** (the finding's metric) |",
        },
        Series {
            name: "rust-stream",
            files: files("rust/stream-leak-i{}.pb.gz", &["0020", "0100", "0200"]),
            extra: vec![
                "--binary".into(),
                path(&fixture("rust/leaklab")).to_string(),
            ],
            verdict: "Leak found",
            signature: "rust.tonic.stream-not-dropped",
            markdown_row: "| **inuse\\_space** (the finding's metric) |",
        },
        Series {
            name: "go-healthy",
            files: go(
                "healthy",
                &["0000", "0050", "0100", "0200"],
                &["goroutine-debug0.pb.gz", "heap.pb.gz"],
            ),
            extra: vec![],
            verdict: "No leak found",
            signature: "",
            markdown_row: "",
        },
    ]
}

/// Runs `report` writing `NAME.html` and `NAME.md` into `dir`; returns both texts.
fn report(dir: &Path, name: &str, files: &[String], extra: &[String]) -> (String, String) {
    let html = dir.join(format!("{name}.html"));
    let md = dir.join(format!("{name}.md"));
    let mut args: Vec<&str> = vec!["report"];
    args.extend(files.iter().map(String::as_str));
    args.extend(extra.iter().map(String::as_str));
    args.extend(["-o", path(&html), "-o", path(&md)]);
    let out = run(&args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        std::fs::read_to_string(&html).unwrap(),
        std::fs::read_to_string(&md).unwrap(),
    )
}

/// The text of a Markdown document as GitHub renders it, and its tables' count; panics on raw
/// HTML other than the collapsible sections and line breaks the report writes, and on links
/// that are not plain web addresses.
fn markdown_text(md: &str) -> (String, usize) {
    let mut text = String::new();
    let mut tables = 0;
    for event in Parser::new_ext(md, Options::ENABLE_TABLES) {
        match event {
            Event::Text(t) | Event::Code(t) => {
                text.push_str(&t);
                text.push(' ');
            }
            Event::Start(Tag::Table(_)) => tables += 1,
            Event::Start(Tag::Link { dest_url, .. }) => assert!(
                dest_url.starts_with("https://") || dest_url.starts_with("http://"),
                "a link to {dest_url}"
            ),
            Event::Start(Tag::Image { dest_url, .. }) => panic!("an image: {dest_url}"),
            Event::Html(h) | Event::InlineHtml(h) => {
                let h = h.trim();
                let allowed = h == "<br>"
                    || h == "</details>"
                    || (h.starts_with("<details><summary>")
                        && h.ends_with("</summary>")
                        && !h["<details><summary>".len()..h.len() - "</summary>".len()]
                            .contains(['<', '>']));
                assert!(allowed, "raw HTML in the Markdown report: {h}");
                text.push_str(h);
            }
            _ => {}
        }
    }
    (text, tables)
}

/// The flame graphs: the `<svg class="flame">` elements of the page.
fn flame_graphs(html: &str) -> Vec<String> {
    html.split("<svg class=\"flame\"")
        .skip(1)
        .map(|rest| {
            format!(
                "<svg class=\"flame\"{}",
                &rest[..rest.find("</svg>").unwrap() + 6]
            )
        })
        .collect()
}

/// Event handler attributes (`on...=`) in the tags of a document, scripts' contents left out.
fn event_handlers(document: &str) -> Vec<String> {
    let mut markup = String::new();
    let mut rest = document;
    while let Some(start) = rest.find("<script") {
        markup.push_str(&rest[..start]);
        rest = rest[start..]
            .find("</script>")
            .map_or("", |end| &rest[start + end..]);
    }
    markup.push_str(rest);
    let mut handlers = Vec::new();
    for tag in markup.split('<').skip(1) {
        let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
        // Attribute values are text (a tooltip may quote a hostile name): only names count.
        let mut names = String::new();
        let mut quote = None;
        for c in tag.chars() {
            match quote {
                Some(q) if c == q => quote = None,
                Some(_) => {}
                None if c == '"' || c == '\'' => quote = Some(c),
                None => names.push(c),
            }
        }
        for attribute in names.split_whitespace().skip(1) {
            if attribute.to_ascii_lowercase().starts_with("on") && attribute.contains('=') {
                handlers.push(attribute.to_string());
            }
        }
    }
    handlers
}

/// Markup that runs or loads something, outside what the report itself writes.
fn assert_no_executable_markup(html: &str) {
    let lower = html.to_ascii_lowercase();
    assert_eq!(
        lower.matches("<script").count(),
        1,
        "one script, the report's own"
    );
    for forbidden in [
        "<img",
        "<iframe src",
        "<object",
        "<embed",
        "<a href=\"javascript",
        "<link",
    ] {
        assert!(!lower.contains(forbidden), "{forbidden} in the page");
    }
    for href in lower.split("href=\"").skip(1) {
        assert!(
            href.starts_with('#') || href.starts_with("https://") || href.starts_with("http://"),
            "a link to {}",
            &href[..href.find('"').unwrap_or(href.len())]
        );
    }
    assert_eq!(event_handlers(html), Vec::<String>::new());
    for svg in flame_graphs(html) {
        // Drawn complete: nothing in the picture runs.
        assert!(!svg.to_ascii_lowercase().contains("<script"));
        assert!(!svg.to_ascii_lowercase().contains("<foreignobject"));
        assert_eq!(event_handlers(&svg), Vec::<String>::new());
    }
}

#[test]
fn reports_of_the_real_series_carry_verdict_and_evidence_in_html_and_markdown() {
    let dir = report_dir();
    for s in series() {
        let (html, md) = report(&dir, s.name, &s.files, &s.extra);
        assert!(html.contains(s.verdict), "{}: verdict in HTML", s.name);
        assert!(html.contains(s.signature), "{}", s.name);
        assert_no_executable_markup(&html);
        let (text, tables) = markdown_text(&md);
        assert!(
            md.contains(&format!("## Verdict: {}", s.verdict)),
            "{}: verdict in Markdown",
            s.name
        );
        assert!(text.contains(s.signature), "{}", s.name);
        assert!(
            md.contains(s.markdown_row),
            "{}: {}",
            s.name,
            s.markdown_row
        );
        // Evidence (when there is a finding), the top table of each series, the inputs.
        assert!(tables >= 2, "{}: {tables} tables", s.name);
        assert!(html.contains("id=\"inputs\"") && html.contains("id=\"reproduce\""));
        if s.verdict == "No leak found" {
            assert!(!html.contains("id=\"findings\""), "{}", s.name);
            assert!(!md.contains("## Findings"));
        } else {
            assert!(
                html.contains("<svg class=\"chart\""),
                "{}: growth chart",
                s.name
            );
            assert!(html.contains("Why it leaks") && html.contains("<h4>Fix</h4>"));
            assert!(md.contains("#### Fix"));
        }
        // The reproduce commands repeat the options that change what is read.
        if !s.extra.is_empty() {
            assert!(md.contains(&format!(
                "leakscope scan {} {}",
                s.files.join(" "),
                s.extra.join(" ")
            )));
        }
        let stack_profiles = !s.name.starts_with("node");
        assert_eq!(
            !flame_graphs(&html).is_empty(),
            stack_profiles,
            "{}: flame graphs for stack profiles only",
            s.name
        );
    }
}

#[test]
fn go_reports_say_who_created_the_goroutines_and_how_to_reproduce() {
    let dir = report_dir();
    let s = &series()[0];
    let (html, md) = report(&dir, "go-conn-leak-detail", &s.files, &s.extra);
    assert!(html.contains("Who created them"));
    assert!(html.contains("grpcsync.NewCallbackSerializer"));
    assert!(md.contains("1 (one loop)"));
    // The differential flame graph shows the serializer goroutines that grew.
    let flames = flame_graphs(&html);
    assert_eq!(flames.len(), 2, "goroutine and heap profiles");
    assert!(flames[0].contains("grpcsync.(*CallbackSerializer).run (600 goroutines"));
    // Reproduce: the scan and the diff of first and last, with the files as given.
    let first = &s.files[0];
    let last = &s.files[3];
    assert!(
        md.contains(&format!("leakscope diff {first} {last}")),
        "{md}"
    );
    assert!(md.contains("leakscope scan "));
}

#[test]
fn node_reports_show_the_retainer_paths() {
    let dir = report_dir();
    let s = &series()[2];
    let (html, md) = report(&dir, "node-recreate-detail", &s.files, &s.extra);
    assert!(html.contains("retainer paths from the GC roots"));
    assert!(html.contains("InternalChannel"));
    assert!(
        md.contains("→ InternalChannel"),
        "path steps in a code block"
    );
    assert!(md.contains("leakscope retainers "));
}

// ---- hostile profile strings ----

const HOSTILE: [&str; 5] = [
    "</script><script>alert(1)</script>",
    "<img src=x onerror=alert`1`>",
    "]]><script>alert(2)</script>",
    "[click](javascript:alert(3))",
    "``` `x` <b onmouseover=alert(4)>",
];

/// A full goroutine dump with `n` goroutines parked in functions named with hostile strings.
fn hostile_goroutine_dump(n: usize) -> String {
    let mut out = String::from("goroutine 1 [running]:\nmain.main()\n\t/src/main.go:10 +0x1d\n\n");
    for g in 0..n {
        out.push_str(&format!(
            "goroutine {} [chan receive, 5 minutes]:\n",
            g + 10
        ));
        for (k, name) in HOSTILE.iter().enumerate() {
            out.push_str(&format!(
                "main.{name}(0xc000012345)\n\t/src/{name}/{k}.go:12 +0x1d\n"
            ));
        }
        out.push_str(&format!(
            "created by main.{} in goroutine 1\n\t/src/{}.go:5 +0x2\n\n",
            HOSTILE[3], HOSTILE[1]
        ));
    }
    out
}

/// A V8 heap snapshot: the root holds one object whose properties (named with hostile strings)
/// hold `n` objects of a class with a hostile name.
fn hostile_snapshot(n: usize) -> String {
    let strings: Vec<String> = [
        "",
        "(GC roots)",
        HOSTILE[0],
        HOSTILE[1],
        HOSTILE[2],
        HOSTILE[3],
        HOSTILE[4],
        "Leak</script><script>alert(5)</script>",
    ]
    .iter()
    .map(|s| serde_json::to_string(s).unwrap())
    .collect();
    const FIELDS: usize = 7;
    // node: type, name, id, self_size, edge_count, trace_node_id, detachedness
    let mut nodes = vec![
        format!("9,0,1,0,1,0,0"),      // synthetic root
        format!("3,2,3,32,{},0,0", n), // holder object named with a hostile string
    ];
    for i in 0..n {
        nodes.push(format!("3,7,{},64,0,0,0", 5 + 2 * i));
    }
    // edge: type, name_or_index, to_node (a node's index times the field count)
    let mut edges = vec![format!("2,3,{}", FIELDS)]; // root -property(img)-> holder
    for i in 0..n {
        edges.push(format!("2,{},{}", 4 + i % 3, (2 + i) * FIELDS));
    }
    format!(
        "{{\"snapshot\":{{\"meta\":{{\"node_fields\":[\"type\",\"name\",\"id\",\"self_size\",\"edge_count\",\"trace_node_id\",\"detachedness\"],\
         \"node_types\":[[\"hidden\",\"array\",\"string\",\"object\",\"code\",\"closure\",\"regexp\",\"number\",\"native\",\"synthetic\",\"concatenated string\",\"sliced string\",\"symbol\",\"bigint\",\"object shape\"],\"string\",\"number\",\"number\",\"number\",\"number\",\"number\"],\
         \"edge_fields\":[\"type\",\"name_or_index\",\"to_node\"],\
         \"edge_types\":[[\"context\",\"element\",\"property\",\"internal\",\"hidden\",\"shortcut\",\"weak\"],\"string_or_number\",\"node\"],\
         \"location_fields\":[\"object_index\",\"script_id\",\"line\",\"column\"]}},\"node_count\":{},\"edge_count\":{},\"trace_function_count\":0}},\
         \"nodes\":[{}],\"edges\":[{}],\"trace_function_infos\":[],\"trace_tree\":[],\"samples\":[],\"locations\":[],\"strings\":[{}]}}",
        nodes.len(),
        edges.len(),
        nodes.join(","),
        edges.join(","),
        strings.join(",")
    )
}

#[test]
fn hostile_profile_strings_stay_text_in_html_svg_and_markdown() {
    let dir = report_dir().join("hostile");
    std::fs::create_dir_all(&dir).unwrap();
    let mut inputs = Vec::new();
    for (k, n) in [1usize, 40, 80, 120].iter().enumerate() {
        let dump = dir.join(format!("hostile-{k}.txt"));
        std::fs::write(&dump, hostile_goroutine_dump(*n)).unwrap();
        inputs.push(path(&dump).to_string());
    }
    for (k, n) in [10usize, 60, 110, 160].iter().enumerate() {
        let snapshot = dir.join(format!("hostile-{k}.heapsnapshot"));
        std::fs::write(&snapshot, hostile_snapshot(*n)).unwrap();
        inputs.push(path(&snapshot).to_string());
    }
    let (html, md) = report(&dir, "hostile", &inputs, &[]);
    // The strings are in the report (escaped), so the checks below are not vacuous.
    assert!(html.contains("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("&lt;img src=x onerror=alert`1`&gt;"));
    assert!(html.contains("Leak&lt;/script&gt;&lt;script&gt;alert(5)&lt;/script&gt;"));
    assert!(
        html.contains("retainer paths"),
        "the snapshot finding has its paths"
    );
    let flames = flame_graphs(&html);
    assert_eq!(flames.len(), 1);
    assert!(flames[0].contains("]]&gt;&lt;script&gt;alert(2)&lt;/script&gt;"));
    assert_no_executable_markup(&html);

    let (text, _) = markdown_text(&md);
    assert!(text.contains("alert(1)") && text.contains("alert(5)"));
    assert!(
        text.contains("[click](javascript:alert(3))"),
        "link syntax shown as text"
    );
    assert!(text.contains(HOSTILE[4]), "backticks kept literally");

    let (screenshot, console) = open_in_chromium(&dir.join("hostile.html"));
    if let Some(png) = screenshot {
        assert!(console.is_empty(), "console: {console:?}");
        Screenshot::read(&png).assert_not_blank("hostile");
    }
}

#[test]
fn report_names_format_by_extension_and_writes_nothing_on_bad_input() {
    let dir = report_dir().join("errors");
    std::fs::create_dir_all(&dir).unwrap();
    let good = files(
        "go/healthy/healthy-iter{}-goroutine-debug0.pb.gz",
        &["0000"],
    );
    let txt = dir.join("report.txt");
    let out = run(&["report", &good[0], "-o", path(&txt)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains(".html or .md"));
    assert!(!txt.exists());

    let html = dir.join("report.html");
    let bad = path(&fixture("go/MANIFEST.md")).to_string();
    common::expect_input_error(
        &["report", &good[0], &bad, "-o", path(&html)],
        "MANIFEST.md",
    );
    assert!(!html.exists(), "no report from bad input");

    // An input is never overwritten, even one named like a report.
    let input_named_md = dir.join("dump.md");
    std::fs::copy(
        fixture("go/conn-leak/conn-leak-iter0000-goroutine-debug1.txt"),
        &input_named_md,
    )
    .unwrap();
    let before = std::fs::read(&input_named_md).unwrap();
    let out = run(&["report", path(&input_named_md), "-o", path(&input_named_md)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is one of the inputs"));
    assert_eq!(std::fs::read(&input_named_md).unwrap(), before);

    let missing = dir.join("no/such/dir/report.html");
    let out = run(&["report", &good[0], "-o", path(&missing)]);
    assert_eq!(out.status.code(), Some(2));
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

// ---- headless Chromium ----

fn report_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("reports");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Every flame graph and chart of the page is in the screenshot, and drawn in: a picture that
/// did not paint leaves its box blank, or no box at all.
fn assert_pictures_painted(name: &str, html: &str, shot: &Screenshot) {
    for (kind, background, count, least) in [
        (
            "flame graph",
            FLAME_BACKGROUND,
            html.matches("<svg class=\"flame\"").count(),
            0.10,
        ),
        (
            "chart",
            CHART_BACKGROUND,
            html.matches("<svg class=\"chart\"").count(),
            0.02,
        ),
        (
            "call graph",
            CALL_GRAPH_BACKGROUND,
            html.matches("<figure class=\"callgraph\">").count(),
            0.05,
        ),
    ] {
        let boxes = shot.boxes(background);
        assert_eq!(
            boxes.len(),
            count,
            "{name}: {kind}s in the screenshot: {boxes:?}"
        );
        for b in boxes {
            let painted = shot.painted(b, background);
            assert!(
                painted >= least,
                "{name}: the {kind} at {b:?} is blank ({:.1}% drawn)",
                painted * 100.0
            );
        }
    }
}

#[test]
fn every_report_opens_in_chromium_without_console_errors() {
    let dir = report_dir().join("browser");
    std::fs::create_dir_all(&dir).unwrap();
    for s in series() {
        report(&dir, s.name, &s.files, &s.extra);
        let (screenshot, console) = open_in_chromium(&dir.join(format!("{}.html", s.name)));
        let Some(png) = screenshot else {
            return;
        };
        assert!(console.is_empty(), "{}: console: {console:?}", s.name);
        let shot = Screenshot::read(&png);
        shot.assert_not_blank(s.name);
        let html = std::fs::read_to_string(dir.join(format!("{}.html", s.name))).unwrap();
        assert_pictures_painted(s.name, &html, &shot);
    }
}

/// A full goroutine dump with `per_stack` goroutines in each of `stacks` distinct stacks.
fn wide_goroutine_dump(stacks: usize, per_stack: usize) -> String {
    let mut out = String::from("goroutine 1 [running]:\nmain.main()\n\t/src/main.go:10 +0x1d\n\n");
    let mut id = 10;
    for s in 0..stacks {
        for _ in 0..per_stack {
            out.push_str(&format!(
                "goroutine {id} [select]:\nmain.wait{s}()\n\t/src/wait.go:{s} +0x1d\n\
                 main.serve{}()\n\t/src/serve.go:7 +0x2\ncreated by main.main in goroutine 1\n\
                 \t/src/main.go:5 +0x2\n\n",
                s % 50
            ));
            id += 1;
        }
    }
    out
}

#[test]
fn large_inputs_are_cut_with_counts_and_the_page_stays_small() {
    let dir = report_dir().join("wide");
    std::fs::create_dir_all(&dir).unwrap();
    let inputs: Vec<String> = (1..=3)
        .map(|k| {
            let dump = dir.join(format!("wide-{k}.txt"));
            std::fs::write(&dump, wide_goroutine_dump(2000, k)).unwrap();
            path(&dump).to_string()
        })
        .collect();
    let (html, md) = report(&dir, "wide", &inputs, &[]);
    // 2,000 growing stacks: the top table, the changed stacks and the findings are cut, and say
    // by how much.
    assert!(html.contains("more rows not shown"), "top table cut");
    assert!(
        html.contains("1985 more stacks not shown"),
        "changed stacks cut"
    );
    assert!(md.contains("1985 more stacks not shown."));
    assert!(html.len() < 3 << 20, "{} bytes", html.len());
    assert!(md.len() < 1 << 20, "{} bytes", md.len());
}

#[test]
fn a_leak_that_went_back_down_is_not_reported_as_active() {
    let dir = report_dir().join("receding");
    std::fs::create_dir_all(&dir).unwrap();
    // debug=1 dumps carry no clock: the command line's order stands (and the report says so).
    let files = files(
        "go/conn-leak/conn-leak-iter{}-goroutine-debug1.txt",
        &["0000", "0200", "0100"],
    );
    let (html, md) = report(&dir, "receding", &files, &[]);
    assert!(md.contains("## Verdict: No active leak"), "{md}");
    assert!(md.contains("in the order of the command line"), "{md}");
    assert!(md.contains("- **RECEDING** grpc-go ClientConn created and never closed"));
    assert!(
        html.contains("<section id=\"verdict\" class=\"verdict\">"),
        "not red"
    );
    assert!(md.contains("| **goroutines** (the finding's metric) | 0 | 600 | 300 |"));
}

/// The page's script zooms and searches the flame graphs: a script added to a copy of the page
/// clicks a frame, types a pattern (and a broken one), clicks the root, and writes what it saw
/// into the DOM, which headless Chromium prints.
#[test]
fn flame_graphs_zoom_and_search_in_chromium() {
    let Some(browser) = chromium() else {
        if std::env::var_os("LEAKSCOPE_REQUIRE_CHROMIUM").is_some() {
            panic!("chromium is not installed and LEAKSCOPE_REQUIRE_CHROMIUM is set");
        }
        eprintln!("skipping the browser check: chromium is not installed");
        return;
    };
    let dir = report_dir().join("interactive");
    std::fs::create_dir_all(&dir).unwrap();
    let s = &series()[0];
    let (html, _) = report(&dir, "go-conn-leak", &s.files, &s.extra);
    let probe = r#"<script>
var out = [];
var svg = document.querySelector('figure.flame svg');
var frames = Array.prototype.slice.call(svg.querySelectorAll('g[data-w]'));
function visible() { return frames.filter(function (g) { return g.style.display !== 'none'; }).length; }
var target = frames.filter(function (g) {
  return g.querySelector('title').textContent.indexOf('grpcsync.(*CallbackSerializer).run (') === 0;
})[0];
target.querySelector('rect').dispatchEvent(new MouseEvent('click', {bubbles: true}));
out.push('zoomed=' + target.querySelector('rect').getAttribute('width'));
out.push('visible=' + visible());
var input = document.querySelector('figure.flame input');
input.value = 'CallbackSerializer'; input.dispatchEvent(new Event('input'));
out.push('matched=' + document.querySelector('figure.flame .matched').textContent);
input.value = '('; input.dispatchEvent(new Event('input'));
out.push('broken=' + document.querySelector('figure.flame .matched').textContent);
frames[0].querySelector('rect').dispatchEvent(new MouseEvent('click', {bubbles: true}));
out.push('reset=' + (visible() === frames.length));
document.body.setAttribute('data-probe', out.join(';'));
</script></body>"#;
    let page = dir.join("probe.html");
    std::fs::write(&page, html.replace("</body>", probe)).unwrap();
    let output = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--dump-dom",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.join("chromium-profile").display()
        ))
        .arg(format!("file://{}", page.canonicalize().unwrap().display()))
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&output.stdout);
    let probe = dom
        .split("data-probe=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("the probe did not run: {dom:.2000}"));
    let seen: Vec<&str> = probe.split(';').collect();
    // The frame fills the width between the margins, with only the root above it.
    assert_eq!(seen[0], "zoomed=1100.00", "{probe}");
    assert_eq!(seen[1], "visible=2", "{probe}");
    // 600 of the last dump's goroutines wait in the serializer.
    assert!(seen[2].starts_with("matched=1 frames, "), "{probe}");
    assert_eq!(seen[3], "broken=not a regular expression", "{probe}");
    assert_eq!(seen[4], "reset=true", "{probe}");
}
