//! Writes the sample course replicated to N practice pages, for benchmarks: every feature of
//! the practice page (questions, verified exercises with variants and a circuit, flashcards),
//! in lessons of 50 pages. Also writes `OUT/plain/`, the same pages as plain Markdown, for the
//! floor and other tools (`benches/compare.sh`).
//!
//! ```sh
//! cargo run --release --example replicate_sample -- 1000 /tmp/sample-1k
//! ```

use std::fs;
use std::path::{Path, PathBuf};

#[path = "common/plain.rs"]
mod plain;

fn main() {
    let mut args = std::env::args().skip(1);
    let pages: usize = args
        .next()
        .and_then(|n| n.parse().ok())
        .expect("usage: replicate_sample PAGES OUT");
    let out = PathBuf::from(args.next().expect("usage: replicate_sample PAGES OUT"));
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let lesson = repo.join("content/01-neural-networks");
    let index = fs::read_to_string(lesson.join("index.md")).expect("the sample's lesson page");
    let practice = fs::read_to_string(lesson.join("practice-backprop.md"))
        .expect("the sample's practice page");
    let _ = fs::remove_dir_all(&out);
    fs::create_dir_all(&out).expect("create the course folder");
    fs::copy(repo.join("course.yaml"), out.join("course.yaml")).expect("copy course.yaml");
    for p in 0..pages {
        let dir = out.join(format!("content/{:03}-lesson-{}", p / 50 + 1, p / 50 + 1));
        if p % 50 == 0 {
            fs::create_dir_all(&dir).expect("create a lesson");
            // The lesson page links to its practice page: here, the lesson's first.
            let index = index.replace("practice-backprop.md", &format!("practice-{p:05}.md"));
            fs::write(dir.join("index.md"), index).expect("write a lesson page");
        }
        fs::write(dir.join(format!("practice-{p:05}.md")), &practice).expect("write a page");
        let plain_dir = out.join(format!("plain/lesson-{}", p / 50 + 1));
        fs::create_dir_all(&plain_dir).expect("create a plain lesson");
        fs::write(
            plain_dir.join(format!("practice-{p:05}.md")),
            plain::plain(&practice),
        )
        .expect("write a plain page");
    }
    println!("{pages} practice pages in {}", out.display());
}
