//! Who a card is in Anki (issue #27), without Anki: two cards that would share a note are a
//! warning at the later card's opening line, and a fresh copy or clone of a course, with other
//! file times, builds byte-identical `.apkg` and `.tsv` files.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

use super::super::{build_course, sample_copy};

/// Writes `files` (path, text) under `dir` and returns it.
pub fn course_with(dir: &Path, files: &[(&str, &str)]) -> PathBuf {
    for (path, text) in files {
        let path = dir.join(path);
        fs::create_dir_all(path.parent().expect("a folder")).expect("create folder");
        fs::write(path, text).expect("write file");
    }
    dir.to_path_buf()
}

/// Every file of `dir` with its time set to `time`.
fn touch_all(dir: &Path, time: SystemTime) {
    for entry in walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
    {
        if entry.file_type().is_file() {
            fs::File::options()
                .write(true)
                .open(entry.path())
                .and_then(|f| f.set_modified(time))
                .expect("set the file's time");
        }
    }
}

/// The Anki files of a built site (`.apkg`, `.tsv`), by path, with their bytes.
fn anki_files(site: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(site)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| {
            e.path()
                .extension()
                .is_some_and(|x| x == "apkg" || x == "tsv")
        })
        .map(|e| {
            let rel = e.path().strip_prefix(site).unwrap().display().to_string();
            (rel, fs::read(e.path()).expect("read"))
        })
        .collect();
    files.sort();
    files
}

/// Runs git in `dir` with a fixed author and commit date.
pub fn git(dir: &Path, args: &[&str], date: &str) {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=Author",
            "-c",
            "user.email=author@example.org",
        ])
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .output()
        .expect("git is needed for this test");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_fresh_copy_or_clone_with_other_file_times_builds_byte_identical_decks() {
    let dir = tempfile::tempdir().expect("temp dir");
    let year_2001 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
    // Two copies outside git, one with its files dated 2001.
    let (a, b) = (
        sample_copy(&dir.path().join("a")),
        sample_copy(&dir.path().join("b")),
    );
    touch_all(&b, year_2001);
    let build = |course: &Path, name: &str| {
        let site = dir.path().join(name);
        build_course(course, Some(&site)).expect("the sample builds");
        anki_files(&site)
    };
    let (from_a, from_b) = (build(&a, "site-a"), build(&b, "site-b"));
    assert_eq!(
        from_a.len(),
        3,
        "{:?}",
        from_a.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    for ((name, x), (_, y)) in from_a.iter().zip(&from_b) {
        assert!(
            x == y,
            "{name} differs between two copies with other file times"
        );
    }
    // A repository and a fresh clone of it, its files dated 2001.
    let origin = sample_copy(&dir.path().join("origin"));
    git(&origin, &["init", "-q"], "2026-01-10T12:00:00Z");
    git(&origin, &["add", "-A"], "2026-01-10T12:00:00Z");
    git(
        &origin,
        &["commit", "-q", "-m", "course"],
        "2026-01-10T12:00:00Z",
    );
    let clone = dir.path().join("clone");
    git(
        dir.path(),
        &[
            "clone",
            "-q",
            origin.to_str().unwrap(),
            clone.to_str().unwrap(),
        ],
        "2026-01-10T12:00:00Z",
    );
    touch_all(&clone, year_2001);
    let (from_origin, from_clone) = (build(&origin, "site-origin"), build(&clone, "site-clone"));
    assert_eq!(from_origin.len(), 3);
    for ((name, x), (_, y)) in from_origin.iter().zip(&from_clone) {
        assert!(x == y, "{name} differs between a repository and its clone");
    }
}

#[test]
fn cards_that_would_share_a_note_are_warned_at_their_opening_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let card = |open: &str, q: &str| format!("{open}\n{q}\n::: answer\nAn answer.\n:::\n:::\n");
    let page = |title: &str, cards: &[String]| {
        format!(
            "---\ntitle: {title}\n---\n\n::: flashcards\n{}:::\n",
            cards.join("\n")
        )
    };
    let course = course_with(
        dir.path(),
        &[
            ("course.yaml", "title: Shared\nid: shared-1\n"),
            (
                "content/01-one/index.md",
                &page(
                    "One",
                    &[
                        card("::: card {#relu}", "What is a ReLU?"),
                        card("::: card", "Same  question?"),
                        card("::: card", "Same\nquestion?"),
                    ],
                ),
            ),
            (
                "content/02-two/index.md",
                &page("Two", &[card("::: card {#relu}", "A ReLU is?")]),
            ),
        ],
    );
    let report = build_course(&course, Some(&dir.path().join("site"))).expect("builds");
    let warnings: Vec<String> = report.warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(
        warnings,
        [
            "content/01-one/index.md:20:1: flashcard 3 asks the same question as flashcard 2 of this page: Anki would take them for one note (hint: give one of them an id of its own: `::: card {#name}`)",
            "content/02-two/index.md:6:1: flashcard 1 has the id `relu`, which a card of content/01-one/index.md:6 already has: Anki would take them for one note (hint: an id names one card of the course for good: give this card another)",
        ]
    );
    // Each deck still holds every card, under a GUID of its own.
    let tsv = fs::read_to_string(dir.path().join("site/one/flashcards.tsv")).expect("tsv");
    let guids: std::collections::BTreeSet<&str> = tsv
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| l.split('\t').next().unwrap())
        .collect();
    assert_eq!(guids.len(), 3, "{tsv}");
}

#[test]
fn a_new_course_gets_an_id_of_its_own() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ids: Vec<String> = ["one", "two"]
        .iter()
        .map(|name| {
            let out = Command::new(super::super::binary())
                .args(["new", "course", name, "--title", "Neural nets: 101"])
                .current_dir(dir.path())
                .output()
                .expect("run coursegen new");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let yaml = fs::read_to_string(dir.path().join(name).join("course.yaml")).expect("yaml");
            let line = yaml
                .lines()
                .find(|l| l.starts_with("id: "))
                .unwrap_or_else(|| panic!("no id in {yaml}"))
                .to_string();
            let id = line
                .trim_start_matches("id: ")
                .trim_matches('"')
                .to_string();
            let (slug, random) = id.rsplit_once('-').expect("slug-random");
            assert_eq!(slug, "neural-nets-101", "{id}");
            assert!(
                random.len() == 8 && random.chars().all(|c| c.is_ascii_hexdigit()),
                "{id}"
            );
            id
        })
        .collect();
    assert_ne!(ids[0], ids[1], "two new courses with one title share an id");
    // The scaffold builds, with its id.
    build_course(&dir.path().join("one"), None).expect("the new course builds");
}
