//! The Node inspector: the Chrome DevTools protocol over a WebSocket (tungstenite, blocking,
//! no TLS: the inspector speaks plain ws:// on a local or forwarded port). Found from
//! `node://host:port` (its /json/list), a `ws://` URL, or a local process id, which SIGUSR1
//! makes open its inspector. A heap snapshot is taken after a garbage collection and its
//! chunks are handed on as they arrive, never held whole.

use std::borrow::Cow;
use std::io::Write;
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use serde::Deserialize;
use tungstenite::{Message, WebSocket};

use super::remote::Remote;
use crate::error::{Error, Result};

/// A Node process's inspector, reached at `ws_url`, and the session with it.
pub struct Inspector {
    ws_url: String,
    /// One session for the whole series: V8 numbers objects per session, so snapshots of
    /// one session share ids and a diff can tell which objects stayed.
    session: Option<WebSocket<TcpStream>>,
    /// The last request's id.
    request: u64,
    /// host:port to connect to (the ws URL's, or the one the user reached /json/list at).
    address: String,
    timeout: Duration,
}

/// One message from the inspector: a response (`id`) or an event (`method`).
#[derive(Deserialize)]
struct Incoming<'a> {
    id: Option<u64>,
    #[serde(borrow)]
    method: Option<Cow<'a, str>>,
    #[serde(borrow)]
    params: Option<Params<'a>>,
    error: Option<Refusal>,
}

#[derive(Deserialize)]
struct Params<'a> {
    #[serde(borrow)]
    chunk: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct Refusal {
    message: String,
}

#[derive(Deserialize)]
struct Listed {
    #[serde(rename = "webSocketDebuggerUrl")]
    web_socket_debugger_url: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

impl Inspector {
    /// `node://host:port` or `ws://host:port/id`.
    pub fn locate(target: &str, timeout: Duration) -> Result<Inspector> {
        if let Some(rest) = target.strip_prefix("ws://") {
            let address = rest.split('/').next().unwrap_or("").to_string();
            return Ok(Inspector {
                ws_url: target.to_string(),
                session: None,
                request: 0,
                address,
                timeout,
            });
        }
        let address = target
            .strip_prefix("node://")
            .map(|rest| rest.trim_end_matches('/'))
            .filter(|a| !a.is_empty() && !a.contains('/'))
            .ok_or_else(|| Error::Remote {
                url: target.to_string(),
                message: "write a Node target as node://host:port or its ws:// URL".to_string(),
            })?;
        let listed = list(address, timeout)?;
        Ok(Inspector {
            ws_url: listed,
            session: None,
            request: 0,
            address: address.to_string(),
            timeout,
        })
    }

    /// A local Node process: SIGUSR1 opens its inspector (on the port of its --inspect-port,
    /// 9229 by default; an open one stays as it is), found among the ports the process
    /// listens on. Only a process whose program is `node` is signalled, where the system
    /// says (Linux); elsewhere the signal is sent as asked.
    pub fn of_process(pid: u32, timeout: Duration) -> Result<Inspector> {
        let target = format!("pid {pid}");
        let fail = |message: String| Error::Remote {
            url: target.clone(),
            message,
        };
        let pid_t = libc::pid_t::try_from(pid).map_err(|_| fail("not a process id".into()))?;
        // Signal 0 checks the process exists and may be signalled.
        // SAFETY: kill(2) with a plain pid and signal number has no memory effects.
        if unsafe { libc::kill(pid_t, 0) } != 0 {
            return Err(fail(format!(
                "cannot signal the process: {}",
                std::io::Error::last_os_error()
            )));
        }
        // SIGUSR1 stops a process that does not handle it: only Node's is signalled.
        if let Some(program) = program_of(pid) {
            if !program.starts_with("node") {
                return Err(fail(format!(
                    "is {program}, not node: SIGUSR1 would stop it; start it with --inspect \
                     and give node://host:port"
                )));
            }
        }
        let opened = |addresses: &[String]| {
            addresses.iter().find_map(|address| {
                list(address, Duration::from_secs(2))
                    .ok()
                    .map(|ws| (address.clone(), ws))
            })
        };
        // The ports it listened on before the signal are asked last: they are the service's
        // own (or an inspector already open, which the signal leaves as it is).
        let before = listening_addresses(pid);
        // SAFETY: as above.
        if unsafe { libc::kill(pid_t, libc::SIGUSR1) } != 0 {
            return Err(fail(format!(
                "cannot send SIGUSR1: {}",
                std::io::Error::last_os_error()
            )));
        }
        let started = Instant::now();
        let (mut found, mut asked_before) = (None, false);
        while found.is_none() && started.elapsed() < timeout.min(Duration::from_secs(5)) {
            std::thread::sleep(Duration::from_millis(100));
            let new: Vec<String> = listening_addresses(pid)
                .into_iter()
                .filter(|a| !before.contains(a))
                .collect();
            found = opened(&new);
            // Node opens its inspector within milliseconds of the signal; no new port after
            // a second may mean it was open already.
            if found.is_none() && !asked_before && started.elapsed() > Duration::from_secs(1) {
                asked_before = true;
                found = opened(&before);
            }
        }
        let (address, ws_url) = found.ok_or_else(|| {
            fail(
                "sent SIGUSR1, but no inspector opened (is it a Node process? started with \
                 --disable-sigusr1?)"
                    .to_string(),
            )
        })?;
        Ok(Inspector {
            ws_url,
            session: None,
            request: 0,
            address,
            timeout,
        })
    }

