//! Command-line definitions of every subcommand and flag.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use regex::Regex;

use crate::analysis::filter::{Filters, TagFilter};
use crate::analysis::{GroupBy, KeyOptions, Measure};
use crate::formats::{ReadOptions, DEFAULT_MAX_INPUT_SIZE};
pub use crate::output::Format as OutputFormat;

mod values;

#[derive(Debug, Parser)]
#[command(
    name = "leakscope",
    version,
    about = "Find memory and goroutine leaks in the profiles your services already produce",
    long_about = "Find memory and goroutine leaks in the profiles your services already produce.\n\n\
Reads Go pprof profiles (heap, allocs, goroutine, goroutineleak; gzipped or not), goroutine dumps \
(debug=1, debug=2, panics, SIGQUIT), Go heap text (debug=1) and V8 heap snapshots. The format is taken from the \
content, never from the file name.\n\nExit codes: 0 success, 1 `scan` found a leak (growing or proven) \
or `check` a regression, 2 usage or input error."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// No progress display (it is shown on stderr, when that is a terminal, for work that
    /// takes more than a second).
    #[arg(long, short, global = true)]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The largest entries of one profile, flat and cumulative, like `go tool pprof -top`.
    Top(TopArgs),
    /// What changed: `diff BASE TARGET`, or a series `diff F1 F2 F3 ...` in time order.
    Diff(DiffArgs),
    /// Callers and callees of the functions matching REGEX, like `go tool pprof -peek`.
    Peek(PeekArgs),
    /// Every function between its callers and callees, largest flat first, like
    /// `go tool pprof -tree`.
    Tree(TracesArgs),
    /// Every sample's whole stack with its labels, like `go tool pprof -traces`.
    Traces(TracesArgs),
    /// The values of matching functions line by line, beside their source when it is found,
    /// like `go tool pprof -list`.
    List(ListArgs),
    /// The call graph of a profile, or of its change (BASE TARGET, or the first against the last
    /// of a series), as pprof's `-dot`/`-svg`: DOT on standard output, or `-o graph.svg`.
    Graph(GraphArgs),
    /// Why objects of a heap snapshot are alive: their shortest paths from the GC roots.
    Retainers(RetainersArgs),
    /// A heap snapshot's dominator tree, DevTools-style: which object alone keeps which alive,
    /// with retained sizes; from the root, an object (`--id`, with its dominators above it)
    /// or the largest objects of a class.
    Dominators(DominatorsArgs),
    /// What a heap snapshot's objects hold, edge by edge, from the GC roots or an object
    /// (DevTools' Containment view).
    Containment(ContainmentArgs),
    /// Capture profiles from a running service at intervals into a folder: a Go (or any
    /// /debug/pprof) server's goroutine dumps and heap profiles, a Node process's heap
    /// snapshots.
    Capture(CaptureArgs),
    /// Capture from a running service and judge after every capture: one status line each,
    /// then `scan` (or `check` with --policy) of the whole series, with their exit codes.
    Watch(WatchArgs),
    /// Name the leaks in the profiles of one process, from the catalogue of known signatures
    /// and generic growth. Exit code 1 when a leak is growing or proven.
    Scan(ScanArgs),
    /// The catalogue of known leak signatures.
    Signatures(SignaturesArgs),
    /// Gate a build on leak regressions: `scan` judged by a policy. Exit code 0 pass,
    /// 1 regression, 2 usage or input error.
    Check(CheckArgs),
    /// A postmortem report of `scan`'s findings, with their evidence: one self-contained HTML
    /// page (`-o report.html`) or GitHub-flavoured Markdown (`-o report.md`), or both.
    Report(ReportArgs),
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Profiles of one process in time order (capture times recorded in the files win when
    /// every file has one).
    #[arg(required = true, num_args = 1..)]
    pub files: Vec<PathBuf>,
    /// Where to write the report: `.html` or `.md` by its name (repeatable).
    #[arg(short = 'o', long = "output", value_name = "PATH", required = true)]
    pub outputs: Vec<PathBuf>,
    #[command(flatten)]
    pub rules: RulesArgs,
    #[command(flatten)]
    pub input: InputArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// A short verdict first, then one line per finding.
    Text,
    /// The verdict and every finding (schema leakscope/1).
    Json,
    /// JUnit XML: one test case per signature checked.
    Junit,
    /// SARIF 2.1.0: one result per finding, rules from the catalogue.
    Sarif,
    /// GitHub Actions workflow commands; a Markdown job summary goes to $GITHUB_STEP_SUMMARY.
    Github,
    /// Markdown.
    Md,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Profiles of one process in time order (capture times recorded in the files win when
    /// every file has one).
    #[arg(required_unless_present = "print_default_policy")]
    pub files: Vec<PathBuf>,
    /// The policy: thresholds, actions per signature, allow-list [default: the built-in one,
    /// see --print-default-policy].
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// The JSON of an earlier `check` or `scan` (e.g. of the main branch): only findings whose
    /// fingerprint it lacks fail.
    #[arg(long, value_name = "FILE")]
    pub baseline_findings: Option<PathBuf>,
    /// Format of the standard output.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
    /// Also write a format to a file, whole or not at all (repeatable): `--output junit=leaks.xml`.
    #[arg(long = "output", value_name = "FORMAT=PATH", value_parser = parse_output)]
    pub outputs: Vec<(CheckFormat, PathBuf)>,
    /// Print the default policy, a documented TOML file to start from, and exit.
    #[arg(long)]
    pub print_default_policy: bool,
    /// Do not wrap the text at the terminal's width (or 80 columns when not a terminal).
    #[arg(long)]
    pub wide: bool,
    #[command(flatten)]
    pub rules: RulesArgs,
    #[command(flatten)]
    pub input: InputArgs,
}

/// `junit=reports/leaks.xml`.
fn parse_output(text: &str) -> Result<(CheckFormat, PathBuf), String> {
    let (format, path) = text
        .split_once('=')
        .ok_or_else(|| format!("expected FORMAT=PATH, e.g. junit=leaks.xml, not `{text}`"))?;
    let format = CheckFormat::from_str(format, true).map_err(|_| {
        format!("unknown format `{format}`: text, json, junit, sarif, github or md")
    })?;
    if path.is_empty() {
        return Err(format!("no path after `{format:?}=`"));
    }
    Ok((format, PathBuf::from(path)))
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Profiles of one process in time order (capture times recorded in the files win when
    /// every file has one). One file is enough for what one snapshot proves.
    #[arg(required = true, num_args = 1..)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub rules: RulesArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub input: InputArgs,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// A TOML file of extra signatures, in the catalogue's schema (repeatable).
    #[arg(long = "rules", value_name = "FILE")]
    pub rule_files: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SignaturesArgs {
    #[command(subcommand)]
    pub action: SignaturesAction,
    #[command(flatten)]
    pub rules: RulesArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table, global = true)]
    pub format: OutputFormat,
}

#[derive(Debug, Subcommand)]
pub enum SignaturesAction {
    /// Every signature: id, runtime, title (with `--format md`, the whole catalogue).
    List,
    /// One signature: what it matches, why it leaks, how to fix it.
    Show {
        /// The signature's id, e.g. go.grpc.clientconn-not-closed.
        id: String,
    },
}

#[derive(Debug, Args)]
pub struct TopArgs {
    /// The profile to read.
    pub file: PathBuf,
    /// Group by function (flat = leaf, cum = anywhere on the stack), whole stack or label set;
    /// heap snapshots by constructor or node type [default: function, or constructor for snapshots].
    #[arg(long, value_enum)]
    pub by: Option<GroupBy>,
    /// Sort rows by flat or cumulative value.
    #[arg(long, value_enum, default_value_t = Measure::Flat)]
    pub sort: Measure,
    #[command(flatten)]
    pub sample: SampleArgs,
    #[command(flatten)]
    pub keys: KeyArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub input: InputArgs,
}

#[derive(Debug, Args)]
pub struct PeekArgs {
    /// The profile to read.
    pub file: PathBuf,
    /// Functions to show (a regular expression on their names, as pprof's -peek).
    pub regex: String,
    #[command(flatten)]
    pub sample: SampleArgs,
    #[command(flatten)]
    pub keys: KeyArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub input: InputArgs,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// The profile to read.
    pub file: PathBuf,
    /// Functions to list (a regular expression on their full names, as pprof's -list).
    pub regex: String,
    /// Where to look for source files (repeatable): a file the profile names
    /// `a/b/main.go` is looked for as DIR/a/b/main.go, DIR/b/main.go, DIR/main.go; without
    /// it, at the path the profile names.
    #[arg(long, value_name = "DIR")]
    pub source_dir: Vec<PathBuf>,
    #[command(flatten)]
    pub sample: SampleArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub input: InputArgs,
}

#[derive(Debug, Args)]
pub struct TracesArgs {
    /// The profile to read.
    pub file: PathBuf,
    #[command(flatten)]
    pub sample: SampleArgs,
    #[command(flatten)]
    pub keys: KeyArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub input: InputArgs,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// Two profiles (base, then target) or three and more in time order (a series).
    #[arg(required = true, num_args = 2..)]
    pub files: Vec<PathBuf>,
    /// Group by function, whole stack or label set; heap snapshots by constructor or node type
    /// [default: function, or constructor for snapshots].
    #[arg(long, value_enum)]
    pub by: Option<GroupBy>,
    /// Compare flat or cumulative values [default: cum for goroutine profiles, flat otherwise].
    #[arg(long, value_enum)]
    pub measure: Option<Measure>,
    /// Heap snapshots: report the objects allocated after this snapshot (one of FILES), alive
    /// in the next one and still alive in the last (memlab's rule), with their retainer paths.
    #[arg(long, value_name = "FILE")]
    pub leaks_since: Option<PathBuf>,
    /// Heap snapshots: how many of the target's new objects to list.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub new_objects: usize,
    /// Heap snapshots: rank every constructor together (by size change for two snapshots, by
    /// count growth for a series); by default the program's and libraries' constructors come
    /// first, V8's categories (`(number)`, `(compiled code)`, `system / Context`) and plain
    /// containers (`Object`, `Array`, `Map`, `Set`, `Function`) after them.
    #[arg(long)]
    pub all_classes: bool,
    #[command(flatten)]
    pub sample: SampleArgs,
    #[command(flatten)]
    pub keys: KeyArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub input: InputArgs,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("target").required(true).args(["class", "id"])))]
