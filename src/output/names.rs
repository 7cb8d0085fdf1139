//! Short function names for tables: the package path up to its last `/` is dropped, so
//! `google.golang.org/grpc/internal/grpcsync.(*CallbackSerializer).run` reads
//! `grpcsync.(*CallbackSerializer).run`.

pub use crate::analysis::keys::short_function;

/// A frame as a table shows it: the short function name, and with `--lines` the file's last
/// element and the line (`mem.init.func1 buffers.go:68`). The key is `name file:line` then;
/// the location is told by its `:digits` end, since Rust names hold spaces too.
pub fn short_frame(frame: &str) -> String {
    let located = frame.rsplit_once(' ').filter(|(_, location)| {
        location.rsplit_once(':').is_some_and(|(file, line)| {
            !file.is_empty() && !line.is_empty() && line.bytes().all(|b| b.is_ascii_digit())
        })
    });
    match located {
        Some((name, location)) => {
            let file = location.rsplit('/').next().unwrap_or(location);
            format!("{} {file}", short_function(name))
        }
        None => short_function(frame).to_string(),
    }
}

/// A `;`-separated stack key (root first) as lines, leaf first, at most `max` of them.
pub fn stack_lines(key: &str, full: bool, max: usize) -> Vec<String> {
    let frames: Vec<&str> = key.rsplit(';').collect();
    let mut lines: Vec<String> = frames
        .iter()
        .take(max)
        .map(|f| if full { f.to_string() } else { short_frame(f) })
        .collect();
    if frames.len() > max {
        lines.push(format!("… {} more frames", frames.len() - max));
    }
    lines
}

pub fn display_key(key: &str, full: bool) -> String {
    if full {
        key.to_string()
    } else {
        short_frame(key)
    }
}

/// Which end of a gRPC connection a stack runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Client,
    Server,
}

impl Side {
    pub fn name(self) -> &'static str {
        match self {
            Side::Client => "client",
            Side::Server => "server",
        }
    }
}

/// What tells one stack from another at a glance: the frame nearest the leaf that is not the
/// runtime, the allocator or the standard library's plumbing; where the stack enters the gRPC
/// or HTTP/2 library; and on which side of the connection it runs, when its frames say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackLabel<'a> {
    pub telling: &'a str,
    /// The outermost frame of grpc-go, tonic, h2 or hyper, when it is not `telling` itself.
    pub entry: Option<&'a str>,
    pub side: Option<Side>,
}

impl StackLabel<'_> {
    /// `telling · server, via entry`, names shortened and set by `code` (a code span).
    pub fn describe(&self, code: impl Fn(&str) -> String) -> String {
        let mut out = code(short_function(self.telling));
        let context: Vec<String> = self
            .side
            .map(|side| side.name().to_string())
            .into_iter()
            .chain(
                self.entry
                    .map(|e| format!("via {}", code(short_function(e)))),
            )
            .collect();
        if !context.is_empty() {
            out.push_str(&format!(" · {}", context.join(", ")));
        }
        out
    }
}

/// The label of a stack given leaf first. A stack of plumbing alone is labelled by its leaf.
pub fn stack_label<'a>(leaf_first: &[&'a str]) -> StackLabel<'a> {
    let leaf = leaf_first.first().copied().unwrap_or("");
    let telling = leaf_first
        .iter()
        .copied()
        .find(|f| !is_plumbing(f))
        .unwrap_or(leaf);
    let entry = leaf_first
        .iter()
        .rev()
        .copied()
        .find(|f| is_rpc_library(f))
        .filter(|&e| e != telling);
    let says = |side: Side| leaf_first.iter().any(|f| side_of(f) == Some(side));
    let side = match (says(Side::Client), says(Side::Server)) {
        (true, false) => Some(Side::Client),
        (false, true) => Some(Side::Server),
        _ => None,
    };
    StackLabel {
        telling,
        entry,
        side,
    }
}

/// The path of a Rust frame without the `<` of a trait impl: `<h2::proto::X as Future>::poll`
/// belongs to `h2`.
fn rust_path(frame: &str) -> &str {
    frame
        .trim_start_matches(['<', '&'])
        .trim_start_matches("mut ")
}

/// Runtime, allocator, unresolved shared-library addresses and the standard library of Go and
/// Rust: frames every stack shares, which say nothing about who allocated or waits.
fn is_plumbing(frame: &str) -> bool {
    const RUST: [&str; 8] = [
        "alloc::",
        "core::",
        "std::",
        "hashbrown::",
        "bytes::",
        "__rust",
        "_rjem",
        "je_",
    ];
    const C: [&str; 7] = [
        "malloc",
        "calloc",
        "realloc",
        "posix_memalign",
        "aligned_alloc",
        "imalloc",
        "prof_backtrace",
    ];
    let path = rust_path(frame);
    if RUST.iter().any(|p| path.starts_with(p)) || C.iter().any(|c| frame.starts_with(c)) {
        return true;
    }
    // `libc.so.6+0x27305`: an address in a system library nobody symbolized.
    if let Some((module, _)) = frame.split_once("+0x") {
        return module.starts_with("lib") || module.starts_with("ld-");
    }
    is_go_standard_library(frame)
}

