//! Go goroutine tracebacks: `/debug/pprof/goroutine?debug=2` (and `goroutineleak?debug=2`),
//! and the same format in panic output and SIGQUIT dumps. One record per goroutine:
//!
//! ```text
//! goroutine 34 [select, 1 minutes]:
//! google.golang.org/grpc.newClientStreamWithParams.func4()
//!     /src/google.golang.org/grpc/stream.go:442 +0x8e
//! created by google.golang.org/grpc.newClientStreamWithParams in goroutine 1
//!     /src/google.golang.org/grpc/stream.go:441 +0xeb7
//! ```
//!
//! (File lines start with a tab.) Variants handled: `, N minutes`, `, locked to thread`, ` (leaked)` in the state, crash
//! headers with `gp=... m=... mp=...`, `created by F` without `in goroutine K` (before Go 1.21),
//! `...additional frames elided...`, and text before, between and after the records (panic
//! messages, signal lines, register dumps). The runtime cuts debug=2 output at 64 MiB; a dump cut
//! inside a record is read up to the last complete goroutine and marked truncated.

use rustc_hash::FxHashMap;

use crate::error::FormatError;
use crate::formats::go_records::split_file_line;
use crate::formats::lines::{excerpt, parse_u64, text, Line, Lines};
use crate::formats::ReadOptions;
use crate::model::{Contents, Format};
use crate::model::{
    Goroutine, GoroutineDump, Labels, Profile, ProfileBuilder, ProfileKind, Truncation, ValueType,
};

/// `runtime/pprof.writeGoroutineStacks` stops at this many bytes.
pub const GO_RUNTIME_DUMP_LIMIT: u64 = 64 << 20;

/// How far into the input the first goroutine header may start (panic text comes before it).
const HEAD_SCAN: usize = 64 << 10;

pub fn looks_like(head: &[u8]) -> bool {
    let head = &head[..head.len().min(HEAD_SCAN)];
    Lines::new(head).any(|line| is_header(line.text))
}

fn is_header(t: &[u8]) -> bool {
    let Some(rest) = t.strip_prefix(b"goroutine ") else {
        return false;
    };
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    digits > 0 && (rest[digits..].starts_with(b" [") || rest[digits..].starts_with(b" gp="))
}

struct Pending {
    goroutine: Goroutine,
    frames: Vec<u32>,
    /// Byte range of a call line's function name whose `\tfile:line` has not come yet.
    open_call: Option<(usize, usize)>,
    /// The `created by` line has been seen; its file line is next.
    creator_open: bool,
    offset: u64,
}

pub fn parse(bytes: &[u8]) -> Result<Profile, FormatError> {
    let mut builder = ProfileBuilder::new(
        ProfileKind::Goroutine,
        vec![ValueType::new("goroutine", "count")],
        0,
    );
    let mut dump = GoroutineDump::default();
    let mut state_ids: FxHashMap<&[u8], u32> = FxHashMap::default();
    let mut pending: Option<Pending> = None;
    let mut last_line_terminated = true;

    for line in Lines::new(bytes) {
        last_line_terminated = line.terminated;
        let t = line.text;
        if is_header(t) {
            if let Some(p) = pending.take() {
                finish(p, bytes, &mut builder, &mut dump);
            }
            pending = Some(start(&line, &mut builder, &mut dump, &mut state_ids)?);
            continue;
        }
        let Some(p) = pending.as_mut() else {
            // Panic message, signal description, register dump: not ours to read.
            continue;
        };
        if t.is_empty() {
            let p = pending.take().expect("checked above");
            finish(p, bytes, &mut builder, &mut dump);
            continue;
        }
        if let Some(location) = t.strip_prefix(b"\t") {
            let (file, line_number) = split_file_line(location);
            if p.creator_open {
                p.creator_open = false;
                p.goroutine.creator_line = line_number;
                if let Some(function) = p.goroutine.created_by {
                    builder.set_function_file(function, file);
                }
                continue;
            }
            if let Some((from, to)) = p.open_call.take() {
                let function = builder.intern_function_bytes(&bytes[from..to], file);
                p.frames.push(builder.intern_frame(function, line_number));
            }
            continue;
        }
        close_call(p, bytes, &mut builder);
        if let Some(creator) = t.strip_prefix(b"created by ") {
            let (name, creator_id) = match memchr::memmem::rfind(creator, b" in goroutine ") {
                Some(at) => {
                    let id = parse_u64(&creator[at + 14..]).ok_or_else(|| {
                        FormatError::at_line(
                            line.number,
                            format!(
                                "creator goroutine id `{}` is not a 64-bit number",
                                excerpt(&creator[at + 14..])
                            ),
                        )
                    })?;
                    (&creator[..at], Some(id))
                }
                None => (creator, None),
            };
            p.goroutine.created_by = Some(builder.intern_function_bytes(name, b""));
            p.goroutine.creator_id = creator_id;
            p.creator_open = true;
        } else if t.starts_with(b"...") || t.starts_with(b"goroutine running on other thread") {
            // Elided frames or an unavailable stack: nothing to record.
        } else if t.ends_with(b")") {
            let open = memchr::memrchr(b'(', t).unwrap_or(t.len());
            let from = line.offset as usize;
            p.open_call = Some((from, from + open));
        } else {
            return Err(FormatError::at_line(
                line.number,
                format!("unexpected line inside goroutine record: `{}`", excerpt(t)),
            ));
        }
    }

    if let Some(p) = pending.take() {
        // A record is complete when the input ended on a newline and no call is waiting for
        // its file line; a dump of exactly the runtime's limit may also be cut between frames.
        let cut = !last_line_terminated
            || p.open_call.is_some()
            || p.creator_open
            || bytes.len() as u64 == GO_RUNTIME_DUMP_LIMIT;
        if cut {
            let limit = if bytes.len() as u64 == GO_RUNTIME_DUMP_LIMIT {
                " (exactly 64 MiB: the Go runtime's cap on debug=2 output)"
            } else {
                ""
            };
            dump.truncated = Some(Truncation {
                at_byte: p.offset,
                reason: format!(
                    "the dump ends inside the record of goroutine {} at byte {}{limit}; read {} complete goroutines before it",
                    p.goroutine.id,
                    p.offset,
                    dump.goroutines.len()
                ),
            });
        } else {
            finish(p, bytes, &mut builder, &mut dump);
        }
    }

    if dump.goroutines.is_empty() {
        return Err(match &dump.truncated {
            Some(t) => FormatError::at_byte(
                t.at_byte,
                "the dump is cut inside its first goroutine record",
            ),
            None => FormatError::new("no goroutine records found"),
        });
    }
    let mut profile = builder.finish();
    if let Some(t) = &dump.truncated {
        profile.warnings.push(format!("truncated: {}", t.reason));
    }
    profile.goroutines = Some(dump);
    Ok(profile)
}