pub struct RetainersArgs {
    /// The heap snapshot to read.
    pub file: PathBuf,
    /// Objects of this class (constructor name, as `top` shows it).
    #[arg(long, value_name = "NAME")]
    pub class: Option<String>,
    /// The object with this id (DevTools' `@id`).
    #[arg(long, value_name = "N")]
    pub id: Option<u32>,
    /// How many distinct path shapes to show.
    #[arg(long, value_name = "K", default_value_t = 5)]
    pub paths: usize,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub input: InputArgs,
}

#[derive(Debug, Args)]
pub struct CaptureArgs {
    /// The service: `http://host:port` (its /debug/pprof/ index is read), one profile's full
    /// URL (`http://host:port/debug/pprof/heap`), or a Node inspector: `node://host:port` or
    /// the `ws://` URL its /json/list gives.
    #[arg(required_unless_present = "pid", conflicts_with = "pid")]
    pub target: Option<String>,
    /// A local Node process: SIGUSR1 opens its inspector (unless open already), found among
    /// the ports it listens on.
    #[arg(long, value_name = "PID")]
    pub pid: Option<u32>,
    /// Time between two captures, e.g. 30s, 500ms, 5m.
    #[arg(long, value_name = "DUR", value_parser = parse_duration, default_value = "30s")]
    pub every: std::time::Duration,
    /// Captures to take [default: 4].
    #[arg(long, value_name = "N", conflicts_with = "until")]
    pub count: Option<usize>,
    /// Capture every --every until this long has passed (instead of --count), e.g. 10m.
    #[arg(long, value_name = "DUR", value_parser = parse_duration)]
    pub until: Option<std::time::Duration>,
    /// The folder to write the profiles and capture.jsonl to (created if missing)
    /// [default: leakscope-HOST_PORT-TIME in the current folder].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Profiles to take, of those the service offers.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "goroutine,heap,goroutineleak"
    )]
    pub kinds: Vec<String>,
    /// A header sent with every request to the target's host, `Name: value` (repeatable); never
    /// printed or recorded.
    #[arg(long, value_name = "HEADER")]
    pub header: Vec<String>,
    /// Longest wait for one profile.
    #[arg(long, value_name = "DUR", value_parser = parse_duration, default_value = "60s")]
    pub timeout: std::time::Duration,
    /// Run a garbage collection before each heap profile (`?gc=1`).
    #[arg(long)]
    pub gc: bool,
    /// Failed captures after the first tolerated before giving up.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub max_failures: usize,
    /// Accept any TLS certificate (a warning says so).
    #[arg(long)]
    pub insecure: bool,
    /// Largest profile accepted, e.g. 512M.
    #[arg(long, value_name = "SIZE", value_parser = parse_size,
          default_value_t = Size(crate::formats::DEFAULT_MAX_INPUT_SIZE))]
    pub max_size: Size,
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    #[command(flatten)]
    pub capture: CaptureArgs,
    /// Judge the series by this `check` policy (exit 1 on a regression) instead of `scan`.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Also write the postmortem report of the series (`.html` or `.md`).
    #[arg(long, value_name = "PATH")]
    pub report: Option<PathBuf>,
}

