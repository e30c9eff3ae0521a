//! What `build` leaves on disk: byte-identical builds, and a previous site untouched by a
//! failed build.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use super::{build_course, repo, sample_copy};

fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path()
                    .strip_prefix(dir)
                    .expect("inside")
                    .display()
                    .to_string(),
                fs::read(e.path()).expect("read"),
            )
        })
        .collect()
}

#[test]
fn two_builds_are_byte_identical() {
    let out = tempfile::tempdir().expect("temp dir");
    let (a, b) = (out.path().join("a"), out.path().join("b"));
    build_course(&repo(), Some(&a)).expect("first build");
    build_course(&repo(), Some(&b)).expect("second build");
    let (sa, sb) = (snapshot(&a), snapshot(&b));
    assert!(sa.len() >= 6, "{:?}", sa.keys());
    assert_eq!(sa, sb);
}

#[test]
fn a_parallel_build_is_byte_identical_to_a_serial_one() {
    // Thirty practice pages with cards, so the pages, decks and the course deck are made on
    // several threads in an order that differs from run to run.
    let dir = tempfile::tempdir().expect("temp dir");
    let course = sample_copy(dir.path());
    let lesson = course.join("content/01-neural-networks");
    let page = fs::read_to_string(lesson.join("practice-backprop.md")).expect("read page");
    for i in 0..30 {
        fs::write(lesson.join(format!("practice-copy-{i:02}.md")), &page).expect("write page");
    }
    let build = |threads: &str, out: &Path| {
        let run = std::process::Command::new(super::binary())
            .arg("build")
            .arg(&course)
            .arg("--out")
            .arg(out)
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .expect("run coursegen");
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        snapshot(out)
    };
    let serial = build("1", &dir.path().join("serial"));
    let parallel = build("4", &dir.path().join("parallel"));
    let decks = serial.keys().filter(|k| k.ends_with(".pdf")).count();
    assert_eq!(decks, 32, "31 page decks and the course deck");
    assert_eq!(serial.len(), parallel.len());
    for (name, bytes) in &serial {
        assert!(parallel.get(name) == Some(bytes), "{name} differs");
    }
}

#[test]
fn a_failed_build_leaves_the_previous_site_untouched() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = sample_copy(dir.path());
    let site = dir.path().join("site");
    build_course(&course, Some(&site)).expect("good build");
    let before = snapshot(&site);

    let page = course.join("content/01-neural-networks/practice-backprop.md");
    let text = fs::read_to_string(&page).expect("read page");
    fs::write(
        &page,
        text.replace("= [[2, 3], [-1, -2]]", "= [[2, 3], [-1, -3]]"),
    )
    .expect("break a number");
    let errors = build_course(&course, Some(&site)).expect_err("the broken number fails the build");
    assert_eq!(errors.len(), 1);
    assert_eq!(snapshot(&site), before);
    let leftovers: Vec<_> = fs::read_dir(dir.path())
        .expect("list")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(".coursegen"))
        .collect();
    assert!(leftovers.is_empty(), "staging folders left behind");
}

#[test]
fn a_folder_not_built_by_coursegen_is_never_replaced() {
    let dir = tempfile::tempdir().expect("temp dir");
    let precious = dir.path().join("notes");
    fs::create_dir(&precious).expect("mkdir");
    fs::write(precious.join("thesis.txt"), "years of work").expect("write");
    let errors = build_course(&repo(), Some(&precious)).expect_err("refused");
    assert!(
        errors.0[0].message.contains("refusing to replace"),
        "{}",
        errors.0[0]
    );
    assert_eq!(
        fs::read_to_string(precious.join("thesis.txt")).expect("still there"),
        "years of work"
    );
}

#[test]
fn the_cli_exits_1_on_content_errors_and_2_on_usage_errors() {
    let bin = super::binary();
    let failing = std::process::Command::new(&bin)
        .args(["check"])
        .arg(super::fixture("errors", "failing-check"))
        .output()
        .expect("run coursegen");
    assert_eq!(failing.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&failing.stderr);
    assert!(
        stderr.contains("practice.md:9:14: check failed"),
        "{stderr}"
    );
    let usage = std::process::Command::new(&bin)
        .args(["build", "--no-such-flag"])
        .output()
        .expect("run");
    assert_eq!(usage.status.code(), Some(2));
    // A folder that is not a course, or an output folder in the way, is a usage error too.
    let dir = tempfile::tempdir().expect("temp dir");
    let not_course = std::process::Command::new(&bin)
        .arg("build")
        .arg(dir.path())
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&not_course.stderr).into_owned();
    assert_eq!(not_course.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("not a course folder"), "{stderr}");
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").expect("write");
    let blocked = std::process::Command::new(&bin)
        .arg("build")
        .arg(repo())
        .arg("--out")
        .arg(&file)
        .output()
        .expect("run");
    assert_eq!(
        blocked.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&blocked.stderr)
    );
    let ok = std::process::Command::new(&bin)
        .arg("check")
        .arg(repo())
        .output()
        .expect("run");
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let summary = String::from_utf8_lossy(&ok.stdout);
    assert!(
        summary.starts_with("checked 2 pages, 9 flashcards, "),
        "{summary}"
    );
}

