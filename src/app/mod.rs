//! Runs each subcommand: read the inputs, analyse, render. Returns the text to print.

use std::path::{Path, PathBuf};

use crate::analysis::heap_classes::{is_specific_class, Classes};
use crate::analysis::retention::{
    path_groups, retained_together, ClassKey, RetainerTree, Retention,
};
use crate::analysis::snapshot_diff::{class_series, compare, leak_rows, leaked_since, Analysed};
use crate::analysis::{self, aggregate::resolve_sample_index, GroupBy, KeyOptions, Measure};
use crate::cli::{
    CheckArgs, CheckFormat, Command, DiffArgs, InputArgs, OutputArgs, ReportArgs,
    RetainersArgs, RulesArgs, ScanArgs, SignaturesAction, SignaturesArgs, TopArgs,
};
use crate::error::{Error, Result};
use crate::formats::{self, Contents, Input, ReadOptions};
use crate::model::{HeapGraph, PathGroup, Profile};
use crate::gate::{Date, Policy, Verdict, DEFAULT_POLICY};
use crate::output::report::{self, Invocation, Postmortem};
use crate::output::{self, views, Format, Style};
use crate::output::schema::{
    CheckReport, DiffReport, HeapDiffReport, HeapSeriesReport, HeapTopReport, HeapTotals,
    InputInfo, JudgedFinding, LeaksSince, RetainersReport, ScanReport, SeriesReport, TopReport,
    SCHEMA,
};
use crate::detect::{self, Catalogue};

/// What a command prints and the exit code it asks for.
#[derive(Debug)]
pub struct Outcome {
    pub text: String,
    /// `scan` found a leak that is growing or proven: exit code 1.
    pub leak_found: bool,
}

pub fn run(command: &Command) -> Result<Outcome> {
    let text = match command {
        Command::Top(args) => top(args)?,
        Command::Diff(args) => diff(args)?,
        Command::Retainers(args) => retainers(args)?,
        Command::Scan(args) => return scan(args),
        Command::Check(args) => return check(args),
        Command::Report(args) => report(args)?,
        Command::Signatures(args) => signatures(args)?,
    };
    Ok(Outcome {
        text,
        leak_found: false,
    })
}

fn style(output: &OutputArgs) -> Style {
    Style {
        format: output.format,
        wide: output.wide,
        full_names: output.full_names,
    }
}

/// JSON, or the view's table in the chosen text format.
fn emit<R: serde::Serialize>(
    report: &R,
    output: &OutputArgs,
    view: impl Fn(&R, &Style) -> output::TextTable,
) -> String {
    let style = style(output);
    if output.format == Format::Json {
        output::json(report)
    } else {
        output::render(&view(report, &style), &style)
    }
}

fn is_json(output: &OutputArgs) -> bool {
    output.format == Format::Json
}

/// Reads inputs in parallel (two cores make a diff of two large inputs twice as fast).
pub fn read_all(paths: &[PathBuf], options: &ReadOptions) -> Result<Vec<Input>> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = paths
            .iter()
            .map(|path| scope.spawn(move || formats::read(path, options)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("reader threads do not panic"))
            .collect()
    })
}

/// The grouping for stack profiles: `function` unless asked otherwise.
fn stack_grouping(by: Option<GroupBy>) -> Result<GroupBy> {
    match by {
        Some(b) if b.for_heap_snapshots() => Err(Error::Usage(format!(
            "--by {} applies to heap snapshots; profiles group by function, stack or labels",
            b.name()
        ))),
        other => Ok(other.unwrap_or(GroupBy::Function)),
    }
}

/// The grouping for heap snapshots: `constructor` unless asked otherwise.
fn heap_grouping(by: Option<GroupBy>) -> Result<(GroupBy, ClassKey)> {
    match by.unwrap_or(GroupBy::Constructor) {
        GroupBy::Constructor => Ok((GroupBy::Constructor, ClassKey::Constructor)),
        GroupBy::Type => Ok((GroupBy::Type, ClassKey::Type)),
        other => Err(Error::Usage(format!(
            "--by {} applies to stack profiles; heap snapshots group by constructor or type",
            other.name()
        ))),
    }
}

