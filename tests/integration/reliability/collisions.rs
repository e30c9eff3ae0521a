//! Item 9: `check` finds every problem `build` would meet, output path collisions included,
//! located at what collides; the two commands report the same errors.

use std::fs;
use std::path::Path;

use crate::hardening::{build_cli, check_cli, course_with, snapshot, stderr};

/// Runs `check`, then `build` over a site built before; both must fail with the same errors,
/// and the previous site must be as it was.
fn check_and_build_agree(dir: &Path, course: &Path) -> String {
    let checked = check_cli(course);
    let site = dir.join("site");
    let built = build_cli(course, &site);
    assert_eq!(checked.status.code(), Some(1), "{}", stderr(&checked));
    assert_eq!(built.status.code(), Some(1), "{}", stderr(&built));
    assert_eq!(stderr(&checked), stderr(&built));
    stderr(&checked)
}

#[test]
fn an_asset_folder_where_a_built_in_file_goes_fails_check_as_build() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = course_with(dir.path(), &[("index.md", "Text.\n")]);
    let site = dir.path().join("site");
    assert_eq!(build_cli(&course, &site).status.code(), Some(0));
    let before = snapshot(&site);
    fs::create_dir_all(course.join("assets/style.css")).expect("mkdir");
    fs::write(course.join("assets/style.css/extra.png"), "png").expect("write");
    fs::write(course.join("assets/fonts"), "a file where a folder goes").expect("write");
    let err = check_and_build_agree(dir.path(), &course);
    assert!(
        err.contains("error: assets/style.css/extra.png: output path collision: assets/style.css is a file written for coursegen itself, and assets/style.css/extra.png, written for the course's assets/style.css/extra.png, needs a folder there"),
        "{err}"
    );
    assert!(
        err.contains("error: assets/fonts: output path collision: assets/fonts is a file written for the course's assets/fonts, and assets/fonts/LICENSE-DejaVu.txt, written for coursegen itself, needs a folder there"),
        "{err}"
    );
    assert!(err.contains("build failed with 2 errors"), "{err}");
    assert!(!err.contains("os error"), "{err}");
    assert_eq!(snapshot(&site), before, "the previous site changed");
}

#[test]
fn a_lesson_named_media_beside_an_image_tree_fails_check_as_build() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = course_with(dir.path(), &[("index.md", "Text.\n")]);
    // `content/index.html/x.png` is copied to `media/index.html/x.png`, where the lesson
    // `media` would write its page.
    let lesson = course.join("content/02-media");
    fs::create_dir_all(&lesson).expect("mkdir");
    fs::write(lesson.join("index.md"), "---\ntitle: M\n---\nText.\n").expect("write");
    fs::create_dir_all(course.join("content/index.html")).expect("mkdir");
    fs::write(course.join("content/index.html/x.png"), "png").expect("write");
    let err = check_and_build_agree(dir.path(), &course);
    assert!(
        err.contains(
            "content/02-media: lesson folder name would take the URL of the site's media/ folder"
        ),
        "{err}"
    );
    assert!(!err.contains("os error"), "{err}");
}
