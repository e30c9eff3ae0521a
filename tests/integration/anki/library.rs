//! The decks in Anki itself (issue #27): the `anki` library from PyPI, which carries Anki's own
//! Rust importer, run by `tests/anki/driver.py` on a student's collection through a course's
//! edits. It needs a Python with `anki` installed: `COURSEGEN_ANKI_PYTHON`, or
//! `target/anki-venv/bin/python`, which `.ci/run` makes. Missing, the tests fail and say how to
//! make it; they never pass by skipping.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use super::super::{build_course, repo, sample_copy};
use super::identity::{course_with, git};

/// The Python that has Anki's library, after checking it imports.
pub fn anki_python() -> PathBuf {
    let python = std::env::var_os("COURSEGEN_ANKI_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("target/anki-venv/bin/python"));
    let how = "make it with `python3 -m venv target/anki-venv && target/anki-venv/bin/pip install -r tests/anki/requirements.txt` (.ci/run does), or set COURSEGEN_ANKI_PYTHON to a Python that has it";
    let check = Command::new(&python)
        .args([
            "-c",
            "import anki.collection, anki.buildinfo; print(anki.buildinfo.version)",
        ])
        .output()
        .unwrap_or_else(|e| panic!("no Python at {}: {e}; {how}", python.display()));
    assert!(
        check.status.success(),
        "{} cannot import Anki's library ({}); {how}",
        python.display(),
        String::from_utf8_lossy(&check.stderr).trim()
    );
    python
}

/// Runs one step of `tests/anki/driver.py` and returns what it printed.
pub fn anki(args: &[&dyn AsRef<std::ffi::OsStr>]) -> Value {
    let out = Command::new(anki_python())
        .arg(repo().join("tests/anki/driver.py"))
        .args(args.iter().map(|a| a.as_ref()))
        .output()
        .expect("run the Anki driver");
    assert!(
        out.status.success(),
        "driver {:?} failed: {}",
        args.iter()
            .map(|a| a.as_ref().to_owned())
            .collect::<Vec<_>>(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the driver prints JSON")
}

/// The GUIDs of one kind of an import's log (`new`, `updated`, `duplicate`, `conflicting`).
fn logged(log: &Value, kind: &str) -> Vec<String> {
    log[kind]
        .as_array()
        .unwrap_or_else(|| panic!("no {kind} in {log}"))
        .iter()
        .map(|g| g.as_str().unwrap().to_string())
        .collect()
}

/// A collection's notes by GUID.
fn notes(col: &Path) -> BTreeMap<String, Value> {
    anki(&[&"notes", &col])["notes"]
        .as_array()
        .expect("notes")
        .iter()
        .map(|n| (n["guid"].as_str().unwrap().to_string(), n.clone()))
        .collect()
}

/// A note's scheduling: its card's type, queue, due, interval, reviews and ease.
fn scheduling(note: &Value) -> Vec<Value> {
    let card = &note["cards"][0];
    ["type", "queue", "due", "ivl", "reps", "factor", "lapses"]
        .iter()
        .map(|k| card[*k].clone())
        .collect()
}

/// Check Database on the package's own collection: nothing to fix, and the sort field,
/// checksum, fields and times Anki computes are the package's.
pub fn assert_as_anki_writes_it(apkg: &Path, work: &Path) -> Value {
    let checked = anki(&[&"check-raw", &work, &apkg]);
    assert_eq!(checked["problems"], Value::Array(vec![]), "{checked}");
    assert_eq!(checked["changed"], Value::Array(vec![]), "{checked}");
    checked
}

const DECK: &str = "neural-networks/practice-backprop/flashcards.apkg";
const PAGE: &str = "content/01-neural-networks/practice-backprop.md";

#[test]
#[ignore = "needs Anki's Python library (target/anki-venv or COURSEGEN_ANKI_PYTHON) and git; .ci/run sets both up"]
fn a_students_collection_keeps_its_history_through_edits_and_inserted_cards() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = sample_copy(dir.path());
    let col = dir.path().join("student/collection.anki2");
    let build = |name: &str| {
        let site = dir.path().join(name);
        build_course(&course, Some(&site)).expect("the sample builds");
        site
    };
    git(&course, &["init", "-q"], "2026-01-10T12:00:00Z");
    git(&course, &["add", "-A"], "2026-01-10T12:00:00Z");
    git(
        &course,
        &["commit", "-q", "-m", "course"],
        "2026-01-10T12:00:00Z",
    );
    let first = build("site-1");

    // First import: every card a new note; the same package again changes nothing.
    let log = anki(&[&"import", &col, &first.join(DECK)]);
    assert_eq!(logged(&log, "new").len(), 9, "{log}");
    let imported = notes(&col);
    let log = anki(&[&"import", &col, &first.join(DECK)]);
    assert_eq!(
        (
            logged(&log, "new"),
            logged(&log, "updated"),
            logged(&log, "duplicate").len()
        ),
        (vec![], vec![], 9),
        "{log}"
    );
    assert_eq!(notes(&col), imported, "an identical import changed a note");
    // The course deck holds the same notes, in the same decks.
    let log = anki(&[&"import", &col, &first.join("flashcards.apkg")]);
    assert_eq!(logged(&log, "duplicate").len(), 9, "{log}");
    assert_eq!(notes(&col), imported);
    assert_as_anki_writes_it(&first.join(DECK), &dir.path().join("raw-1"));
    assert_as_anki_writes_it(&first.join("flashcards.apkg"), &dir.path().join("raw-1c"));

    // The student studies every card, and changes the note type's CSS.
    let studied = anki(&[&"study", &col]);
    assert_eq!(studied["answered"], 9, "{studied}");
    let before = notes(&col);
    assert!(
        before.values().all(|n| n["cards"][0]["type"] == 2),
        "{before:?}"
    );
    let note_type = anki(&[&"notetypes", &col])["notetypes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"].as_str().unwrap().contains("coursegen card"))
        .expect("the course's note type")["name"]
        .as_str()
        .unwrap()
        .to_string();
    let css = ".card { background: #fdf6e3; }";
    anki(&[&"set-css", &col, &note_type, &css]);

    // The author edits one card's answer and commits: exactly that note is updated, with
    // its scheduling; the others and the student's CSS stay as they are.
    let page = course.join(PAGE);
    let text = fs::read_to_string(&page).expect("page");
    let old = "one\nforward pass + one backward pass produces gradients for every weight at once.";
    assert!(text.contains(old));
    fs::write(
        &page,
        text.replace(
            old,
            "one\nforward and one backward pass give the gradient of every weight.",
        ),
    )
    .expect("edit");
    git(
        &course,
        &["commit", "-q", "-am", "edit"],
        "2026-02-10T12:00:00Z",
    );
    let second = build("site-2");
    let log = anki(&[&"import", &col, &second.join(DECK)]);
    let updated = logged(&log, "updated");
    assert_eq!((logged(&log, "new"), updated.len()), (vec![], 1), "{log}");
    let after = notes(&col);
    for (guid, note) in &after {
        let was = &before[guid];
        assert_eq!(
            scheduling(note),
            scheduling(was),
            "{guid} lost its scheduling"
        );
        if *guid == updated[0] {
            assert!(note["fields"][1]
                .as_str()
                .unwrap()
                .contains("give the gradient of every weight"));
            assert_eq!(note["fields"][0], was["fields"][0]);
        } else {
            assert_eq!(note, was, "{guid} changed though its card did not");
        }
    }
    let types = anki(&[&"notetypes", &col]);
    let kept = types["notetypes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == note_type.as_str());
    assert_eq!(
        kept.expect("the note type")["css"],
        css,
        "the student's CSS was replaced: {types}"
    );

    // A card inserted at the top: one new note; every studied note keeps its question and
    // its scheduling.
    let text = fs::read_to_string(&page).expect("page");
    fs::write(
        &page,
        text.replacen(
            "::: flashcards\n",
            "::: flashcards\n::: card\nWhat is a ReLU?\n::: answer\n$\\max(0, z)$, applied to each entry.\n:::\n:::\n\n",
            1,
        ),
    )
    .expect("insert");
    git(
        &course,
        &["commit", "-q", "-am", "insert"],
        "2026-03-10T12:00:00Z",
    );
    let third = build("site-3");
    let log = anki(&[&"import", &col, &third.join(DECK)]);
    assert_eq!(
        (
            logged(&log, "new").len(),
            logged(&log, "updated"),
            logged(&log, "duplicate").len()
        ),
        (1, vec![], 9),
        "{log}"
    );
    let last = notes(&col);
    assert_eq!(last.len(), 10);
    for (guid, was) in &after {
        assert_eq!(
            last[guid], *was,
            "{guid} changed when a card was inserted above it"
        );
    }
    assert_as_anki_writes_it(&third.join(DECK), &dir.path().join("raw-3"));

    // The TSV, in Anki's text import. After the `.apkg`: its notes have the course's note
    // type, not the one the text import fills, so Anki leaves them alone and adds nothing.
    const TSV: &str = "neural-networks/practice-backprop/flashcards.tsv";
    let log = anki(&[&"import-tsv", &col, &third.join(TSV)]);
    assert_eq!(log["guid_column"], 1, "{log}");
    assert_eq!(
        (
            logged(&log, "new"),
            logged(&log, "updated"),
            log["conflicting"].as_array().unwrap().len()
        ),
        (vec![], vec![], 10),
        "{log}"
    );
    assert_eq!(notes(&col), last);
    // In a collection of its own, through the same three builds: the GUID column makes an
    // edited card an update and an inserted card one new note, the fields those of the
    // `.apkg`.
    let tsv_col = dir.path().join("tsv-student/collection.anki2");
    let log = anki(&[&"import-tsv", &tsv_col, &first.join(TSV)]);
    assert_eq!(logged(&log, "new").len(), 9, "{log}");
    let log = anki(&[&"import-tsv", &tsv_col, &first.join(TSV)]);
    assert_eq!(
        (logged(&log, "new"), logged(&log, "updated")),
        (vec![], vec![]),
        "{log}"
    );
    let log = anki(&[&"import-tsv", &tsv_col, &second.join(TSV)]);
    assert_eq!(
        (logged(&log, "new"), logged(&log, "updated")),
        (vec![], updated.clone()),
        "{log}"
    );
    let log = anki(&[&"import-tsv", &tsv_col, &third.join(TSV)]);
    assert_eq!(
        (logged(&log, "new").len(), logged(&log, "updated")),
        (1, vec![]),
        "{log}"
    );
    let from_tsv = notes(&tsv_col);
    assert_eq!(from_tsv.len(), 10);
    for (guid, note) in &from_tsv {
        assert_eq!(
            note["fields"], last[guid]["fields"],
            "{guid}: the TSV's fields are not the .apkg's"
        );
    }
}

#[test]
#[ignore = "needs Anki's Python library (target/anki-venv or COURSEGEN_ANKI_PYTHON); .ci/run sets it up"]
fn two_courses_with_the_same_page_path_keep_both_notes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let page = |answer: &str| {
        format!("---\ntitle: \"Intro::Basics\"\n---\n\n::: flashcards\n::: card\nWhat is a ReLU?\n::: answer\n{answer}\n:::\n:::\n:::\n")
    };
    let col = dir.path().join("student/collection.anki2");
    let mut decks = Vec::new();
    for (name, yaml, answer) in [
        ("a", "title: Course A\nid: course-a\n", "Answer of A."),
        ("b", "title: Course B\nid: course-b\n", "Answer of B."),
        // Without an id, the title names the course.
        ("c", "title: Course C\n", "Answer of C."),
    ] {
        let course = course_with(
            &dir.path().join(name),
            &[
                ("course.yaml", yaml),
                ("content/01-intro/index.md", &page(answer)),
            ],
        );
        let site = dir.path().join(format!("site-{name}"));
        build_course(&course, Some(&site)).expect("builds");
        let log = anki(&[&"import", &col, &site.join("intro/flashcards.apkg")]);
        assert_eq!(logged(&log, "new").len(), 1, "{name}: {log}");
        decks.push(format!(
            "{}::Intro∷Basics",
            yaml.lines().next().unwrap().trim_start_matches("title: ")
        ));
    }
    let all = notes(&col);
    let answers: Vec<(&str, &str)> = all
        .values()
        .map(|n| {
            (
                n["cards"][0]["deck"].as_str().unwrap(),
                n["fields"][1].as_str().unwrap(),
            )
        })
        .collect();
    let mut expected: Vec<(String, String)> = decks
        .iter()
        .zip(["A", "B", "C"])
        .map(|(d, x)| (d.clone(), format!("<div>Answer of {x}.</div>")))
        .collect();
    expected.sort();
    let mut got: Vec<(String, String)> = answers
        .iter()
        .map(|(d, a)| (d.to_string(), a.to_string()))
        .collect();
    got.sort();
    assert_eq!(
        got, expected,
        "a `::` in a title stays one deck level, and each course keeps its note"
    );
    // Three courses, three note types.
    let types = anki(&[&"notetypes", &col]);
    let ours = types["notetypes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["name"].as_str().unwrap().contains("coursegen card"))
        .count();
    assert_eq!(ours, 3, "{types}");
}

/// A 1×1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x60, 0x60, 0x60, 0xf8,
    0x0f, 0x00, 0x01, 0x04, 0x01, 0x00, 0x5f, 0xe5, 0xc3, 0x4b, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

#[test]
#[ignore = "needs Anki's Python library (target/anki-venv or COURSEGEN_ANKI_PYTHON); .ci/run sets it up"]
fn an_image_in_a_card_arrives_as_media_with_lists_links_and_code() {
    // A second card's question has entities, a no-break space, text not in NFC, raw HTML and
    // a display formula: the sort field and checksum must still be Anki's.
    let dir = tempfile::tempdir().expect("temp dir");
    let course = course_with(
        &dir.path().join("course"),
        &[
            ("course.yaml", "title: Pictures\nid: pictures-1\n"),
            (
                "content/01-intro/index.md",
                "---\ntitle: Intro\n---\n\n::: flashcards\n::: card\nWhat does this plot show?\n\n![a rising line](plot.png)\n::: answer\nThree steps:\n\n1. rise\n2. `run`\n3. see [the docs](https://example.org/docs)\n\n```python\ndef f(x):\n    return x\n```\n:::\n:::\n\n\
                 ::: card\nIs `a < b && \"c\"`&nbsp;true for cafe\u{301} &amp; <i>x</i>?\n\n$$\\frac{a}{b} > 1$$\n::: answer\nYes.\n:::\n:::\n:::\n",
            ),
        ],
    );
    fs::write(course.join("content/01-intro/plot.png"), PNG).expect("image");
    let site = dir.path().join("site");
    build_course(&course, Some(&site)).expect("builds");
    let col = dir.path().join("student/collection.anki2");
    let log = anki(&[&"import", &col, &site.join("intro/flashcards.apkg")]);
    assert_eq!(logged(&log, "new").len(), 2, "{log}");
    let media = anki(&[&"media", &col]);
    assert_eq!(media["missing"], Value::Array(vec![]), "{media}");
    let files = media["files"].as_array().unwrap();
    assert_eq!(files.len(), 1, "{media}");
    let name = files[0].as_str().unwrap();
    assert!(
        name.starts_with("plot-") && name.ends_with(".png"),
        "{name}"
    );
    let all = notes(&col);
    let note = all
        .values()
        .find(|n| n["fields"][0].as_str().unwrap().contains("<img"))
        .expect("the card with the image");
    let (question, answer) = (
        note["fields"][0].as_str().unwrap(),
        note["fields"][1].as_str().unwrap(),
    );
    assert!(
        question.contains(&format!("<img src=\"{name}\" alt=\"a rising line\">")),
        "{question}"
    );
    for form in [
        "<div>1. rise</div>",
        "<div>2. <code>run</code></div>",
        "<a href=\"https://example.org/docs\">the docs</a>",
        "<div><code>def f(x):</code></div>",
        "<div><code>\u{a0}\u{a0}\u{a0}\u{a0}return x</code></div>",
    ] {
        assert!(answer.contains(form), "{form} is not in {answer}");
    }
    assert_as_anki_writes_it(&site.join("intro/flashcards.apkg"), &dir.path().join("raw"));
}

#[test]
#[ignore = "needs Anki's Python library (target/anki-venv or COURSEGEN_ANKI_PYTHON) and git; .ci/run sets both up"]
fn a_card_with_an_id_keeps_its_note_through_a_new_question_and_another_page() {
    let dir = tempfile::tempdir().expect("temp dir");
    let page = |title: &str, cards: &str| {
        format!("---\ntitle: {title}\n---\n\n::: flashcards\n{cards}:::\n")
    };
    let relu = "::: card {#relu}\nWhat is a ReLU?\n::: answer\n$\\max(0, z)$.\n:::\n:::\n";
    let other = "::: card\nWhat is a sigmoid?\n::: answer\n$1 / (1 + e^{-z})$.\n:::\n:::\n";
    let course = course_with(
        &dir.path().join("course"),
        &[
            ("course.yaml", "title: Moves\nid: moves-1\n"),
            ("content/01-one/index.md", &page("One", relu)),
            ("content/02-two/index.md", &page("Two", other)),
        ],
    );
    git(&course, &["init", "-q"], "2026-01-10T12:00:00Z");
    git(&course, &["add", "-A"], "2026-01-10T12:00:00Z");
    git(
        &course,
        &["commit", "-q", "-m", "course"],
        "2026-01-10T12:00:00Z",
    );
    let first = dir.path().join("site-1");
    build_course(&course, Some(&first)).expect("builds");
    let col = dir.path().join("student/collection.anki2");
    let log = anki(&[&"import", &col, &first.join("flashcards.apkg")]);
    assert_eq!(logged(&log, "new").len(), 2, "{log}");
    anki(&[&"study", &col]);
    let before = notes(&col);

    // The card moves to page two with a new question.
    let moved = relu.replace("What is a ReLU?", "Which activation is max(0, z)?");
    fs::write(course.join("content/01-one/index.md"), page("One", "")).expect("write");
    fs::write(
        course.join("content/02-two/index.md"),
        page("Two", &format!("{other}\n{moved}")),
    )
    .expect("write");
    git(
        &course,
        &["commit", "-q", "-am", "move"],
        "2026-02-10T12:00:00Z",
    );
    let second = dir.path().join("site-2");
    build_course(&course, Some(&second)).expect("builds");
    let log = anki(&[&"import", &col, &second.join("flashcards.apkg")]);
    let updated = logged(&log, "updated");
    assert_eq!((logged(&log, "new"), updated.len()), (vec![], 1), "{log}");
    let after = notes(&col);
    assert_eq!(after.len(), 2);
    let note = &after[&updated[0]];
    assert!(
        note["fields"][0]
            .as_str()
            .unwrap()
            .contains("Which activation"),
        "{note}"
    );
    assert_eq!(scheduling(note), scheduling(&before[&updated[0]]));
}