/// Parses `goroutine N [state, M minutes, locked to thread]:` (with optional `gp=...` words
/// between the id and the bracket on crash dumps).
fn start<'a>(
    line: &Line<'a>,
    builder: &mut ProfileBuilder,
    dump: &mut GoroutineDump,
    state_ids: &mut FxHashMap<&'a [u8], u32>,
) -> Result<Pending, FormatError> {
    let rest: &'a [u8] = &line.text[b"goroutine ".len()..];
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let id = parse_u64(&rest[..digits]).ok_or_else(|| {
        FormatError::at_line(
            line.number,
            format!(
                "goroutine id `{}` is not a 64-bit number",
                excerpt(&rest[..digits])
            ),
        )
    })?;
    let malformed = || {
        FormatError::at_line(
            line.number,
            format!("malformed goroutine header `{}`", excerpt(line.text)),
        )
    };
    // `[state[ (leaked)][ (scan)][, N minutes][, locked to thread][, synctest bubble B]]`; state
    // strings hold no `]`, label values may.
    let open = memchr::memchr(b'[', rest).ok_or_else(malformed)?;
    let close = memchr::memchr(b']', &rest[open..])
        .map(|c| open + c)
        .ok_or_else(malformed)?;
    let inside = &rest[open + 1..close];
    let mut goroutine = Goroutine {
        id,
        state: 0,
        wait_minutes: None,
        locked_to_thread: false,
        leaked: false,
        stack: 0,
        labels: 0,
        created_by: None,
        creator_id: None,
        creator_line: 0,
    };
    let mut parts = inside.split(|&b| b == b',').map(trim);
    let mut state = parts.next().unwrap_or_default();
    for part in parts {
        if let Some(minutes) = part.strip_suffix(b" minutes") {
            goroutine.wait_minutes = parse_u64(minutes).and_then(|m| u32::try_from(m).ok());
        } else if part == b"locked to thread" {
            goroutine.locked_to_thread = true;
        }
    }
    // A goroutine caught mid-scan by the GC is in the same state as without the mark.
    if let Some(stripped) = state.strip_suffix(b" (scan)") {
        state = stripped;
    }
    if let Some(stripped) = state.strip_suffix(b" (leaked)") {
        state = stripped;
        goroutine.leaked = true;
    }
    // Go 1.27+ prints the goroutine's pprof labels after the bracket: ` {k: v, k2: "v 2"}:`.
    let after = trim(&rest[close + 1..]);
    let after = after.strip_suffix(b":").unwrap_or(after);
    let after = trim(after);
    if !after.is_empty() {
        let labels = after
            .strip_prefix(b"{")
            .and_then(|b| b.strip_suffix(b"}"))
            .and_then(parse_labels)
            .ok_or_else(|| {
                FormatError::at_line(
                    line.number,
                    format!("malformed goroutine labels `{}`", excerpt(after)),
                )
            })?;
        goroutine.labels = builder.intern_labels(labels);
    }
    let next_id = dump.states.len() as u32;
    goroutine.state = *state_ids.entry(state).or_insert_with(|| {
        dump.states.push(text(state).into_owned());
        next_id
    });
    Ok(Pending {
        goroutine,
        frames: Vec::new(),
        open_call: None,
        creator_open: false,
        offset: line.offset,
    })
}

