//! Stack keys that survive versions and builds: how a frame becomes the key rows are grouped by.

use crate::model::Profile;

/// How frames are turned into keys.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KeyOptions {
    /// `func6` -> `func#`, `func2.1` -> `func#.#`, `gowrap3` -> `gowrap#`: closure numbers change
    /// whenever the enclosing function gains or loses a closure.
    pub fold_closures: bool,
    /// `example.com/app/vendor/google.golang.org/grpc` -> `google.golang.org/grpc`.
    pub strip_vendor: bool,
    /// Add `file:line` to each frame (pprof's `-lines`).
    pub lines: bool,
    /// Keep runtime-internal frames (`runtime.gopark`, ...) in goroutine profiles. Go's own text
    /// dumps hide them, so without this the three goroutine encodings give the same keys.
    pub keep_runtime_frames: bool,
    /// Keep the allocator's own frames at the leaf end of heap stacks (jemalloc's `prof_*`,
    /// `__rust_alloc`, `alloc::raw_vec` growth, ...). Without this a stack starts at the
    /// allocation site in user or library code.
    pub keep_allocator_frames: bool,
}

/// Functions of the allocator and of Rust's allocation plumbing: jemalloc (`prof_*`, `je_*`,
/// `_rjem_*`, `imalloc`, arena and cache internals), the global allocator shims, and Rust's
/// `alloc` crate (`Box::new`, `Vec::with_capacity`, `RawVec` growth).
pub fn is_allocator_frame(name: &str) -> bool {
    const PREFIXES: [&str; 24] = [
        "prof_",
        "_rjem_",
        "je_",
        "imalloc",
        "ialloc",
        "irealloc",
        "iralloc",
        "do_rallocx",
        "arena_",
        "tcache_",
        "large_",
        "__rust_alloc",
        "__rust_realloc",
        "__rust_dealloc",
        "__rdl_",
        "__rg_",
        "alloc::",
        "<alloc::",
        "tikv_jemallocator::",
        "<tikv_jemallocator::",
        "rallocx",
        "mallocx",
        "malloc_default",
        "posix_memalign",
    ];
    const INFIXES: [&str; 3] = ["RawVec", "raw_vec::", "alloc_impl"];
    PREFIXES.iter().any(|p| name.starts_with(p))
        || INFIXES.iter().any(|i| name.contains(i))
        || matches!(name, "malloc" | "calloc" | "realloc" | "aligned_alloc")
}

/// Generic instantiations print as `[...]` in tracebacks but with full shapes in pprof
/// (`[go.shape.int,...]`); both become `[...]`.
pub fn normalize_function(name: &str, options: &KeyOptions) -> String {
    let mut name = collapse_type_arguments(name);
    if options.strip_vendor {
        if let Some(at) = name.rfind("/vendor/") {
            name = name[at + "/vendor/".len()..].to_string();
        }
    }
    if options.fold_closures {
        name = fold_closure_numbers(&name);
    }
    name
}

