//! The build cache (issue #24): a build that takes pages from `.coursegen-cache/` writes the
//! same bytes as a cold `--no-cache` build, after every kind of change to a course; a corrupt
//! or foreign cache is never trusted and never stops a build; `--no-cache` neither reads nor
//! writes it; builds sharing it at once each write a whole, correct site.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::{binary, sample_copy};

const LESSON: &str = "content/01-neural-networks/index.md";
const PRACTICE: &str = "content/01-neural-networks/practice-backprop.md";

/// Runs `coursegen build COURSE --out OUT --timings` with `extra` arguments.
fn build(course: &Path, out: &Path, extra: &[&str]) -> Output {
    Command::new(binary())
        .arg("build")
        .arg(course)
        .arg("--out")
        .arg(out)
        .arg("--timings")
        .args(extra)
        .output()
        .expect("run coursegen")
}

/// Every file under `dir`, by relative path.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.expect("walk"))
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).expect("inside");
            (
                rel.to_string_lossy().into_owned(),
                std::fs::read(e.path()).expect("read"),
            )
        })
        .collect()
}

/// `(cached, pages)` from the `cached: N of M pages` line of `--timings`.
fn cached(output: &Output) -> (usize, usize) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let line = stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("cached: "))
        .unwrap_or_else(|| panic!("no `cached:` line in:\n{stderr}"));
    let words: Vec<&str> = line.split_whitespace().collect();
    (words[0].parse().unwrap(), words[2].parse().unwrap())
}

/// Whether `--timings` says the site's own files (search index, home page, …) came from the
/// cache.
fn site_cached(output: &Output) -> bool {
    let stderr = String::from_utf8_lossy(&output.stderr);
    stderr
        .lines()
        .any(|l| l.trim().starts_with("cached: ") && l.contains("and the site's own files"))
}