/// `handler: /watch, tenant: "big corp"`: keys and values are bare, or Go-quoted when they hold
/// anything but letters, digits, `.`, `/` and `_`.
fn parse_labels(body: &[u8]) -> Option<Labels> {
    let mut labels = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        let (key, after) = label_token(rest, b':')?;
        let after = after.strip_prefix(b":")?;
        let after = after.strip_prefix(b" ").unwrap_or(after);
        let (value, after) = label_token(after, b',')?;
        labels.push((key, value));
        rest = match after.strip_prefix(b",") {
            Some(more) => more.strip_prefix(b" ").unwrap_or(more),
            None if after.is_empty() => after,
            None => return None,
        };
    }
    Some(labels)
}

/// One key or value: a Go-quoted string, or bare text up to `end`.
fn label_token(text: &[u8], end: u8) -> Option<(String, &[u8])> {
    if text.first() == Some(&b'"') {
        let mut value = Vec::new();
        let mut i = 1;
        while i < text.len() {
            match text[i] {
                b'"' => {
                    return Some((String::from_utf8_lossy(&value).into_owned(), &text[i + 1..]))
                }
                b'\\' => {
                    let (byte_or_char, used) = unescape(&text[i + 1..])?;
                    value.extend_from_slice(&byte_or_char);
                    i += 1 + used;
                }
                b => {
                    value.push(b);
                    i += 1;
                }
            }
        }
        None
    } else {
        let stop = memchr::memchr(end, text).unwrap_or(text.len());
        Some((
            String::from_utf8_lossy(&text[..stop]).into_owned(),
            &text[stop..],
        ))
    }
}

/// A Go escape after the backslash: returns the bytes it stands for and how many bytes it used.
fn unescape(text: &[u8]) -> Option<(Vec<u8>, usize)> {
    let hex = |digits: &[u8]| u32::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok();
    let char_bytes = |c: u32| char::from_u32(c).map(|c| c.to_string().into_bytes());
    match *text.first()? {
        b'n' => Some((vec![b'\n'], 1)),
        b't' => Some((vec![b'\t'], 1)),
        b'r' => Some((vec![b'\r'], 1)),
        b'a' => Some((vec![7], 1)),
        b'b' => Some((vec![8], 1)),
        b'f' => Some((vec![12], 1)),
        b'v' => Some((vec![11], 1)),
        b'\\' | b'"' | b'\'' => Some((vec![text[0]], 1)),
        b'x' => Some((vec![hex(text.get(1..3)?)? as u8], 3)),
        b'u' => Some((char_bytes(hex(text.get(1..5)?)?)?, 5)),
        b'U' => Some((char_bytes(hex(text.get(1..9)?)?)?, 9)),
        _ => None,
    }
}

fn trim(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    &bytes[start..end]
}

/// A call line followed by another call line (no file line in between) still counts as a frame.
fn close_call(p: &mut Pending, bytes: &[u8], builder: &mut ProfileBuilder) {
    if let Some((from, to)) = p.open_call.take() {
        let function = builder.intern_function_bytes(&bytes[from..to], b"");
        p.frames.push(builder.intern_frame(function, 0));
    }
}

fn finish(mut p: Pending, bytes: &[u8], builder: &mut ProfileBuilder, dump: &mut GoroutineDump) {
    close_call(&mut p, bytes, builder);
    let stack = builder.intern_stack(&p.frames);
    builder.add_sample(stack, p.goroutine.labels, &[1]);
    p.goroutine.stack = stack;
    dump.goroutines.push(p.goroutine);
}

/// GoroutineTraceback inputs, for the sniffer and the reader table.
pub struct Reader;

impl super::Reader for Reader {
    fn format(&self) -> Format {
        Format::GoroutineTraceback
    }

    fn looks_like(&self, head: &[u8], _text: &[u8]) -> bool {
        looks_like(head)
    }

