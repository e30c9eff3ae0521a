//! `coursegen serve` end to end: edit → reload event and new content; broken edit → error
//! overlay over the last good page; fix → overlay gone; then a clean shutdown. Plus path
//! traversal attempts, content types and a malformed request.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{binary, sample_copy};

const PAGE: &str = "content/01-neural-networks/practice-backprop.md";

struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(course: &std::path::Path) -> Server {
    let mut child = Command::new(binary())
        .args(["serve", "--port", "0"])
        .arg(course)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start coursegen serve");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let addr = loop {
        let line = lines.next().expect("serve printed its URL").expect("utf-8");
        if let Some(rest) = line.split("http://").nth(1) {
            break rest.split('/').next().expect("host:port").to_string();
        }
    };
    // Keep draining stdout so the server never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    Server { child, addr }
}

/// A raw HTTP/1.1 GET: status line, headers and body, as text.
fn get(addr: &str, target: &str) -> (u16, String, String) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(
        stream,
        "GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, head.to_lowercase(), body.to_string())
}

/// Reads server-sent events until one named `name` arrives.
fn wait_for_event(events: &mut BufReader<TcpStream>, name: &str) -> Duration {
    let start = Instant::now();
    let mut line = String::new();
    while start.elapsed() < Duration::from_secs(20) {
        line.clear();
        if events.read_line(&mut line).unwrap_or(0) == 0 {
            continue;
        }
        if line.trim() == format!("event: {name}") {
            return start.elapsed();
        }
    }
    panic!("no `{name}` event within 20 s");
}

fn open_events(addr: &str) -> BufReader<TcpStream> {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(1)))
        .expect("timeout");
    write!(
        stream,
        "GET /__coursegen/events HTTP/1.1\r\nHost: {addr}\r\n\r\n"
    )
    .expect("send");
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    let start = Instant::now();
    // Past the response headers and the first comment: the stream is live.
    while !line.starts_with(": connected") {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the event stream never opened"
        );
        line.clear();
        let _ = reader.read_line(&mut line);
    }
    reader
}

#[test]
fn edit_break_fix_and_shut_down() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = sample_copy(dir.path());
    let server = start(&course);
    let url = "/neural-networks/practice-backprop/";

    let (status, head, body) = get(&server.addr, url);
    assert_eq!(status, 200);
    assert!(head.contains("content-type: text/html"), "{head}");
    assert!(body.contains("Seven short questions"));
    assert!(
        body.contains("/__coursegen/live.js"),
        "serve injects its reload script"
    );

    let page = course.join(PAGE);
    let original = std::fs::read_to_string(&page).expect("read page");
    let mut events = open_events(&server.addr);
    std::fs::write(
        &page,
        original.replace("about 15 minutes", "about 20 minutes"),
    )
    .expect("edit");
    wait_for_event(&mut events, "reload");
    let (_, _, body) = get(&server.addr, url);
    assert!(body.contains("about 20 minutes"), "the edit is served");

    std::fs::write(
        &page,
        original.replace("= [[2, 3], [-1, -2]]", "= [[2, 3], [-1, -3]]"),
    )
    .expect("break");
    wait_for_event(&mut events, "error");
    let (_, _, status_text) = get(&server.addr, "/__coursegen/status");
    // The error sits on the stated matrix.
    let at = original
        .find("= [[2, 3], [-1, -2]]")
        .expect("the stated W'")
        + 2;
    let line = original[..at].lines().count();
    let column = original[..at]
        .rsplit('\n')
        .next()
        .unwrap_or("")
        .chars()
        .count()
        + 1;
    assert!(
        status_text.contains(&format!(
            "content/01-neural-networks/practice-backprop.md:{line}:{column}: check failed"
        )),
        "{status_text}"
    );
    let (status, _, body) = get(&server.addr, url);
    assert_eq!(status, 200, "the last good page stays up");
    assert!(body.contains("about 20 minutes"));

    std::fs::write(&page, &original).expect("fix");
    wait_for_event(&mut events, "reload");
    let (_, _, status_text) = get(&server.addr, "/__coursegen/status");
    assert_eq!(status_text, "", "the overlay clears once the file is fixed");

    // SIGTERM: the server stops cleanly, exit code 0.
    let mut server = server;
    let killed = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let start = Instant::now();
    let status = loop {
        if let Some(status) = server.child.try_wait().expect("wait") {
            break status;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "server did not stop"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0));
}