fn ok(output: Output) -> Output {
    assert!(
        output.status.success(),
        "build failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Builds `course` with the cache and cold (`--no-cache`) into two fresh folders under `work`
/// and asserts the sites are byte-identical; returns the cached build's `(cached, pages)`.
fn same_as_cold(course: &Path, work: &Path, step: &str) -> (usize, usize) {
    let warm_out = work.join(format!("{step}-cached"));
    let cold_out = work.join(format!("{step}-cold"));
    let warm = ok(build(course, &warm_out, &[]));
    ok(build(course, &cold_out, &["--no-cache"]));
    let (warm_tree, cold_tree) = (tree(&warm_out), tree(&cold_out));
    assert_eq!(
        warm_tree.keys().collect::<Vec<_>>(),
        cold_tree.keys().collect::<Vec<_>>(),
        "{step}: the cached build wrote other files than a cold one"
    );
    for (path, bytes) in &warm_tree {
        assert!(
            bytes == &cold_tree[path],
            "{step}: {path} differs from a cold build's"
        );
    }
    cached(&warm)
}

fn edit(course: &Path, file: &str, f: impl FnOnce(String) -> String) {
    let path = course.join(file);
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(&path, f(text)).expect("write");
}

fn entries(course: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(course.join(".coursegen-cache/pages"))
        .expect("the cache folder")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    files
}

#[test]
fn a_rebuild_takes_unchanged_pages_from_the_cache_and_writes_the_same_site() {
    let dir = tempfile::tempdir().unwrap();
    let course = sample_copy(dir.path());
    let work = dir.path();
    assert_eq!(
        same_as_cold(&course, work, "first"),
        (0, 2),
        "an empty cache"
    );
    assert_eq!(
        same_as_cold(&course, work, "again"),
        (2, 2),
        "nothing changed"
    );

    // One page edited: only it is built again.
    edit(&course, LESSON, |t| {
        t.replace(
            "Backpropagation computes all of them at once.",
            "Backpropagation computes all of them in one backward pass.",
        )
    });
    assert_eq!(same_as_cold(&course, work, "edit"), (1, 2));

    // A new page changes every page's navigation: all are built again.
    let extra = "content/01-neural-networks/practice-extra.md";
    std::fs::write(
        course.join(extra),
        "---\ntitle: Extra practice\n---\n\n## Warm-up\n\n```verify show\nlet a = 2\nlet b = 3\na + b = 5\n```\n\n::: flashcards\n::: card\nWhat is a gradient?\n::: answer\nThe vector of partial derivatives.\n:::\n:::\n:::\n",
    )
    .unwrap();
    assert_eq!(same_as_cold(&course, work, "added"), (0, 3));
    edit(&course, extra, |t| {
        t.replace("let b = 3\na + b = 5", "let b = 4\na + b = 6")
    });
    assert_eq!(same_as_cold(&course, work, "added-edited"), (2, 3));

    // Renamed, then deleted: every page's navigation again, and the entries of pages that
    // are gone are removed.
    let renamed = "content/01-neural-networks/practice-renamed.md";
    std::fs::rename(course.join(extra), course.join(renamed)).unwrap();
    assert_eq!(same_as_cold(&course, work, "renamed"), (0, 3));
    assert_eq!(entries(&course).len(), 3);
    std::fs::remove_file(course.join(renamed)).unwrap();
    assert_eq!(same_as_cold(&course, work, "deleted"), (0, 2));
    assert_eq!(
        entries(&course).len(),
        2,
        "the deleted page's entry is removed"
    );

    // A template, the course file, an asset, an image: every page again.
    edit(&course, "templates/base.html", |t| {
        t.replacen("<body", "<!-- edited --><body", 1)
    });
    assert_eq!(same_as_cold(&course, work, "template"), (0, 2));
    assert_eq!(same_as_cold(&course, work, "template-again"), (2, 2));
    edit(&course, "course.yaml", |t| {
        t.replacen("title:", "title: Edited —", 1)
    });
    assert_eq!(same_as_cold(&course, work, "course-file"), (0, 2));
    edit(&course, "assets/style.css", |t| t + "\n/* edited */\n");
    assert_eq!(same_as_cold(&course, work, "asset"), (0, 2));
    std::fs::write(
        course.join("content/01-neural-networks/dot.svg"),
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>"#,
    )
    .unwrap();
    assert_eq!(same_as_cold(&course, work, "image"), (0, 2));
    assert_eq!(same_as_cold(&course, work, "image-again"), (2, 2));
}

#[test]
fn a_wrong_number_fails_the_same_with_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let course = sample_copy(dir.path());
    ok(build(&course, &dir.path().join("warm"), &[]));
    let right = "W2 · W1 = [[2, 3], [-1, -2]]";
    edit(&course, LESSON, |t| {
        assert!(t.contains(right));
        t.replace(right, "W2 · W1 = [[2, 3], [-1, -3]]")
    });
    let warm = build(&course, &dir.path().join("a"), &[]);
    let cold = build(&course, &dir.path().join("b"), &["--no-cache"]);
    assert!(!warm.status.success() && !cold.status.success());
    assert_eq!(
        String::from_utf8_lossy(&warm.stdout),
        String::from_utf8_lossy(&cold.stdout),
        "the same errors"
    );
    assert!(!dir.path().join("a").exists(), "no half-written site");
    // Put right again, the page's entry from before is still good.
    edit(&course, LESSON, |t| {
        t.replace("W2 · W1 = [[2, 3], [-1, -3]]", right)
    });
    assert_eq!(same_as_cold(&course, dir.path(), "fixed"), (2, 2));
}

#[test]
fn a_corrupt_or_foreign_cache_is_rebuilt_never_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let course = sample_copy(dir.path());
    let work = dir.path();
    assert_eq!(same_as_cold(&course, work, "warm").1, 2);
    let [first, second] = entries(&course).try_into().expect("two entries");

    // A byte changed deep inside a stored file, an entry cut short, another page's entry in
    // its place, garbage: each a miss, the page built afresh.
    let mut bytes = std::fs::read(&first).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x20;
    std::fs::write(&first, &bytes).unwrap();
    let cut = std::fs::read(&second).unwrap();
    std::fs::write(&second, &cut[..cut.len() - 7]).unwrap();
    assert_eq!(same_as_cold(&course, work, "flipped-and-cut"), (0, 2));
    std::fs::copy(&first, &second).unwrap();
    assert_eq!(same_as_cold(&course, work, "swapped"), (1, 2));
    std::fs::write(&first, b"CGCACHE\x01 not an entry").unwrap();
    std::fs::write(&second, b"").unwrap();
    std::fs::write(course.join(".coursegen-cache/stamps"), b"junk").unwrap();
    std::fs::write(first.with_file_name("stray"), b"junk").unwrap();
    assert_eq!(same_as_cold(&course, work, "garbage"), (0, 2));
    assert_eq!(entries(&course).len(), 2, "stray files are removed");

    // A file where the folder should be: the build goes on without a cache.
    let folder = course.join(".coursegen-cache");
    std::fs::remove_dir_all(&folder).unwrap();
    std::fs::write(&folder, b"not a folder").unwrap();
    assert_eq!(same_as_cold(&course, work, "file-in-the-way"), (0, 2));
    assert_eq!(std::fs::read(&folder).unwrap(), b"not a folder");
}

