//! A build killed with SIGKILL at any moment leaves the output folder holding either the
//! complete previous site or the complete new one, and the next build cleans what the killed
//! one left beside it.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::{snapshot, stderr};

const LESSONS: usize = 20;
const PAGES_PER_LESSON: usize = 100;

/// A course of 2,000 pages; `version` changes every page's text, so the two sites differ in
/// every page.
fn big_course(dir: &Path, version: u32) -> PathBuf {
    let course = dir.join(format!("course-v{version}"));
    fs::create_dir_all(&course).expect("mkdir");
    fs::write(course.join("course.yaml"), "title: Big\n").expect("course.yaml");
    for l in 0..LESSONS {
        let lesson = course.join(format!("content/{l:02}-lesson-{l}"));
        fs::create_dir_all(&lesson).expect("mkdir");
        for p in 0..PAGES_PER_LESSON {
            let name = if p == 0 {
                "index.md".to_string()
            } else {
                format!("practice-{p:03}.md")
            };
            let text = format!(
                "---\ntitle: Page {l}-{p} v{version}\n---\n\nVersion {version} of page {p}.\n\n```verify\n{p} + {version} = {}\n```\n",
                p + version as usize
            );
            fs::write(lesson.join(name), text).expect("page");
        }
    }
    course
}

fn build(course: &Path, site: &Path) -> std::process::Child {
    Command::new(super::super::binary())
        .arg("build")
        .arg(course)
        .arg("--out")
        .arg(site)
        .arg("--no-pdf")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run coursegen")
}

/// The site's files, less the lock file a build killed right after its swap may leave.
fn site_files(site: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = snapshot(site);
    files.remove(".coursegen-staging");
    files
}

fn leftovers(parent: &Path) -> Vec<String> {
    fs::read_dir(parent)
        .expect("list")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".coursegen"))
        .collect()
}

#[test]
fn a_killed_build_leaves_the_old_site_or_the_new_one_and_the_next_build_cleans_up() {
    let dir = tempfile::tempdir().expect("temp dir");
    let courses = [big_course(dir.path(), 1), big_course(dir.path(), 2)];
    let parent = dir.path().join("out");
    fs::create_dir_all(&parent).expect("mkdir");
    let site = parent.join("site");

    // The two complete sites, and how long one build takes here.
    let mut sites = Vec::new();
    let mut build_time = Duration::ZERO;
    for course in &courses {
        let start = Instant::now();
        let run = build(course, &site).wait_with_output().expect("build");
        build_time = build_time.max(start.elapsed());
        assert!(run.status.success(), "{}", stderr(&run));
        sites.push(site_files(&site));
    }
    assert_eq!(sites[0].len(), sites[1].len());
    assert!(sites[0].len() > 2 * LESSONS * PAGES_PER_LESSON / 2);
    assert_ne!(sites[0], sites[1]);

    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64)
        | 1;
    let mut rng = seed;
    let mut next = move || {
        // xorshift64: reproducible from the seed printed on failure.
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let mut current = 1; // the site holds version 2
    let mut outcomes = [0usize; 2];
    for round in 0..20 {
        // Build the other version, killed somewhere between its start and a little after
        // the time a whole build takes.
        let target = 1 - current;
        // Every other round aims at the end of the build, where the swap happens.
        let span = build_time.as_micros() as u64 * 6 / 5 + 1;
        let delay = if round % 2 == 0 {
            Duration::from_micros(next() % span)
        } else {
            Duration::from_micros(span / 2 + next() % (span / 2 + 1))
        };
        let mut child = build(&courses[target], &site);
        std::thread::sleep(delay);
        let _ = child.kill();
        let _ = child.wait();
        let files = site_files(&site);
        let holds = sites.iter().position(|s| *s == files);
        assert!(
            holds.is_some(),
            "round {round} (seed {seed}, killed after {delay:?}): the output folder holds neither complete site ({} files)",
            files.len()
        );
        current = holds.unwrap_or(current);
        outcomes[current] += 1;
    }
    // The next build completes and cleans everything the killed ones left.
    let run = build(&courses[0], &site).wait_with_output().expect("build");
    assert!(run.status.success(), "{}", stderr(&run));
    assert_eq!(site_files(&site), sites[0]);
    assert!(!site.join(".coursegen-staging").exists());
    let left = leftovers(&parent);
    assert!(
        left.iter().all(|n| n.starts_with(".coursegen-prep-")),
        "seed {seed}: leftovers {left:?}"
    );
    eprintln!("seed {seed}: build {build_time:?}, rounds ending old/new: {outcomes:?}");
}
