//! The static file server of `coursegen serve`: answers from the in-memory site, so no request
//! path can reach the file system, and streams reload events to open pages.

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, CONTROLS};
use tiny_http::{Header, Request, Response as HttpResponse, Server};

use super::Site;

/// Bytes escaped in a redirect's path (non-ASCII bytes always are), so the header is ASCII.
const PATH_SET: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'#')
    .add(b'?')
    .add(b'{')
    .add(b'}')
    .add(b'%');

/// Where the injected script, the error status and the event stream live.
pub const PREFIX: &str = "__coursegen/";
const LIVE_JS: &str = include_str!("live.js");
const SCRIPT_TAG: &str = "<script src=\"/__coursegen/live.js\"></script>";

/// A response before it goes on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// HTTP status.
    pub status: u16,
    /// `Content-Type`.
    pub content_type: &'static str,
    /// `Location` for redirects.
    pub location: Option<String>,
    /// The body.
    pub body: Vec<u8>,
}

/// The content type of a file, by its extension.
pub fn content_type(path: &str) -> &'static str {
    match path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .as_deref()
    {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("pdf") => "application/pdf",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("woff2") => "font/woff2",
        Some("woff") => "font/woff",
        Some("ttf") => "font/ttf",
        Some("otf") => "font/otf",
        Some("json") => "application/json",
        Some("tsv") => "text/tab-separated-values; charset=utf-8",
        Some("txt" | "md") => "text/plain; charset=utf-8",
        Some("ico") => "image/x-icon",
        _ => "application/octet-stream",
    }
}

fn plain(status: u16, text: &str) -> Response {
    Response {
        status,
        content_type: "text/plain; charset=utf-8",
        location: None,
        body: text.as_bytes().to_vec(),
    }
}

/// The site's path for a request target: decoded, without query, and refused (`None`) if any
/// segment would leave the site (`..`, encoded or not) or holds a byte no site path has.
pub fn site_path(target: &str) -> Option<String> {
    let path = target.split(['?', '#']).next().unwrap_or("");
    let decoded = percent_decode_str(path).decode_utf8().ok()?;
    if decoded.contains(['\0', '\\']) || !decoded.starts_with('/') {
        return None;
    }
    let mut segments = Vec::new();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => return None,
            s => segments.push(s),
        }
    }
    Some(segments.join("/"))
}

/// Answers a GET for `target` from the current site.
pub fn respond(site: &Site, target: &str) -> Response {
    let Some(path) = site_path(target) else {
        return not_found(site);
    };
    if let Some(special) = path.strip_prefix(PREFIX) {
        return match special {
            "live.js" => Response {
                status: 200,
                content_type: content_type("x.js"),
                location: None,
                body: LIVE_JS.into(),
            },
            "status" => plain(200, &site.with(|s| s.error.clone().unwrap_or_default())),
            _ => not_found(site),
        };
    }
    let clean = target.split(['?', '#']).next().unwrap_or("/");
    let index = if path.is_empty() {
        "index.html".to_string()
    } else {
        format!("{path}/index.html")
    };
    let (file, folder) = site.with(|s| (s.files.get(&path).cloned(), s.files.get(&index).cloned()));
    match (file, folder) {
        (Some(body), _) if !clean.ends_with('/') => file_response(&path, &body),
        (_, Some(body)) if clean.ends_with('/') => file_response(&index, &body),
        // A folder asked for without its `/`: redirect, so that relative links resolve.
        (_, Some(_)) => Response {
            status: 301,
            content_type: "text/plain; charset=utf-8",
            // From the normalised path, so `//host` cannot become a redirect off the site.
            location: Some(format!("/{}/", utf8_percent_encode(&path, PATH_SET))),
            body: Vec::new(),
        },
        _ => not_found(site),
    }
}

fn file_response(path: &str, body: &[u8]) -> Response {
    let content_type = content_type(path);
    let body = if content_type.starts_with("text/html") {
        inject(body)
    } else {
        body.to_vec()
    };
    Response {
        status: 200,
        content_type,
        location: None,
        body,
    }
}