#[test]
fn the_site_files_come_from_the_cache_only_while_every_page_is_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let course = sample_copy(dir.path());
    let out = |step: &str| dir.path().join(step);
    let cold = |step: &str| {
        ok(build(&course, &out(step), &["--no-cache"]));
        tree(&out(step))
    };
    let warm = |step: &str| {
        let built = ok(build(&course, &out(step), &[]));
        assert_eq!(
            tree(&out(step)),
            cold(&format!("{step}-cold")),
            "{step}: not as cold"
        );
        site_cached(&built)
    };
    assert!(!warm("first"), "an empty cache");
    assert!(
        warm("again"),
        "nothing changed: the site's files are reused"
    );
    let site = course.join(".coursegen-cache/site");
    let before_edit = std::fs::read(&site).unwrap();

    // One page's words change the search index: the site's files are made again.
    edit(&course, LESSON, |t| {
        t.replace(
            "Backpropagation computes all of them at once.",
            "Backpropagation computes all of them in one sweep.",
        )
    });
    assert!(!warm("edited"));
    assert!(warm("edited-again"));

    // An entry made for other pages, a flipped byte, a cut entry, garbage: never trusted.
    std::fs::write(&site, &before_edit).unwrap();
    assert!(!warm("stale"));
    let mut bytes = std::fs::read(&site).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&site, &bytes).unwrap();
    assert!(!warm("flipped"));
    let whole = std::fs::read(&site).unwrap();
    std::fs::write(&site, &whole[..whole.len() - 3]).unwrap();
    assert!(!warm("cut"));
    std::fs::write(&site, b"CGCACHE\x01 not an entry").unwrap();
    assert!(!warm("garbage"));
    assert!(warm("rebuilt"), "a good entry is written again");
}

/// Whether `--timings` says the output folder was found up to date.
fn up_to_date(output: &Output) -> bool {
    String::from_utf8_lossy(&output.stderr).contains("the output folder is up to date")
}