fn collapse_type_arguments(name: &str) -> String {
    if !name.contains('[') {
        return name.to_string();
    }
    let mut out = String::with_capacity(name.len());
    let mut depth = 0usize;
    for c in name.chars() {
        match c {
            '[' => {
                if depth == 0 {
                    out.push_str("[...]");
                }
                depth += 1;
            }
            ']' if depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

fn fold_closure_numbers(name: &str) -> String {
    // Only the part after the package path holds closure segments.
    let start = name.rfind('/').map_or(0, |i| i + 1);
    let (path, rest) = name.split_at(start);
    let mut out = String::from(path);
    let mut after_closure = false;
    for (i, segment) in rest.split('.').enumerate() {
        if i > 0 {
            out.push('.');
        }
        let folded = ["func", "gowrap", "deferwrap"].iter().find_map(|prefix| {
            segment
                .strip_prefix(prefix)
                .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
                .map(|_| format!("{prefix}#"))
        });
        if let Some(folded) = folded {
            out.push_str(&folded);
            after_closure = true;
        } else if after_closure
            && !segment.is_empty()
            && segment.bytes().all(|b| b.is_ascii_digit())
        {
            out.push('#');
        } else {
            out.push_str(segment);
            after_closure = false;
        }
    }
    out
}

/// Unexported functions of package `runtime` (gopark, selectgo, goexit, main, ...), which Go's
/// tracebacks leave out.
pub fn is_runtime_internal(name: &str) -> bool {
    name.strip_prefix("runtime.")
        .and_then(|rest| rest.chars().next())
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
}

/// Interned keys for every frame of a profile; `None` for frames left out of keys.
pub struct FrameKeys {
    pub keys: Vec<String>,
    pub frame_key: Vec<Option<u32>>,
    /// Frames skipped while they are at the leaf end of a stack (allocator frames).
    pub leading_skip: Vec<bool>,
}

impl FrameKeys {
    pub fn new(profile: &Profile, options: &KeyOptions) -> Self {
        let hide_runtime = profile.kind.counts_goroutines() && !options.keep_runtime_frames;
        let mut ids = rustc_hash::FxHashMap::default();
        let mut keys = Vec::new();
        let function_names: Vec<Option<String>> = profile
            .functions
            .iter()
            .map(|f| {
                (!(hide_runtime && is_runtime_internal(&f.name)))
                    .then(|| normalize_function(&f.name, options))
            })
            .collect();
        let frame_key = profile
            .frames
            .iter()
            .map(|frame| {
                let name = function_names[frame.function as usize].as_ref()?;
                let key = if options.lines {
                    let file = &profile.functions[frame.function as usize].file;
                    format!("{name} {file}:{}", frame.line)
                } else {
                    name.clone()
                };
                let next = keys.len() as u32;
                Some(*ids.entry(key.clone()).or_insert_with(|| {
                    keys.push(key);
                    next
                }))
            })
            .collect();
        let allocator: Vec<bool> = profile
            .functions
            .iter()
            .map(|f| !options.keep_allocator_frames && is_allocator_frame(&f.name))
            .collect();
        let leading_skip = profile
            .frames
            .iter()
            .map(|frame| allocator[frame.function as usize])
            .collect();
        FrameKeys {
            keys,
            frame_key,
            leading_skip,
        }
    }

    /// The keys of a stack's frames, leaf first, leaving out hidden frames and the leading
    /// allocator frames: what every view counts.
    pub fn of_stack<'a>(
        &'a self,
        profile: &'a Profile,
        stack: u32,
    ) -> impl Iterator<Item = u32> + 'a {
        profile
            .stack(stack)
            .iter()
            .skip_while(|&&frame| self.leading_skip[frame as usize])
            .filter_map(|&frame| self.frame_key[frame as usize])
    }

    /// Function id -> key, for keys of `created by` functions (no line).
    pub fn function_key(profile: &Profile, function: u32, options: &KeyOptions) -> String {
        normalize_function(&profile.functions[function as usize].name, options)
    }
}

/// A stack's key, root first and `;`-separated, leaving out hidden frames and leading allocator
/// frames, as `top --by stack` shows it.
pub fn stack_key_of(profile: &Profile, keys: &FrameKeys, stack: u32) -> String {
    let frames: Vec<&str> = keys
        .of_stack(profile, stack)
        .map(|k| keys.keys[k as usize].as_str())
        .collect();
    frames.iter().rev().copied().collect::<Vec<_>>().join(";")
}

/// A function name without its package path up to the last `/`:
/// `google.golang.org/grpc/internal/grpcsync.(*CallbackSerializer).run` reads
/// `grpcsync.(*CallbackSerializer).run`.
pub fn short_function(name: &str) -> &str {
    // A `/` inside a method receiver or type argument list is not part of the package path.
    let path_end = name.find(['(', '[']).unwrap_or(name.len());
    match name[..path_end].rfind('/') {
        Some(slash) => &name[slash + 1..],
        None => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generics_collapse() {
        let o = KeyOptions::default();
        assert_eq!(
            normalize_function(
                "google.golang.org/grpc.(*GenericServerStream[go.shape.b308,go.shape.df8c]).Send",
                &o
            ),
            "google.golang.org/grpc.(*GenericServerStream[...]).Send"
        );
        assert_eq!(normalize_function("a.F[...]", &o), "a.F[...]");
        assert_eq!(normalize_function("a.F[x[y]]", &o), "a.F[...]");
    }

    #[test]
    fn closures_fold_but_package_paths_do_not() {
        let o = KeyOptions {
            fold_closures: true,
            ..KeyOptions::default()
        };
        assert_eq!(
            normalize_function("google.golang.org/grpc.(*Server).serveStreams.func2.1", &o),
            "google.golang.org/grpc.(*Server).serveStreams.func#.#"
        );
        assert_eq!(
            normalize_function(
                "google.golang.org/grpc/internal/transport.NewHTTP2Client.func6",
                &o
            ),
            "google.golang.org/grpc/internal/transport.NewHTTP2Client.func#"
        );
        assert_eq!(
            normalize_function("gopkg.in/yaml.v3.Unmarshal", &o),
            "gopkg.in/yaml.v3.Unmarshal"
        );
        assert_eq!(
            normalize_function("main.main.gowrap1", &o),
            "main.main.gowrap#"
        );
        assert_eq!(normalize_function("main.functional", &o), "main.functional");
    }

    #[test]
    fn vendor_prefix_strips() {
        let o = KeyOptions {
            strip_vendor: true,
            ..KeyOptions::default()
        };
        assert_eq!(
            normalize_function(
                "example.com/app/vendor/google.golang.org/grpc.(*ClientConn).Close",
                &o
            ),
            "google.golang.org/grpc.(*ClientConn).Close"
        );
    }

    #[test]
    fn allocator_frames() {
        for name in [
            "prof_backtrace_impl",
            "_rjem_je_malloc_default",
            "__rust_alloc",
            "alloc::raw_vec::RawVecInner<A>::finish_grow",
            "<alloc::alloc::Global as core::alloc::Allocator>::allocate",
            "<tikv_jemallocator::Jemalloc as core::alloc::global::GlobalAlloc>::alloc",
        ] {
            assert!(is_allocator_frame(name), "{name}");
        }
        for name in [
            "h2::codec::Codec<T,B>::new",
            "leaklab::main::{{closure}}",
            "bytes::bytes_mut::BytesMut::reserve_inner",
        ] {
            assert!(!is_allocator_frame(name), "{name}");
        }
    }

    #[test]
    fn runtime_internal_frames() {
        assert!(is_runtime_internal("runtime.gopark"));
        assert!(is_runtime_internal("runtime.goexit"));
        assert!(!is_runtime_internal("runtime.GC"));
        assert!(!is_runtime_internal("runtime/pprof.writeGoroutineStacks"));
        assert!(!is_runtime_internal("main.runtime"));
    }
}
