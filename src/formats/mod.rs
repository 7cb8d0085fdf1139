//! One module per input format, each turning bytes into the model. `read` opens a file,
//! removes gzip, sniffs the format from the content and hands the bytes to its reader.

pub mod go_heap_text;
mod go_records;
pub mod goroutine_text;
pub mod goroutine_traceback;
pub mod jemalloc;
pub mod lines;
mod memory_budget;
pub mod pprof;
pub mod sniff;
pub mod symbolize;
pub mod v8_snapshot;

use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::error::{Error, FormatError};
pub use crate::model::{Contents, Format, Input, Runtime};
use crate::progress;
pub use memory_budget::{check_snapshots_fit, MemoryBudget, OverBudget};
use sniff::has_binary_bytes;

/// One input format: how its first bytes are recognised, and how a whole input becomes the
/// model. A new format is a module with a `Reader`, a line in `READERS` and a `Format` variant.
pub trait Reader: Sync {
    fn format(&self) -> Format;
    /// Whether the input starts like this format: `head` is its first bytes (a UTF-8 byte-order
    /// mark removed), `text` the same from the first non-blank byte.
    fn looks_like(&self, head: &[u8], text: &[u8]) -> bool;
    /// Reads an input held whole in memory.
    fn read(&self, bytes: &[u8], options: &ReadOptions) -> Result<Contents, FormatError>;
}

/// Every reader, in the order the sniffer asks them: text formats with a distinctive first line
/// first, the binary protobuf (which any text could start like) last.
pub const READERS: &[&dyn Reader] = &[
    &goroutine_text::Reader,
    &go_heap_text::Reader,
    &jemalloc::Reader,
    &v8_snapshot::Reader,
    &goroutine_traceback::Reader,
    &pprof::Reader,
];

/// How inputs are read: limits that keep damaged or hostile inputs from exhausting memory, and
/// where binaries for symbolization are.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Largest input accepted, after decompression.
    pub max_input_size: u64,
    /// The memory heap snapshots' analyses may take, shared by every input of a run.
    pub memory: std::sync::Arc<MemoryBudget>,
    pub symbols: symbolize::SymbolSources,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            max_input_size: DEFAULT_MAX_INPUT_SIZE,
            memory: std::sync::Arc::new(MemoryBudget::new(None)),
            symbols: symbolize::SymbolSources::default(),
        }
    }
}

/// Far above any real Go profile (the runtime caps goroutine dumps at 64 MiB; a heap profile
/// of 300k stacks is ~900 MB as debug=1 text), low enough to stop a gzip bomb.
pub const DEFAULT_MAX_INPUT_SIZE: u64 = 4 << 30;

/// Who wrote a profile, from its main binary: the file name, the build id when recorded and
/// the load address (which differs between runs of position-independent binaries).
pub(crate) fn process_identity(file: &str, build_id: &str, start: u64) -> Option<String> {
    let name = file.rsplit('/').next().filter(|n| !n.is_empty())?;
    let mut identity = name.to_string();
    if !build_id.is_empty() {
        let short: String = build_id.chars().take(12).collect();
        identity.push_str(&format!(" (build {short})"));
    }
    if start != 0 {
        identity.push_str(&format!(" at {start:#x}"));
    }
    Some(identity)
}

