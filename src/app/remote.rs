//! Fetching profiles from a running service over HTTP(S), with ureq (rustls, no system TLS):
//! redirects followed only within the target's host, the user's headers sent only there, a
//! time limit per request and a size limit per body, every failure one line naming the URL.

use std::io::Read;
use std::time::Duration;

use crate::error::{Error, Result};

/// Redirects followed, at most, within one host.
const MAX_REDIRECTS: usize = 5;

pub struct Remote {
    agent: ureq::Agent,
    /// `scheme://host:port` of the target: redirects and headers stay within it.
    origin: String,
    headers: Vec<(String, String)>,
    max_bytes: u64,
}

/// A fetched body and what the server said it is.
pub struct Fetched {
    pub body: Vec<u8>,
    pub content_type: String,
}

impl Remote {
    pub fn new(
        target: &str,
        headers: &[String],
        timeout: Duration,
        insecure: bool,
        max_bytes: u64,
    ) -> Result<Remote> {
        let origin = origin_of(target).ok_or_else(|| Error::Remote {
            url: without_credentials(target),
            message: "not an http:// or https:// URL".to_string(),
        })?;
        let headers = headers
            .iter()
            .map(|h| {
                h.split_once(':')
                    .map(|(name, value)| (name.trim().to_string(), value.trim().to_string()))
                    .filter(|(name, _)| !name.is_empty())
                    // The value may be a secret: the message names the header only.
                    .ok_or_else(|| {
                        Error::Usage(format!(
                            "--header {:?}: write it as `Name: value`",
                            h.split(':').next().unwrap_or("")
                        ))
                    })
            })
            .collect::<Result<Vec<_>>>()?;
        let tls = ureq::tls::TlsConfig::builder()
            .disable_verification(insecure)
            .build();
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .max_redirects(0)
            .http_status_as_error(false)
            .tls_config(tls)
            .user_agent(concat!("leakscope/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Ok(Remote {
            agent,
            origin,
            headers,
            max_bytes,
        })
    }

    /// GET `url` (on the target's host), following same-host redirects.
    pub fn get(&self, url: &str) -> Result<Fetched> {
        let mut url = url.to_string();
        for _ in 0..=MAX_REDIRECTS {
            let shown = without_credentials(&url);
            let fail = |message: String| Error::Remote {
                url: shown.clone(),
                message,
            };
            if origin_of(&url).as_deref() != Some(self.origin.as_str()) {
                return Err(fail(format!(
                    "redirected away from {}: not followed",
                    without_credentials(&self.origin)
                )));
            }
            let mut request = self.agent.get(&url);
            for (name, value) in &self.headers {
                request = request.header(name.as_str(), value.as_str());
            }
            let mut response = request.call().map_err(|e| fail(describe(&e)))?;
            let status = response.status().as_u16();
            if (300..400).contains(&status) {
                let location = response
                    .headers()
                    .get("location")
                    .and_then(|l| l.to_str().ok())
                    .ok_or_else(|| fail(format!("HTTP {status} without a Location")))?;
                url = resolve(&url, location);
                continue;
            }
            if status >= 400 {
                return Err(fail(format!("HTTP {status}")));
            }
            let content_type = response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            let mut body = Vec::new();
            response
                .body_mut()
                .as_reader()
                .take(self.max_bytes + 1)
                .read_to_end(&mut body)
                .map_err(|e| fail(format!("reading the response: {e}")))?;
            if body.len() as u64 > self.max_bytes {
                return Err(fail(format!(
                    "larger than --max-size ({} bytes)",
                    self.max_bytes
                )));
            }
            return Ok(Fetched { body, content_type });
        }
        Err(Error::Remote {
            url: without_credentials(&url),
            message: format!("more than {MAX_REDIRECTS} redirects"),
        })
    }
}

/// What went wrong, in words: refused, timed out, TLS, DNS.
fn describe(error: &ureq::Error) -> String {
    match error {
        ureq::Error::Timeout(_) => "no answer within --timeout".to_string(),
        ureq::Error::Io(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
            "connection refused (is the service running, on this port?)".to_string()
        }
        ureq::Error::Io(e) if e.to_string().contains("certificate") => {
            format!("TLS: {e}; --insecure skips the check (with a warning)")
        }
        other => other.to_string(),
    }
}

/// `scheme://host[:port]` of a URL, lower-cased, without credentials or path.
pub fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit('@').next()?;
    (!host.is_empty()).then(|| format!("{scheme}://{}", host.to_ascii_lowercase()))
}

/// A URL as it may be printed or recorded: `user:password@` removed.
pub fn without_credentials(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            let (authority, tail) = rest.split_at(end);
            let host = authority.rsplit('@').next().unwrap_or(authority);
            format!("{scheme}://{host}{tail}")
        }
        None => url.to_string(),
    }
}

/// A Location header against the URL that sent it.
fn resolve(base: &str, location: &str) -> String {
    if location.contains("://") {
        return location.to_string();
    }
    let origin = origin_of(base).unwrap_or_default();
    if location.starts_with('/') {
        return format!("{origin}{location}");
    }
    let path_end = base.find('?').unwrap_or(base.len());
    let dir = &base[..path_end];
    let dir = &dir[..dir.rfind('/').map_or(dir.len(), |i| i + 1)];
    format!("{dir}{location}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_and_credentials() {
        assert_eq!(
            origin_of("http://user:pw@Host:6060/debug/pprof/").as_deref(),
            Some("http://host:6060")
        );
        assert_eq!(origin_of("ftp://host/"), None);
        assert_eq!(
            without_credentials("https://user:pw@host:1/a?b=c"),
            "https://host:1/a?b=c"
        );
        assert_eq!(
            resolve("http://h:1/debug/pprof", "/debug/pprof/"),
            "http://h:1/debug/pprof/"
        );
        assert_eq!(
            resolve("http://h:1/debug/pprof/x", "heap"),
            "http://h:1/debug/pprof/heap"
        );
    }
}
