//! Offline symbolization: raw return addresses from a heap dump or an unsymbolized pprof
//! profile become function names, files and lines, read from the DWARF (or, failing that, the
//! symbol table) of the binary that produced them. No external tools: object + addr2line.
//!
//! An address is first placed in the process's mappings (`/proc/self/maps` as the dump recorded
//! it), turned into a file offset and then into the binary's own virtual address through its
//! `PT_LOAD` segments, which undoes the PIE load bias whatever it was. Inlined frames are
//! expanded. Rust names are demangled (legacy and v0) and partly demangled names normalised.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rustc_hash::FxHashMap;

/// One line of a process's memory map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    pub start: u64,
    pub end: u64,
    /// File offset of `start`.
    pub offset: u64,
    pub path: String,
    pub build_id: Option<String>,
}

/// Where binaries for symbolization come from.
#[derive(Debug, Clone, Default)]
pub struct SymbolSources {
    /// The binary the profile came from (`--binary`).
    pub binary: Option<PathBuf>,
    /// A directory with `.build-id/ab/cdef….debug` files (`--debug-dir`).
    pub debug_dir: Option<PathBuf>,
    /// The root the mapped libraries' paths are read from (`--sysroot`); none: this machine's.
    pub sysroot: Option<PathBuf>,
}

/// A resolved frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SymbolFrame {
    pub function: String,
    pub file: String,
    pub line: u32,
}

/// A loadable segment: (file offset, file size, virtual address).
type Segment = (u64, u64, u64);

struct Binary {
    loader: Arc<Mutex<addr2line::Loader>>,
    segments: Vec<Segment>,
}

/// A file as it stands on disk: the same path, size and modification time is the same file.
type FileKey = (PathBuf, u64, Option<std::time::SystemTime>);

/// Debug information, loaded once per process and file: a series of dumps of one program reads
/// the binary's DWARF (inflating it, when compressed) once, not once per dump.
static LOADED: Mutex<Vec<(FileKey, Arc<Mutex<addr2line::Loader>>)>> = Mutex::new(Vec::new());

/// How many times this process has read a file's debug information (tests hold a series to
/// one read per binary).
static DEBUG_INFO_READS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

pub fn debug_info_reads() -> usize {
    DEBUG_INFO_READS.load(std::sync::atomic::Ordering::Relaxed)
}