fn top(args: &TopArgs) -> Result<String> {
    let input = formats::read(&args.file, &args.input.options())?;
    match &input.contents {
        Contents::Stacks(profile) => stack_top(args, &input, profile),
        Contents::Heap(graph) => heap_top(args, &input, graph),
    }
}

fn stack_top(args: &TopArgs, input: &Input, profile: &Profile) -> Result<String> {
    let by = stack_grouping(args.by)?;
    let index = resolve_sample_index(profile, args.sample.sample_index.as_deref())
        .map_err(|m| Error::Usage(format!("{}: {m}", args.file.display())))?;
    let mut aggregate = analysis::aggregate(profile, index, by, &args.keys.options());
    if args.sort == Measure::Cum {
        aggregate.rows.sort_by(|a, b| {
            b.cum
                .cmp(&a.cum)
                .then(b.flat.cmp(&a.flat))
                .then_with(|| a.key.cmp(&b.key))
        });
    }
    let mut report = TopReport::new(InputInfo::of(input), by, aggregate);
    views::limit(&mut report.rows, args.output.rows, is_json(&args.output));
    Ok(emit(&report, &args.output, views::top))
}

fn heap_top(args: &TopArgs, input: &Input, graph: &HeapGraph) -> Result<String> {
    let (by, key) = heap_grouping(args.by)?;
    let mut report = HeapTopReport::new(InputInfo::of(input), graph, by, key);
    views::limit(&mut report.rows, args.output.rows, is_json(&args.output));
    Ok(emit(&report, &args.output, views::heap_top))
}

fn diff(args: &DiffArgs) -> Result<String> {
    let inputs = read_all(&args.files, &args.input.options())?;
    let heaps: Vec<&HeapGraph> = inputs.iter().filter_map(Input::heap).collect();
    if heaps.len() == inputs.len() {
        return heap_diff(args, &inputs, &heaps);
    }
    if !heaps.is_empty() {
        return Err(Error::Usage(
            "cannot compare heap snapshots with stack profiles: give files of one kind".into(),
        ));
    }
    if args.leaks_since.is_some() {
        return Err(Error::Usage(
            "--leaks-since applies to heap snapshots".into(),
        ));
    }
    stack_diff(args, &inputs)
}

fn stack_diff(args: &DiffArgs, inputs: &[Input]) -> Result<String> {
    let by = stack_grouping(args.by)?;
    let profiles: Vec<&Profile> = inputs.iter().filter_map(Input::profile).collect();
    let first_kind = profiles[0].kind;
    for (input, profile) in inputs.iter().zip(&profiles).skip(1) {
        if profile.kind.counts_goroutines() != first_kind.counts_goroutines() {
            return Err(Error::Usage(format!(
                "cannot compare {} ({} profile) with {} ({} profile)",
                inputs[0].path.display(),
                first_kind.name(),
                input.path.display(),
                profile.kind.name()
            )));
        }
    }
    let measure = args.measure.unwrap_or(Measure::default_for(first_kind));
    let aggregates = aggregates(
        inputs,
        &profiles,
        args.sample.sample_index.as_deref(),
        by,
        &args.keys.options(),
    )?;
    let infos: Vec<InputInfo> = inputs.iter().map(InputInfo::of).collect();
    let json = is_json(&args.output);
    if aggregates.len() == 2 {
        let mut report = DiffReport::new(
            infos,
            by,
            analysis::diff(&aggregates[0], &aggregates[1], measure),
        );
        views::limit(&mut report.rows, args.output.rows, json);
        Ok(emit(&report, &args.output, views::diff))
    } else {
        let mut report = SeriesReport::new(infos, by, analysis::series(&aggregates, measure));
        views::limit(&mut report.rows, args.output.rows, json);
        Ok(emit(&report, &args.output, views::series))
    }
}

