//! Item 1: configuration values are data, never markup. `base_url` must be an http(s) URL or a
//! path (anything else is an error at its line of `course.yaml`); every value a built-in
//! template prints is escaped, and no built-in template marks a value an author or the course
//! file supplies `| safe`.

use std::fs;
use std::path::Path;

use coursegen::load::load_course;
use coursegen::plan::Plan;
use coursegen::render::templates::{Templates, BUILTIN};
use coursegen::render::{render_page, render_site_files, MemorySink, OutputFile, Sink, Site};
use coursegen::verify::verify_course;
use scraper::{Html, Selector};

use crate::hardening::{build_cli, check_cli, stderr};

/// Markup that would run or add elements if any template printed it raw.
const HOSTILE: &str = r#""'><script>alert(1)</script><x-evil onclick="alert(2)">&amp;</x-evil>"#;

/// A course whose every configuration value and every page title and description is hostile,
/// with a lesson page and a practice page, so that every built-in template renders.
fn hostile_course(dir: &Path, base_url: &str) -> std::path::PathBuf {
    let course = dir.join("course");
    let lesson = course.join("content/01-intro");
    fs::create_dir_all(&lesson).expect("mkdir");
    let quoted = serde_json::to_string(HOSTILE).expect("json");
    fs::write(
        course.join("course.yaml"),
        format!(
            "title: {quoted}\ndescription: {quoted}\nlanguage: {quoted}\nbase_url: {}\n",
            serde_json::to_string(base_url).expect("json")
        ),
    )
    .expect("write course.yaml");
    let front = format!("title: {quoted}\ndescription: {quoted}\n");
    fs::write(
        lesson.join("index.md"),
        // Raw HTML in the Markdown body is the author's own markup (CommonMark passes it
        // through); a heading gives the table of contents something to print.
        format!("---\n{front}---\n\n## Heading & \"quotes\"\n\nText.\n"),
    )
    .expect("write lesson");
    fs::write(
        lesson.join("02-practice.md"),
        format!("---\n{front}---\n\nText.\n\n::: flashcards\n::: card\nQ?\n::: answer\nA.\n:::\n:::\n:::\n"),
    )
    .expect("write practice");
    course
}

/// Asserts that an HTML page holds no markup from [`HOSTILE`]: only coursegen's own scripts,
/// no `x-evil` element, no event handler attribute, no `javascript:` link.
fn assert_inert(name: &str, html: &str) {
    let doc = Html::parse_document(html);
    let select = |s: &str| Selector::parse(s).expect("selector");
    for script in doc.select(&select("script")) {
        let ours = match script.value().attr("src") {
            Some(src) => src.ends_with("assets/coursegen.js"),
            None => script.inner_html().contains("coursegen-theme"),
        };
        assert!(ours, "{name}: a script not coursegen's: {}", script.html());
    }
    assert_eq!(doc.select(&select("x-evil")).count(), 0, "{name}: x-evil");
    for element in doc.select(&select("*")) {
        for (attr, value) in element.value().attrs() {
            assert!(!attr.starts_with("on"), "{name}: {attr}={value}");
            assert!(
                !value
                    .trim_start()
                    .to_ascii_lowercase()
                    .starts_with("javascript:"),
                "{name}: {attr}={value}"
            );
        }
    }
    // The hostile text is shown, as text, where it is printed.
    let title = doc.select(&select("title")).next().expect("a title");
    assert!(title.text().collect::<String>().contains(HOSTILE), "{name}");
}

#[test]
fn every_built_in_template_prints_hostile_values_as_text() {
    let dir = tempfile::tempdir().expect("temp dir");
    let base = "https://example.org/it's&co/";
    let course = hostile_course(dir.path(), base);
    let site = dir.path().join("site");
    let run = build_cli(&course, &site);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let pages = [
        "index.html",
        "404.html",
        "intro/index.html",
        "intro/practice/index.html",
    ];
    for name in pages {
        let html = fs::read_to_string(site.join(name)).expect("page");
        assert_inert(name, &html);
        let doc = Html::parse_document(&html);
        let html_lang = doc.root_element().value().attr("lang");
        assert_eq!(html_lang, Some(HOSTILE), "{name}");
    }
    let lesson =
        Html::parse_document(&fs::read_to_string(site.join("intro/index.html")).expect("lesson"));
    let canonical = Selector::parse("link[rel=canonical]").expect("selector");
    let href = lesson
        .select(&canonical)
        .next()
        .and_then(|l| l.value().attr("href"));
    assert_eq!(href, Some("https://example.org/it's&co/intro/"));
    let not_found = Html::parse_document(&fs::read_to_string(site.join("404.html")).expect("404"));
    let home = Selector::parse("a.site-title").expect("selector");
    let href = not_found
        .select(&home)
        .next()
        .and_then(|a| a.value().attr("href"));
    assert_eq!(href, Some(base));
}

