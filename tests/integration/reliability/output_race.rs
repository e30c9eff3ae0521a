//! Item 2: an output folder swapped while a build runs never loses a file. The build is
//! started over a site it built before; as soon as its staging folder appears (its checks of
//! `--out` are done), `--out` is moved away and replaced by a symlink to a folder of someone
//! else's files, or by such a folder itself. The build must fail, leave the replacement and its
//! files exactly as they were, leave the moved site alone, and leave nothing of its own behind.

use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::hardening::snapshot;

/// A course of `pages` pages, so that a build takes long enough to be raced.
fn course(dir: &Path, pages: usize) -> PathBuf {
    let course = dir.join("course");
    fs::create_dir_all(&course).expect("mkdir");
    fs::write(course.join("course.yaml"), "title: Race\n").expect("course.yaml");
    for l in 0..pages / 100 {
        let lesson = course.join(format!("content/{l:02}-lesson-{l}"));
        fs::create_dir_all(&lesson).expect("mkdir");
        for p in 0..100 {
            let name = match p {
                0 => "index.md".to_string(),
                p => format!("practice-{p:03}.md"),
            };
            let text = format!(
                "---\ntitle: Page {l}-{p}\n---\n\nPage {p}.\n\n```verify\n{p} + 1 = {}\n```\n",
                p + 1
            );
            fs::write(lesson.join(name), text).expect("page");
        }
    }
    course
}

/// Someone else's folder: nested files, a symlink of its own, and a file named like ours.
fn foreign(at: &Path) {
    fs::create_dir_all(at.join("notes/deep")).expect("mkdir");
    fs::write(at.join("thesis.tex"), "\\documentclass{article}").expect("write");
    fs::write(at.join("notes/deep/data.csv"), "a,b\n1,2\n").expect("write");
    fs::write(at.join(".coursegen-new-not-ours"), "mine").expect("write");
    symlink("thesis.tex", at.join("notes/link")).expect("symlink");
}

fn coursegen_entries(parent: &Path) -> Vec<String> {
    fs::read_dir(parent)
        .expect("list")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".coursegen"))
        .collect()
}

fn start_build(course: &Path, site: &Path) -> std::process::Child {
    Command::new(crate::binary())
        .arg("build")
        .arg(course)
        .arg("--out")
        .arg(site)
        .arg("--no-pdf")
        // Without the cache: a build of an unchanged course would find the previous site up
        // to date and write nothing, and there would be no swap to race.
        .arg("--no-cache")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run coursegen")
}

/// Builds over a previous site and, once the build's staging folder exists, replaces `site`
/// with `replace(site)`. Returns the build's output, or `None` when the build ended before its
/// staging folder was seen (the race was lost; the caller tries again).
fn race(
    course: &Path,
    parent: &Path,
    replace: &dyn Fn(&Path),
) -> Option<(std::process::Output, PathBuf)> {
    let site = parent.join("site");
    let moved = parent.join("moved-site");
    let mut child = start_build(course, &site);
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if coursegen_entries(parent)
            .iter()
            .any(|n| n.starts_with(".coursegen-new-"))
        {
            fs::rename(&site, &moved).expect("move the site away");
            replace(&site);
            break;
        }
        if child.try_wait().expect("wait").is_some() || Instant::now() > deadline {
            let _ = child.wait_with_output();
            return None;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
    Some((child.wait_with_output().expect("build"), moved))
}

fn check_swap_is_harmless(replace_with_symlink: bool) {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = course(dir.path(), 1000);
    let parent = dir.path().join("out");
    let site = parent.join("site");
    let others = dir.path().join("someone-else");
    foreign(&others);
    let theirs = snapshot(&others);
    for attempt in 0..5 {
        // A previous site of ours, which the build means to replace.
        let _ = fs::remove_file(&site);
        let _ = fs::remove_dir_all(&site);
        let _ = fs::remove_dir_all(parent.join("moved-site"));
        let first = start_build(&course, &site)
            .wait_with_output()
            .expect("build");
        assert!(
            first.status.success(),
            "{}",
            String::from_utf8_lossy(&first.stderr)
        );
        let ours = snapshot(&site);
        let replace = |site: &Path| {
            if replace_with_symlink {
                symlink(&others, site).expect("symlink");
            } else {
                foreign(site);
            }
        };
        let Some((run, moved)) = race(&course, &parent, &replace) else {
            eprintln!("attempt {attempt}: the build ended before the swap; again");
            continue;
        };
        let err = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(2), "{err}");
        assert!(
            err.contains("changed while the site was being built")
                || err.contains("was replaced while the site was being built"),
            "{err}"
        );
        // Every foreign file intact, the replacement still in place, our moved site untouched.
        assert_eq!(snapshot(&others), theirs, "the symlink's target changed");
        if replace_with_symlink {
            assert!(fs::symlink_metadata(&site).expect("site").is_symlink());
            assert_eq!(fs::read_link(&site).expect("link"), others);
        } else {
            assert_eq!(snapshot(&site), theirs, "the foreign folder changed");
        }
        assert_eq!(snapshot(&moved), ours, "the moved previous site changed");
        assert_eq!(
            coursegen_entries(&parent),
            Vec::<String>::new(),
            "left behind"
        );
        return;
    }
    panic!("the build was never raced: every build ended before the swap");
}

#[test]
fn an_output_folder_swapped_for_a_symlink_during_a_build_keeps_every_file() {
    check_swap_is_harmless(true);
}

#[test]
fn an_output_folder_swapped_for_a_foreign_folder_during_a_build_keeps_every_file() {
    check_swap_is_harmless(false);
}
