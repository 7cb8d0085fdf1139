//! Which frames are the user's own code: not the Go runtime or standard library, not Rust's
//! standard crates or the async and HTTP/2 stack, not the allocator, not gRPC and its
//! transports. A finding points at the first such frame, with its file and line, so that the
//! user lands in code they can change.

use crate::analysis::keys::is_allocator_frame;
use crate::model::Function;

/// Top-level packages of the Go standard library (and `vendor/`, `cmd/`).
const GO_STANDARD: [&str; 48] = [
    "archive",
    "bufio",
    "builtin",
    "bytes",
    "cmd",
    "cmp",
    "compress",
    "container",
    "context",
    "crypto",
    "database",
    "debug",
    "embed",
    "encoding",
    "errors",
    "expvar",
    "flag",
    "fmt",
    "go",
    "hash",
    "html",
    "image",
    "index",
    "internal",
    "io",
    "iter",
    "log",
    "maps",
    "math",
    "mime",
    "net",
    "os",
    "path",
    "plugin",
    "reflect",
    "regexp",
    "runtime",
    "slices",
    "sort",
    "strconv",
    "strings",
    "structs",
    "sync",
    "syscall",
    "testing",
    "text",
    "time",
    "unicode",
];

/// More standard packages than fit above, and the ones whose first segment differs.
const GO_STANDARD_MORE: [&str; 4] = ["unique", "unsafe", "weak", "vendor"];

/// Go modules that are libraries to a gRPC service's author: gRPC, protobuf, x/net, telemetry.
const GO_LIBRARIES: [&str; 7] = [
    "google.golang.org/grpc",
    "google.golang.org/protobuf",
    "google.golang.org/genproto",
    "golang.org/x/",
    "github.com/golang/protobuf",
    "github.com/grpc-ecosystem/",
    "go.opentelemetry.io/",
];

/// Rust crates of the standard library and of the async, HTTP/2 and gRPC stack.
const RUST_LIBRARIES: [&str; 29] = [
    "std",
    "core",
    "alloc",
    "tokio",
    "tokio_util",
    "tokio_stream",
    "hyper",
    "hyper_util",
    "h2",
    "http",
    "http_body",
    "http_body_util",
    "tonic",
    "tower",
    "tower_service",
    "tower_layer",
    "bytes",
    "futures",
    "futures_util",
    "futures_core",
    "futures_channel",
    "prost",
    "tracing",
    "tracing_core",
    "mio",
    "socket2",
    "pin_project_lite",
    "tikv_jemallocator",
    "jemalloc_pprof",
];

/// Whether a function belongs to a library rather than to the program's own code: by its
/// name (a runtime, a standard library, the allocator, a well-known library), or by where its
/// source lives (any dependency, named or not).
pub fn is_library(function: &Function) -> bool {
    is_library_name(&function.name) || is_dependency_source(&function.file)
}

/// Source files of dependencies: crates from a registry or git (cargo keeps them under
/// `registry/src/` and `git/checkouts/`), Rust's own library (`/rustc/<commit>/`), Go modules
/// (`module@version/` in the module cache, or as `-trimpath` writes them).
fn is_dependency_source(file: &str) -> bool {
    file.contains("/registry/src/")
        || file.contains("/git/checkouts/")
        || file.starts_with("/rustc/")
        || file.contains("@v")
}

/// Whether a function, by its name alone, belongs to a runtime, a standard library, the
/// allocator or a well-known library rather than to the program's own code.
pub fn is_library_name(function: &str) -> bool {
    let name = function.trim_start_matches('<');
    // Unsymbolized frames (`0x4f2a10`, `libc.so.6+0x891f5`) say nothing the user can open.
    if name.is_empty() || name.starts_with("0x") || name.contains("+0x") || is_allocator_frame(name)
    {
        return true;
    }
    if let Some((krate, _)) = name.split_once("::") {
        return RUST_LIBRARIES.contains(&krate);
    }
    if !name.contains('.') {
        // Neither Go (`pkg.Func`) nor Rust (`crate::path`): a C function of libc or a loader.
        return true;
    }
    let package = go_package(name);
    if package == "main" {
        return false;
    }
    let first = package.split('/').next().unwrap_or(package);
    if !first.contains('.') {
        // A path without a domain: the standard library, or a GOPATH package of the program.
        return GO_STANDARD.contains(&first) || GO_STANDARD_MORE.contains(&first);
    }
    GO_LIBRARIES
        .iter()
        .any(|library| match library.strip_suffix('/') {
            Some(prefix) => package.starts_with(prefix),
            None => package == *library || package.starts_with(&format!("{library}/")),
        })
}

/// The import path of a Go function name: `google.golang.org/grpc/internal/transport` for
/// `google.golang.org/grpc/internal/transport.(*http2Client).reader`, `main` for `main.main.func1`.
fn go_package(name: &str) -> &str {
    // The path ends at the first `.` after the last `/` (receivers and type arguments follow).
    let stop = name.find(['(', '[']).unwrap_or(name.len());
    let slash = name[..stop].rfind('/').map_or(0, |i| i + 1);
    match name[slash..].find('.') {
        Some(dot) => &name[..slash + dot],
        None => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_code_is_told_from_libraries() {
        for own in [
            "main.main.func1.1",
            "main.(*server).handle",
            "github.com/acme/orders/internal/store.(*Cache).Put",
            "userleak/worker.run",
            "leaklab::main::{{closure}}",
            "<leaklab::Cache as core::ops::Drop>::drop",
        ] {
            assert!(!is_library_name(own), "{own}");
        }
        for library in [
            "runtime.gopark",
            "net/http.(*conn).serve",
            "sync.(*Cond).Wait",
            "internal/poll.(*FD).Read",
            "google.golang.org/grpc/internal/grpcsync.(*CallbackSerializer).run",
            "google.golang.org/grpc.newClientStreamWithParams.func4",
            "golang.org/x/net/http2.(*Framer).ReadFrame",
            "tonic::transport::channel::endpoint::Endpoint::connect::{{closure}}",
            "<tonic::codec::encode::EncodeBody as http_body::Body>::poll_frame",
            "tokio::runtime::task::raw::poll",
            "alloc::raw_vec::RawVecInner<A>::finish_grow",
            "malloc",
            "0x4f2a10",
            "libc.so.6+0x891f5",
        ] {
            assert!(is_library_name(library), "{library}");
        }
    }

    #[test]
    fn a_dependency_is_known_by_where_its_source_lives() {
        let function = |name: &str, file: &str| Function {
            name: name.into(),
            file: file.into(),
            start_line: 0,
        };
        for (name, file) in [
            (
                "reqwest::async_impl::client::ClientBuilder::build",
                "/cargo/registry/src/index.crates.io-1949cf8c6b5b557f/reqwest-0.13.5/src/async_impl/client.rs",
            ),
            ("left_pad::pad", "/home/u/.cargo/git/checkouts/left-pad-1a2b/0c3d/src/lib.rs"),
            ("github.com/acme/kit/retry.Do", "github.com/acme/kit@v1.4.0/retry/retry.go"),
        ] {
            assert!(is_library(&function(name, file)), "{name}");
        }
        for (name, file) in [
            ("rustleaks::send_audit_event", "program/src/main.rs"),
            (
                "github.com/acme/orders/store.Put",
                "github.com/acme/orders/store/cache.go",
            ),
        ] {
            assert!(!is_library(&function(name, file)), "{name}");
        }
    }
}
