//! Output that cannot be lost: `--out` is resolved (`..`, symlinks) before every safety check,
//! a symlinked output folder is refused with nothing touched, and the staging folders of killed
//! builds are cleaned by the next build (only ours, and never a running build's).

use std::fs;
use std::os::unix::fs::symlink;

use super::{build_cli, course_with, snapshot, stderr};

const PAGE: &str = "Text.\n\n```verify\n1 + 1 = 2\n```\n";

#[test]
fn dot_dot_in_out_cannot_reach_the_course_sources() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = course_with(dir.path(), &[("index.md", PAGE)]);
    let before = snapshot(&course);
    let out = course.join("site/../content/x");
    let run = build_cli(&course, &out);
    let err = stderr(&run);
    assert_eq!(run.status.code(), Some(2), "{err}");
    assert!(
        err.contains("content/x: the output folder would overwrite the course's own files"),
        "{err}"
    );
    assert_eq!(snapshot(&course), before, "the course changed");
    // The same through a symlink among the parents of the output folder.
    symlink(course.join("content"), dir.path().join("link")).expect("symlink");
    let run = build_cli(&course, &dir.path().join("link/site"));
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    assert!(stderr(&run).contains("would overwrite the course's own files"));
    assert_eq!(snapshot(&course), before, "the course changed");
}

#[test]
fn a_symlinked_output_folder_is_refused_and_its_target_kept() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = course_with(dir.path(), &[("index.md", PAGE)]);
    let built = dir.path().join("built");
    let run = build_cli(&course, &built);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let before = snapshot(&built);
    let link = dir.path().join("site");
    symlink(&built, &link).expect("symlink");
    let run = build_cli(&course, &link);
    let err = stderr(&run);
    assert_eq!(run.status.code(), Some(2), "{err}");
    assert!(err.contains("refusing to build through a symlink"), "{err}");
    assert!(err.contains("points to"), "{err}");
    assert!(fs::symlink_metadata(&link).expect("link").is_symlink());
    assert_eq!(snapshot(&built), before, "the link's target changed");
    let strays: Vec<_> = fs::read_dir(dir.path())
        .expect("list")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(".coursegen"))
        .collect();
    assert!(strays.is_empty(), "{strays:?}");
}

#[test]
fn stale_staging_folders_are_cleaned_but_not_foreign_or_live_ones() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = course_with(dir.path(), &[("index.md", PAGE)]);
    let parent = dir.path().join("out");
    // A killed build's staging folder: our lock file, nobody holding it.
    let stale = parent.join(".coursegen-new-dead01");
    fs::create_dir_all(stale.join("intro")).expect("mkdir");
    fs::write(stale.join(".coursegen-staging"), "").expect("marker");
    fs::write(stale.join("intro/index.html"), vec![b'x'; 100_000]).expect("junk");
    // A previous site moved aside by a killed fallback commit: the site marker.
    let old = parent.join(".coursegen-old-dead02");
    fs::create_dir_all(&old).expect("mkdir");
    fs::write(old.join(".coursegen-site"), "").expect("marker");
    // Not ours: same prefix, no marker.
    let foreign = parent.join(".coursegen-new-notours");
    fs::create_dir_all(&foreign).expect("mkdir");
    fs::write(foreign.join("keep.txt"), "mine").expect("write");
    // A build still running: its lock is held.
    let live = parent.join(".coursegen-new-live03");
    fs::create_dir_all(&live).expect("mkdir");
    let lock = fs::File::create(live.join(".coursegen-staging")).expect("marker");
    lock.lock().expect("lock");

    let run = build_cli(&course, &parent.join("site"));
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert!(!stale.exists(), "stale staging folder kept");
    assert!(!old.exists(), "moved-aside site kept");
    assert!(
        foreign.join("keep.txt").exists(),
        "a folder not ours was deleted"
    );
    assert!(
        live.exists(),
        "a running build's staging folder was deleted"
    );
    assert!(parent.join("site/intro/index.html").exists());
    assert!(!parent.join("site/.coursegen-staging").exists());
    drop(lock);
}

#[test]
fn a_rebuild_replaces_the_site_and_leaves_nothing_beside_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = course_with(dir.path(), &[("index.md", PAGE)]);
    let site = dir.path().join("site");
    for _ in 0..2 {
        let run = build_cli(&course, &site);
        assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    }
    let names: Vec<String> = fs::read_dir(dir.path())
        .expect("list")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| !n.starts_with(".coursegen")),
        "{names:?}"
    );
    assert!(site.join(".coursegen-site").exists());
}
