//! `capture`: profiles of a running service at intervals, into a folder `scan`, `check` and
//! `report` read as a series. Each file is written whole (temporary file, then rename) and
//! recorded in the folder's capture.jsonl with its time, URL, size and sha256.

use std::io::{Read, Write};
use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::io::{self, CAPTURE_LOG};
use super::remote::{without_credentials, Remote};
use crate::cli::CaptureArgs;
use crate::error::{Error, Result};
use crate::output::values::{format_bytes, format_time};

/// Go cuts a debug=2 goroutine dump at 64 MiB; past that, debug=1 (grouped) fits.
const GO_DUMP_CAP: usize = 64 << 20;

/// The profile kinds a /debug/pprof server offers that leakscope reads.
const KINDS: [&str; 3] = ["goroutine", "heap", "goroutineleak"];

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
    bytes: usize,
    sha256: String,
    duration_ms: u128,
}

/// A capture session: the target, what to take at every moment, and where it goes.
pub struct Capturer<'a> {
    args: &'a CaptureArgs,
    remote: Remote,
    target: String,
    plan: Vec<Planned>,
    slug: String,
    pub written: usize,
    failures: usize,
}

impl<'a> Capturer<'a> {
    /// Checks the options, reads the target's index and creates the folder.
    pub fn new(args: &'a CaptureArgs) -> Result<Capturer<'a>> {
        if args.count == 0 {
            return Err(Error::Usage("--count must be at least 1".into()));
        }
        for kind in &args.kinds {
            if !KINDS.contains(&kind.as_str()) {
                return Err(Error::Usage(format!(
                    "--kinds {kind:?}: leakscope captures {}",
                    KINDS.join(", ")
                )));
            }
        }
        let remote = Remote::new(
            &args.target,
            &args.header,
            args.timeout,
            args.insecure,
            args.max_size.0,
        )?;
        if args.insecure {
            eprintln!("warning: --insecure: TLS certificates are not checked");
        }
        let plan = plan(args, &remote)?;
        std::fs::create_dir_all(&args.out).map_err(|e| Error::Output {
            path: args.out.clone(),
            message: e.to_string(),
        })?;
        Ok(Capturer {
            args,
            slug: slug(remote.origin()),
            target: without_credentials(&args.target),
            remote,
            plan,
            written: 0,
            failures: 0,
        })
    }

    /// Takes every planned profile once (`moment` counts from 0) and says what it took. A
    /// failure at the first moment is an error; later ones are reported and counted, and an
    /// error once there are more than --max-failures.
    pub fn moment(&mut self, moment: usize) -> Result<String> {
        let args = self.args;
        let mut taken = Vec::new();
        for planned in &self.plan {
            match take(&self.remote, planned) {
                Ok((url, body, took)) => {
                    let now = now_nanos();
                    let name = format!(
                        "{}-{}-{}-{:04}.{}",
                        self.slug,
                        planned.kind,
                        compact_time(now),
                        moment + 1,
                        extension(&planned.kind)
                    );
                    let bytes = gzipped(&body);
                    io::write_bytes_atomically(&args.out.join(&name), &bytes)?;
                    let record = Record {
                        seq: moment + 1,
                        time: format_time(now),
                        time_nanos: now,
                        target: &self.target,
                        kind: &planned.kind,
                        url: &without_credentials(&url),
                        file: &name,
                        bytes: bytes.len(),
                        sha256: hex(&Sha256::digest(&bytes)),
                        duration_ms: took.as_millis(),
                    };
                    let mut text = serde_json::to_string(&record).expect("records serialize");
                    text.push('\n');
                    io::append_whole(&args.out.join(CAPTURE_LOG), &text)?;
                    self.written += 1;
                    taken.push(format!(
                        "{} {}",
                        planned.kind,
                        format_bytes(bytes.len() as i64)
                    ));
                }
                // The first moment shows whether the target works at all: stop there.
                Err(e) if moment == 0 => return Err(e),
                Err(e) => {
                    self.failures += 1;
                    eprintln!("capture {}/{}: {e}", moment + 1, args.count);
                    if self.failures > args.max_failures {
                        return Err(Error::Usage(format!(
                            "{}: {} failed captures (more than --max-failures {}); {} files \
                             written to {}",
                            self.target,
                            self.failures,
                            args.max_failures,
                            self.written,
                            args.out.display()
                        )));
                    }
                }
            }
        }
        Ok(format!(
            "capture {}/{} at {}: {}",
            moment + 1,
            args.count,
            format_time(now_nanos()),
            if taken.is_empty() {
                "failed".to_string()
            } else {
                taken.join(", ")
            }
        ))
    }

    /// Runs `each` after every moment, on time, until --count moments or an interrupt.
    pub fn run_all(&mut self, mut each: impl FnMut(&mut Self, String) -> Result<()>) -> Result<()> {
        let started = Instant::now();
        for moment in 0..self.args.count {
            let due = started + self.args.every * moment as u32;
            if !sleep_until(due) {
                eprintln!("interrupted: keeping the {} files captured", self.written);
                break;
            }
            let line = self.moment(moment)?;
            each(self, line)?;
            if interrupted() {
                eprintln!("interrupted: keeping the {} files captured", self.written);
                break;
            }
        }
        Ok(())
    }
}

pub fn run(args: &CaptureArgs) -> Result<String> {
    let mut capturer = Capturer::new(args)?;
    catch_interrupts();
    capturer.run_all(|_, line| {
        println!("{line}");
        Ok(())
    })?;
    Ok(format!(
        "{} files in {} (recorded in {CAPTURE_LOG}); next: leakscope scan {}\n",
        capturer.written,
        args.out.display(),
        shell_word(&args.out)
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

/// Sleeps until `due`, waking early on an interrupt: `false` then.
fn sleep_until(due: Instant) -> bool {
    while let Some(left) = due.checked_duration_since(Instant::now()) {
        if interrupted() {
            return false;
        }
        std::thread::sleep(left.min(Duration::from_millis(100)));
    }
    !interrupted()
}

/// What to fetch at every moment: the one profile a full URL names, or the kinds asked for
/// that the service's /debug/pprof/ index offers.
fn plan(args: &CaptureArgs, remote: &Remote) -> Result<Vec<Planned>> {
    let target = args.target.trim_end_matches('/');
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
                url: args.target.clone(),
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

/// One profile, checked to be one: the URL it came from, its bytes and how long it took.
fn take(remote: &Remote, planned: &Planned) -> Result<(String, Vec<u8>, Duration)> {
    let started = Instant::now();
    let mut url = planned.url.clone();
    let mut fetched = remote.get(&url)?;
    if let Some(fallback) = &planned.fallback {
        if fetched.body.len() >= GO_DUMP_CAP {
            url = fallback.clone();
            fetched = remote.get(&url)?;
        }
    }
    check_profile(&fetched.body, &fetched.content_type).map_err(|message| Error::Remote {
        url: without_credentials(&url),
        message,
    })?;
    Ok((url, fetched.body, started.elapsed()))
}

/// A body leakscope can read, or why not (an HTML page, an empty answer, something else).
fn check_profile(body: &[u8], content_type: &str) -> std::result::Result<(), String> {
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
    if crate::formats::sniff::sniff(&head).is_some() {
        return Ok(());
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

fn extension(kind: &str) -> &'static str {
    match kind {
        "heap" | "profile" => "pb.gz",
        _ => "txt.gz",
    }
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