#[test]
fn no_path_escapes_and_types_are_right() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = sample_copy(dir.path());
    std::fs::write(dir.path().join("secret.txt"), "do not serve").expect("write");
    let server = start(&course);
    for evil in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/assets/../../secret.txt",
        "/../../etc/passwd",
        "/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "//etc/passwd",
        "/course.yaml",
    ] {
        let (status, _, body) = get(&server.addr, evil);
        assert_eq!(status, 404, "{evil}");
        assert!(
            !body.contains("do not serve") && !body.contains("root:"),
            "{evil} leaked"
        );
    }
    for (path, expected) in [
        ("/", "text/html"),
        ("/assets/style.css", "text/css"),
        ("/assets/coursegen.js", "text/javascript"),
        (
            "/neural-networks/practice-backprop/flashcards.pdf",
            "application/pdf",
        ),
        (
            "/neural-networks/practice-backprop/flashcards.tsv",
            "text/tab-separated-values",
        ),
        ("/__coursegen/live.js", "text/javascript"),
    ] {
        let (status, head, _) = get(&server.addr, path);
        assert_eq!(status, 200, "{path}");
        assert!(
            head.contains(&format!("content-type: {expected}")),
            "{path}: {head}"
        );
    }
    let (status, head, _) = get(&server.addr, "/neural-networks");
    assert_eq!(status, 301);
    assert!(head.contains("location: /neural-networks/"), "{head}");
    let (status, head, _) = get(&server.addr, "//neural-networks");
    assert_eq!(status, 301);
    assert!(
        head.contains("location: /neural-networks/\r\n"),
        "no redirect off the site: {head}"
    );
    let (status, _, body) = get(&server.addr, "/no/such/page/");
    assert_eq!(status, 404);
    assert!(body.contains("Page not found"));

    // Garbage on the wire does not bring the server down.
    let mut stream = TcpStream::connect(&server.addr).expect("connect");
    let _ = stream.write_all(b"\x00\xff\xfe NOT HTTP AT ALL\r\n\r\n");
    drop(stream);
    let (status, _, _) = get(&server.addr, "/");
    assert_eq!(status, 200);
}

#[test]
fn a_course_that_does_not_build_yet_shows_its_error_then_recovers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = sample_copy(dir.path());
    let page = course.join(PAGE);
    let original = std::fs::read_to_string(&page).expect("read");
    std::fs::write(
        &page,
        original.replace("= [[2, 3], [-1, -2]]", "= [[2, 3], [-1, -3]]"),
    )
    .expect("break");
    let server = start(&course);
    let (status, _, body) = get(&server.addr, "/");
    assert_eq!(status, 503);
    assert!(
        body.contains("/__coursegen/live.js"),
        "the page reloads itself once fixed"
    );
    let (_, _, error) = get(&server.addr, "/__coursegen/status");
    assert!(error.contains("check failed"), "{error}");

    // An editor's atomic save of course.yaml (write elsewhere, rename over) is seen, twice.
    let mut events = open_events(&server.addr);
    std::fs::write(&page, &original).expect("fix");
    wait_for_event(&mut events, "reload");
    for title in ["First title", "Second title"] {
        let tmp = course.join("course.yaml.tmp");
        std::fs::write(&tmp, format!("title: {title}\n")).expect("write");
        std::fs::rename(&tmp, course.join("course.yaml")).expect("rename");
        wait_for_event(&mut events, "reload");
        let (_, _, body) = get(&server.addr, "/");
        assert!(body.contains(title), "{title} not served");
    }
}