/// The build's summary lines without their times.
fn summary(output: &Output) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout);
    stdout
        .lines()
        .map(|l| l.split(" in ").next().unwrap_or(l).to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn an_output_folder_nothing_touched_since_its_build_is_left_as_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let course = sample_copy(dir.path());
    let site = dir.path().join("site");
    let cold = |step: &str| {
        let out = dir.path().join(step);
        ok(build(&course, &out, &["--no-cache"]));
        tree(&out)
    };
    let first = ok(build(&course, &site, &[]));
    assert!(!up_to_date(&first), "a first build writes the site");
    let again = ok(build(&course, &site, &[]));
    assert!(up_to_date(&again), "nothing changed: nothing written");
    assert_eq!(summary(&again), summary(&first), "the same report");
    assert_eq!(tree(&site), cold("cold"));

    // What a killed build left beside the site goes even when nothing is written: a staging
    // folder whose lock died with its build.
    let left = dir.path().join(".coursegen-new-killed");
    std::fs::create_dir_all(left.join("lesson")).unwrap();
    std::fs::write(left.join(".coursegen-staging"), b"").unwrap();
    std::fs::write(left.join("lesson/index.html"), b"half").unwrap();
    assert!(up_to_date(&ok(build(&course, &site, &[]))));
    assert!(!left.exists(), "a killed build's staging folder is swept");

    // Anything touching the folder since its build makes the next one write it again.
    let index = site.join("index.html");
    let text = std::fs::read_to_string(&index).unwrap();
    std::fs::write(&index, text.replacen("<html", "<html data-x", 1)).unwrap();
    assert!(
        !up_to_date(&ok(build(&course, &site, &[]))),
        "a file edited"
    );
    assert_eq!(tree(&site), cold("cold-edited"), "the edit is undone");
    assert!(up_to_date(&ok(build(&course, &site, &[]))));
    std::fs::write(site.join("stray.txt"), b"stray").unwrap();
    assert!(!up_to_date(&ok(build(&course, &site, &[]))), "a file added");
    assert!(!site.join("stray.txt").exists());
    std::fs::remove_file(site.join("404.html")).unwrap();
    assert!(
        !up_to_date(&ok(build(&course, &site, &[]))),
        "a file removed"
    );
    assert_eq!(tree(&site), cold("cold-removed"));
    assert!(up_to_date(&ok(build(&course, &site, &[]))));
    // Deep in a page's folder too: a byte changed in place (same size), a file added.
    let deep = site.join("neural-networks/practice-backprop/index.html");
    let mut bytes = std::fs::read(&deep).unwrap();
    bytes[10] ^= 0x01;
    std::fs::write(&deep, &bytes).unwrap();
    assert!(
        !up_to_date(&ok(build(&course, &site, &[]))),
        "a page's file edited in place"
    );
    assert!(up_to_date(&ok(build(&course, &site, &[]))));
    std::fs::write(site.join("neural-networks/practice-backprop/x.txt"), b"x").unwrap();
    assert!(
        !up_to_date(&ok(build(&course, &site, &[]))),
        "a file added in a page's folder"
    );
    assert_eq!(tree(&site), cold("cold-deep"));

    // A page edited, then put back: written each time, then up to date again.
    let original = std::fs::read_to_string(course.join(LESSON)).unwrap();
    edit(&course, LESSON, |t| {
        t.replace("Backpropagation", "Back-propagation")
    });
    assert!(!up_to_date(&ok(build(&course, &site, &[]))));
    assert_eq!(tree(&site), cold("cold-page"));
    std::fs::write(course.join(LESSON), original).unwrap();
    assert!(!up_to_date(&ok(build(&course, &site, &[]))));
    assert!(up_to_date(&ok(build(&course, &site, &[]))));
    assert_eq!(tree(&site), cold("cold-back"));

    // Another folder, --no-cache, or a corrupt record: written.
    assert!(!up_to_date(&ok(build(
        &course,
        &dir.path().join("other"),
        &[]
    ))));
    assert!(!up_to_date(&ok(build(&course, &site, &["--no-cache"]))));
    assert!(!up_to_date(&ok(build(&course, &site, &[]))));
    let record = course.join(".coursegen-cache/written");
    let mut bytes = std::fs::read(&record).unwrap();
    let last = bytes.len() - 2;
    bytes[last] ^= 0x01;
    std::fs::write(&record, &bytes).unwrap();
    assert!(!up_to_date(&ok(build(&course, &site, &[]))));
}

#[test]
fn no_cache_neither_reads_nor_writes_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let course = sample_copy(dir.path());
    let cold = ok(build(&course, &dir.path().join("cold"), &["--no-cache"]));
    assert_eq!(cached(&cold), (0, 2));
    assert!(!course.join(".coursegen-cache").exists(), "nothing written");
    ok(build(&course, &dir.path().join("warm"), &[]));
    let before = tree(&course.join(".coursegen-cache"));
    let again = ok(build(&course, &dir.path().join("again"), &["--no-cache"]));
    assert_eq!(cached(&again), (0, 2), "nothing read");
    assert!(
        tree(&course.join(".coursegen-cache")) == before,
        "nothing written"
    );
}