#[test]
fn an_absolute_base_url_gives_canonical_links_and_a_sitemap() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = super::sample_copy(dir.path());
    let site = dir.path().join("site");
    // The sample's base URL is `/`: no sitemap (its URLs would not be absolute).
    super::build_course(&course, Some(&site)).expect("builds");
    assert!(!site.join("sitemap.xml").exists());
    let config = course.join("course.yaml");
    let yaml = std::fs::read_to_string(&config).expect("read");
    std::fs::write(
        &config,
        yaml.replace("base_url: /", "base_url: https://example.org/nn"),
    )
    .expect("write");
    super::build_course(&course, Some(&site)).expect("builds");
    let sitemap = std::fs::read_to_string(site.join("sitemap.xml")).expect("a sitemap");
    for loc in [
        "https://example.org/nn/",
        "https://example.org/nn/neural-networks/",
        "https://example.org/nn/neural-networks/practice-backprop/",
    ] {
        assert!(sitemap.contains(&format!("<loc>{loc}</loc>")), "{sitemap}");
    }
    let practice =
        std::fs::read_to_string(site.join("neural-networks/practice-backprop/index.html"))
            .expect("page");
    assert!(practice.contains(
        "<link rel=\"canonical\" href=\"https://example.org/nn/neural-networks/practice-backprop/\">"
    ));
    let not_found = std::fs::read_to_string(site.join("404.html")).expect("404");
    assert!(!not_found.contains("rel=\"canonical\""));
}

/// The `coursegen …` commands of a CI recipe in docs/deploy/ (the install step aside).
fn recipe_commands(recipe: &str) -> Vec<Vec<String>> {
    let text =
        std::fs::read_to_string(super::repo().join("docs/deploy").join(recipe)).expect("recipe");
    text.lines()
        .filter_map(|l| {
            let l = l
                .trim()
                .trim_start_matches("- ")
                .trim_start_matches("run: ");
            l.strip_prefix("coursegen ").map(|rest| {
                let rest = rest.split(" > ").next().unwrap_or(rest);
                rest.split_whitespace().map(str::to_string).collect()
            })
        })
        .collect()
}

#[test]
fn the_deploy_recipes_commands_check_and_build_the_sample_course() {
    for recipe in ["github-pages.yml", "gitlab-ci.yml"] {
        let commands = recipe_commands(recipe);
        assert!(commands.len() >= 2, "{recipe}: {commands:?}");
        let dir = tempfile::tempdir().expect("temp dir");
        let course = super::sample_copy(dir.path());
        for args in &commands {
            let out = std::process::Command::new(super::binary())
                .args(args)
                .current_dir(&course)
                .output()
                .expect("run");
            assert_eq!(
                out.status.code(),
                Some(0),
                "{recipe}: coursegen {}\n{}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        assert!(
            course.join("public/index.html").exists(),
            "{recipe}: no site in public/"
        );
    }
}

/// The inode of `path`, which must be a regular file (not a symlink).
fn inode(path: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    let meta = fs::symlink_metadata(path).expect("stat");
    assert!(meta.is_file(), "{} is a regular file", path.display());
    meta.ino()
}

/// A rebuild links the files it would write unchanged from the previous site instead of
/// writing them again, and trusts nothing it did not compare: an edited page, a file changed
/// in the previous site, or one that is a symlink there is written afresh.
#[test]
fn a_rebuild_links_unchanged_files_from_the_previous_site_and_writes_the_rest() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = sample_copy(dir.path());
    let site = dir.path().join("site");
    build_course(&course, Some(&site)).expect("first build");
    let (style, home) = (site.join("assets/style.css"), site.join("index.html"));
    let lesson = "neural-networks/index.html";
    let (style_inode, lesson_inode) = (inode(&style), inode(&site.join(lesson)));

    // One lesson edited: its page is written, what did not change is the same file.
    let source = course.join("content/01-neural-networks/index.md");
    let text = fs::read_to_string(&source).expect("read");
    let edited = text.replacen("Backpropagation", "Back-propagation", 1);
    assert_ne!(edited, text);
    fs::write(&source, edited).expect("edit");
    build_course(&course, Some(&site)).expect("second build");
    assert_eq!(inode(&style), style_inode, "an unchanged file is linked");
    assert_ne!(
        inode(&site.join(lesson)),
        lesson_inode,
        "the edited page is new"
    );

    // A file changed in the previous site (same size), and one replaced by a symlink to an
    // outside file with the same bytes: both written afresh, the outside file untouched.
    let home_bytes = fs::read(&home).expect("read");
    let mut changed = home_bytes.clone();
    let at = changed.iter().position(|&b| b == b'<').expect("a tag");
    changed[at + 1] = b'X';
    fs::write(&home, &changed).expect("tamper");
    let outside = dir.path().join("outside.css");
    fs::copy(&style, &outside).expect("copy");
    let outside_inode = inode(&outside);
    fs::remove_file(&style).expect("remove");
    std::os::unix::fs::symlink(&outside, &style).expect("symlink");
    build_course(&course, Some(&site)).expect("third build");
    assert_eq!(
        fs::read(&home).expect("read"),
        home_bytes,
        "the change is undone"
    );
    assert_ne!(
        inode(&style),
        outside_inode,
        "not a link to the outside file"
    );
    assert_eq!(fs::read(&style).unwrap(), fs::read(&outside).unwrap());

    // And the site is what a build into an empty folder writes.
    let fresh = dir.path().join("fresh");
    build_course(&course, Some(&fresh)).expect("fresh build");
    assert_eq!(snapshot(&site), snapshot(&fresh));
}

