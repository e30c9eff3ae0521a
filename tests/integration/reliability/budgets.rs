//! Item 4: work and memory are bounded per page and per build, not only per expression. A page
//! of 300 small varied exercises asking for 50 sets each (the issue's: 6.2 GB, then an abort)
//! stops at the page's allowance of number sets with a located error, in little memory; with 3
//! sets each it builds, in memory that grows with the page. A page's circuits share an
//! allowance of gates. (The allowance of work is tested on the variants themselves, in
//! `src/verify/variant_tests.rs`.)

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::binary;
use crate::hardening::{check_cli, course_with, stderr};

/// A page of `exercises` small exercises with `vary` lines, asking for `sets` sets each.
fn varied_page(exercises: usize, sets: usize) -> String {
    let mut page = format!("---\ntitle: Many\nvariants: {sets}\n---\n\nMany small exercises.\n\n");
    for i in 0..exercises {
        page.push_str(&format!(
            "::: exercise Exercise {i}: double a number\nDouble the given number and add one.\n\n\
             ```verify show\nlet x = 3\nvary x from -50 to 50\nlet y = 2 * x + 1 = 2 * 3 + 1 = 7\n```\n\n\
             ::: solution\n```verify show\ny - 1 = 6\n```\n:::\n:::\n\n"
        ));
    }
    page
}

/// Runs `coursegen build COURSE --out OUT --no-pdf`, sampling its resident memory until it ends:
/// the exit code, standard error and the highest resident size seen, in bytes.
fn build_measured(course: &Path, out: &Path) -> (Option<i32>, String, u64) {
    let mut child = Command::new(binary())
        .args(["build", "--no-pdf"])
        .arg(course)
        .arg("--out")
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run coursegen");
    let status = format!("/proc/{}/status", child.id());
    let mut peak = 0u64;
    let code = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status.code();
        }
        // VmHWM is the process's own high-water mark: sampling it misses nothing.
        if let Ok(text) = fs::read_to_string(&status) {
            let kib = text
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok());
            peak = peak.max(kib.unwrap_or(0) * 1024);
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).expect("stderr");
    (code, err, peak)
}

const GIB: u64 = 1 << 30;

#[test]
fn three_hundred_varied_exercises_stop_at_the_pages_allowance_of_sets_in_little_memory() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = course_with(dir.path(), &[("index.md", &varied_page(300, 50))]);
    let (code, err, peak) = build_measured(&course, &dir.path().join("site"));
    assert_eq!(code, Some(1), "{err}");
    // 20 exercises make 49 sets each (980); the 21st would pass 1,000.
    assert!(
        err.contains("content/01-intro/index.md:") && err.contains(
            ": this page's exercises ask for more than 1000 number sets in all (at “Exercise 20: double a number”)"
        ),
        "{err}"
    );
    assert!(peak < GIB, "peak resident memory {} MiB", peak >> 20);
}

#[test]
fn three_hundred_varied_exercises_with_three_sets_each_build_in_little_memory() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = course_with(dir.path(), &[("index.md", &varied_page(300, 3))]);
    let (code, err, peak) = build_measured(&course, &dir.path().join("site"));
    assert_eq!(code, Some(0), "{err}");
    assert!(peak < GIB, "peak resident memory {} MiB", peak >> 20);
}

#[test]
fn a_pages_circuits_share_an_allowance_of_gates() {
    // g8 draws 513 gates and inputs: nine fit in 5,000, the tenth does not.
    let mut lines = vec!["let g0(x) = x * 1".to_string()];
    for i in 1..=8 {
        lines.push(format!("let g{i}(x) = g{}(g{}(x))", i - 1, i - 1));
    }
    for _ in 0..10 {
        lines.push("circuit g8(1)".to_string());
    }
    let page = format!("Text.\n\n```verify\n{}\n```\n", lines.join("\n"));
    let dir = tempfile::tempdir().expect("temp dir");
    let course = course_with(dir.path(), &[("index.md", &page)]);
    let run = check_cli(&course);
    let err = stderr(&run);
    assert_eq!(run.status.code(), Some(1), "{err}");
    assert!(
        err.contains("content/01-intro/index.md:26:1: this page's circuits draw more than 5000 gates and inputs in all"),
        "{err}"
    );
    assert_eq!(err.matches("error: content").count(), 1, "{err}");
}