pub fn read(path: &Path, options: &ReadOptions) -> Result<Input, Error> {
    let input_error = |e: FormatError| e.in_file(path);
    let open =
        || File::open(path).map_err(|e| input_error(FormatError::new(format!("cannot open: {e}"))));
    let file = open()?;
    let file_size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let (head, gzipped) = head(&file, path).map_err(input_error)?;

    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let reading = progress::phase(&format!("reading {name}"), Some(file_size));
    // Heap snapshots stream from the file: they can be larger than is sensible to hold twice.
    if sniff::sniff(&head) == Some(Format::V8HeapSnapshot) {
        // An uncompressed snapshot is as large as its file: only inflating needs a bound.
        let limit = if gzipped {
            options.max_input_size
        } else {
            u64::MAX
        };
        let file = progress::Reading::new(open()?, &reading);
        let reader: Box<dyn Read + Send + '_> = if gzipped {
            Box::new(flate2::read::MultiGzDecoder::new(std::io::BufReader::new(
                file,
            )))
        } else {
            Box::new(file)
        };
        // Deflate expands at most ~1032 times.
        let size_hint = if gzipped {
            file_size.saturating_mul(1032).min(limit)
        } else {
            file_size
        };
        let mut counted = LimitedReader {
            inner: reader,
            read: 0,
            limit,
        };
        let graph =
            v8_snapshot::parse(&mut counted, size_hint, Some(&options.memory)).map_err(|e| {
                if counted.read > limit {
                    input_error(too_large(limit, "decompresses to"))
                } else {
                    input_error(e)
                }
            })?;
        return Ok(Input {
            path: path.to_path_buf(),
            format: Format::V8HeapSnapshot,
            runtime: Runtime::Node,
            gzipped,
            size: counted.read,
            contents: Contents::Heap(graph),
        });
    }

    if file_size > options.max_input_size {
        return Err(input_error(too_large(options.max_input_size, "is")));
    }
    let raw = match map(&open()?, file_size) {
        Some(mapped) => Bytes::Mapped(mapped),
        None => Bytes::Read(
            read_bounded(
                progress::Reading::new(open()?, &reading),
                file_size,
                options.max_input_size,
            )
            .map_err(input_error)?,
        ),
    };
    drop(reading);
    let _parsing = progress::phase(&format!("parsing {name}"), None);
    let (reader, bytes) = if gzipped {
        let (reader, inflated) = gunzip(&raw, options.max_input_size).map_err(input_error)?;
        (reader, Bytes::Read(inflated))
    } else {
        let reader = sniff_or_fail(&raw).map_err(input_error)?;
        check_text(reader.format(), &raw, 0).map_err(input_error)?;
        (reader, raw)
    };
    let bytes: &[u8] = &bytes;
    let format = reader.format();
    let contents = reader.read(bytes, options).map_err(input_error)?;
    Ok(Input {
        path: path.to_path_buf(),
        format,
        runtime: runtime_of(format, &contents),
        gzipped,
        size: bytes.len() as u64,
        contents,
    })
}

/// The first bytes of an input (inflated, when it is gzipped), and whether it is.
fn head(file: &File, path: &Path) -> Result<(Vec<u8>, bool), FormatError> {
    let mut head = Vec::new();
    file.take(sniff::SNIFF_LEN as u64)
        .read_to_end(&mut head)
        .map_err(|e| FormatError::at_byte(0, format!("read failed: {e}")))?;
    let gzipped = head.starts_with(&[0x1f, 0x8b]);
    if gzipped {
        let mut decoded = Vec::new();
        // A damaged stream is reported when the whole input is read.
        if let Ok(file) = File::open(path) {
            let _ = flate2::read::MultiGzDecoder::new(file)
                .take(sniff::SNIFF_LEN as u64)
                .read_to_end(&mut decoded);
        }
        if !decoded.is_empty() {
            head = decoded;
        }
    }
    Ok((head, gzipped))
}

/// Counts what passes through and stops at `limit` (one byte past it, so going over shows).
struct LimitedReader<R> {
    inner: R,
    read: u64,
    limit: u64,
}

impl<R: Read> Read for LimitedReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.read > self.limit {
            return Err(std::io::Error::other("input limit reached"));
        }
        let room = (self.limit.saturating_add(1) - self.read).min(buf.len() as u64) as usize;
        let n = self.inner.read(&mut buf[..room])?;
        self.read += n as u64;
        Ok(n)
    }
}

fn sniff_or_fail(bytes: &[u8]) -> Result<&'static dyn Reader, FormatError> {
    if bytes.is_empty() {
        return Err(FormatError::new("the file is empty"));
    }
    sniff::reader_for(&bytes[..bytes.len().min(sniff::SNIFF_LEN)])
        .ok_or_else(|| unrecognised(bytes))
}

/// Text profiles never hold NUL bytes; finding one early stops a gzip bomb of zeros behind a
/// valid first line without inflating it.
fn check_text(format: Format, chunk: &[u8], offset: u64) -> Result<(), FormatError> {
    if format == Format::Pprof {
        return Ok(());
    }
    match memchr::memchr(0, chunk) {
        Some(at) => Err(FormatError::at_byte(
            offset + at as u64,
            format!(
                "NUL byte in a {} file: the file is damaged or not text",
                format.name()
            ),
        )),
        None => Ok(()),
    }
}

fn too_large(limit: u64, verb: &str) -> FormatError {
    FormatError::new(format!(
        "{verb} larger than the input limit of {limit} bytes (raise it with --max-input-size)"
    ))
}

