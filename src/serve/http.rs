//! The static file server of `coursegen serve`: answers from the in-memory site, so no request
//! path can reach the file system, and streams reload events to open pages.
//!
//! HTTP/1.1 is hyper's, on a tokio runtime of two threads: a connection is a task, not a thread,
//! so idle connections cost memory only. The server never goes deaf (issue #26): open
//! connections are capped (past the cap, new ones wait in the kernel's queue), a connection
//! with no traffic for [`Limits::idle`] is closed, and an `accept` that fails (out of file
//! descriptors, a connection aborted before it was taken) is retried after a pause that grows
//! while the failures last, instead of ending the accept loop.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use hyper::service::service_fn;
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, CONTROLS};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::{mpsc, Semaphore};

use super::Site;
use crate::render::search;

/// Runs `f`, which may block, telling a multi-threaded tokio runtime (when called on one) to
/// move this thread's other tasks elsewhere meanwhile.
fn blocking<T>(f: impl FnOnce() -> T) -> T {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current() {
        Ok(h) if h.runtime_flavor() == RuntimeFlavor::MultiThread => tokio::task::block_in_place(f),
        _ => f(),
    }
}

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
    if path.starts_with(search::DIR) {
        // Making the index may wait for a rebuild and take a while: other connections move
        // to the runtime's other thread meanwhile.
        blocking(|| site.refresh_search());
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

/// Limits on what the server holds at once, so a flood of connections cannot exhaust file
/// descriptors, memory or the server's attention.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Open connections, idle or not; past this many, new ones wait in the kernel's queue
    /// until one closes.
    pub connections: usize,
    /// Live-reload event streams open at the same time; more are refused with 503.
    pub streams: usize,
    /// A connection that neither sends nor receives a byte for this long is closed (an event
    /// stream sends a keep-alive comment every [`KEEP_ALIVE`], so it stays open).
    pub idle: Duration,
}

/// How often an event stream sends a comment when nothing happens: it keeps the connection
/// open, and finds a browser that went away (a write to a closed connection fails), so the
/// stream's slot is given back within two of these.
pub const KEEP_ALIVE: Duration = Duration::from_secs(5);

impl Limits {
    /// The defaults, with connections capped at half the process's file descriptor limit
    /// (at most 256): a build run by `serve` opens files too, and must find descriptors free.
    pub fn for_this_process() -> Limits {
        let descriptors = open_file_limit().unwrap_or(1024);
        Limits {
            connections: (descriptors / 2).clamp(8, 256),
            ..Limits::default()
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            connections: 256,
            streams: 32,
            idle: Duration::from_secs(10),
        }
    }
}

/// The soft limit on open file descriptors, where the system tells it.
fn open_file_limit() -> Option<usize> {
    #[cfg(target_os = "linux")]
    {
        let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
        let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
        line.split_whitespace().nth(3)?.parse().ok()
    }
    #[cfg(not(target_os = "linux"))]
    {
        None
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

/// A response body: the whole file, or the events of a live-reload stream as they come.
enum ResponseBody {
    Full(Option<Bytes>),
    Events(mpsc::Receiver<Bytes>),
}

impl Body for ResponseBody {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        match self.get_mut() {
            ResponseBody::Full(data) => Poll::Ready(data.take().map(|d| Ok(Frame::data(d)))),
            ResponseBody::Events(rx) => rx.poll_recv(cx).map(|d| d.map(|d| Ok(Frame::data(d)))),
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self, ResponseBody::Full(None))
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            ResponseBody::Full(data) => {
                SizeHint::with_exact(data.as_ref().map_or(0, |d| d.len() as u64))
            }
            ResponseBody::Events(_) => SizeHint::default(),
        }
    }
}

type HttpResponse = hyper::Response<ResponseBody>;

fn text_response(status: u16, text: &str) -> HttpResponse {
    let mut response =
        hyper::Response::new(ResponseBody::Full(Some(Bytes::from(text.to_string()))));
    *response.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or_default();
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// Server-sent events: `reload` after a good build, `error` after a failed one, a comment every
/// [`KEEP_ALIVE`] to keep the connection open. The stream's task ends (and gives its slot back)
/// when a write to the browser fails, i.e. the browser went away.
fn event_stream(site: &Arc<Site>, slot: Slot) -> HttpResponse {
    let (tx, rx) = mpsc::channel::<Bytes>(4);
    let mut changes = site.subscribe();
    tokio::spawn(async move {
        let _slot = slot;
        let mut seen = changes.borrow_and_update().0;
        if tx
            .send(Bytes::from_static(b": connected\n\n"))
            .await
            .is_err()
        {
            return;
        }
        loop {
            let message = match tokio::time::timeout(KEEP_ALIVE, changes.changed()).await {
                Ok(Ok(())) => {
                    let (version, failed) = *changes.borrow_and_update();
                    if version <= seen {
                        continue;
                    }
                    seen = version;
                    let name = if failed { "error" } else { "reload" };
                    format!("event: {name}\ndata: {version}\n\n")
                }
                // The site is gone: the server is stopping.
                Ok(Err(_)) => return,
                Err(_) => ": keep-alive\n\n".to_string(),
            };
            if tx.send(Bytes::from(message)).await.is_err() {
                return;
            }
        }
    });
    let mut response = hyper::Response::new(ResponseBody::Events(rx));
    let headers = response.headers_mut();
    headers.insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/event-stream"),
    );
    headers.insert(
        hyper::header::CACHE_CONTROL,
        hyper::header::HeaderValue::from_static("no-cache"),
    );
    response
}