pub struct Symbolizer {
    /// In the order given.
    mappings: Vec<Mapping>,
    /// Mapping indices by start address, for placing raw addresses.
    by_start: Vec<usize>,
    /// Per mapping, the loaded binary that covers it.
    binary_of: Vec<Option<usize>>,
    binaries: Vec<Binary>,
    /// Things the user should know, said once (not per frame).
    pub warnings: Vec<String>,
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Mappings that are files (not `[heap]`, `[stack]`, anonymous memory).
fn is_file(path: &str) -> bool {
    path.starts_with('/') || path.starts_with("./")
}

impl Symbolizer {
    /// Loads what can be loaded; a binary that contradicts the dump's mappings is an error,
    /// since every name it gave would be wrong.
    pub fn new(mappings: Vec<Mapping>, sources: &SymbolSources) -> Result<Symbolizer, String> {
        let mut by_start: Vec<usize> = (0..mappings.len()).collect();
        by_start.sort_by_key(|&i| mappings[i].start);
        let mut warnings = Vec::new();
        let mut stale_libraries: Vec<&str> = Vec::new();
        // The main program is the first file mapped (the kernel maps the executable first).
        let main_path = mappings
            .iter()
            .find(|m| is_file(&m.path))
            .map(|m| m.path.clone());
        let mut paths: Vec<String> = Vec::new();
        for m in &mappings {
            if is_file(&m.path) && !paths.contains(&m.path) {
                paths.push(m.path.clone());
            }
        }
        let mut binaries = Vec::new();
        let mut binary_for_path: FxHashMap<String, usize> = FxHashMap::default();
        let mut binary_used = false;
        for path in &paths {
            let file = Self::file_for(path, main_path.as_deref(), &mappings, sources);
            let Some(file) = file else {
                continue;
            };
            let explicit = sources.binary.as_deref() == Some(file.as_path());
            binary_used |= explicit;
            // The binary the user named must fit; a library found on this machine may simply be
            // another build than the process had, and is then left out.
            let checked = layout(&file)
                .map_err(|e| format!("{}: {e}", file.display()))
                .and_then(|(segments, build_id)| {
                    check_layout(&segments, build_id.as_deref(), &file, path, &mappings)?;
                    load(&file, segments).map_err(|e| format!("{}: {e}", file.display()))
                });
            let binary = match checked {
                Ok(binary) => binary,
                Err(e) if explicit => return Err(e),
                Err(_) => {
                    stale_libraries.push(file_name(path));
                    continue;
                }
            };
            binary_for_path.insert(path.clone(), binaries.len());
            binaries.push(binary);
        }
        if let Some(binary) = &sources.binary {
            if !binary_used {
                return Err(format!(
                    "{} does not appear in the profile's mappings (it maps {})",
                    binary.display(),
                    main_path.as_deref().map(file_name).unwrap_or("no files")
                ));
            }
        }
        if !stale_libraries.is_empty() {
            warnings.push(format!(
                "{} on this machine {} not what the process mapped; frames there stay unsymbolized",
                stale_libraries.join(", "),
                if stale_libraries.len() == 1 {
                    "is"
                } else {
                    "are"
                }
            ));
        }
        if let Some(main) = &main_path {
            if !binary_for_path.contains_key(main) {
                warnings.push(format!(
                    "cannot symbolize {}: it is not on this machine; pass the binary with --binary",
                    main
                ));
            }
        }
        let binary_of = mappings
            .iter()
            .map(|m| binary_for_path.get(&m.path).copied())
            .collect();
        Ok(Symbolizer {
            mappings,
            by_start,
            binary_of,
            binaries,
            warnings,
        })
    }

    /// The file to read for a mapped path: `--binary` when it names the main program or the
    /// same file, the path itself when it exists here, or a build-id debug file.
    fn file_for(
        path: &str,
        main: Option<&str>,
        mappings: &[Mapping],
        sources: &SymbolSources,
    ) -> Option<PathBuf> {
        if let Some(binary) = &sources.binary {
            let same_name = binary.file_name().and_then(|n| n.to_str()) == Some(file_name(path));
            if same_name || Some(path) == main {
                return Some(binary.clone());
            }
        }
        let local = match &sources.sysroot {
            Some(root) => root.join(path.trim_start_matches('/')),
            None => PathBuf::from(path),
        };
        if local.is_file() {
            return Some(local);
        }
        let build_id = mappings
            .iter()
            .find(|m| m.path == path)?
            .build_id
            .as_deref()?;
        let dir = sources.debug_dir.as_ref()?;
        if build_id.len() < 3 {
            return None;
        }
        let candidate = dir
            .join(".build-id")
            .join(&build_id[..2])
            .join(format!("{}.debug", &build_id[2..]));
        candidate.is_file().then_some(candidate)
    }

    fn mapping_of(&self, address: u64) -> Option<usize> {
        let i = self
            .by_start
            .partition_point(|&m| self.mappings[m].start <= address);
        let m = *self.by_start.get(i.checked_sub(1)?)?;
        (address < self.mappings[m].end).then_some(m)
    }

    /// Frames for a return address in the process (`caller`: it points after a call, so look
    /// one byte back), innermost inlined frame first; `None` when nothing resolves it.
    pub fn frames(&self, address: u64, caller: bool) -> Option<Vec<SymbolFrame>> {
        let m = self.mapping_of(address)?;
        let binary = &self.binaries[self.binary_of[m]?];
        let mapping = &self.mappings[m];
        let file_offset = address - mapping.start + mapping.offset;
        let &(seg_offset, _, seg_vaddr) = binary
            .segments
            .iter()
            .find(|(off, size, _)| (*off..off + size).contains(&file_offset))?;
        self.resolve(binary, seg_vaddr + (file_offset - seg_offset), caller)
    }