fn unrecognised(bytes: &[u8]) -> FormatError {
    FormatError::at_byte(
        0,
        format!(
            "not a recognised profile (expected pprof protobuf, a Go goroutine dump with debug=1 or debug=2, \
             a Go heap profile with debug=1, a V8 heap snapshot or a jemalloc heap_v2 dump); it starts with `{}`",
            lines::excerpt(&bytes[..bytes.len().min(40)])
        ),
    )
}

fn runtime_of(format: Format, contents: &Contents) -> Runtime {
    let Contents::Stacks(profile) = contents else {
        return Runtime::Node;
    };
    let rust_names = || profile.functions.iter().any(|f| f.name.contains("::"));
    // A jemalloc_pprof profile nothing symbolized has only addresses, but it has sample type
    // inuse_space alone, which Go never writes.
    let jemalloc_pprof =
        || profile.sample_types.len() == 1 && profile.sample_types[0].name == "inuse_space";
    match format {
        Format::V8HeapSnapshot => Runtime::Node,
        Format::JemallocHeap => Runtime::Rust,
        Format::Pprof if rust_names() || jemalloc_pprof() => Runtime::Rust,
        _ => Runtime::Go,
    }
}

/// Reads at most `limit` bytes; more is an error rather than an allocation.
/// A whole input: the file mapped into memory, or read (or inflated) into a buffer.
enum Bytes {
    Mapped(memmap2::Mmap),
    Read(Vec<u8>),
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Mapped(mapped) => mapped,
            Bytes::Read(bytes) => bytes,
        }
    }
}

/// Inputs of this size and more are mapped rather than read: the kernel's page cache is read in
/// place, with no copy and no buffer of the file's size to fault in (a 29 MB dump reads in
/// three quarters of the time).
const MAP_FROM: u64 = 1 << 20;

fn map(file: &File, size: u64) -> Option<memmap2::Mmap> {
    if size < MAP_FROM {
        return None;
    }
    // SAFETY: the file is opened read-only and the map is only read. Another process cutting
    // the file short while it is read would fault the reader, as it would any program that maps
    // its inputs; inputs are captures at rest, not files being written.
    let mapped = unsafe { memmap2::Mmap::map(file) }.ok()?;
    (mapped.len() as u64 == size).then_some(mapped)
}

fn read_bounded(reader: impl Read, size_hint: u64, limit: u64) -> Result<Vec<u8>, FormatError> {
    // One allocation of the right size: growing by doubling would copy a large dump twice.
    let mut bytes = Vec::with_capacity(size_hint.min(limit) as usize + 1);
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| FormatError::at_byte(bytes.len() as u64, format!("read failed: {e}")))?;
    if bytes.len() as u64 > limit {
        return Err(too_large(limit, "is"));
    }
    Ok(bytes)
}

/// Decompresses a gzip stream (several members are read as one), refusing to grow past `limit`.
/// The format is sniffed from the first bytes before the rest is inflated, and text is checked
/// chunk by chunk, so a bomb stops early; one of valid-looking text stops at the limit.
fn gunzip(raw: &[u8], limit: u64) -> Result<(&'static dyn Reader, Vec<u8>), FormatError> {
    const CHUNK: usize = 1 << 20;
    let mut decoder = flate2::read::MultiGzDecoder::new(raw);
    let corrupt = |e: std::io::Error, at: usize| {
        FormatError::new(format!(
            "corrupt or truncated gzip stream after {at} decompressed bytes ({e})"
        ))
    };
    let mut bytes = Vec::new();
    (&mut decoder)
        .take(sniff::SNIFF_LEN as u64)
        .read_to_end(&mut bytes)
        .map_err(|e| corrupt(e, 0))?;
    if bytes.is_empty() {
        return Err(FormatError::new("the gzip stream holds no data"));
    }
    let reader = sniff_or_fail(&bytes)?;
    check_text(reader.format(), &bytes, 0)?;
    loop {
        let start = bytes.len();
        let room = limit.saturating_add(1).saturating_sub(start as u64);
        let read = (&mut decoder)
            .take(room.min(CHUNK as u64))
            .read_to_end(&mut bytes)
            .map_err(|e| corrupt(e, bytes.len()))?;
        check_text(reader.format(), &bytes[start..], start as u64)?;
        if bytes.len() as u64 > limit {
            return Err(too_large(limit, "decompresses to"));
        }
        if read == 0 {
            return Ok((reader, bytes));
        }
    }
}
