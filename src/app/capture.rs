//! `capture`: profiles of a running service at intervals, into a folder `scan`, `check` and
//! `report` read as a series. Each file is written whole (temporary file, then rename) and
//! recorded in the folder's capture.jsonl with its time, URL, size and sha256.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::inspector::Inspector;
use super::io::{self, AtomicFile, CAPTURE_LOG};
use super::remote::{origin_of, without_credentials, Remote};
use crate::cli::CaptureArgs;
use crate::error::{Error, Result};
use crate::model::Format;
use crate::output::values::{format_bytes, format_time};

/// Go cuts a debug=2 goroutine dump at 64 MiB; past that, debug=1 (grouped) fits.
const GO_DUMP_CAP: usize = 64 << 20;

/// The profile kinds a /debug/pprof server offers that leakscope reads.
const KINDS: [&str; 3] = ["goroutine", "heap", "goroutineleak"];

/// Captures taken when neither --count nor --until is given.
const DEFAULT_COUNT: usize = 4;

/// Where the profiles come from.
enum Source {
    /// A /debug/pprof server, and the profiles to take from it at every moment.
    Pprof { remote: Remote, plan: Vec<Planned> },
    /// A Node inspector: a heap snapshot at every moment.
    Node(Box<Inspector>),
}

/// One profile to take at every moment.
struct Planned {
    kind: String,
    url: String,
    /// A goroutine dump at debug=2, and the debug=1 URL to fall back to past Go's cap.
    fallback: Option<String>,
}

#[derive(Serialize)]
struct Record<'a> {
    seq: usize,
    time: String,
    time_nanos: i64,
    target: &'a str,
    kind: &'a str,
    url: &'a str,
    file: &'a str,
    bytes: u64,
    sha256: String,
    duration_ms: u128,
}

/// A capture session: the target, what to take at every moment, and where it goes.
pub struct Capturer<'a> {
    args: &'a CaptureArgs,
    source: Source,
    /// The target as it may be printed: no credentials.
    target: String,
    out: PathBuf,
    count: usize,
    slug: String,
    progress: ProgressBar,
    pub written: usize,
    failures: usize,
}