/// Groups every input on the same sample type (by name, so a debug=2 dump and a pprof
/// goroutine profile compare as `goroutine`).
fn aggregates(
    inputs: &[Input],
    profiles: &[&Profile],
    sample_index: Option<&str>,
    by: GroupBy,
    options: &KeyOptions,
) -> Result<Vec<analysis::Aggregate>> {
    let first = profiles[0];
    let index = resolve_sample_index(first, sample_index)
        .map_err(|m| Error::Usage(format!("{}: {m}", inputs[0].path.display())))?;
    let name = first.sample_types[index].name.clone();
    inputs
        .iter()
        .zip(profiles)
        .map(|(input, p)| {
            let i = if p.kind.counts_goroutines() {
                // goroutine and goroutineleak profiles have one sample type each.
                0
            } else {
                p.sample_index(&name).ok_or_else(|| {
                    Error::Usage(format!(
                        "{} has no sample type `{name}` to compare",
                        input.path.display()
                    ))
                })?
            };
            Ok(analysis::aggregate(p, i, by, options))
        })
        .collect()
}

/// Retention and classes of every snapshot, in parallel.
fn analyse(heaps: &[&HeapGraph], key: ClassKey) -> Vec<(Retention, Classes)> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = heaps
            .iter()
            .map(|&g| scope.spawn(move || (Retention::compute(g), key.classes(g))))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("retention threads do not panic"))
            .collect()
    })
}

fn heap_diff(args: &DiffArgs, inputs: &[Input], heaps: &[&HeapGraph]) -> Result<String> {
    let (by, key) = heap_grouping(args.by)?;
    if args.sample.sample_index.is_some() {
        return Err(Error::Usage(
            "--sample-index applies to stack profiles".into(),
        ));
    }
    let results = analyse(heaps, key);
    let analysed: Vec<Analysed> = heaps
        .iter()
        .zip(&results)
        .map(|(&graph, (retention, classes))| Analysed {
            graph,
            retention,
            classes,
        })
        .collect();
    let infos: Vec<InputInfo> = inputs.iter().map(InputInfo::of).collect();
    let json = is_json(&args.output);
    if heaps.len() == 2 {
        if args.leaks_since.is_some() {
            return Err(Error::Usage(
                "--leaks-since needs three snapshots: baseline, target and last".into(),
            ));
        }
        let (rows, new_objects) = compare(&analysed[0], &analysed[1], args.new_objects);
        let mut report = HeapDiffReport {
            schema: SCHEMA,
            inputs: infos,
            by: by.name(),
            base_totals: HeapTotals::of(heaps[0], analysed[0].retention),
            target_totals: HeapTotals::of(heaps[1], analysed[1].retention),
            row_count: rows.len(),
            rows,
            new_objects,
        };
        views::limit(&mut report.rows, args.output.rows, json);
        return Ok(emit(&report, &args.output, views::heap_diff));
    }
    let rows = class_series(&analysed);
    let leaks = match &args.leaks_since {
        Some(baseline) => Some(leaks_since(baseline, &args.files, &analysed)?),
        None => None,
    };
    let mut report = HeapSeriesReport {
        schema: SCHEMA,
        inputs: infos,
        by: by.name(),
        totals: analysed
            .iter()
            .map(|a| HeapTotals::of(a.graph, a.retention))
            .collect(),
        row_count: rows.len(),
        rows,
        leaks_since: leaks,
    };
    views::limit(&mut report.rows, args.output.rows, json);
    Ok(emit(&report, &args.output, views::heap_series))
}

fn same_file(a: &Path, b: &Path) -> bool {
    a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
}

/// How many leak classes get retainer paths, and how many path shapes are kept.
const LEAK_PATH_CLASSES: usize = 3;
const LEAK_PATHS: usize = 5;