/// A Go function of the standard library (and its runtime): the first element of its package
/// path has no dot (`net/http`, `internal/poll`, `runtime`), and the package is not `main`.
fn is_go_standard_library(frame: &str) -> bool {
    if frame.contains("::") || frame.contains(' ') {
        return false;
    }
    let (directory, last) = match frame.rfind('/') {
        Some(slash) => (&frame[..slash], &frame[slash + 1..]),
        None => ("", frame),
    };
    let Some(dot) = last.find('.') else {
        return false;
    };
    let package = &last[..dot];
    let first = directory.split('/').next().filter(|d| !d.is_empty());
    match first {
        Some(first) => !first.contains('.'),
        None => package != "main" && !package.is_empty(),
    }
}

fn is_rpc_library(frame: &str) -> bool {
    let path = rust_path(frame);
    frame.starts_with("google.golang.org/grpc")
        || frame.starts_with("golang.org/x/net/http2")
        || ["tonic::", "h2::", "hyper::", "grpcio::"]
            .iter()
            .any(|p| path.starts_with(p))
}

fn side_of(frame: &str) -> Option<Side> {
    const SERVER: [&str; 9] = [
        "grpc.(*Server)",
        "transport.NewServerTransport",
        "(*http2Server)",
        "(*serverStream)",
        "h2::server::",
        "tonic::server::",
        "tonic::transport::server",
        "hyper::server::",
        "hyper::proto::h2::server",
    ];
    const CLIENT: [&str; 13] = [
        "grpc.(*ClientConn)",
        "transport.NewHTTP2Client",
        "(*http2Client)",
        "(*clientStream)",
        "(*addrConn)",
        "grpc.invoke",
        "grpc.NewClient",
        "grpc.Dial",
        "h2::client::",
        "tonic::client::",
        "tonic::transport::channel",
        "hyper::client::",
        "hyper::proto::h2::client",
    ];
    if SERVER.iter().any(|m| frame.contains(m)) {
        Some(Side::Server)
    } else if CLIENT.iter().any(|m| frame.contains(m)) {
        Some(Side::Client)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortens_package_paths_only() {
        assert_eq!(
            short_function("google.golang.org/grpc/internal/grpcsync.(*CallbackSerializer).run"),
            "grpcsync.(*CallbackSerializer).run"
        );
        assert_eq!(short_function("main.main"), "main.main");
        assert_eq!(
            short_function("net/http.(*conn).serve"),
            "http.(*conn).serve"
        );
        assert_eq!(short_function("a.F[b/c.T]"), "a.F[b/c.T]");
        // With --lines the key carries the location, whose path is not the package's.
        assert_eq!(
            short_frame("google.golang.org/grpc/mem.init.func1 /src/grpc/mem/buffers.go:68"),
            "mem.init.func1 buffers.go:68"
        );
        assert_eq!(
            short_frame("<h2::X as core::Future>::poll /src/h2/lib.rs:7"),
            "<h2::X as core::Future>::poll lib.rs:7"
        );
        assert_eq!(
            short_frame("<h2::X as core::Future>::poll"),
            "<h2::X as core::Future>::poll"
        );
        assert_eq!(
            stack_lines("main.main;a/b.f;c.g", false, 2),
            ["c.g", "b.f", "… 1 more frames"]
        );
    }

    #[test]
    fn stacks_are_labelled_by_their_telling_frame_entry_and_side() {
        let server_reader = [
            "internal/poll.runtime_pollWait",
            "internal/poll.(*FD).Read",
            "net.(*conn).Read",
            "io.ReadFull",
            "golang.org/x/net/http2.readFrameHeader",
            "google.golang.org/grpc/internal/transport.(*http2Server).HandleStreams",
            "google.golang.org/grpc.(*Server).serveStreams",
            "google.golang.org/grpc.(*Server).handleRawConn.func1",
        ];
        let label = stack_label(&server_reader);
        assert_eq!(label.telling, "golang.org/x/net/http2.readFrameHeader");
        assert_eq!(
            label.entry,
            Some("google.golang.org/grpc.(*Server).handleRawConn.func1")
        );
        assert_eq!(label.side, Some(Side::Server));

        let client_buffer = [
            "alloc::alloc::alloc",
            "bytes::bytes_mut::BytesMut::with_capacity",
            "libc.so.6+0x27305",
            "<h2::codec::framed_read::FramedRead<T> as futures_core::stream::Stream>::poll_next",
            "h2::client::Connection::poll",
            "app::main",
        ];
        let label = stack_label(&client_buffer);
        assert_eq!(
            label.telling,
            "<h2::codec::framed_read::FramedRead<T> as futures_core::stream::Stream>::poll_next"
        );
        assert_eq!(label.entry, Some("h2::client::Connection::poll"));
        assert_eq!(label.side, Some(Side::Client));

        // User code is telling; a stack of plumbing alone keeps its leaf; both sides say none.
        assert_eq!(
            stack_label(&["runtime.gopark", "main.worker"]).telling,
            "main.worker"
        );
        assert_eq!(stack_label(&["runtime.gopark"]).telling, "runtime.gopark");
        let both = stack_label(&["grpc.(*ClientConn).Invoke", "grpc.(*Server).serve"]);
        assert_eq!(both.side, None);
    }
}
