//! Items 7, 8 and 12 of issue #26: a shared image of the course's `assets/` can be shown
//! (`/assets/x.png`, or its real relative path), a root-relative `/x.png` is the course's
//! `content/x.png`, an image whose name holds `#`, `?`, `%` or a space gets a `src` that finds
//! it, and kramdown's doubled `\\( … \\)` is math, never literal LaTeX.

use std::fs;
use std::path::{Path, PathBuf};

use crate::build_course;
use crate::fixture;

/// A course with one lesson page `body`, the toy PNG at each of `images` (course-relative).
fn course(dir: &Path, body: &str, images: &[&str]) -> PathBuf {
    let course = dir.join("course");
    let lesson = course.join("content/01-a");
    fs::create_dir_all(&lesson).expect("mkdir");
    fs::write(course.join("course.yaml"), "title: Images\n").expect("course.yaml");
    fs::write(
        lesson.join("index.md"),
        format!("---\ntitle: A\n---\n\n{body}"),
    )
    .expect("page");
    let toy =
        fixture("content", "real-notes").join("content/01-linear-classifiers/figures/toy.png");
    for image in images {
        let to = course.join(image);
        fs::create_dir_all(to.parent().unwrap()).expect("mkdir");
        fs::copy(&toy, to).expect("copy image");
    }
    course
}

/// The `src` of every `<img>` of a built page, in order.
fn srcs(html: &str) -> Vec<String> {
    html.split("<img src=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap_or("").to_string())
        .collect()
}

#[test]
fn shared_images_of_the_course_assets_and_root_relative_paths_are_shown() {
    let dir = tempfile::tempdir().expect("temp dir");
    let body = "![a](/assets/shared.png)\n\n![b](../../assets/shared.png)\n\n![c](/top.png)\n";
    let course = course(dir.path(), body, &["assets/shared.png", "content/top.png"]);
    let site = dir.path().join("site");
    build_course(&course, Some(&site)).expect("builds");
    let html = fs::read_to_string(site.join("a/index.html")).expect("page");
    assert_eq!(
        srcs(&html),
        [
            "../assets/shared.png",
            "../assets/shared.png",
            "../media/top.png"
        ]
    );
    for file in ["assets/shared.png", "media/top.png"] {
        assert!(site.join(file).is_file(), "{file} is not in the site");
    }
}

#[test]
fn a_shared_image_written_beside_the_lessons_says_how_to_write_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = course(
        dir.path(),
        "![a](../assets/shared.png)\n",
        &["assets/shared.png"],
    );
    let errors = build_course(&course, None).expect_err("not found");
    let d = &errors.0[0];
    assert_eq!(
        format!("{}: {}", d.location(), d.message),
        "content/01-a/index.md:5:1: image not found: content/assets/shared.png"
    );
    assert_eq!(
        d.hint.as_deref(),
        Some("the course's shared images are written from its root: `/assets/shared.png`")
    );
}

#[test]
fn odd_file_names_get_a_src_that_finds_the_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let name = "a#b c%?.png";
    let course = course(
        dir.path(),
        "![odd](a%23b%20c%25%3F.png)\n",
        &[&format!("content/01-a/{name}")],
    );
    let site = dir.path().join("site");
    build_course(&course, Some(&site)).expect("builds");
    let html = fs::read_to_string(site.join("a/index.html")).expect("page");
    let src = &srcs(&html)[0];
    assert_eq!(src, "../media/01-a/a%23b%20c%25%3F.png");
    // The address, decoded as a browser does, is the file the build wrote.
    let decoded = percent_encoding::percent_decode_str(src.trim_start_matches("../"))
        .decode_utf8()
        .expect("UTF-8");
    assert!(site.join(decoded.as_ref()).is_file(), "{decoded}");
}

#[test]
fn kramdown_doubled_delimiters_are_math() {
    let dir = tempfile::tempdir().expect("temp dir");
    let body = "Inline \\\\(x^2 + y\\\\) and display:\n\n\\\\[\n\\frac{a}{b}\n\\\\]\n\nA lone \\\\( stays text.\n";
    let course = course(dir.path(), body, &[]);
    let site = dir.path().join("site");
    build_course(&course, Some(&site)).expect("builds");
    let html = fs::read_to_string(site.join("a/index.html")).expect("page");
    let main = &html[html.find("<main").unwrap()..];
    assert_eq!(main.matches("<math").count(), 2, "{main}");
    assert!(main.contains("<mfrac>"), "{main}");
    assert!(
        !main.contains("x^2") && !main.contains("\\frac"),
        "LaTeX on the page: {main}"
    );
    assert!(main.contains("A lone \\( stays text."), "{main}");
}