/// `30s`, `500ms`, `5m`, `1h`, or seconds alone.
pub fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("{text:?}: not a duration (30s, 500ms, 5m)"))?;
    let seconds = match unit {
        "" | "s" => value,
        "ms" => value / 1000.0,
        "m" => value * 60.0,
        "h" => value * 3600.0,
        _ => return Err(format!("{text:?}: not a duration (30s, 500ms, 5m)")),
    };
    if !seconds.is_finite() || seconds > 7.0 * 86400.0 {
        return Err(format!("{text:?}: longer than a week"));
    }
    Ok(std::time::Duration::from_secs_f64(seconds))
}

#[derive(Debug, Args)]
pub struct GraphArgs {
    /// One profile; or base and target (red grew, blue shrank); or a series in time order,
    /// drawn first against last.
    #[arg(required = true, num_args = 1..)]
    pub files: Vec<PathBuf>,
    /// Where to write the graph: `.svg`, `.dot` or `.json` by its name (repeatable) [default:
    /// DOT on standard output].
    #[arg(short = 'o', long = "output", value_name = "PATH")]
    pub outputs: Vec<PathBuf>,
    /// Functions to draw, the largest by cumulative value.
    #[arg(
        short = 'n',
        long = "nodecount",
        value_name = "N",
        default_value_t = 40
    )]
    pub nodecount: usize,
    /// Who lays the SVG out: Graphviz's `dot` when installed (auto), or always one of the two.
    #[arg(long, value_enum, default_value_t = GraphLayout::Auto)]
    pub layout: GraphLayout,
    #[command(flatten)]
    pub sample: SampleArgs,
    #[command(flatten)]
    pub keys: KeyArgs,
    #[command(flatten)]
    pub input: InputArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphLayout {
    Auto,
    Graphviz,
    Builtin,
}

