//! Item 12 (part): `sitemap.xml` lists every `<loc>` as an RFC 3986 URI, percent-encoded.

use std::fs;

use crate::hardening::{build_cli, stderr};

#[test]
fn sitemap_locations_are_percent_encoded() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = dir.path().join("course");
    let lesson = course.join("content/01-Über Straße");
    fs::create_dir_all(&lesson).expect("mkdir");
    fs::write(
        course.join("course.yaml"),
        "title: T\nbase_url: https://example.org/курс/\n",
    )
    .expect("write");
    fs::write(lesson.join("index.md"), "---\ntitle: Ü\n---\nText.\n").expect("write");
    fs::write(lesson.join("02-naïve.md"), "---\ntitle: N\n---\nText.\n").expect("write");
    let site = dir.path().join("site");
    let run = build_cli(&course, &site);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let sitemap = fs::read_to_string(site.join("sitemap.xml")).expect("sitemap");
    let locs: Vec<&str> = sitemap
        .lines()
        .filter_map(|l| l.trim().strip_prefix("<url><loc>"))
        .filter_map(|l| l.strip_suffix("</loc></url>"))
        .collect();
    let base = "https://example.org/%D0%BA%D1%83%D1%80%D1%81/";
    assert_eq!(
        locs,
        [
            base.to_string(),
            format!("{base}%C3%BCber-stra%C3%9Fe/"),
            format!("{base}%C3%BCber-stra%C3%9Fe/na%C3%AFve/"),
        ],
        "{sitemap}"
    );
    assert!(locs.iter().all(|l| l.is_ascii()));
}