/// Escaping alone holds, even for a `base_url` the course file's check would refuse (as if a
/// later change let one through).
#[test]
fn templates_escape_a_base_url_that_skipped_validation() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = hostile_course(dir.path(), "/");
    let (mut loaded, errors) = load_course(&course);
    assert!(errors.is_empty(), "{errors:?}");
    loaded.config.base_url = format!("https://example.org/{HOSTILE}");
    let verifications = verify_course(&loaded).expect("verifies");
    let templates = Templates::load(&course).expect("templates");
    let sink = MemorySink::default();
    let site = Site::new(&loaded, &templates, Plan::of(&loaded, false));
    let (links, sections): (Vec<_>, Vec<_>) = (0..site.pages.len())
        .map(|i| {
            let (file, links, sections) =
                render_page(&site, i, site.pages[i], &verifications[i]).expect("renders");
            sink.put(file);
            (links, sections)
        })
        .unzip();
    let mut index = site.search_index();
    index.add(0, &sections, &sink);
    assert!(render_site_files(&site, &links, index, &sink).is_empty());
    let files: Vec<OutputFile> = sink.into_files();
    let mut pages = 0;
    for file in files.iter().filter(|f| f.path.ends_with(".html")) {
        assert_inert(&file.path, &String::from_utf8_lossy(&file.bytes));
        pages += 1;
    }
    assert_eq!(pages, 4);
}

#[test]
fn built_in_templates_mark_only_rendered_html_safe() {
    for (name, text) in BUILTIN {
        for (at, _) in text.match_indices("| safe") {
            let start = text[..at].rfind("{{").expect("inside {{ }}");
            let value = text[start + 2..at].trim();
            assert!(
                ["page.content", "sidebar"].contains(&value),
                "templates/{name}: `{value} | safe` prints a value unescaped"
            );
        }
    }
}

#[test]
fn a_base_url_that_is_not_a_url_or_path_is_refused_at_its_line() {
    let cases = [
        (
            r#""><script>alert(1)</script>"#,
            "holds `\"`, which a URL cannot",
        ),
        (
            "javascript:alert(1)",
            "`javascript:alert(1)` is neither an http(s) URL nor a path from the host's root",
        ),
        ("data:text/html,x", "is neither an http(s) URL nor a path"),
        (
            "//evil.example/",
            "`//evil.example/` is a protocol-relative URL, which names another host",
        ),
        ("https:///x", "`https:///x` names no host"),
        ("/a b/", "holds a space, which a URL cannot"),
        ("/a\u{1b}[31m/", "holds \\u{1b}, which a URL cannot"),
        (
            "https://example.org/?x=1",
            "holds `?`: a base URL has no query or fragment",
        ),
        ("course/", "is neither an http(s) URL nor a path"),
        ("", "base_url is empty"),
    ];
    let dir = tempfile::tempdir().expect("temp dir");
    let course = hostile_course(dir.path(), "/");
    for (url, expected) in cases {
        let yaml = format!(
            "title: T\n# where the site lives\nbase_url:   {}\n",
            serde_json::to_string(url).expect("json")
        );
        fs::write(course.join("course.yaml"), yaml).expect("write");
        let out = check_cli(&course);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{url:?}: {err}");
        assert!(
            err.contains("course.yaml:3:13: base_url "),
            "{url:?}: {err}"
        );
        assert!(err.contains(expected), "{url:?}: {err}");
        assert!(
            err.contains("help: base_url is where the site is published: an http(s) URL"),
            "{err}"
        );
        assert!(!err.contains("<script>alert(1)</script>\n"), "{err}");
    }
    for url in [
        "/",
        "/course/",
        "https://example.org",
        "HTTP://example.org/a/",
        "https://例え.jp/курс/",
    ] {
        fs::write(
            course.join("course.yaml"),
            format!("title: T\nbase_url: {url}\n"),
        )
        .expect("write");
        let out = check_cli(&course);
        assert_eq!(out.status.code(), Some(0), "{url}: {}", stderr(&out));
    }
}