#[derive(Debug, Args)]
pub struct TreeExtentArgs {
    /// Levels to unfold below the starting objects.
    #[arg(long, value_name = "D", default_value_t = 2)]
    pub depth: u32,
    /// Children shown per object, largest retained first; 0 for all.
    #[arg(short = 'n', long = "children", value_name = "N", default_value_t = 10)]
    pub children: usize,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("start").args(["class", "id"])))]
pub struct DominatorsArgs {
    /// The heap snapshot to read.
    pub file: PathBuf,
    /// Start at the largest objects of this class (constructor name, as `top` shows it).
    #[arg(long, value_name = "NAME")]
    pub class: Option<String>,
    /// Start at this object (DevTools' `@id`), under the chain of its dominators.
    #[arg(long, value_name = "N")]
    pub id: Option<u32>,
    #[command(flatten)]
    pub extent: TreeExtentArgs,
    #[command(flatten)]
    pub output: TreeOutputArgs,
    #[command(flatten)]
    pub input: InputArgs,
}

#[derive(Debug, Args)]
pub struct ContainmentArgs {
    /// The heap snapshot to read.
    pub file: PathBuf,
    /// Start at this object (DevTools' `@id`) instead of the root.
    #[arg(long, value_name = "N")]
    pub id: Option<u32>,
    #[command(flatten)]
    pub extent: TreeExtentArgs,
    #[command(flatten)]
    pub output: TreeOutputArgs,
    #[command(flatten)]
    pub input: InputArgs,
}