fn not_found(site: &Site) -> Response {
    match site.with(|s| s.files.get("404.html").cloned()) {
        Some(page) => Response {
            status: 404,
            ..file_response("404.html", &page)
        },
        // No good build yet: a page that shows the error and reloads once it is fixed.
        None => Response {
            status: 503,
            content_type: "text/html; charset=utf-8",
            location: None,
            body: inject(b"<!doctype html><meta charset=\"utf-8\"><title>coursegen</title><body><p>The course does not build yet; the error is shown below and this page reloads when it is fixed.</p></body>"),
        },
    }
}

/// Adds the live-reload script before `</body>` (serve mode only).
fn inject(html: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(html);
    match text.rfind("</body>") {
        Some(i) => format!("{}{SCRIPT_TAG}\n{}", &text[..i], &text[i..]).into_bytes(),
        None => format!("{text}{SCRIPT_TAG}").into_bytes(),
    }
}

/// Server-sent events on the raw connection: `reload` after a good build, `error` after a
/// failed one, a comment every 15 s to keep it open. Each event is flushed as it happens (a
/// chunked response would sit in tiny_http's buffer). Ends when the client goes away.
fn stream_events(request: Request, site: &Site) {
    let mut seen = site.with(|s| s.version);
    let mut out = request.into_writer();
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n: connected\n\n";
    if out
        .write_all(head.as_bytes())
        .and_then(|()| out.flush())
        .is_err()
    {
        return;
    }
    loop {
        let (version, failed) = site.wait_change(seen, Duration::from_secs(15));
        let message = if version > seen {
            seen = version;
            format!(
                "event: {}\ndata: {version}\n\n",
                if failed { "error" } else { "reload" }
            )
        } else {
            ": keep-alive\n\n".to_string()
        };
        if out
            .write_all(message.as_bytes())
            .and_then(|()| out.flush())
            .is_err()
        {
            return;
        }
    }
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("valid header")
}

/// Whether a request's `Host` header names this server: any IP address (a page on another
/// site can only reach the server through a name it controls, by DNS rebinding), `localhost`,
/// or the name given to `--bind`. Anything else is refused, so a page on another site that
/// rebinds its own name to 127.0.0.1 cannot read the course or its errors (issue #14).
pub fn host_allowed(host: Option<&str>, bind: &str) -> bool {
    let Some(host) = host else {
        // HTTP/1.1 requires the header; every browser sends it.
        return false;
    };
    let name = match host.strip_prefix('[') {
        // `[::1]:1111`
        Some(rest) => rest.split(']').next().unwrap_or_default(),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name.parse::<std::net::IpAddr>().is_ok()
        || name == "localhost"
        || name.ends_with(".localhost")
        || name == bind.trim_end_matches('.').to_ascii_lowercase()
}

/// Limits on what the server does at once, so a flood of connections cannot exhaust threads
/// or memory: the request handlers (each on its own thread) and, among them, the event streams
/// that stay open.
#[derive(Debug)]
pub struct Limits {
    /// Requests answered at the same time; more are refused with 503 on the spot.
    pub requests: usize,
    /// Live-reload event streams open at the same time (each holds a thread).
    pub streams: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            requests: 64,
            streams: 32,
        }
    }
}

/// A slot of a bounded count, given back when dropped (however the handler ends).
struct Slot(Arc<AtomicUsize>);