    fn read(&self, bytes: &[u8], _options: &ReadOptions) -> Result<Contents, FormatError> {
        parse(bytes).map(Contents::Stacks)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DUMP: &str = "goroutine 7 [running]:\n\
main.main()\n\
\t/src/main.go:10 +0x1d\n\
\n\
goroutine 34 [select, 3 minutes, locked to thread]:\n\
google.golang.org/grpc.newClientStreamWithParams.func4()\n\
\t/src/stream.go:442 +0x8e\n\
created by google.golang.org/grpc.newClientStreamWithParams in goroutine 1\n\
\t/src/stream.go:441 +0xeb7\n\
\n\
goroutine 35 [chan send (leaked)]:\n\
main.leaky(0xc000010000, {0x1, 0x2})\n\
\t/src/main.go:20 +0x1\n\
io.ReadFull(...)\n\
\t/src/io.go:354\n\
...additional frames elided...\n\
created by main.start\n\
\t/src/main.go:30 +0x2\n";

    #[test]
    fn reads_states_waits_creators_and_leaks() {
        let p = parse(DUMP.as_bytes()).unwrap();
        let d = p.goroutines.as_ref().unwrap();
        assert_eq!(d.goroutines.len(), 3);
        // goroutineleak?debug=2 dumps every goroutine, so a dump stays a goroutine profile; the
        // runtime's verdict is per goroutine.
        assert_eq!(p.kind, ProfileKind::Goroutine);
        let g = &d.goroutines[1];
        assert_eq!(g.id, 34);
        assert_eq!(d.state_name(g), "select");
        assert_eq!(g.wait_minutes, Some(3));
        assert!(g.locked_to_thread);
        assert_eq!(g.creator_id, Some(1));
        assert_eq!(
            p.functions[g.created_by.unwrap() as usize].name,
            "google.golang.org/grpc.newClientStreamWithParams"
        );
        let leaked = &d.goroutines[2];
        assert!(leaked.leaked);
        assert_eq!(d.state_name(leaked), "chan send");
        assert_eq!(leaked.creator_id, None);
        let names: Vec<_> = p
            .stack(leaked.stack)
            .iter()
            .map(|&f| p.function_of_frame(f).name.as_str())
            .collect();
        assert_eq!(names, ["main.leaky", "io.ReadFull"]);
        assert!(p.warnings.is_empty());
    }

    #[test]
    fn crash_header_and_surrounding_text() {
        let text = "panic: boom\n\ngoroutine 1 gp=0xc000002380 m=0 mp=0x5a5c60 [running]:\nmain.main()\n\t/m.go:5 +0x1\nexit status 2\n";
        let p = parse(text.as_bytes());
        // `exit status 2` directly after a frame is not part of the format.
        assert!(p.is_err());
        let text = "panic: boom\n\ngoroutine 1 gp=0xc000002380 m=0 mp=0x5a5c60 [running]:\nmain.main()\n\t/m.go:5 +0x1\n\nrax    0x0\n";
        let p = parse(text.as_bytes()).unwrap();
        assert_eq!(p.goroutines.unwrap().goroutines[0].id, 1);
    }

    #[test]
    fn cut_record_is_dropped_and_reported() {
        let cut = &DUMP[..DUMP.len() - 30];
        let p = parse(cut.as_bytes()).unwrap();
        assert_eq!(p.goroutines.as_ref().unwrap().goroutines.len(), 2);
        assert!(p.warnings[0].contains("goroutine 35"), "{:?}", p.warnings);
    }

    #[test]
    fn labels_after_the_state() {
        let text = "goroutine 7 [chan receive (scan), 2 minutes] {handler: /watch, note: \"a\\\"b}c, d\", tenant: acme}:\n\
main.watchLoop()\n\t/m.go:5 +0x1\n";
        let p = parse(text.as_bytes()).unwrap();
        let d = p.goroutines.as_ref().unwrap();
        let g = &d.goroutines[0];
        assert_eq!(d.state_name(g), "chan receive");
        assert_eq!(g.wait_minutes, Some(2));
        assert_eq!(
            p.label_sets[g.labels as usize],
            [
                ("handler".to_string(), "/watch".to_string()),
                ("note".to_string(), "a\"b}c, d".to_string()),
                ("tenant".to_string(), "acme".to_string())
            ]
        );
        assert_eq!(p.samples[0].labels, g.labels);
        let bad =
            parse(b"goroutine 7 [select] {handler: \"open:\nmain.f()\n\t/m.go:1\n").unwrap_err();
        assert_eq!(bad.place, crate::error::Place::Line(1));
    }

    #[test]
    fn absurd_id_is_an_error() {
        let e = parse(b"goroutine 99999999999999999999999 [running]:\nmain.main()\n\t/m.go:1\n")
            .unwrap_err();
        assert_eq!(e.place, crate::error::Place::Line(1));
    }
}
