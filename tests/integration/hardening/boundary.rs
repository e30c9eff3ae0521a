//! The course is the boundary: symlinks are followed only inside the course folder (lesson
//! folders, pages and assets alike), special files are errors found before they are opened,
//! messages never quote a file from outside, and a file has a size cap.

use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use super::{course_with, stderr};

const PAGE: &str = "Text.\n";

/// `coursegen check COURSE`, killed (and the test failed) if it has not ended in 60 s.
fn check_within(course: &Path) -> Output {
    let mut child = Command::new(super::super::binary())
        .arg("check")
        .arg(course)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run coursegen");
    let start = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("coursegen check hung");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

#[test]
fn symlinks_inside_the_course_are_followed_for_pages_and_lesson_folders() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = course_with(dir.path(), &[("index.md", PAGE)]);
    let shared = course.join("shared");
    fs::create_dir_all(&shared).expect("mkdir");
    fs::write(
        shared.join("p.md"),
        "---\ntitle: Linked\n---\n\nLinked page.\n",
    )
    .expect("write");
    symlink(
        shared.join("p.md"),
        course.join("content/01-intro/linked.md"),
    )
    .expect("symlink");
    symlink(
        course.join("content/01-intro"),
        course.join("content/02-again"),
    )
    .expect("symlink");
    let run = check_within(&course);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let stdout = String::from_utf8_lossy(&run.stdout);
    // Both lessons, each with its page and the linked page: the linked folder is not dropped.
    assert!(stdout.starts_with("checked 4 pages"), "{stdout}");
}

/// An image in a symlinked folder inside the course is found, beside a symlinked lesson
/// folder (a walk that took a symlinked folder for an entry of itself lost every image).
#[test]
fn images_in_symlinked_folders_inside_the_course_are_found() {
    let dir = tempfile::tempdir().expect("temp dir");
    let page = "Text.\n\n![A dot](figures/dot.svg)\n";
    let course = course_with(dir.path(), &[("index.md", page)]);
    let shared = course.join("shared-figures");
    fs::create_dir_all(&shared).expect("mkdir");
    fs::write(
        shared.join("dot.svg"),
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>"#,
    )
    .expect("write");
    symlink(&shared, course.join("content/01-intro/figures")).expect("symlink");
    symlink(
        course.join("content/01-intro"),
        course.join("content/02-again"),
    )
    .expect("symlink");
    let run = check_within(&course);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
}

#[test]
fn a_symlink_out_of_the_course_is_a_located_error_that_quotes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = course_with(dir.path(), &[("index.md", PAGE)]);
    let secret = dir.path().join("secret.md");
    fs::write(&secret, "root:x:0:0:root:/root:/bin/bash\n").expect("write");
    let outside = dir.path().join("outside-lesson");
    fs::create_dir_all(&outside).expect("mkdir");
    fs::write(
        outside.join("index.md"),
        "---\ntitle: Out\n---\nroot:x:0:0\n",
    )
    .expect("write");
    symlink(&secret, course.join("content/01-intro/leak.md")).expect("symlink");
    symlink(&outside, course.join("content/02-out")).expect("symlink");
    fs::create_dir_all(course.join("assets")).expect("mkdir");
    symlink(&secret, course.join("assets/leak.css")).expect("symlink");
    let run = check_within(&course);
    let err = stderr(&run);
    assert_eq!(run.status.code(), Some(1), "{err}");
    assert!(
        err.contains("content/01-intro/leak.md: symlink to a place outside the course folder"),
        "{err}"
    );
    assert!(
        err.contains("content/02-out: symlink to a place outside the course folder"),
        "{err}"
    );
    assert!(
        !err.contains("root:x"),
        "a message quoted a file outside the course: {err}"
    );
    // Assets are read by a build, not a check: the build refuses the linked asset too.
    fs::remove_file(course.join("content/01-intro/leak.md")).expect("rm");
    fs::remove_file(course.join("content/02-out")).expect("rm");
    let site = dir.path().join("site");
    let run = super::build_cli(&course, &site);
    let err = stderr(&run);
    assert_eq!(run.status.code(), Some(1), "{err}");
    assert!(
        err.contains("assets/leak.css: symlink to a place outside the course folder"),
        "{err}"
    );
    assert!(!site.exists());
}