/// Output options of the object trees, whose `-n` counts children per object.
#[derive(Debug, Args)]
pub struct TreeOutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
    /// Do not fit tables to the terminal (or 80 columns when not a terminal).
    #[arg(long)]
    pub wide: bool,
}

impl TreeOutputArgs {
    pub fn as_output(&self) -> OutputArgs {
        OutputArgs {
            format: self.format,
            rows: None,
            wide: self.wide,
            full_names: false,
        }
    }
}

#[derive(Debug, Args)]
pub struct SampleArgs {
    /// Sample type to use, by name (inuse_space, alloc_objects, ...) or index [default: the profile's own].
    #[arg(long, value_name = "NAME")]
    pub sample_index: Option<String>,
}

#[derive(Debug, Args)]
pub struct KeyArgs {
    /// Fold closure numbers (`func6` -> `func#`) so keys match across builds.
    #[arg(long)]
    pub fold_closures: bool,
    /// Drop vendored path prefixes (`.../vendor/google.golang.org/grpc` -> `google.golang.org/grpc`).
    #[arg(long)]
    pub strip_vendor: bool,
    /// Key frames by function and line, not function alone.
    #[arg(long)]
    pub lines: bool,
    /// Keep runtime-internal frames (runtime.gopark, ...) in goroutine profiles.
    #[arg(long)]
    pub keep_runtime_frames: bool,
    /// Keep allocator frames (jemalloc's prof_*, __rust_alloc, raw_vec growth, ...) at the top
    /// of heap stacks instead of starting at the allocation site.
    #[arg(long)]
    pub keep_allocator_frames: bool,
}

impl KeyArgs {
    pub fn options(&self) -> KeyOptions {
        KeyOptions {
            fold_closures: self.fold_closures,
            strip_vendor: self.strip_vendor,
            lines: self.lines,
            keep_runtime_frames: self.keep_runtime_frames,
            keep_allocator_frames: self.keep_allocator_frames,
        }
    }
}

#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
    /// Rows to show; 0 for all [default: 20 in tables and Markdown, all in JSON].
    #[arg(
        short = 'n',
        long = "rows",
        visible_alias = "nodecount",
        value_name = "N"
    )]
    pub rows: Option<usize>,
    /// Do not fit tables to the terminal (or 80 columns when not a terminal): names whole, on
    /// one line.
    #[arg(long)]
    pub wide: bool,
    /// Show full package paths in tables (JSON always has them); names are then never
    /// shortened, and lines may run past the terminal's width.
    #[arg(long)]
    pub full_names: bool,
}