    /// Frames for an address already in the binary's own address space, in the given mapping
    /// (index in the order given): what profilers that normalise addresses write.
    pub fn frames_in(&self, mapping: usize, vaddr: u64, caller: bool) -> Option<Vec<SymbolFrame>> {
        let binary = &self.binaries[(*self.binary_of.get(mapping)?)?];
        self.resolve(binary, vaddr, caller)
    }

    fn resolve(&self, binary: &Binary, vaddr: u64, caller: bool) -> Option<Vec<SymbolFrame>> {
        let probe = if caller {
            vaddr.saturating_sub(1)
        } else {
            vaddr
        };
        let loader = binary
            .loader
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut frames = Vec::new();
        if let Ok(mut iter) = loader.find_frames(probe) {
            while let Ok(Some(frame)) = iter.next() {
                let Some(name) = frame.function.as_ref().and_then(|f| f.demangle().ok()) else {
                    continue;
                };
                let (file, line) = frame
                    .location
                    .map(|l| (l.file.unwrap_or("").to_string(), l.line.unwrap_or(0)))
                    .unwrap_or_default();
                frames.push(SymbolFrame {
                    function: qualify(&normalize_rust_name(&name), &file),
                    file,
                    line,
                });
            }
        }
        // The function the address is in (the outermost frame) has its full name in the
        // symbol table, which line-tables-only DWARF does not give.
        let symbol = loader
            .find_symbol(probe)
            .map(|s| strip_type_arguments(&normalize_rust_name(s)));
        match (frames.is_empty(), symbol) {
            (false, Some(symbol)) => {
                if let Some(outer) = frames.last_mut() {
                    outer.function = symbol;
                }
            }
            (true, Some(symbol)) => frames.push(SymbolFrame {
                function: symbol,
                file: String::new(),
                line: 0,
            }),
            (true, None) => return None,
            (false, None) => {}
        }
        Some(frames)
    }