#[test]
fn builds_sharing_a_cache_at_once_each_write_a_whole_site() {
    let dir = tempfile::tempdir().unwrap();
    let course = sample_copy(dir.path());
    let cold_out = dir.path().join("cold");
    ok(build(&course, &cold_out, &["--no-cache"]));
    let cold = tree(&cold_out);
    // Three rounds: an empty cache, a full one, one page edited (and the cold site again).
    for round in 0..3 {
        if round == 2 {
            edit(&course, PRACTICE, |t| t + "\nOne more line.\n");
            ok(build(&course, &cold_out, &["--no-cache"]));
        }
        let cold = if round == 2 {
            tree(&cold_out)
        } else {
            cold.clone()
        };
        let children: Vec<_> = (0..3)
            .map(|i| {
                Command::new(binary())
                    .arg("build")
                    .arg(&course)
                    .arg("--out")
                    .arg(dir.path().join(format!("r{round}-{i}")))
                    .output()
            })
            .collect();
        for (i, child) in children.into_iter().enumerate() {
            ok(child.expect("run"));
            assert!(
                tree(&dir.path().join(format!("r{round}-{i}"))) == cold,
                "round {round}, build {i} differs from a cold build"
            );
        }
    }
}

#[test]
fn a_new_commit_is_a_new_history_for_anki_notes() {
    let dir = tempfile::tempdir().unwrap();
    let course = sample_copy(dir.path());
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .current_dir(&course)
            .args(["-c", "user.name=T", "-c", "user.email=t@example.org"])
            .args(args)
            .env("GIT_COMMITTER_DATE", "2025-01-01T00:00:00Z")
            .env("GIT_AUTHOR_DATE", "2025-01-01T00:00:00Z")
            .output()
            .expect("git is needed for this test (.ci/run installs it)");
        assert!(out.status.success(), "git {args:?}");
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "first"]);
    assert_eq!(same_as_cold(&course, dir.path(), "first"), (0, 2));
    // The same files, a new commit with a later time: the cards' times change, so no page is
    // taken from the cache.
    edit(&course, PRACTICE, |t| t + "\n");
    git(&["add", "."]);
    let out = Command::new("git")
        .current_dir(&course)
        .args(["-c", "user.name=T", "-c", "user.email=t@example.org"])
        .args(["commit", "-q", "-m", "second"])
        .env("GIT_COMMITTER_DATE", "2025-06-01T00:00:00Z")
        .env("GIT_AUTHOR_DATE", "2025-06-01T00:00:00Z")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(same_as_cold(&course, dir.path(), "second"), (0, 2));
    assert_eq!(same_as_cold(&course, dir.path(), "second-again"), (2, 2));
}

/// A course of `pages` short pages in two lessons (more than one batch of the build's loop).
fn many_pages(dir: &Path, pages: usize) -> PathBuf {
    let course = dir.join("many");
    std::fs::create_dir_all(&course).unwrap();
    std::fs::write(course.join("course.yaml"), "title: Many\n").unwrap();
    for p in 0..pages {
        let lesson = course.join(format!("content/{:02}-lesson-{}", p % 2, p % 2));
        std::fs::create_dir_all(&lesson).unwrap();
        let name = if p < 2 {
            "index.md".to_string()
        } else {
            format!("practice-{p:04}.md")
        };
        let text = format!(
            "---\ntitle: Page {p}\n---\n\n## Step {p}\n\nThe gradient of page {p}.\n\n```verify\n{p} + 1 = {}\n```\n",
            p + 1
        );
        std::fs::write(lesson.join(name), text).unwrap();
    }
    course
}

/// Removes the cache entry of the page at `path` (entries are named by a hash of it).
fn forget(course: &Path, path: &str) {
    let name = format!("{:016x}", xxhash_rust::xxh3::xxh3_64(path.as_bytes()));
    std::fs::remove_file(course.join(".coursegen-cache/pages").join(name)).expect("an entry");
}

#[test]
fn a_page_missing_from_the_cache_early_or_late_in_a_large_course_gives_the_cold_site() {
    // The search index is made while pages are built, once a page is built afresh; the site's
    // own files come whole from the cache only when it has not started.
    let dir = tempfile::tempdir().unwrap();
    let course = many_pages(dir.path(), 700);
    ok(build(&course, &dir.path().join("first"), &[]));
    forget(&course, "content/00-lesson-0/practice-0004.md");
    assert_eq!(same_as_cold(&course, dir.path(), "early"), (699, 700));
    forget(&course, "content/01-lesson-1/practice-0699.md");
    let late = ok(build(&course, &dir.path().join("late"), &[]));
    assert_eq!(cached(&late), (699, 700));
    assert!(
        site_cached(&late),
        "the index had not started: the site's files are reused"
    );
    assert_eq!(
        tree(&dir.path().join("late")),
        tree(&dir.path().join("early-cold"))
    );
}