/// A size in bytes as the command line spells it: `123`, `64K`, `512M`, `4G`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size(pub u64);

impl std::fmt::Display for Size {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let suffix = ["", "K", "M", "G", "T"]
            .iter()
            .enumerate()
            .rev()
            .find(|(i, _)| self.0 != 0 && self.0.is_multiple_of(1u64 << (10 * i)));
        match suffix {
            Some((i, unit)) => write!(f, "{}{unit}", self.0 >> (10 * i)),
            None => write!(f, "{}", self.0),
        }
    }
}

#[derive(Debug, Args)]
pub struct InputArgs {
    /// Largest input accepted after decompression, e.g. 512M, 4G (an uncompressed heap
    /// snapshot is streamed, and bounded by --memory-limit instead).
    #[arg(long, value_name = "SIZE", value_parser = parse_size,
          default_value_t = Size(DEFAULT_MAX_INPUT_SIZE))]
    pub max_input_size: Size,
    /// Most memory the analyses of the heap snapshots read may take together, e.g. 8G; a
    /// snapshot whose header says it needs more than is left is refused before it is read.
    /// Default: the memory available when the run begins.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub memory_limit: Option<Size>,
    /// The binary that wrote a jemalloc dump or unsymbolized pprof profile, to symbolize it
    /// (its DWARF, else its symbol table).
    #[arg(long, value_name = "PATH")]
    pub binary: Option<PathBuf>,
    /// A directory of separate debug files by build id (`.build-id/ab/cdef....debug`).
    #[arg(long, value_name = "DIR")]
    pub debug_dir: Option<PathBuf>,
    /// Where the shared libraries a jemalloc dump names are looked up: the root of the
    /// process's filesystem (a container image, a copy of the capture machine's); default /.
    #[arg(long, value_name = "DIR", env = "LEAKSCOPE_SYSROOT")]
    pub sysroot: Option<PathBuf>,
    #[command(flatten)]
    pub filters: FilterArgs,
}

/// What the options say when none is given.
impl Default for InputArgs {
    fn default() -> Self {
        InputArgs {
            max_input_size: Size(DEFAULT_MAX_INPUT_SIZE),
            memory_limit: None,
            binary: None,
            debug_dir: None,
            sysroot: None,
            filters: FilterArgs::default(),
        }
    }
}

/// One line: the regex crate's message shows the pattern with a caret over several lines.
fn bad_pattern(option: &str, pattern: &str, error: &regex::Error) -> String {
    let reason = error.to_string();
    let reason = reason
        .lines()
        .last()
        .unwrap_or_default()
        .trim_start_matches("error: ");
    format!("--{option} {pattern:?}: not a regular expression: {reason}")
}

/// pprof's filters, with pprof's meaning; they apply to stack profiles as they are read.
#[derive(Debug, Args, Default, Clone)]
#[command(next_help_heading = "Filters (stack profiles, as pprof's)")]
pub struct FilterArgs {
    /// Keep only samples with a frame matching REGEX (function name or file).
    #[arg(long, value_name = "REGEX")]
    pub focus: Option<String>,
    /// Drop samples with a frame matching REGEX; wins over --focus.
    #[arg(long, value_name = "REGEX")]
    pub ignore: Option<String>,
    /// Drop frames matching REGEX from every stack (their values go to the callers' lines).
    #[arg(long, value_name = "REGEX")]
    pub hide: Option<String>,
    /// Keep only frames matching REGEX.
    #[arg(long, value_name = "REGEX")]
    pub show: Option<String>,
    /// Drop the callers above the outermost frame matching REGEX, and samples without one.
    #[arg(long, value_name = "REGEX")]
    pub show_from: Option<String>,
    /// Keep only samples whose labels match: `key=REGEX[,REGEX]`, or `REGEX` on `key:value`.
    #[arg(long, value_name = "FILTER")]
    pub tagfocus: Option<String>,
    /// Drop samples whose labels match (same form as --tagfocus).
    #[arg(long, value_name = "FILTER")]
    pub tagignore: Option<String>,
}