#[test]
fn an_edit_saved_as_soon_as_the_server_says_it_is_ready_is_seen() {
    // Many lesson folders make watching them take a while: the server must watch them all
    // before it prints its address, or an edit saved right then is never rebuilt.
    let dir = tempfile::tempdir().expect("temp dir");
    let course = sample_copy(dir.path());
    for i in 0..300 {
        let lesson = course.join(format!("content/{:03}-filler-{i}", i + 2));
        std::fs::create_dir_all(&lesson).expect("lesson folder");
        std::fs::write(
            lesson.join("index.md"),
            format!("---\ntitle: Filler {i}\n---\n\nText.\n"),
        )
        .expect("lesson page");
    }
    let last = course.join("content/301-filler-299/index.md");
    let server = start(&course);
    std::fs::write(&last, "---\ntitle: Filler 299\n---\n\nEdited at once.\n").expect("edit");
    let start = Instant::now();
    loop {
        let (_, _, body) = get(&server.addr, "/filler-299/");
        if body.contains("Edited at once.") {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the edit saved right after start-up was never rebuilt"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A raw GET with a chosen `Host` header: the status and the body.
fn get_as(addr: &str, host: &str, target: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(
        stream,
        "GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    (status, body)
}

#[test]
fn a_request_for_another_host_is_refused() {
    // DNS rebinding: a page on evil.example points its name at 127.0.0.1 and reads the server.
    let dir = tempfile::tempdir().expect("temp dir");
    let course = sample_copy(dir.path());
    let server = start(&course);
    let port = server.addr.rsplit(':').next().expect("port");
    for target in ["/", "/__coursegen/status", "/__coursegen/events"] {
        let (status, body) = get_as(&server.addr, &format!("evil.example:{port}"), target);
        assert_eq!(status, 403, "{target}");
        assert!(!body.contains("Neural"), "{target} leaked the course");
    }
    for host in [format!("localhost:{port}"), format!("127.0.0.1:{port}")] {
        let (status, body) = get_as(&server.addr, &host, "/");
        assert_eq!(status, 200, "{host}");
        assert!(body.contains("Neural"), "{host}");
    }
}

#[test]
fn event_streams_and_requests_are_bounded_and_the_server_keeps_answering() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = sample_copy(dir.path());
    let server = start(&course);
    let mut open = Vec::new();
    let mut refused = 0;
    for _ in 0..40 {
        let mut stream = TcpStream::connect(&server.addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        write!(
            stream,
            "GET /__coursegen/events HTTP/1.1\r\nHost: {}\r\n\r\n",
            server.addr
        )
        .expect("send");
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        reader.read_line(&mut line).expect("status line");
        if line.contains(" 503 ") {
            refused += 1;
        } else {
            assert!(line.contains(" 200 "), "{line}");
            open.push(reader);
        }
    }
    assert_eq!(open.len(), 32, "the stream limit");
    assert_eq!(refused, 8);
    let (status, _, body) = get(&server.addr, "/");
    assert_eq!(status, 200, "the server still answers pages");
    assert!(body.contains("Neural"));
    // Closed streams free their slots.
    drop(open);
    let start = Instant::now();
    loop {
        let mut events = TcpStream::connect(&server.addr).expect("connect");
        events
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        write!(
            events,
            "GET /__coursegen/events HTTP/1.1\r\nHost: {}\r\n\r\n",
            server.addr
        )
        .expect("send");
        let mut line = String::new();
        BufReader::new(events).read_line(&mut line).expect("line");
        if line.contains(" 200 ") {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(40),
            "stream slots never came back"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn pathological_edits_show_the_overlay_and_the_server_keeps_rebuilding() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = sample_copy(dir.path());
    let server = start(&course);
    let page = course.join(PAGE);
    let original = std::fs::read_to_string(&page).expect("read page");
    let mut events = open_events(&server.addr);
    let mut frac = "1".to_string();
    for _ in 0..700 {
        frac = format!("\\frac{{1}}{{{frac}}}");
    }
    let bad = [
        (
            format!("{original}\n$${frac}$$\n"),
            "formula nested more than 100 levels deep",
        ),
        (
            format!(
                "{original}\n{}{}",
                "::: exercise\n".repeat(200_000),
                ":::\n".repeat(200_000)
            ),
            "containers nested more than 16 deep",
        ),
        (
            original.replacen("title:", &format!("title: {}", "[".repeat(40_000)), 1),
            "YAML nested more than 32 levels deep",
        ),
    ];
    for (text, message) in bad {
        std::fs::write(&page, text).expect("break");
        wait_for_event(&mut events, "error");
        let (_, _, status_text) = get(&server.addr, "/__coursegen/status");
        assert!(status_text.contains(message), "{status_text}");
        let (status, _, body) = get(&server.addr, "/neural-networks/practice-backprop/");
        assert_eq!(status, 200, "the last good page stays up");
        assert!(body.contains("Seven short questions"));
    }
    std::fs::write(&page, &original).expect("fix");
    wait_for_event(&mut events, "reload");
    let (_, _, status_text) = get(&server.addr, "/__coursegen/status");
    assert_eq!(status_text, "");
}

#[test]
fn binding_beyond_loopback_warns() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = sample_copy(dir.path());
    let mut child = Command::new(binary())
        .args(["serve", "--port", "0", "--bind", "0.0.0.0"])
        .arg(&course)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start coursegen serve");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let served = lines.any(|l| l.is_ok_and(|l| l.contains("http://")));
    let _ = child.kill();
    let output = child.wait_with_output().expect("output");
    assert!(served);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("warning: serving on 0.0.0.0:") && stderr.contains("other machines"),
        "{stderr}"
    );
}

#[test]
fn a_saved_page_is_searchable_at_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = sample_copy(dir.path());
    let server = start(&course);
    let index = search_index(&server.addr);
    assert!(index.contains("about 15 minutes") && !index.contains("quokkaword"));
    let page = course.join(PAGE);
    let original = std::fs::read_to_string(&page).expect("read page");
    let mut events = open_events(&server.addr);
    std::fs::write(
        &page,
        original.replace("about 15 minutes", "about 15 quokkaword minutes"),
    )
    .expect("edit");
    wait_for_event(&mut events, "reload");
    let index = search_index(&server.addr);
    assert!(
        index.contains("quokkaword minutes") && index.contains("\"quokkaword\":"),
        "the index's records and terms follow the edit"
    );
}

/// The served search index: every record shard and term shard the manifest names (the
/// index is made again when first asked for after a save, so both must follow the edit).
fn search_index(addr: &str) -> String {
    let (status, _, manifest) = get(addr, "/search/index.js");
    assert_eq!(status, 200);
    let json = manifest
        .trim()
        .strip_prefix("window.COURSEGEN_SEARCH = ")
        .and_then(|m| m.strip_suffix(';'))
        .expect("the manifest sets window.COURSEGEN_SEARCH");
    let manifest: serde_json::Value = serde_json::from_str(json).expect("the manifest is JSON");
    let shards = manifest["records"].as_array().expect("record shards").len();
    let mut text = String::new();
    for n in 0..shards {
        let (status, _, shard) = get(addr, &format!("/search/r{n}.js"));
        assert_eq!(status, 200, "record shard {n}");
        text.push_str(&shard);
    }
    let terms = manifest["terms"].as_array().expect("term shards").len();
    for n in 0..terms {
        let (status, _, shard) = get(addr, &format!("/search/t{n}.js"));
        assert_eq!(status, 200, "term shard {n}");
        text.push_str(&shard);
    }
    text
}

/// The files `serve` holds, by path (the search index made first if a save left it stale).
pub fn served_files(site: &coursegen::serve::Site) -> std::collections::BTreeMap<String, Vec<u8>> {
    site.refresh_search();
    site.with(|s| {
        s.files
            .iter()
            .map(|(path, bytes)| (path.clone(), bytes.to_vec()))
            .collect()
    })
}

/// A save rebuilds only its page (with only that page's lesson's sidebars made), and what is
/// then served is exactly what a full build of the edited course serves.
#[test]
fn a_partial_rebuild_serves_what_a_full_build_of_the_edited_course_serves() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = sample_copy(dir.path());
    // A second lesson, so the sidebars of more than one lesson are in play.
    let second = course.join("content/02-more");
    std::fs::create_dir_all(&second).expect("lesson folder");
    std::fs::write(
        second.join("index.md"),
        "---\ntitle: More\n---\n\n## Next\n\nSee [the practice](../01-neural-networks/practice-backprop.md).\n",
    )
    .expect("lesson");
    std::fs::write(
        second.join("practice-more.md"),
        "---\ntitle: More practice\n---\n\n## Warm-up\n\nNothing to compute.\n",
    )
    .expect("practice page");
    let site = coursegen::serve::Site::default();
    site.rebuild(&course).expect("first build");
    let page = course.join(PAGE);
    let text = std::fs::read_to_string(&page).expect("read page");
    let edited = text.replacen("about 15 minutes", "about fifteen minutes", 1);
    assert_ne!(edited, text);
    std::fs::write(&page, edited).expect("edit");
    let summary = site.update(&course, &[page]).expect("the partial rebuild");
    assert!(
        summary.starts_with("rebuilt "),
        "not a partial rebuild: {summary}"
    );
    let fresh = coursegen::serve::Site::default();
    fresh.rebuild(&course).expect("full build");
    let (partial, full) = (served_files(&site), served_files(&fresh));
    assert_eq!(
        partial.keys().collect::<Vec<_>>(),
        full.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &partial {
        assert!(bytes == &full[path], "{path} differs from a full build's");
    }
}

/// A lesson page of one flashcard opened by `open`, after `before` (Markdown before the deck).
fn relu_card_page(title: &str, before: &str, open: &str) -> String {
    format!("---\ntitle: {title}\n---\n\n{before}::: flashcards\n{open}\nWhat is a ReLU?\n::: answer\nmax(0, z).\n:::\n:::\n:::\n")
}

/// A course of two lessons whose pages each hold one card with the id `relu`, built by `serve`.
fn two_relu_cards(course: &Path) -> coursegen::serve::Site {
    std::fs::write(course.join("course.yaml"), "title: Ids\nid: ids-1\n").expect("course");
    for (lesson, title) in [("01-one", "One"), ("02-two", "Two")] {
        std::fs::create_dir_all(course.join("content").join(lesson)).expect("lesson");
        std::fs::write(
            course.join("content").join(lesson).join("index.md"),
            relu_card_page(title, "", "::: card {#relu}"),
        )
        .expect("page");
    }
    let site = coursegen::serve::Site::default();
    site.rebuild(course).expect("first build");
    site
}

#[test]
fn a_card_id_changed_on_one_page_rebuilds_the_decks_of_the_others() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = dir.path();
    let site = two_relu_cards(course);
    // The first page's card gives up the id the second page's card shares with it: the
    // second page's card is now the first with it, and its note's GUID changes.
    let first = course.join("content/01-one/index.md");
    std::fs::write(&first, relu_card_page("One", "", "::: card {#relu-1}")).expect("edit");
    site.update(course, &[first]).expect("the rebuild");
    let fresh = coursegen::serve::Site::default();
    fresh.rebuild(course).expect("full build");
    let (served, full) = (served_files(&site), served_files(&fresh));
    assert_eq!(
        served.keys().collect::<Vec<_>>(),
        full.keys().collect::<Vec<_>>()
    );
    assert!(
        served.contains_key("two/flashcards.tsv"),
        "{:?}",
        served.keys()
    );
    for (path, bytes) in &served {
        assert!(bytes == &full[path], "{path} differs from a full build's");
    }
}

/// A card that keeps its id but moves to another line changes nothing another page's deck
/// reads (a note is named by the id, not the line): the save rebuilds only its page, and what
/// is served is what a full build serves.
#[test]
fn a_card_with_an_id_moved_to_another_line_rebuilds_only_its_page() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = dir.path();
    let site = two_relu_cards(course);
    let first = course.join("content/01-one/index.md");
    let moved = relu_card_page(
        "One",
        "A paragraph\n\nbefore the deck.\n\n",
        "::: card {#relu}",
    );
    std::fs::write(&first, moved).expect("edit");
    let summary = site.update(course, &[first]).expect("the rebuild");
    assert!(
        summary.starts_with("rebuilt "),
        "not a partial rebuild: {summary}"
    );
    let fresh = coursegen::serve::Site::default();
    fresh.rebuild(course).expect("full build");
    let (served, full) = (served_files(&site), served_files(&fresh));
    assert_eq!(
        served.keys().collect::<Vec<_>>(),
        full.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &served {
        assert!(bytes == &full[path], "{path} differs from a full build's");
    }
}

/// After a save that fails, the server's course is the one that last built, without that
/// edit: a save of another page must not publish a site as if the course built, and the
/// overlay stays until the broken page is fixed.
#[test]
fn a_save_after_a_failed_one_rebuilds_the_course_as_it_now_is() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = sample_copy(dir.path());
    let site = coursegen::serve::Site::default();
    site.rebuild(&course).expect("first build");
    let practice = course.join(PAGE);
    let lesson = course.join("content/01-neural-networks/index.md");
    let good = std::fs::read_to_string(&practice).expect("read");
    let broken = good.replacen("](index.md", "](missing.md", 1);
    assert_ne!(broken, good, "the page links to its lesson");
    std::fs::write(&practice, &broken).expect("break");
    let failed = site.update(&course, std::slice::from_ref(&practice));
    assert!(failed.is_err(), "a link to a missing page: {failed:?}");
    let text = std::fs::read_to_string(&lesson).expect("read");
    std::fs::write(&lesson, format!("{text}\nOne more line.\n")).expect("edit");
    let other = site.update(&course, std::slice::from_ref(&lesson));
    let Err(error) = other else {
        panic!("a save of another page published a site the course does not build: {other:?}")
    };
    assert!(error.contains("missing.md"), "{error}");
    assert!(site.with(|s| s.error.is_some()), "the overlay is gone");
    std::fs::write(&practice, &good).expect("fix");
    site.update(&course, std::slice::from_ref(&practice))
        .expect("the fixed course builds");
    assert!(site.with(|s| s.error.is_none()), "the overlay stays");

    // Broken and fixed on the same page, with nothing else saved between: that page alone.
    std::fs::write(&practice, &broken).expect("break again");
    assert!(site
        .update(&course, std::slice::from_ref(&practice))
        .is_err());
    std::fs::write(&practice, &good).expect("fix again");
    let fixed = site
        .update(&course, std::slice::from_ref(&practice))
        .expect("the fixed page builds");
    assert!(
        fixed.starts_with("rebuilt "),
        "not a partial rebuild: {fixed}"
    );
}

/// A page deleted while serving leaves the site (its navigation changes for the others): a
/// full build, not an error that it cannot be read.
#[test]
fn a_page_deleted_while_serving_leaves_the_site() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = sample_copy(dir.path());
    let extra = course.join("content/01-neural-networks/extra.md");
    std::fs::write(&extra, "---\ntitle: Extra\n---\n\nWords.\n").expect("page");
    let site = coursegen::serve::Site::default();
    site.rebuild(&course).expect("first build");
    assert!(site.with(|s| s.files.contains_key("neural-networks/extra/index.html")));
    std::fs::remove_file(&extra).expect("delete");
    site.update(&course, std::slice::from_ref(&extra))
        .expect("the course without the page builds");
    assert!(site.with(|s| !s.files.contains_key("neural-networks/extra/index.html")));
}
