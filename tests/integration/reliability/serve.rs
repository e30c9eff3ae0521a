//! Items 3, 6 and 13: `serve` never goes deaf. Idle connections past the file descriptor
//! limit, then closed, leave a server that answers; so does running out of descriptors while
//! accepting; a course folder deleted and made again is served again; event stream slots come
//! back within the time docs/limits.md gives.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{binary, sample_copy};

struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `coursegen serve COURSE` on a free port, started by `sh -c '<prefix>; exec coursegen …'`.
fn start(course: &Path, prefix: &str) -> Server {
    let script = format!("{prefix}; exec \"$0\" serve --port 0 \"$1\"");
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(binary())
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
            break rest
                .split('/')
                .next()
                .expect("host:port")
                .parse()
                .expect("addr");
        }
    };
    std::thread::spawn(move || lines.for_each(drop));
    Server { child, addr }
}

/// A GET of `target`: the status and body, or `None` when no answer came within 5 s.
fn get(addr: SocketAddr, target: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).ok()?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n")?;
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    Some((status, body.to_string()))
}

/// Waits until a GET of `/` answers 200 with a body holding `text`; how long it took.
fn answers_within(server: &mut Server, text: &str, limit: Duration) -> Duration {
    let start = Instant::now();
    loop {
        assert!(
            server.child.try_wait().expect("wait").is_none(),
            "the server process ended"
        );
        if let Some((200, body)) = get(server.addr, "/") {
            if body.contains(text) {
                return start.elapsed();
            }
        }
        assert!(
            start.elapsed() < limit,
            "the server did not answer `{text}` within {limit:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Opens up to `n` connections that send nothing, each given 300 ms to connect.
fn idle_connections(addr: SocketAddr, n: usize) -> Vec<TcpStream> {
    (0..n)
        .filter_map(|_| TcpStream::connect_timeout(&addr, Duration::from_millis(300)).ok())
        .collect()
}

#[test]
fn idle_connections_past_the_descriptor_limit_leave_a_server_that_answers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = sample_copy(dir.path());
    let mut server = start(&course, "ulimit -n 256");
    answers_within(&mut server, "Neural", Duration::from_secs(30));
    let idle = idle_connections(server.addr, 300);
    assert!(idle.len() >= 100, "only {} connections opened", idle.len());
    std::thread::sleep(Duration::from_millis(500));
    drop(idle);
    answers_within(&mut server, "Neural", Duration::from_secs(15));
}

#[test]
fn running_out_of_descriptors_while_accepting_is_survived() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = sample_copy(dir.path());
    let mut server = start(&course, "ulimit -n 256");
    answers_within(&mut server, "Neural", Duration::from_secs(30));
    // The server sized its connection cap for 256 descriptors; now it has 48, so `accept`
    // fails with EMFILE long before the cap (tiny_http's accept thread panicked here).
    let pid = server.child.id().to_string();
    crate::tool("prlimit", &["--pid", &pid, "--nofile=48:48"]);
    let idle = idle_connections(server.addr, 120);
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        server.child.try_wait().expect("wait").is_none(),
        "the server process ended"
    );
    drop(idle);
    answers_within(&mut server, "Neural", Duration::from_secs(15));
}

#[test]
fn a_course_folder_deleted_and_made_again_is_served_again() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = sample_copy(dir.path());
    let mut server = start(&course, "true");
    answers_within(&mut server, "Neural", Duration::from_secs(30));
    let spare = dir.path().join("spare");
    crate::copy_tree(&course, &spare);
    std::fs::remove_dir_all(&course).expect("delete the course folder");
    let start = Instant::now();
    loop {
        let (_, status) = get(server.addr, "/__coursegen/status").expect("status");
        if status.contains("not a course folder") {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(15), "no error shown");
        std::thread::sleep(Duration::from_millis(100));
    }
    // Made again, with a new title: the server serves the new folder.
    let yaml = std::fs::read_to_string(spare.join("course.yaml")).expect("yaml");
    std::fs::write(
        spare.join("course.yaml"),
        yaml.replace("Neural Networks from Scratch", "Born Again"),
    )
    .expect("write");
    crate::copy_tree(&spare, &course);
    answers_within(&mut server, "Born Again", Duration::from_secs(15));
    let (_, status) = get(server.addr, "/__coursegen/status").expect("status");
    assert_eq!(status, "", "the error is still shown");
}

/// docs/limits.md: a stream whose browser went away frees its slot within 15 s.
#[test]
fn event_stream_slots_come_back_within_fifteen_seconds() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = sample_copy(dir.path());
    let mut server = start(&course, "true");
    answers_within(&mut server, "Neural", Duration::from_secs(30));
    let open_stream = || -> Option<(u16, BufReader<TcpStream>)> {
        let mut stream = TcpStream::connect_timeout(&server.addr, Duration::from_secs(5)).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        write!(
            stream,
            "GET /__coursegen/events HTTP/1.1\r\nHost: {}\r\n\r\n",
            server.addr
        )
        .ok()?;
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let status = line.split_whitespace().nth(1)?.parse().ok()?;
        Some((status, reader))
    };
    let streams: Vec<_> = (0..32).filter_map(|_| open_stream()).collect();
    assert!(streams.iter().all(|(status, _)| *status == 200));
    assert_eq!(streams.len(), 32);
    assert_eq!(open_stream().map(|(s, _)| s), Some(503), "the stream limit");
    drop(streams);
    let start = Instant::now();
    loop {
        if let Some((200, _)) = open_stream() {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "stream slots not back within 15 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    eprintln!("stream slots back after {:?}", start.elapsed());
}