    pub fn ws_url(&self) -> &str {
        &self.ws_url
    }

    /// Collects garbage, then takes a heap snapshot, writing its chunks to `out` as they
    /// arrive; `progress` hears the bytes received so far. Returns the bytes written.
    pub fn snapshot(&mut self, out: &mut dyn Write, progress: &mut dyn FnMut(u64)) -> Result<u64> {
        let fresh = self.session.is_none();
        if fresh {
            self.session = Some(self.connect()?);
        }
        let taken = self.take_snapshot(fresh, out, progress);
        if taken.is_err() {
            // A broken session is not reused; the next snapshot opens a new one.
            self.session = None;
        }
        taken
    }

    fn take_snapshot(
        &mut self,
        fresh: bool,
        out: &mut dyn Write,
        progress: &mut dyn FnMut(u64),
    ) -> Result<u64> {
        let mut received = 0u64;
        let steps: &[&str] = if fresh {
            &[
                "HeapProfiler.enable",
                "HeapProfiler.collectGarbage",
                "HeapProfiler.takeHeapSnapshot",
            ]
        } else {
            &[
                "HeapProfiler.collectGarbage",
                "HeapProfiler.takeHeapSnapshot",
            ]
        };
        for method in steps {
            self.request += 1;
            let id = self.request;
            let request = format!(r#"{{"id":{id},"method":"{method}"}}"#);
            let socket = self.session.as_mut().expect("a connected session");
            if let Err(e) = socket.send(Message::text(request)) {
                return Err(self.fail(self.describe(&e, method, received)));
            }
            loop {
                let socket = self.session.as_mut().expect("a connected session");
                let message = match socket.read() {
                    Ok(message) => message,
                    Err(e) => return Err(self.fail(self.describe(&e, method, received))),
                };
                let text = match &message {
                    Message::Text(text) => text.as_str(),
                    Message::Close(_) => {
                        let closed = tungstenite::Error::ConnectionClosed;
                        return Err(self.fail(self.describe(&closed, method, received)));
                    }
                    _ => continue,
                };
                let incoming: Incoming<'_> = serde_json::from_str(text)
                    .map_err(|e| self.fail(format!("not a DevTools protocol message: {e}")))?;
                if incoming.method.as_deref() == Some("HeapProfiler.addHeapSnapshotChunk") {
                    if let Some(chunk) = incoming.params.and_then(|p| p.chunk) {
                        if received == 0 && !chunk.trim_start().starts_with('{') {
                            return Err(self.fail("the snapshot does not start as JSON".into()));
                        }
                        out.write_all(chunk.as_bytes())
                            .map_err(|e| self.fail(format!("writing the snapshot: {e}")))?;
                        received += chunk.len() as u64;
                        progress(received);
                    }
                    continue;
                }
                if incoming.id == Some(id) {
                    if let Some(refusal) = incoming.error {
                        return Err(self.fail(format!("{method}: {}", refusal.message)));
                    }
                    break;
                }
            }
        }
        if received == 0 {
            return Err(self.fail("the inspector sent an empty snapshot".into()));
        }
        Ok(received)
    }

    fn fail(&self, message: String) -> Error {
        Error::Remote {
            url: self.ws_url.clone(),
            message,
        }
    }

    fn connect(&self) -> Result<WebSocket<TcpStream>> {
        let fail = |message: String| self.fail(message);
        let addresses: Vec<_> = self
            .address
            .to_socket_addrs()
            .map_err(|e| fail(format!("{}: {e}", self.address)))?
            .collect();
        let mut last = None;
        let stream = addresses
            .iter()
            .find_map(|a| match TcpStream::connect_timeout(a, self.timeout) {
                Ok(s) => Some(s),
                Err(e) => {
                    last = Some(e);
                    None
                }
            })
            .ok_or_else(|| {
                fail(match last {
                    Some(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                        "connection refused (is the inspector open, on this port?)".to_string()
                    }
                    Some(e) => e.to_string(),
                    None => format!("{}: no address", self.address),
                })
            })?;
        // A quiet inspector for longer than --timeout is a failure; a long snapshot is not.
        let _ = stream.set_read_timeout(Some(self.timeout));
        let _ = stream.set_write_timeout(Some(self.timeout));
        // The URL /json/list gave names the inspector's own host and port; the one the user
        // reached (a port-forward) is the one to connect to.
        let path = self
            .ws_url
            .strip_prefix("ws://")
            .and_then(|rest| rest.find('/').map(|i| &rest[i..]))
            .unwrap_or("/");
        let url = format!("ws://{}{path}", self.address);
        let (socket, _) = tungstenite::client::client(url.as_str(), stream)
            .map_err(|e| fail(format!("WebSocket handshake: {e}")))?;
        Ok(socket)
    }

    /// A WebSocket failure in words: closed mid-snapshot, silent past --timeout.
    fn describe(&self, error: &tungstenite::Error, method: &str, received: u64) -> String {
        use tungstenite::error::ProtocolError;
        let closed = match error {
            tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed => true,
            tungstenite::Error::Protocol(ProtocolError::ResetWithoutClosingHandshake) => true,
            tungstenite::Error::Io(e) => match e.kind() {
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => {
                    return format!(
                        "no message from the inspector within --timeout ({} s) during {method}",
                        self.timeout.as_secs_f64()
                    )
                }
                std::io::ErrorKind::ConnectionReset
                | std::io::ErrorKind::ConnectionAborted
                | std::io::ErrorKind::BrokenPipe
                | std::io::ErrorKind::UnexpectedEof => true,
                _ => false,
            },
            _ => false,
        };
        if closed && method.ends_with("takeHeapSnapshot") {
            let arrived = if received == 0 {
                "before any of it arrived".to_string()
            } else {
                format!(
                    "after {} of it arrived",
                    crate::output::values::format_bytes(received as i64)
                )
            };
            format!(
                "the inspector closed the connection mid-snapshot, {arrived}; nothing was written"
            )
        } else if closed {
            format!("the inspector closed the connection during {method}")
        } else {
            format!("{method}: {error}")
        }
    }
}

impl Drop for Inspector {
    fn drop(&mut self) {
        if let Some(mut session) = self.session.take() {
            let _ = session.close(None);
            let _ = session.flush();
        }
    }
}

/// The first Node target /json/list at `address` offers: its WebSocket URL.
fn list(address: &str, timeout: Duration) -> Result<String> {
    let url = format!("http://{address}/json/list");
    let remote = Remote::new(&url, &[], timeout, false, 16 << 20)?;
    let fetched = remote.get(&url).map_err(|e| match e {
        Error::Remote { url, message } if message.starts_with("HTTP ") => Error::Remote {
            url,
            message: format!("{message}: not a Node inspector"),
        },
        other => other,
    })?;
    let listed: Vec<Listed> = serde_json::from_slice(&fetched.body).map_err(|_| Error::Remote {
        url: url.clone(),
        message: "not a Node inspector (no JSON target list)".to_string(),
    })?;
    listed
        .iter()
        .filter(|t| t.kind.as_deref().is_none_or(|k| k == "node"))
        .find_map(|t| t.web_socket_debugger_url.clone())
        .ok_or_else(|| Error::Remote {
            url,
            message: "the inspector lists no Node target".to_string(),
        })
}

/// The file name of the program a process runs (Linux: /proc/PID/exe, else its comm); `None`
/// where the system does not say.
fn program_of(pid: u32) -> Option<String> {
    #[cfg(target_os = "linux")]
    {
        if let Ok(exe) = std::fs::read_link(format!("/proc/{pid}/exe")) {
            return exe.file_name().map(|n| n.to_string_lossy().into_owned());
        }
        std::fs::read_to_string(format!("/proc/{pid}/comm"))
            .ok()
            .map(|c| c.trim().to_string())
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = pid;
        None
    }
}

/// `host:port` of every TCP socket the process listens on, from /proc (Linux); elsewhere the
/// inspector's default port.
fn listening_addresses(pid: u32) -> Vec<String> {
    #[cfg(target_os = "linux")]
    {
        let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
            return Vec::new();
        };
        let inodes: Vec<String> = fds
            .filter_map(|fd| std::fs::read_link(fd.ok()?.path()).ok())
            .filter_map(|link| {
                let link = link.to_string_lossy().into_owned();
                link.strip_prefix("socket:[")
                    .and_then(|rest| rest.strip_suffix(']'))
                    .map(str::to_string)
            })
            .collect();
        let mut addresses = Vec::new();
        for (table, host) in [("tcp", "127.0.0.1"), ("tcp6", "[::1]")] {
            let Ok(text) = std::fs::read_to_string(format!("/proc/{pid}/net/{table}")) else {
                continue;
            };
            for line in text.lines().skip(1) {
                let fields: Vec<&str> = line.split_whitespace().collect();
                // local_address is fields[1] (HEXADDR:HEXPORT), st fields[3] (0A = LISTEN),
                // inode fields[9].
                if fields.len() > 9 && fields[3] == "0A" && inodes.iter().any(|i| i == fields[9]) {
                    if let Some(port) = fields[1]
                        .rsplit(':')
                        .next()
                        .and_then(|p| u16::from_str_radix(p, 16).ok())
                    {
                        addresses.push(format!("{host}:{port}"));
                    }
                }
            }
        }
        addresses
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = pid;
        vec!["127.0.0.1:9229".to_string()]
    }
}