/// The warnings (with their lines and columns) and the count of numbers verified, as a build
/// printed them.
fn findings(output: &Output) -> Vec<String> {
    let all = [&output.stdout, &output.stderr].map(|s| String::from_utf8_lossy(s).into_owned());
    all.iter()
        .flat_map(|s| s.lines())
        .filter(|l| l.contains("warning") || l.contains("numbers in worked answers"))
        .map(str::to_string)
        .collect()
}

#[test]
fn a_page_taken_from_the_cache_reports_its_warnings_where_a_cold_build_does() {
    let dir = tempfile::tempdir().unwrap();
    let course = sample_copy(dir.path());
    let work = dir.path();
    // An unverified number in a worked answer: a warning, located, when not every number
    // must be verified.
    edit(&course, "course.yaml", |t| {
        t.replace("require: all", "require: checks")
    });
    edit(&course, PRACTICE, |t| {
        t.replacen(
            "Match. Without the non-linearity",
            "The sum is 15. Match. Without the non-linearity",
            1,
        )
    });
    let cold = ok(build(&course, &work.join("cold"), &["--no-cache"]));
    let expected = findings(&cold);
    assert!(
        expected.iter().any(|l| l.contains("practice-backprop.md:")
            && l.contains("unverified number in a worked answer: `15`")),
        "the cold build warns at the number: {expected:?}"
    );
    ok(build(&course, &work.join("warm"), &[]));
    // The lesson edited: the practice page comes from the cache, its warning with it.
    edit(&course, LESSON, |t| t + "\n<!-- edited -->\n");
    let warm = ok(build(&course, &work.join("warm"), &[]));
    assert_eq!(cached(&warm), (1, 2));
    let cold = ok(build(&course, &work.join("cold"), &["--no-cache"]));
    assert_eq!(findings(&cold), expected);
    assert_eq!(findings(&warm), expected);
}

/// A page taken from the cache into the folder of the previous build: a file the previous site
/// holds byte for byte is placed from there (its bytes are not read from the cache), and
/// trusted by nothing but its bytes: a file changed in the site, or a symlink in its place, is
/// written from the cache's copy; a cache copy that is damaged where the site's cannot stand
/// in for it makes the page a miss.
#[test]
fn a_cached_page_is_placed_from_the_previous_site_only_where_that_holds_its_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let course = sample_copy(dir.path());
    let (site, cold) = (dir.path().join("site"), dir.path().join("cold"));
    ok(build(&course, &site, &[]));
    ok(build(&course, &cold, &["--no-cache"]));
    let practice = "neural-networks/practice-backprop/index.html";
    let lesson = "neural-networks/index.html";
    // The practice page's HTML changed in place (same size); the lesson's replaced by a
    // symlink to a file outside with the same bytes.
    let mut changed = std::fs::read(site.join(practice)).unwrap();
    let at = changed.len() / 2;
    changed[at] ^= 0x01;
    std::fs::write(site.join(practice), &changed).unwrap();
    let outside = dir.path().join("outside.html");
    std::fs::copy(site.join(lesson), &outside).unwrap();
    std::fs::remove_file(site.join(lesson)).unwrap();
    std::os::unix::fs::symlink(&outside, site.join(lesson)).unwrap();
    let again = ok(build(&course, &site, &[]));
    assert_eq!(cached(&again), (2, 2), "both pages from the cache");
    assert_eq!(tree(&site), tree(&cold), "the cold site, byte for byte");
    assert!(
        !std::fs::symlink_metadata(site.join(lesson))
            .unwrap()
            .is_symlink(),
        "the symlink is replaced by the page"
    );

    // The cache's copy of the practice page damaged: while the site holds the page, the
    // page comes from the cache; once the site's copy changes too, the page is a miss.
    let [first, second] = entries(&course).try_into().expect("two entries");
    for entry in [first, second] {
        let mut bytes = std::fs::read(&entry).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0x01;
        std::fs::write(&entry, &bytes).unwrap();
    }
    // A stray file in the site: the folder is not what the last build left, so the pages
    // are placed again (not skipped as up to date).
    std::fs::write(site.join("stray.txt"), b"stray").unwrap();
    let linked = ok(build(&course, &site, &[]));
    assert_eq!(cached(&linked), (2, 2));
    assert!(!up_to_date(&linked));
    assert_eq!(tree(&site), tree(&cold));
    // Every page file of the site changed too (its last byte): the damaged copies are needed.
    for path in walkdir::WalkDir::new(&site)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x != "css"))
    {
        let mut bytes = std::fs::read(path.path()).unwrap();
        if let Some(last) = bytes.last_mut() {
            *last ^= 0x01;
            std::fs::write(path.path(), &bytes).unwrap();
        }
    }
    let rebuilt = ok(build(&course, &site, &[]));
    assert_eq!(
        cached(&rebuilt).0,
        0,
        "both entries damaged where the site cannot help"
    );
    assert_eq!(tree(&site), tree(&cold));
}