#[test]
fn a_fifo_and_a_device_are_errors_not_hangs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = course_with(dir.path(), &[("index.md", PAGE)]);
    let fifo = course.join("content/01-intro/x.md");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    symlink("/dev/zero", course.join("content/01-intro/zero.md")).expect("symlink");
    let run = check_within(&course);
    let err = stderr(&run);
    assert_eq!(run.status.code(), Some(1), "{err}");
    assert!(
        err.contains("content/01-intro/x.md: not a regular file (a FIFO, device or socket)"),
        "{err}"
    );
    assert!(
        err.contains("content/01-intro/zero.md: symlink to a place outside the course folder"),
        "{err}"
    );
    // A link to itself is named, not followed forever.
    symlink("loop.md", course.join("content/01-intro/loop.md")).expect("symlink");
    let run = check_within(&course);
    assert!(
        stderr(&run).contains("content/01-intro/loop.md: symlink that cannot be followed"),
        "{}",
        stderr(&run)
    );
    fs::remove_file(course.join("content/01-intro/loop.md")).expect("rm");
    // A link inside the course to the FIFO is the same error, not a hang.
    fs::remove_file(course.join("content/01-intro/zero.md")).expect("rm");
    symlink(&fifo, course.join("content/01-intro/y.md")).expect("symlink");
    let run = check_within(&course);
    assert!(
        stderr(&run).contains("content/01-intro/y.md: not a regular file"),
        "{}",
        stderr(&run)
    );
}

#[test]
fn an_oversized_page_is_refused_before_it_is_parsed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let big = format!("---\ntitle: Big\n---\n\n{}", "word ".repeat(1_000_000));
    let course = course_with(dir.path(), &[("index.md", PAGE), ("big.md", &big)]);
    let run = check_within(&course);
    let err = stderr(&run);
    assert_eq!(run.status.code(), Some(1), "{err}");
    assert!(
        err.contains("content/01-intro/big.md: file is larger than the 4 MiB limit"),
        "{err}"
    );
}

#[test]
fn an_unreadable_lesson_folder_is_reported_not_dropped() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = course_with(dir.path(), &[("index.md", PAGE)]);
    let locked = course.join("content/02-locked");
    fs::create_dir_all(&locked).expect("mkdir");
    fs::write(locked.join("index.md"), "---\ntitle: L\n---\n").expect("write");
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).expect("chmod");
    // Root reads any folder: then there is nothing to report, and nothing to test.
    let readable = fs::read_dir(&locked).is_ok();
    let run = check_within(&course);
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).expect("chmod back");
    if !readable {
        let err = stderr(&run);
        assert_eq!(run.status.code(), Some(1), "{err}");
        assert!(
            err.contains("content/02-locked: cannot read folder"),
            "{err}"
        );
    }
}

#[test]
fn oversized_templates_and_assets_are_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = course_with(dir.path(), &[("index.md", PAGE)]);
    fs::create_dir_all(course.join("assets")).expect("mkdir");
    fs::create_dir_all(course.join("templates")).expect("mkdir");
    // Sparse: nothing is written to disk, but the file says it is this long.
    let big = fs::File::create(course.join("assets/huge.bin")).expect("create");
    big.set_len((64 << 20) + 1).expect("set_len");
    let template = fs::File::create(course.join("templates/page.html")).expect("create");
    template.set_len((4 << 20) + 1).expect("set_len");
    let site = dir.path().join("site");
    let run = super::build_cli(&course, &site);
    let err = stderr(&run);
    assert_eq!(run.status.code(), Some(1), "{err}");
    assert!(
        err.contains("templates/page.html: file is larger than the 4 MiB limit"),
        "{err}"
    );
    assert!(!site.exists());
    fs::remove_file(course.join("templates/page.html")).expect("rm");
    let run = super::build_cli(&course, &site);
    let err = stderr(&run);
    assert_eq!(run.status.code(), Some(1), "{err}");
    assert!(
        err.contains("assets/huge.bin: file is larger than the 64 MiB limit"),
        "{err}"
    );
    assert!(!site.exists());
}