impl<'a> Capturer<'a> {
    /// Checks the options, finds the target (a /debug/pprof index, a Node inspector) and
    /// creates the folder.
    pub fn new(args: &'a CaptureArgs) -> Result<Capturer<'a>> {
        let count = match (args.count, args.until) {
            (Some(0), _) => return Err(Error::Usage("--count must be at least 1".into())),
            (Some(n), _) => n,
            (None, Some(until)) if args.every.is_zero() => {
                return Err(Error::Usage(format!(
                    "--until {}s needs an --every above 0",
                    until.as_secs_f64()
                )))
            }
            // A capture at the start and one every --every until the time is up.
            (None, Some(until)) => (until.as_nanos() / args.every.as_nanos()) as usize + 1,
            (None, None) => DEFAULT_COUNT,
        };
        for kind in &args.kinds {
            if !KINDS.contains(&kind.as_str()) {
                return Err(Error::Usage(format!(
                    "--kinds {kind:?}: leakscope captures {}",
                    KINDS.join(", ")
                )));
            }
        }
        let target = args.target.as_deref().unwrap_or("");
        let (source, shown, slug) = if let Some(pid) = args.pid {
            let inspector = Inspector::of_process(pid, args.timeout)?;
            (
                Source::Node(Box::new(inspector)),
                format!("pid {pid}"),
                format!("pid{pid}"),
            )
        } else if target.starts_with("node://") || target.starts_with("ws://") {
            let inspector = Inspector::locate(target, args.timeout)?;
            let host = target.split_once("://").map_or("", |(_, rest)| rest);
            let host = host.split('/').next().unwrap_or("");
            (
                Source::Node(Box::new(inspector)),
                target.to_string(),
                slug(host),
            )
        } else {
            let remote = Remote::new(
                target,
                &args.header,
                args.timeout,
                args.insecure,
                args.max_size.0,
            )?;
            if args.insecure {
                eprintln!("warning: --insecure: TLS certificates are not checked");
            }
            let plan = plan(args, target, &remote)?;
            let slug = slug(origin_of(target).as_deref().unwrap_or(target));
            (
                Source::Pprof { remote, plan },
                without_credentials(target),
                slug,
            )
        };
        let out = match &args.out {
            Some(out) => out.clone(),
            None => {
                let out = PathBuf::from(format!("leakscope-{slug}-{}", compact_time(now_nanos())));
                eprintln!("writing to {}", out.display());
                out
            }
        };
        std::fs::create_dir_all(&out).map_err(|e| Error::Output {
            path: out.clone(),
            message: e.to_string(),
        })?;
        Ok(Capturer {
            args,
            source,
            target: shown,
            out,
            count,
            slug,
            progress: progress_bar(),
            written: 0,
            failures: 0,
        })
    }

    /// The folder the captures go to.
    pub fn out(&self) -> &Path {
        &self.out
    }

    /// Prints a line on stdout, the progress display set aside while it does.
    pub fn say(&self, line: &str) {
        self.progress.suspend(|| println!("{line}"));
    }

    fn warn(&self, line: &str) {
        self.progress.suspend(|| eprintln!("{line}"));
    }

    /// Takes every planned profile once (`moment` counts from 0) and says what it took. A
    /// failure at the first moment is an error; later ones are reported and counted, and an
    /// error once there are more than --max-failures.
    pub fn moment(&mut self, moment: usize) -> Result<String> {
        let jobs = match &self.source {
            Source::Pprof { plan, .. } => plan.len(),
            Source::Node(_) => 1,
        };
        let mut taken = Vec::new();
        for job in 0..jobs {
            match self.take(moment, job) {
                Ok(said) => taken.push(said),
                // The first moment shows whether the target works at all: stop there.
                Err(e) if moment == 0 => return Err(e),
                Err(e) => {
                    self.failures += 1;
                    self.warn(&format!("capture {}/{}: {e}", moment + 1, self.count));
                    if self.failures > self.args.max_failures {
                        return Err(Error::Usage(format!(
                            "{}: {} failed captures (more than --max-failures {}); {} files \
                             written to {}",
                            self.target,
                            self.failures,
                            self.args.max_failures,
                            self.written,
                            self.out.display()
                        )));
                    }
                }
            }
        }
        Ok(format!(
            "capture {}/{} at {}: {}",
            moment + 1,
            self.count,
            format_time(now_nanos()),
            if taken.is_empty() {
                "failed".to_string()
            } else {
                taken.join(", ")
            }
        ))
    }

    /// One profile into its file and capture.jsonl: what it was, and its size.
    fn take(&mut self, moment: usize, job: usize) -> Result<String> {
        let started = Instant::now();
        let time = now_nanos();
        let kind = match &self.source {
            Source::Pprof { plan, .. } => plan[job].kind.clone(),
            Source::Node(_) => "heapsnapshot".to_string(),
        };
        self.progress.set_message(match kind.as_str() {
            "heapsnapshot" => format!(
                "{}: collecting garbage, taking a heap snapshot",
                self.target
            ),
            _ => format!("{}: fetching the {kind} profile", self.target),
        });
        let name = |extension: &str| {
            format!(
                "{}-{kind}-{}-{:04}.{extension}",
                self.slug,
                compact_time(time),
                moment + 1,
            )
        };
        let (name, url, mut file) = match &mut self.source {
            Source::Pprof { remote, plan } => {
                let (url, body, format) = fetch(remote, &plan[job])?;
                // Named by what came, not by what was asked: a full profile URL may bring either.
                let name = name(match format {
                    Format::Pprof => "pb.gz",
                    _ => "txt.gz",
                });
                let mut file = Recorded::new(AtomicFile::create(&self.out.join(&name))?);
                file.write_all(&gzipped(&body))
                    .map_err(|e| file.inner.error(e))?;
                (name, url, file)
            }
            Source::Node(inspector) => {
                let name = name("heapsnapshot.gz");
                let mut file = Recorded::new(AtomicFile::create(&self.out.join(&name))?);
                let progress = &self.progress;
                let target = &self.target;
                let mut encoder =
                    flate2::write::GzEncoder::new(&mut file, flate2::Compression::fast());
                inspector.snapshot(&mut encoder, &mut |bytes| {
                    progress.set_message(format!(
                        "{target}: heap snapshot, {} received",
                        format_bytes(bytes as i64)
                    ));
                })?;
                encoder.finish().map_err(|e| Error::Output {
                    path: self.out.join(&name),
                    message: e.to_string(),
                })?;
                (name, inspector.ws_url().to_string(), file)
            }
        };
        let (bytes, sha256) = (file.bytes, hex(&file.hasher.finalize_reset()));
        file.inner.commit()?;
        let record = Record {
            seq: moment + 1,
            time: format_time(time),
            time_nanos: time,
            target: &self.target,
            kind: &kind,
            url: &without_credentials(&url),
            file: &name,
            bytes,
            sha256,
            duration_ms: started.elapsed().as_millis(),
        };
        let mut text = serde_json::to_string(&record).expect("records serialize");
        text.push('\n');
        io::append_whole(&self.out.join(CAPTURE_LOG), &text)?;
        self.written += 1;
        self.progress.set_message("");
        Ok(format!("{kind} {}", format_bytes(bytes as i64)))
    }

    /// Runs `each` after every moment, on time, until the last moment or an interrupt.
    pub fn run_all(&mut self, mut each: impl FnMut(&mut Self, String) -> Result<()>) -> Result<()> {
        let started = Instant::now();
        for moment in 0..self.count {
            let due = started + self.args.every * moment as u32;
            if !self.sleep_until(due) {
                self.warn(&format!(
                    "interrupted: keeping the {} files captured",
                    self.written
                ));
                break;
            }
            let line = self.moment(moment)?;
            each(self, line)?;
            if interrupted() {
                self.warn(&format!(
                    "interrupted: keeping the {} files captured",
                    self.written
                ));
                break;
            }
        }
        self.progress.finish_and_clear();
        Ok(())
    }

    /// Sleeps until `due`, counting down on the progress display, waking early on an
    /// interrupt: `false` then.
    fn sleep_until(&self, due: Instant) -> bool {
        while let Some(left) = due.checked_duration_since(Instant::now()) {
            if interrupted() {
                return false;
            }
            self.progress
                .set_message(format!("next capture in {} s", left.as_secs() + 1));
            std::thread::sleep(left.min(Duration::from_millis(100)));
        }
        self.progress.set_message("");
        !interrupted()
    }
}

impl Drop for Capturer<'_> {
    fn drop(&mut self) {
        self.progress.finish_and_clear();
    }
}