/// A cached page whose files the previous site still holds as the last build placed them is
/// linked whole: the very same files, not copies. A page folder with one file missing, a file
/// replaced by an equal copy, or the folder replaced by a symlink to a copy of it elsewhere
/// is placed file by file instead, and every rebuild writes the cold site, leaving what is
/// outside the site untouched.
#[test]
fn a_cached_page_is_linked_whole_only_while_each_of_its_files_keeps_its_stamp() {
    use std::os::unix::fs::MetadataExt;
    let dir = tempfile::tempdir().unwrap();
    let course = sample_copy(dir.path());
    let (site, cold) = (dir.path().join("site"), dir.path().join("cold"));
    ok(build(&course, &site, &[]));
    let practice = site.join("neural-networks/practice-backprop");
    let mut names: Vec<String> = std::fs::read_dir(&practice)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(
        names.len() >= 4 && names.contains(&"index.html".to_string()),
        "the page and its decks: {names:?}"
    );
    let inodes = || -> Vec<u64> {
        let meta = |n: &String| std::fs::symlink_metadata(practice.join(n)).unwrap();
        names.iter().map(|n| meta(n).ino()).collect()
    };
    let before = inodes();

    // The lesson edited: the practice page's files are the same files, linked again.
    edit(&course, LESSON, |t| t + "\n<!-- edited -->\n");
    ok(build(&course, &cold, &["--no-cache"]));
    let warm = ok(build(&course, &site, &[]));
    assert_eq!(cached(&warm), (1, 2));
    assert_eq!(tree(&site), tree(&cold));
    assert_eq!(inodes(), before, "linked, not written again");

    // One file of the folder missing (the first of them, then the last): the files linked
    // before it was found missing are taken back, and the page placed file by file.
    for missing in [names.first().unwrap(), names.last().unwrap()] {
        std::fs::remove_file(practice.join(missing)).unwrap();
        let again = ok(build(&course, &site, &[]));
        assert_eq!(cached(&again), (2, 2), "{missing} missing");
        assert_eq!(tree(&site), tree(&cold), "{missing} missing");
    }
    // One file replaced by a copy of itself (another inode, the same bytes).
    let copied = practice.join(&names[1]);
    let bytes = std::fs::read(&copied).unwrap();
    std::fs::remove_file(&copied).unwrap();
    std::fs::write(&copied, &bytes).unwrap();
    ok(build(&course, &site, &[]));
    assert_eq!(tree(&site), tree(&cold), "a file replaced by its copy");
    // The folder replaced by a symlink to a copy of it outside the site: the copy is read
    // from nowhere and left as it was.
    let outside = dir.path().join("outside");
    std::fs::rename(&practice, &outside).unwrap();
    std::os::unix::fs::symlink(&outside, &practice).unwrap();
    let held = tree(&outside);
    ok(build(&course, &site, &[]));
    assert_eq!(tree(&site), tree(&cold), "the folder replaced by a symlink");
    assert!(!std::fs::symlink_metadata(&practice)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(
        tree(&outside),
        held,
        "what is outside the site is untouched"
    );
}