fn leaks_since(
    baseline: &Path,
    files: &[PathBuf],
    snapshots: &[Analysed<'_>],
) -> Result<LeaksSince> {
    let i = files
        .iter()
        .position(|f| same_file(f, baseline))
        .ok_or_else(|| {
            Error::Usage(format!(
                "--leaks-since {} is not one of the snapshots given",
                baseline.display()
            ))
        })?;
    let last = snapshots.len() - 1;
    if i + 1 >= last {
        return Err(Error::Usage(
            "--leaks-since needs a target snapshot after the baseline and a last one after that"
                .into(),
        ));
    }
    let final_snapshot = &snapshots[last];
    let leaked = leaked_since(
        snapshots[i].graph,
        snapshots[i + 1].graph,
        final_snapshot.graph,
    );
    let rows = leak_rows(final_snapshot, &leaked);
    // Paths are shown for the leaking classes with a name of their own: `(closure)`, `Object`
    // or `(compiled code)` say little about what leaks.
    let top: Vec<&str> = rows
        .iter()
        .map(|r| r.key.as_str())
        .filter(|k| is_specific_class(k))
        .take(LEAK_PATH_CLASSES)
        .collect();
    let tree = RetainerTree::compute(final_snapshot.graph);
    let targets: Vec<u32> = leaked
        .iter()
        .copied()
        .filter(|&n| top.contains(&final_snapshot.classes.name(n)))
        .collect();
    let (mut paths, _) = path_groups(
        final_snapshot.graph,
        final_snapshot.classes,
        &tree,
        final_snapshot.retention,
        &targets,
    );
    paths.truncate(LEAK_PATHS);
    Ok(LeaksSince {
        baseline: files[i].display().to_string(),
        target: files[i + 1].display().to_string(),
        last: files[last].display().to_string(),
        objects: leaked.len(),
        rows,
        paths,
    })
}

fn retainers(args: &RetainersArgs) -> Result<String> {
    let input = formats::read(&args.file, &args.input.options())?;
    let graph = input.heap().ok_or_else(|| {
        Error::Usage(format!(
            "{}: retainers needs a heap snapshot; this is a {} profile",
            args.file.display(),
            input.kind_name()
        ))
    })?;
    let classes = Classes::constructors(graph);
    let (target, nodes): (String, Vec<u32>) = match (&args.class, args.id) {
        (Some(class), _) => (
            format!("class {class}"),
            (0..graph.node_count() as u32)
                .filter(|&n| classes.name(n) == class.as_str())
                .collect(),
        ),
        (None, Some(id)) => (
            format!("id {id}"),
            graph
                .node_id
                .iter()
                .position(|&x| x == id)
                .map(|n| vec![n as u32])
                .unwrap_or_default(),
        ),
        (None, None) => unreachable!("clap requires --class or --id"),
    };
    if nodes.is_empty() {
        return Err(Error::Usage(format!(
            "{}: no object with {target}",
            args.file.display()
        )));
    }
    let retention = Retention::compute(graph);
    let tree = RetainerTree::compute(graph);
    let (mut paths, weakly): (Vec<PathGroup>, u64) =
        path_groups(graph, &classes, &tree, &retention, &nodes);
    let path_count = paths.len();
    paths.truncate(args.paths);
    let report = RetainersReport {
        schema: SCHEMA,
        input: InputInfo::of(&input),
        target,
        objects: nodes.len(),
        weakly_reachable: weakly,
        retained: retained_together(&retention, &nodes),
        paths,
        path_count,
    };
    Ok(emit(&report, &args.output, views::retainers))
}

/// The built-in catalogue plus the user's rules files.
fn catalogue(rules: &RulesArgs) -> Result<Catalogue> {
    let mut catalogue = Catalogue::builtin();
    for path in &rules.rule_files {
        catalogue.add_file(path)?;
    }
    Ok(catalogue)
}

fn scan(args: &ScanArgs) -> Result<Outcome> {
    let catalogue = catalogue(&args.rules)?;
    let inputs = read_all(&args.files, &args.input.options())?;
    let report = ScanReport {
        schema: SCHEMA,
        inputs: inputs.iter().map(InputInfo::of).collect(),
        signatures_checked: catalogue.ids(),
        findings: detect::scan(&inputs, &catalogue),
    };
    let style = style(&args.output);
    let text = match args.output.format {
        Format::Json => output::json(&report),
        // The summary lists every finding; `-n` bounds the evidence tables after it.
        _ => views::scan(&report, &style)
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

/// The renderer an output path asks for by its extension.
fn report_renderer(path: &Path) -> Result<fn(&Postmortem) -> String> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("html" | "htm") => Ok(report::html::render),
        Some("md" | "markdown") => Ok(report::markdown::render),
        _ => Err(Error::Usage(format!(
            "{}: name the report .html or .md to choose its format",
            path.display()
        ))),
    }
}

fn report(args: &ReportArgs) -> Result<String> {
    let renderers = args
        .outputs
        .iter()
        .map(|path| report_renderer(path))
        .collect::<Result<Vec<_>>>()?;
    // Inputs are read-only: a report never replaces one of them.
    for output in &args.outputs {
        let Ok(target) = output.canonicalize() else {
            continue;
        };
        if args
            .files
            .iter()
            .any(|f| f.canonicalize().ok() == Some(target.clone()))
        {
            return Err(Error::Usage(format!(
                "{}: is one of the inputs; write the report elsewhere",
                output.display()
            )));
        }
    }
    let catalogue = catalogue(&args.rules)?;
    let inputs = read_all(&args.files, &args.input.options())?;
    let findings = detect::scan(&inputs, &catalogue);
    let invocation = Invocation {
        files: &args.files,
        outputs: &args.outputs,
        extra_args: input_arguments(&args.rules, &args.input),
    };
    let postmortem = Postmortem::build(&inputs, findings, catalogue.ids().len(), &invocation);
    let mut text = format!("{}\n", postmortem.headline());
    for (path, render) in args.outputs.iter().zip(renderers) {
        let document = render(&postmortem);
        write_atomically(path, &document)?;
        text.push_str(&format!(
            "wrote {} ({})\n",
            path.display(),
            output::units::format_bytes(document.len() as i64)
        ));
    }
    Ok(text)
}

/// The options that change what is read, as they are spelled on the command line.
fn input_arguments(rules: &RulesArgs, input: &InputArgs) -> Vec<String> {
    let mut words = Vec::new();
    for path in &rules.rule_files {
        words.extend(["--rules".to_string(), path.display().to_string()]);
    }
    if let Some(binary) = &input.binary {
        words.extend(["--binary".to_string(), binary.display().to_string()]);
    }
    if let Some(dir) = &input.debug_dir {
        words.extend(["--debug-dir".to_string(), dir.display().to_string()]);
    }
    if input.max_input_size != crate::cli::DEFAULT_MAX_INPUT_SIZE {
        words.extend([
            "--max-input-size".to_string(),
            input.max_input_size.to_string(),
        ]);
    }
    words
}

fn signatures(args: &SignaturesArgs) -> Result<String> {
    let catalogue = catalogue(&args.rules)?;
    let style = Style {
        format: args.format,
        wide: false,
        full_names: true,
    };
    match &args.action {
        SignaturesAction::List => Ok(match args.format {
            Format::Json => output::json(
                &catalogue
                    .entries
                    .iter()
                    .map(|e| &e.signature)
                    .collect::<Vec<_>>(),
            ),
            Format::Md => output::views::catalogue_markdown(&catalogue),
            Format::Table => output::render(&views::signature_list(&catalogue), &style),
        }),
        SignaturesAction::Show { id } => {
            let entry = catalogue.get(id).ok_or_else(|| {
                Error::Usage(format!(
                    "no signature {id}; `leakscope signatures list` shows them all"
                ))
            })?;
            Ok(match args.format {
                Format::Json => output::json(&entry.signature),
                Format::Md => output::views::signature_markdown(&entry.signature),
                Format::Table => views::signature_text(&entry.signature),
            })
        }
    }
}

/// Fingerprints in the JSON of an earlier `check` or `scan`.
fn baseline_fingerprints(path: &Path) -> Result<Vec<String>> {
    let fail = |m: String| crate::error::FormatError::new(m).in_file(path);
    let text = std::fs::read(path).map_err(|e| fail(format!("cannot read: {e}")))?;
    let value: serde_json::Value = serde_json::from_slice(&text).map_err(|e| {
        crate::error::FormatError::at_line(e.line() as u64, format!("not JSON: {e}")).in_file(path)
    })?;
    let findings = value["findings"].as_array().ok_or_else(|| {
        fail("not the JSON of `leakscope check` or `scan`: no \"findings\" list".into())
    })?;
    Ok(findings
        .iter()
        .filter_map(|f| f["fingerprint"].as_str().map(str::to_string))
        .collect())
}

/// Each kind of input needs `min_snapshots` files.
fn enough_snapshots(inputs: &[Input], policy: &Policy) -> Result<()> {
    let mut counts: Vec<(crate::model::ProfileClass, usize)> = Vec::new();
    for class in inputs.iter().filter_map(crate::model::series::input_class) {
        match counts.iter_mut().find(|(c, _)| *c == class) {
            Some((_, n)) => *n += 1,
            None => counts.push((class, 1)),
        }
    }
    if counts.is_empty() {
        return Err(Error::Usage(
            "check needs goroutine profiles, heap profiles or heap snapshots".into(),
        ));
    }
    for (class, n) in counts {
        if n < policy.min_snapshots {
            return Err(Error::Usage(format!(
                "check needs at least {} {} (min_snapshots in the policy); got {n}",
                policy.min_snapshots,
                match class {
                    crate::model::ProfileClass::Goroutine => "goroutine profiles",
                    crate::model::ProfileClass::Heap => "heap profiles",
                    crate::model::ProfileClass::Snapshot => "heap snapshots",
                }
            )));
        }
    }
    Ok(())
}

fn check(args: &CheckArgs) -> Result<Outcome> {
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
    let inputs = read_all(&args.files, &args.input.options())?;
    enough_snapshots(&inputs, &policy)?;
    let today = Date::today();
    let findings: Vec<JudgedFinding> = detect::scan(&inputs, &catalogue)
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
        signatures_checked: catalogue.ids(),
        findings,
    };
    let render = |format: CheckFormat| -> String {
        match format {
            CheckFormat::Text => output::ci::text(&report),
            CheckFormat::Json => output::json(&report),
            CheckFormat::Junit => output::ci::junit(&report),
            CheckFormat::Sarif => output::ci::sarif(&report, &catalogue),
            CheckFormat::Github => output::ci::github(&report),
            CheckFormat::Md => output::ci::markdown(&report),
        }
    };
    for (format, path) in &args.outputs {
        write_atomically(path, &render(*format))?;
    }
    if args.format == CheckFormat::Github {
        if let Some(summary) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|s| !s.is_empty()) {
            append_whole(Path::new(&summary), &output::ci::markdown(&report))?;
        }
    }
    Ok(Outcome {
        text: render(args.format),
        leak_found: regressions > 0,
    })
}

/// Writes a file whole or not at all: a temporary file beside it, then a rename.
fn write_atomically(path: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    let fail = |e: std::io::Error| Error::Output {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = std::fs::File::create(&temp).and_then(|mut file| {
        file.write_all(text.as_bytes())?;
        file.sync_all()
    });
    match written.and_then(|()| std::fs::rename(&temp, path)) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = std::fs::remove_file(&temp);
            Err(fail(e))
        }
    }
}

/// Appends one whole block to a file other steps also append to (GitHub's job summary).
fn append_whole(path: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|e| Error::Output {
            path: path.to_path_buf(),
            message: e.to_string(),
        })
}