    /// How an address nothing resolves is shown: the file it is in and the offset there.
    pub fn unresolved_name(&self, address: u64) -> String {
        match self.mapping_of(address) {
            Some(m) if is_file(&self.mappings[m].path) => {
                let mapping = &self.mappings[m];
                format!(
                    "{}+0x{:x}",
                    file_name(&mapping.path),
                    address - mapping.start + mapping.offset
                )
            }
            _ => format!("0x{address:x}"),
        }
    }
}

fn load(file: &Path, segments: Vec<Segment>) -> Result<Binary, String> {
    let metadata = std::fs::metadata(file).map_err(|e| format!("cannot read it: {e}"))?;
    let key: FileKey = (file.to_path_buf(), metadata.len(), metadata.modified().ok());
    // Held while loading, so that readers of two dumps of one program on two threads do not
    // both load it.
    let mut loaded = LOADED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((_, loader)) = loaded.iter().find(|(k, _)| *k == key) {
        return Ok(Binary {
            loader: loader.clone(),
            segments,
        });
    }
    DEBUG_INFO_READS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let loader = addr2line::Loader::new(file)
        .map_err(|e| format!("cannot read its debug information: {e}"))?;
    let loader = Arc::new(Mutex::new(loader));
    loaded.push((key, loader.clone()));
    Ok(Binary { loader, segments })
}

/// The loadable segments and build id of an ELF file, from its first bytes only: the program
/// headers and the build-id note sit at the start, and the DWARF reader maps the rest.
fn layout(file: &Path) -> Result<(Vec<Segment>, Option<String>), String> {
    use object::read::elf::{FileHeader, ProgramHeader};
    use std::io::Read;
    const HEAD: u64 = 1 << 16;
    let mut head = Vec::new();
    std::fs::File::open(file)
        .and_then(|f| f.take(HEAD).read_to_end(&mut head))
        .map_err(|e| format!("cannot read: {e}"))?;
    let header = object::elf::FileHeader64::<object::Endianness>::parse(&*head)
        .map_err(|_| "not a 64-bit ELF file".to_string())?;
    let endian = header.endian().map_err(|e| e.to_string())?;
    let program_headers = header
        .program_headers(endian, &*head)
        .map_err(|e| format!("unreadable program headers: {e}"))?;
    let mut segments = Vec::new();
    let mut build_id = None;
    for ph in program_headers {
        match ph.p_type(endian) {
            object::elf::PT_LOAD if ph.p_filesz(endian) > 0 => {
                segments.push((ph.p_offset(endian), ph.p_filesz(endian), ph.p_vaddr(endian)))
            }
            object::elf::PT_NOTE => {
                if let Ok(Some(mut notes)) = ph.notes(endian, &*head) {
                    while let Ok(Some(note)) = notes.next() {
                        if note.n_type(endian) == object::elf::NT_GNU_BUILD_ID
                            && note.name() == b"GNU"
                        {
                            build_id =
                                Some(note.desc().iter().map(|b| format!("{b:02x}")).collect());
                        }
                    }
                }
            }
            _ => {}
        }
    }
    Ok((segments, build_id))
}

/// A binary matches a process when each of its file's mappings lies, in the file, within one of
/// the binary's segments (to the page).
fn check_layout(
    segments: &[Segment],
    build_id: Option<&str>,
    file: &Path,
    path: &str,
    mappings: &[Mapping],
) -> Result<(), String> {
    const PAGE: u64 = 4096;
    for m in mappings.iter().filter(|m| m.path == path) {
        if let (Some(theirs), Some(ours)) = (m.build_id.as_deref(), build_id) {
            if theirs != ours {
                return Err(format!(
                    "{} does not match the profile: its build id is {ours}, the process ran {theirs}",
                    file.display()
                ));
            }
        }
        // A mapping over the whole address space (addresses already relative to the binary)
        // says nothing about the layout.
        if m.start == 0 && m.end == u64::MAX {
            continue;
        }
        let fits = segments.iter().any(|&(offset, size, _)| {
            let start = offset & !(PAGE - 1);
            let end = offset
                .saturating_add(size)
                .div_ceil(PAGE)
                .saturating_mul(PAGE);
            // A segment may be mapped in parts: the loader makes the start of the writable one
            // read-only after relocation (RELRO), so the rest is mapped from inside it.
            // Profiles are untrusted: a mapping may end before it starts.
            (start..end.max(start.saturating_add(PAGE))).contains(&m.offset)
                && m.offset.saturating_add(m.end.saturating_sub(m.start))
                    <= end.saturating_add(PAGE)
        });
        if !fits {
            return Err(format!(
                "{} does not match the profile: it has no segment at file offset 0x{:x} where the process mapped {}",
                file.display(),
                m.offset,
                file_name(path)
            ));
        }
    }
    Ok(())
}

/// Demangles mangled Rust names (`_ZN…E`, `_R…`) and tidies partly demangled ones
/// (`alloc..vec..Vec$LT$T$GT$::h0123456789abcdef` -> `alloc::vec::Vec<T>`).
pub fn normalize_rust_name(name: &str) -> Cow<'_, str> {
    if name.starts_with("_ZN") || name.starts_with("_R") || name.starts_with("__ZN") {
        if let Ok(d) = rustc_demangle::try_demangle(name) {
            return Cow::Owned(format!("{d:#}"));
        }
    }
    let mut out = Cow::Borrowed(name);
    if name.contains('$') || name.contains("..") {
        let mut s = name.replace("..", "::");
        for (from, to) in [
            ("$LT$", "<"),
            ("$GT$", ">"),
            ("$RF$", "&"),
            ("$BP$", "*"),
            ("$C$", ","),
            ("$SP$", "@"),
            ("$u20$", " "),
            ("$u22$", "\""),
            ("$u27$", "'"),
            ("$u2b$", "+"),
            ("$u3b$", ";"),
            ("$u5b$", "["),
            ("$u5d$", "]"),
            ("$u7b$", "{"),
            ("$u7d$", "}"),
            ("$u7e$", "~"),
        ] {
            s = s.replace(from, to);
        }
        out = Cow::Owned(s);
    }
    if let Some(at) = out.rfind("::h") {
        let hash = &out[at + 3..];
        if hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            out = Cow::Owned(out[..at].to_string());
        }
    }
    out
}