impl Slot {
    fn take(count: &Arc<AtomicUsize>, limit: usize) -> Option<Slot> {
        let mut now = count.load(Ordering::Relaxed);
        loop {
            if now >= limit {
                return None;
            }
            match count.compare_exchange_weak(now, now + 1, Ordering::AcqRel, Ordering::Relaxed) {
                Ok(_) => return Some(Slot(Arc::clone(count))),
                Err(seen) => now = seen,
            }
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

fn refuse(request: Request, status: u16, text: &str) {
    let _ = request.respond(
        HttpResponse::from_string(text)
            .with_status_code(status)
            .with_header(header("Content-Type", "text/plain; charset=utf-8"))
            .with_header(header("Connection", "close")),
    );
}

fn handle(request: Request, site: &Site, streams: &Arc<AtomicUsize>, limits: &Limits) {
    let target = request.url().to_string();
    if request.method() != &tiny_http::Method::Get && request.method() != &tiny_http::Method::Head {
        let _ =
            request.respond(HttpResponse::from_string("method not allowed").with_status_code(405));
        return;
    }
    if site_path(&target).as_deref() == Some("__coursegen/events")
        && request.method() == &tiny_http::Method::Get
    {
        match Slot::take(streams, limits.streams) {
            Some(_slot) => stream_events(request, site),
            None => refuse(request, 503, "too many open event streams"),
        }
        return;
    }
    let r = respond(site, &target);
    let mut response = HttpResponse::from_data(r.body)
        .with_status_code(r.status)
        .with_header(header("Content-Type", r.content_type))
        .with_header(header("Cache-Control", "no-store"));
    if let Some(location) = r.location {
        response = response.with_header(header("Location", &location));
    }
    let _ = request.respond(response);
}

/// Answers requests until the process ends, each on its own thread (event streams block), at
/// most `limits` at once. Requests for another host (see [`host_allowed`]) are refused.
pub fn run(server: Server, site: Arc<Site>, bind: &str, limits: Limits) {
    let limits = Arc::new(limits);
    let active = Arc::new(AtomicUsize::new(0));
    let streams = Arc::new(AtomicUsize::new(0));
    for request in server.incoming_requests() {
        let host = request
            .headers()
            .iter()
            .find(|h| h.field.equiv("Host"))
            .map(|h| h.value.as_str().to_string());
        if !host_allowed(host.as_deref(), bind) {
            refuse(request, 403, "this server answers requests for localhost only; start it with --bind NAME to serve another name");
            continue;
        }
        // Taken here, before the thread exists, so the count bounds threads too.
        let Some(slot) = Slot::take(&active, limits.requests) else {
            refuse(request, 503, "too many requests at once");
            continue;
        };
        let (site, streams, limits) =
            (Arc::clone(&site), Arc::clone(&streams), Arc::clone(&limits));
        std::thread::spawn(move || {
            handle(request, &site, &streams, &limits);
            drop(slot);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_never_leave_the_site() {
        for evil in [
            "/../../etc/passwd",
            "/%2e%2e/%2e%2e/etc/passwd",
            "/..%2f..%2fetc/passwd",
            "/a/%2E%2E/%2E%2E/x",
            "/x%00y",
            "/a\\..\\b",
            "etc/passwd",
        ] {
            assert_eq!(site_path(evil), None, "{evil}");
        }
        assert_eq!(
            site_path("/assets/style.css?v=1").as_deref(),
            Some("assets/style.css")
        );
        assert_eq!(
            site_path("//etc/passwd").as_deref(),
            Some("etc/passwd"),
            "a site path, looked up in memory only"
        );
        assert_eq!(site_path("/").as_deref(), Some(""));
    }

    #[test]
    fn only_local_names_and_addresses_are_answered() {
        for ok in [
            "localhost:1111",
            "LOCALHOST",
            "127.0.0.1:1111",
            "[::1]:1111",
            "192.168.1.5:8080",
            "app.localhost:1111",
        ] {
            assert!(host_allowed(Some(ok), "127.0.0.1"), "{ok}");
        }
        for evil in [
            "evil.example:1111",
            "localhost.evil.example",
            "attacker",
            "",
        ] {
            assert!(!host_allowed(Some(evil), "127.0.0.1"), "{evil}");
        }
        assert!(!host_allowed(None, "127.0.0.1"));
        assert!(host_allowed(Some("devbox:1111"), "devbox"));
    }

    #[test]
    fn content_types() {
        assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("x.PDF"), "application/pdf");
        assert_eq!(content_type("f.woff2"), "font/woff2");
        assert_eq!(content_type("i.svg"), "image/svg+xml");
    }
}