/// The built-in sidebar is written without Tera (`render::sidebar`); a course's own
/// `partials/sidebar.html` still goes through Tera, and a copy of the built-in gives the very
/// page the built-in does.
#[test]
fn a_course_sidebar_template_is_rendered_and_a_copy_is_the_builtin() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = sample_copy(dir.path());
    let page = "neural-networks/practice-backprop/index.html";
    let read = |site: &std::path::Path| std::fs::read_to_string(site.join(page)).expect("page");
    // The sample's own templates folder holds copies of the built-ins.
    build_course(&course, Some(&dir.path().join("copy"))).expect("builds");
    std::fs::remove_dir_all(course.join("templates")).expect("remove templates");
    build_course(&course, Some(&dir.path().join("builtin"))).expect("builds");
    let builtin = read(&dir.path().join("builtin"));
    assert_eq!(read(&dir.path().join("copy")), builtin);
    assert!(builtin.contains("<nav id=\"sidebar\" class=\"sidebar\" aria-label=\"Lessons\">"));

    std::fs::create_dir_all(course.join("templates/partials")).expect("templates folder");
    std::fs::write(
        course.join("templates/partials/sidebar.html"),
        "<nav id=\"sidebar\" class=\"mine\">{% for lesson in nav %}[{{ root }}{{ lesson.url }} {{ lesson.title | upper }}]{% endfor %}</nav>",
    )
    .expect("write sidebar.html");
    build_course(&course, Some(&dir.path().join("own"))).expect("builds");
    let own = read(&dir.path().join("own"));
    assert!(
        own.contains("<nav id=\"sidebar\" class=\"mine\">[../../neural-networks/ NEURAL NETWORKS AND BACKPROPAGATION]</nav>"),
        "the course's sidebar template renders: {}",
        own[own.find("<nav id=\"sidebar\"").unwrap_or(0)..]
            .chars()
            .take(200)
            .collect::<String>()
    );
    assert!(!own.contains("aria-label=\"Lessons\""));
}

/// The page templates are written without Tera while the course has none of its own; a course
/// template of any of them (here the table of contents, and a lesson page reading `counts`)
/// still renders through Tera, for every page, and a copy of the built-ins gives their pages.
#[test]
fn course_page_templates_are_rendered_and_copies_are_the_builtins() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = sample_copy(dir.path());
    let pages = [
        "neural-networks/index.html",
        "neural-networks/practice-backprop/index.html",
    ];
    let read = |site: &str, page: &str| {
        std::fs::read_to_string(dir.path().join(site).join(page)).expect("page")
    };
    build_course(&course, Some(&dir.path().join("copy"))).expect("builds");
    std::fs::remove_dir_all(course.join("templates")).expect("remove templates");
    build_course(&course, Some(&dir.path().join("builtin"))).expect("builds");
    for page in pages {
        assert_eq!(read("copy", page), read("builtin", page), "{page}");
    }

    std::fs::create_dir_all(course.join("templates/partials")).expect("templates folder");
    std::fs::write(
        course.join("templates/partials/toc.html"),
        "<ol class=\"mine\">{% for entry in page.toc %}<li>{{ entry.title | upper }}</li>{% endfor %}</ol>",
    )
    .expect("write toc.html");
    build_course(&course, Some(&dir.path().join("own-toc"))).expect("builds");
    for page in pages {
        let own = read("own-toc", page);
        assert!(
            own.contains("<ol class=\"mine\"><li>"),
            "{page}: the course's toc renders"
        );
        assert!(!own.contains("<nav class=\"toc\""), "{page}");
    }
    assert!(read("own-toc", pages[1]).contains("<li>SELF-CHECK</li>"));

    std::fs::remove_file(course.join("templates/partials/toc.html")).expect("rm toc.html");
    std::fs::write(
        course.join("templates/lesson.html"),
        "{% extends \"page.html\" %}{% block before_content %}<p class=\"mine\">{{ page.counts.cards }} cards</p>{% endblock before_content %}",
    )
    .expect("write lesson.html");
    build_course(&course, Some(&dir.path().join("own-lesson"))).expect("builds");
    assert!(read("own-lesson", pages[0]).contains("<p class=\"mine\">"));
    // The practice page's templates are built-in, but one of the chain is not: Tera renders
    // both kinds, and the practice page comes out as the built-ins make it.
    assert_eq!(read("own-lesson", pages[1]), read("builtin", pages[1]));
}