/// A spinner and a message on the progress display (drawn only when stderr is a terminal
/// and --quiet is not given).
fn progress_bar() -> ProgressBar {
    let bar = super::progress_display::multi().add(ProgressBar::new_spinner());
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg}").expect("a valid progress template"),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// A writer that counts and hashes what passes through it, for capture.jsonl.
struct Recorded<W> {
    inner: W,
    hasher: Sha256,
    bytes: u64,
}

impl<W> Recorded<W> {
    fn new(inner: W) -> Self {
        Recorded {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
        }
    }
}

impl<W: Write> Write for Recorded<W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(bytes)?;
        self.hasher.update(&bytes[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

pub fn run(args: &CaptureArgs) -> Result<String> {
    let mut capturer = Capturer::new(args)?;
    catch_interrupts();
    capturer.run_all(|capturer, line| {
        capturer.say(&line);
        Ok(())
    })?;
    Ok(format!(
        "{} files in {} (recorded in {CAPTURE_LOG}); next: leakscope scan {}\n",
        capturer.written,
        capturer.out.display(),
        shell_word(&capturer.out)
    ))
}

static INTERRUPTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Ctrl-C ends a series cleanly: what was captured is kept (and judged, by `watch`).
pub fn catch_interrupts() {
    let _ = ctrlc::set_handler(|| INTERRUPTED.store(true, std::sync::atomic::Ordering::SeqCst));
}

fn interrupted() -> bool {
    INTERRUPTED.load(std::sync::atomic::Ordering::SeqCst)
}

/// What to fetch at every moment: the one profile a full URL names, or the kinds asked for
/// that the service's /debug/pprof/ index offers.
fn plan(args: &CaptureArgs, target: &str, remote: &Remote) -> Result<Vec<Planned>> {
    let full = target;
    let target = target.trim_end_matches('/');
    if let Some((_, rest)) = target.split_once("/debug/pprof/") {
        let kind = rest.split(['?', '/']).next().unwrap_or("");
        if !kind.is_empty() {
            return Ok(vec![Planned {
                kind: if KINDS.contains(&kind) {
                    kind
                } else {
                    "profile"
                }
                .to_string(),
                url: full.to_string(),
                fallback: None,
            }]);
        }
    }
    let index = if target.ends_with("/debug/pprof") {
        format!("{target}/")
    } else {
        format!("{target}/debug/pprof/")
    };
    let page = remote.get(&index)?;
    let text = String::from_utf8_lossy(&page.body);
    let offered: Vec<&str> = KINDS
        .iter()
        .copied()
        .filter(|k| text.contains(&format!("href='{k}?")) || text.contains(&format!("href=\"{k}?")))
        .collect();
    if offered.is_empty() {
        return Err(Error::Remote {
            url: without_credentials(&index),
            message: "not a /debug/pprof index (no goroutine or heap profile listed); give a \
                      profile's full URL"
                .to_string(),
        });
    }
    let mut plan = Vec::new();
    let leak_dumps =
        args.kinds.iter().any(|k| k == "goroutineleak") && offered.contains(&"goroutineleak");
    for kind in &args.kinds {
        if kind == "goroutine" && leak_dumps {
            // Taken from the goroutineleak endpoint instead (below): one dump per moment.
            continue;
        }
        if !offered.contains(&kind.as_str()) {
            eprintln!(
                "note: {} offers no {kind} profile{}",
                without_credentials(&index),
                if kind == "goroutineleak" {
                    " (Go 1.26 and later do)"
                } else {
                    ""
                }
            );
            continue;
        }
        plan.push(match kind.as_str() {
            "heap" => Planned {
                kind: kind.clone(),
                url: format!("{index}heap{}", if args.gc { "?gc=1" } else { "" }),
                fallback: None,
            },
            // At debug=2 this is every goroutine, the ones the runtime proved leaked marked
            // `(leaked)`: the goroutine dump with proof in it, so it replaces the plain one.
            "goroutineleak" => Planned {
                kind: kind.clone(),
                url: format!("{index}goroutineleak?debug=2"),
                fallback: Some(format!("{index}goroutine?debug=1")),
            },
            _ => Planned {
                kind: kind.clone(),
                url: format!("{index}{kind}?debug=2"),
                fallback: Some(format!("{index}{kind}?debug=1")),
            },
        });
    }
    if plan.is_empty() {
        return Err(Error::Usage(format!(
            "{}: offers none of --kinds {}",
            without_credentials(&index),
            args.kinds.join(",")
        )));
    }
    Ok(plan)
}

/// One profile, checked to be one: the URL it came from, its bytes and their format.
fn fetch(remote: &Remote, planned: &Planned) -> Result<(String, Vec<u8>, Format)> {
    let mut url = planned.url.clone();
    let mut fetched = remote.get(&url)?;
    if let Some(fallback) = &planned.fallback {
        if fetched.body.len() >= GO_DUMP_CAP {
            url = fallback.clone();
            fetched = remote.get(&url)?;
        }
    }
    let format =
        check_profile(&fetched.body, &fetched.content_type).map_err(|message| Error::Remote {
            url: without_credentials(&url),
            message,
        })?;
    Ok((url, fetched.body, format))
}

/// The format of a body leakscope can read, or why not (an HTML page, an empty answer,
/// something else).
fn check_profile(body: &[u8], content_type: &str) -> std::result::Result<Format, String> {
    if body.is_empty() {
        return Err("an empty answer, not a profile".into());
    }
    let mut head = body[..body.len().min(4096)].to_vec();
    if body.starts_with(&[0x1f, 0x8b]) {
        let mut decoded = Vec::new();
        let _ = flate2::read::GzDecoder::new(body)
            .take(4096)
            .read_to_end(&mut decoded);
        head = decoded;
    }
    if let Some(format) = crate::formats::sniff::sniff(&head) {
        return Ok(format);
    }
    let trimmed = String::from_utf8_lossy(&head)
        .trim_start()
        .to_ascii_lowercase();
    if content_type.contains("html")
        || trimmed.starts_with("<!doctype")
        || trimmed.starts_with("<html")
    {
        return Err("an HTML page, not a profile".into());
    }
    Err(format!(
        "not a profile leakscope reads (content type {:?})",
        if content_type.is_empty() {
            "none"
        } else {
            content_type
        }
    ))
}

/// Bodies are stored gzipped: a heap profile already is, a text dump gets compressed.
fn gzipped(body: &[u8]) -> Vec<u8> {
    if body.starts_with(&[0x1f, 0x8b]) {
        return body.to_vec();
    }
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(body).expect("writing to memory");
    encoder.finish().expect("writing to memory")
}

/// `http://127.0.0.1:6060` -> `127.0.0.1_6060`: a file name part.
fn slug(origin: &str) -> String {
    let host = origin.split_once("://").map_or(origin, |(_, h)| h);
    host.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn now_nanos() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i64)
}

/// `2026-11-25 04:10:00 UTC` -> `20261125T041000Z`.
fn compact_time(nanos: i64) -> String {
    let text = format_time(nanos);
    let digits: String = text.chars().filter(|c| c.is_ascii_digit()).collect();
    format!("{}T{}Z", &digits[..8], &digits[8..14])
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn shell_word(path: &Path) -> String {
    crate::output::report::shell_quote(&path.display().to_string())
}