/// Rust functions inlined into others carry, in DWARF built with `debug = "line-tables-only"`,
/// only their own name (`channel<hyper::...>`), without crate, module or type. They are named
/// here by the crate and module of their source file, which leaves out the type of a method:
/// `…/tokio-1.54.1/src/sync/mpsc/chan.rs` + `channel<…>` -> `tokio::sync::mpsc::chan::channel`.
fn qualify(name: &str, file: &str) -> String {
    let name = strip_type_arguments(name);
    // Compiler-made shims (`__rust_alloc`) and already qualified names stay as they are.
    if name.contains("::") || name.starts_with("__") || !file.ends_with(".rs") {
        return name;
    }
    match module_path(file) {
        Some(module) => format!("{module}::{name}"),
        None => name,
    }
}

/// `new<alloc::sync::ArcInner<T>>` -> `new`, `catch_unwind::<F, R>` -> `catch_unwind`: type
/// arguments after a name go; a leading `<Type as Trait>` qualifier stays (without its own type
/// arguments); `{closure#0}` stays. An arrow (`fn() -> T`) inside arguments is not a bracket.
pub fn strip_type_arguments(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut depth = 0usize;
    let mut previous: Option<char> = None;
    for c in name.chars() {
        let opens_arguments =
            previous.is_some_and(|p| p.is_alphanumeric() || matches!(p, '_' | '}' | ':'));
        match c {
            '<' if depth > 0 || opens_arguments => depth += 1,
            '>' if depth > 0 && previous != Some('-') => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
        previous = Some(c);
    }
    while out.ends_with("::") {
        out.truncate(out.len() - 2);
    }
    out
}

/// The crate and module of a Rust source file: `/rustc/<hash>/library/alloc/src/raw_vec.rs` ->
/// `alloc::raw_vec`, `…/h2-0.4.20/src/codec/mod.rs` -> `h2::codec`, `…/app/src/main.rs` -> `app`.
fn module_path(file: &str) -> Option<String> {
    let at = file.rfind("/src/")?;
    let crate_dir = file[..at].rsplit('/').next()?;
    // `name-1.2.3` (registry) or `name` (workspace, std library).
    let crate_name = match crate_dir.rfind('-') {
        Some(dash) if crate_dir[dash + 1..].starts_with(|c: char| c.is_ascii_digit()) => {
            &crate_dir[..dash]
        }
        _ => crate_dir,
    };
    if crate_name.is_empty() {
        return None;
    }
    let mut path = vec![crate_name.replace('-', "_")];
    let rest = file[at + "/src/".len()..].strip_suffix(".rs")?;
    let parts: Vec<&str> = rest.split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        if last && (*part == "mod" || (i == 0 && (*part == "lib" || *part == "main"))) {
            continue;
        }
        path.push(part.to_string());
    }
    Some(path.join("::"))
}