/// Answers one request.
fn handle(
    request: &hyper::Request<hyper::body::Incoming>,
    site: &Arc<Site>,
    streams: &Arc<AtomicUsize>,
    limits: &Limits,
    bind: &str,
) -> HttpResponse {
    let host = request
        .headers()
        .get(hyper::header::HOST)
        .and_then(|h| h.to_str().ok())
        // HTTP/1.1 puts the host in the target too (`GET http://host/ HTTP/1.1`).
        .or_else(|| request.uri().authority().map(|a| a.as_str()));
    if !host_allowed(host, bind) {
        return text_response(403, "this server answers requests for localhost only; start it with --bind NAME to serve another name");
    }
    let method = request.method();
    if method != hyper::Method::GET && method != hyper::Method::HEAD {
        return text_response(405, "method not allowed");
    }
    let target = request
        .uri()
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_string();
    if site_path(&target).as_deref() == Some("__coursegen/events") && method == hyper::Method::GET {
        return match Slot::take(streams, limits.streams) {
            Some(slot) => event_stream(site, slot),
            None => text_response(503, "too many open event streams"),
        };
    }
    let r = respond(site, &target);
    let mut response = hyper::Response::new(ResponseBody::Full(Some(Bytes::from(r.body))));
    *response.status_mut() = hyper::StatusCode::from_u16(r.status).unwrap_or_default();
    let headers = response.headers_mut();
    headers.insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static(r.content_type),
    );
    headers.insert(
        hyper::header::CACHE_CONTROL,
        hyper::header::HeaderValue::from_static("no-store"),
    );
    if let Some(location) = r.location.and_then(|l| l.parse().ok()) {
        headers.insert(hyper::header::LOCATION, location);
    }
    response
}

/// A connection that is closed when it has neither read nor written a byte for `idle`: an
/// idle keep-alive connection, a client that stopped reading, or one that never sent a request.
struct IdleIo {
    stream: tokio::net::TcpStream,
    idle: Duration,
    deadline: Pin<Box<tokio::time::Sleep>>,
}

impl IdleIo {
    fn new(stream: tokio::net::TcpStream, idle: Duration) -> Self {
        IdleIo {
            stream,
            idle,
            deadline: Box::pin(tokio::time::sleep(idle)),
        }
    }

    fn active(&mut self) {
        let next = tokio::time::Instant::now() + self.idle;
        self.deadline.as_mut().reset(next);
    }

    /// `Pending` from the socket, unless the connection has been idle too long.
    fn pending_or_idle<T>(&mut self, cx: &mut Context<'_>) -> Poll<std::io::Result<T>> {
        match self.deadline.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(std::io::ErrorKind::TimedOut.into())),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl AsyncRead for IdleIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        match Pin::new(&mut this.stream).poll_read(cx, buf) {
            Poll::Ready(result) => {
                if buf.filled().len() > before {
                    this.active();
                }
                Poll::Ready(result)
            }
            Poll::Pending => this.pending_or_idle(cx),
        }
    }
}

impl AsyncWrite for IdleIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        match Pin::new(&mut this.stream).poll_write(cx, buf) {
            Poll::Ready(Ok(n)) => {
                if n > 0 {
                    this.active();
                }
                Poll::Ready(Ok(n))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => this.pending_or_idle(cx),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

/// The pause before the next `accept` after `failures` failures in a row: 10 ms, doubling,
/// at most 1 s. Out of file descriptors, accepting again at once would spin; the pause lets
/// connections close, and the server takes new ones as soon as it can.
pub fn accept_backoff(failures: u32) -> Duration {
    Duration::from_millis(10u64 << failures.min(7)).min(Duration::from_secs(1))
}

/// Answers requests on `listener` until the process ends. Requests for another host (see
/// [`host_allowed`]) are refused.
pub fn run(listener: std::net::TcpListener, site: Arc<Site>, bind: &str, limits: Limits) {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("serve")
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the server: {e}");
            return;
        }
    };
    let bind = bind.to_string();
    runtime.block_on(async move {
        if let Err(e) = listener.set_nonblocking(true) {
            eprintln!("error: cannot serve: {e}");
            return;
        }
        let listener = match tokio::net::TcpListener::from_std(listener) {
            Ok(listener) => listener,
            Err(e) => {
                eprintln!("error: cannot serve: {e}");
                return;
            }
        };
        let connections = Arc::new(Semaphore::new(limits.connections));
        let streams = Arc::new(AtomicUsize::new(0));
        let limits = Arc::new(limits);
        let mut failures = 0u32;
        loop {
            // A connection slot first: at the cap, new connections wait in the kernel's queue.
            let Ok(permit) = Arc::clone(&connections).acquire_owned().await else {
                return;
            };
            let stream = match listener.accept().await {
                Ok((stream, _)) => {
                    failures = 0;
                    stream
                }
                Err(e) => {
                    // Out of descriptors (EMFILE, ENFILE), a connection reset before it was
                    // taken (ECONNABORTED), or anything else: never the end of the server.
                    if e.kind() != std::io::ErrorKind::ConnectionAborted {
                        tokio::time::sleep(accept_backoff(failures)).await;
                        failures = failures.saturating_add(1);
                    }
                    continue;
                }
            };
            let _ = stream.set_nodelay(true);
            let (site, streams, limits, bind) = (
                Arc::clone(&site),
                Arc::clone(&streams),
                Arc::clone(&limits),
                bind.clone(),
            );
            tokio::spawn(async move {
                let _permit = permit;
                let io = hyper_util::rt::TokioIo::new(IdleIo::new(stream, limits.idle));
                let service = service_fn(move |request| {
                    let response = handle(&request, &site, &streams, &limits, &bind);
                    async move { Ok::<_, std::convert::Infallible>(response) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .timer(hyper_util::rt::TokioTimer::new())
                    .header_read_timeout(Duration::from_secs(10))
                    .max_buf_size(64 << 10)
                    .serve_connection(io, service)
                    .await;
            });
        }
    });
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