impl FilterArgs {
    /// The filters, compiled; a bad regular expression names its option.
    pub fn compile(&self) -> Result<Filters, String> {
        let regex = |option: &str, text: &Option<String>| {
            text.as_deref()
                .map(|t| Regex::new(t).map_err(|e| bad_pattern(option, t, &e)))
                .transpose()
        };
        let tag = |option: &str, text: &Option<String>| {
            text.as_deref()
                .map(|t| {
                    if TagFilter::is_numeric_range(t) {
                        return Err(format!(
                            "--{option} {t:?}: numeric label ranges (pprof's `bytes=1kb:4kb`) \
                             are not supported: leakscope reads string labels only"
                        ));
                    }
                    TagFilter::parse(t).map_err(|e| bad_pattern(option, t, &e))
                })
                .transpose()
        };
        Ok(Filters {
            focus: regex("focus", &self.focus)?,
            ignore: regex("ignore", &self.ignore)?,
            hide: regex("hide", &self.hide)?,
            show: regex("show", &self.show)?,
            show_from: regex("show-from", &self.show_from)?,
            tag_focus: tag("tagfocus", &self.tagfocus)?,
            tag_ignore: tag("tagignore", &self.tagignore)?,
        })
    }

    /// The options as they were given, to repeat in reproduce commands.
    pub fn words(&self) -> Vec<String> {
        [
            ("--focus", &self.focus),
            ("--ignore", &self.ignore),
            ("--hide", &self.hide),
            ("--show", &self.show),
            ("--show-from", &self.show_from),
            ("--tagfocus", &self.tagfocus),
            ("--tagignore", &self.tagignore),
        ]
        .into_iter()
        .filter_map(|(option, value)| value.as_ref().map(|v| [option.to_string(), v.clone()]))
        .flatten()
        .collect()
    }
}

impl InputArgs {
    pub fn options(&self) -> ReadOptions {
        ReadOptions {
            max_input_size: self.max_input_size.0,
            memory: std::sync::Arc::new(crate::formats::MemoryBudget::new(
                self.memory_limit.map(|s| s.0),
            )),
            symbols: crate::formats::symbolize::SymbolSources {
                binary: self.binary.clone(),
                debug_dir: self.debug_dir.clone(),
                sysroot: self.sysroot.clone(),
            },
        }
    }
}

/// `123`, `64K`, `512M`, `4G` (binary multiples).
pub fn parse_size(text: &str) -> Result<Size, String> {
    let text = text.trim();
    let (digits, shift) = match text.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => {
            let shift = match c.to_ascii_uppercase() {
                'K' => 10,
                'M' => 20,
                'G' => 30,
                'T' => 40,
                _ => return Err(format!("unknown size suffix `{c}` (use K, M, G or T)")),
            };
            (&text[..i], shift)
        }
        _ => (text, 0),
    };
    let value: u64 = digits
        .parse()
        .map_err(|_| format!("`{text}` is not a size like 512M or 4G"))?;
    value
        .checked_mul(1u64 << shift)
        .map(Size)
        .ok_or_else(|| format!("`{text}` is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("4G"), Ok(Size(4 << 30)));
        assert_eq!(
            Size(DEFAULT_MAX_INPUT_SIZE).to_string(),
            "4G",
            "the default in --help"
        );
        assert_eq!(parse_size("512m"), Ok(Size(512 << 20)));
        assert_eq!(Size(512 << 20).to_string(), "512M");
        assert_eq!(parse_size("100"), Ok(Size(100)));
        assert_eq!(Size(1536).to_string(), "1536");
        assert!(parse_size("12X").is_err());
        assert!(parse_size("99999999999T").is_err());
    }

    #[test]
    fn cli_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