/// `start-end perms offset dev inode path` (a `/proc/self/maps` line).
pub fn parse_maps_line(line: &str) -> Option<Mapping> {
    let mut fields = line.split_whitespace();
    let range = fields.next()?;
    let _perms = fields.next()?;
    let offset = u64::from_str_radix(fields.next()?, 16).ok()?;
    let _dev = fields.next()?;
    let _inode = fields.next()?;
    let path = fields.collect::<Vec<_>>().join(" ");
    let (start, end) = range.split_once('-')?;
    let (start, end) = (
        u64::from_str_radix(start, 16).ok()?,
        u64::from_str_radix(end, 16).ok()?,
    );
    if end < start {
        return None;
    }
    Some(Mapping {
        start,
        end,
        offset,
        path,
        build_id: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_names_demangle_and_normalise() {
        assert_eq!(
            normalize_rust_name("_ZN5alloc7raw_vec11finish_grow17h0123456789abcdefE"),
            "alloc::raw_vec::finish_grow"
        );
        assert_eq!(
            normalize_rust_name("alloc..vec..Vec$LT$T$GT$::push::h0123456789abcdef"),
            "alloc::vec::Vec<T>::push"
        );
        assert_eq!(
            normalize_rust_name("_$LT$tonic..Status$u20$as$u20$core..fmt..Debug$GT$::fmt"),
            "_<tonic::Status as core::fmt::Debug>::fmt"
        );
        assert_eq!(
            normalize_rust_name("h2::codec::Codec::new"),
            "h2::codec::Codec::new"
        );
        assert_eq!(
            normalize_rust_name("prof_backtrace_impl"),
            "prof_backtrace_impl"
        );
    }

    #[test]
    fn inlined_names_get_their_module() {
        assert_eq!(
            qualify(
                "channel<hyper::client::dispatch::Envelope<T>, tokio::sync::mpsc::unbounded::Semaphore>",
                "/home/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/tokio-1.54.1/src/sync/mpsc/chan.rs"
            ),
            "tokio::sync::mpsc::chan::channel"
        );
        assert_eq!(
            qualify("alloc_impl", "/rustc/5980/library/alloc/src/alloc.rs"),
            "alloc::alloc::alloc_impl"
        );
        assert_eq!(
            qualify("with_capacity", "/x/h2-0.4.20/src/codec/mod.rs"),
            "h2::codec::with_capacity"
        );
        assert_eq!(
            qualify("{closure#0}", "/home/u/app/src/main.rs"),
            "app::{closure#0}"
        );
        assert_eq!(
            qualify("imalloc_body", "/x/jemalloc/src/jemalloc.c"),
            "imalloc_body"
        );
        assert_eq!(qualify("a::b", "/x/y/src/z.rs"), "a::b");
        assert_eq!(
            qualify("__rust_alloc", "/home/u/app/src/main.rs"),
            "__rust_alloc"
        );
        assert_eq!(
            strip_type_arguments("<alloc::boxed::Box<str>>::try_clone_from_ref_in<u8>"),
            "<alloc::boxed::Box>::try_clone_from_ref_in"
        );
        assert_eq!(
            strip_type_arguments("call_once<fn() -> core::result::Result<(), E>, ()>"),
            "call_once"
        );
        assert_eq!(
            strip_type_arguments(
                "std::panic::catch_unwind::<std::rt::lang_start_internal::{closure#0}, isize>"
            ),
            "std::panic::catch_unwind"
        );
        assert_eq!(
            strip_type_arguments("{closure#0}<leaklab::main::{async_block_env#0}>"),
            "{closure#0}"
        );
        assert_eq!(
            strip_type_arguments(
                "<tonic::Svc<C> as tower_service::Service<http::uri::Uri>>::call::{{closure}}"
            ),
            "<tonic::Svc as tower_service::Service>::call::{{closure}}"
        );
    }

    #[test]
    fn a_segment_mapped_in_parts_fits_and_a_foreign_offset_does_not() {
        // libc's writable segment (file offset 0x1cd8f0, 0x5760 bytes), mapped as the loader
        // leaves it: a read-only RELRO part, then the rest from inside the segment.
        let segments = [(0, 0x26000, 0), (0x1cd8f0, 0x5760, 0x1ce8f0)];
        let mapping = |offset: u64, pages: u64| Mapping {
            start: 0x7f08_f5b5_b000,
            end: 0x7f08_f5b5_b000 + pages * 4096,
            offset,
            path: "/lib/libc.so.6".into(),
            build_id: None,
        };
        let check = |m: Mapping| {
            check_layout(
                &segments,
                None,
                Path::new("libc.so.6"),
                "/lib/libc.so.6",
                &[m],
            )
        };
        assert!(check(mapping(0x1cd000, 4)).is_ok());
        assert!(check(mapping(0x1d3000, 2)).is_ok());
        assert!(check(mapping(0x100000, 1)).is_err());
        assert!(check(mapping(0x1d3000, 64)).is_err());
    }

    #[test]
    fn maps_lines() {
        let m = parse_maps_line(
            "561b578b0000-561b57b54000 r-xp 00115000 fe:00 5382595                    /opt/app/leaklab",
        )
        .unwrap();
        assert_eq!(
            (m.start, m.end, m.offset),
            (0x561b578b0000, 0x561b57b54000, 0x115000)
        );
        assert_eq!(m.path, "/opt/app/leaklab");
        assert_eq!(
            parse_maps_line("7fdd30000000-7fdd30021000 rw-p 00000000 00:00 0 ")
                .unwrap()
                .path,
            ""
        );
        assert!(parse_maps_line("garbage").is_none());
    }
}
