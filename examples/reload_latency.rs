//! Measures the authoring loop: the time from saving a practice page to the browser's reload
//! event and the new page being served by `coursegen serve`.
//!
//! ```sh
//! cargo build --release && cargo run --release --example reload_latency -- [COURSE] [EDITS]
//! ```
//! COURSE defaults to a copy of the sample course; the page edited is its first practice page.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The `coursegen serve` process, stopped when the measurement ends or fails.
struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A page's original text, written back when the measurement ends or fails.
struct Restore(PathBuf, String);

impl Drop for Restore {
    fn drop(&mut self) {
        let _ = std::fs::write(&self.0, &self.1);
    }
}

fn get(addr: &str, target: &str) -> String {
    let mut s = TcpStream::connect(addr).expect("connect");
    write!(
        s,
        "GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut body = String::new();
    s.read_to_string(&mut body).expect("read");
    body
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from)
        .into_iter()
        .filter_map(Result::ok)
    {
        let dest = to.join(entry.path().strip_prefix(from).expect("inside"));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &dest).expect("copy");
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let temp = tempfile::tempdir().expect("temp dir");
    let course = match args.first() {
        Some(dir) => PathBuf::from(dir),
        None => {
            let course = temp.path().join("course");
            copy_dir(&repo.join("content"), &course.join("content"));
            std::fs::copy(repo.join("course.yaml"), course.join("course.yaml")).expect("copy");
            course
        }
    };
    let edits: usize = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(20);
    let page = walkdir::WalkDir::new(course.join("content"))
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .find(|p| p.extension().is_some_and(|e| e == "md") && !p.ends_with("index.md"))
        .expect("a practice page");
    let url = {
        let lesson = page
            .parent()
            .and_then(|p| p.file_name())
            .expect("lesson")
            .to_string_lossy()
            .to_string();
        let lesson = lesson
            .split_once('-')
            .map_or(lesson.clone(), |(_, s)| s.to_string());
        let name = page
            .file_stem()
            .expect("name")
            .to_string_lossy()
            .to_string();
        let name = name
            .split_once('-')
            .filter(|(n, _)| n.chars().all(|c| c.is_ascii_digit()))
            .map_or(name.clone(), |(_, s)| s.to_string());
        format!("/{lesson}/{name}/")
    };

    let binary = repo.join("target/release/coursegen");
    let mut server = Server(
        Command::new(&binary)
            .args(["serve", "--port", "0"])
            .arg(&course)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "run {} (cargo build --release first): {e}",
                    binary.display()
                )
            }),
    );
    let mut lines = BufReader::new(server.0.stdout.take().expect("stdout")).lines();
    let addr = loop {
        let line = lines.next().expect("serve printed its URL").expect("utf-8");
        if let Some(rest) = line.split("http://").nth(1) {
            break rest.split('/').next().expect("addr").to_string();
        }
    };
    std::thread::spawn(move || lines.for_each(drop));

    let stream = TcpStream::connect(&addr).expect("connect");
    // A missed change fails the run instead of waiting for ever.
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("set a timeout");
    let mut events = BufReader::new(stream);
    write!(
        events.get_mut(),
        "GET /__coursegen/events HTTP/1.1\r\nHost: {addr}\r\n\r\n"
    )
    .expect("send");
    let mut line = String::new();
    while !line.starts_with(": connected") {
        line.clear();
        events.read_line(&mut line).expect("read");
    }

    let original = std::fs::read_to_string(&page).expect("read page");
    // Put the page back however the measurement ends.
    let _restore = Restore(page.clone(), original.clone());
    let mut times = Vec::new();
    for i in 0..edits {
        let marker = format!("reload-marker-{i}");
        let start = Instant::now();
        std::fs::write(&page, format!("{original}\n{marker}\n")).expect("edit");
        loop {
            line.clear();
            events
                .read_line(&mut line)
                .expect("a reload event within 10 s of the edit");
            if line.starts_with("event: reload") {
                break;
            }
        }
        assert!(
            get(&addr, &url).contains(&marker),
            "the edit was not served"
        );
        times.push(start.elapsed());
        std::thread::sleep(Duration::from_millis(100));
    }
    drop(server);
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "edit-to-reload over {edits} edits of {}: median {:.1} ms, min {:.1} ms, max {:.1} ms",
        page.display(),
        ms(times[times.len() / 2]),
        ms(times[0]),
        ms(times[times.len() - 1])
    );
}
