//! Practice sheets (issue #17, item 4): with `practice_sheets: K`, a page with exercise
//! variants gets `practice-sheet.pdf`: K sets of problems, then their worked answers, each
//! set's numbers taken from the build's own variants. Off by default; `--no-pdf` makes none.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use coursegen::build::{build, BuildOptions, BuildReport};
use coursegen::config::PracticeSheets;
use coursegen::load::load_course;
use coursegen::verify::{verify_page, PageVerification};

use super::{binary, sample_copy, tool};

const PAGE: &str = "content/01-neural-networks/practice-backprop.md";
const SHEET: &str = "neural-networks/practice-backprop/practice-sheet.pdf";
const HTML: &str = "neural-networks/practice-backprop/index.html";

/// A copy of the sample course in `dir`, with `extra` appended to its course file.
fn sample_with(dir: &Path, extra: &str) -> PathBuf {
    let course = sample_copy(dir);
    let file = course.join("course.yaml");
    let yaml = fs::read_to_string(&file).expect("course file");
    fs::write(&file, format!("{yaml}{extra}")).expect("course file");
    course
}

/// Builds `course` in memory.
fn build_in_memory(course: &Path, pdf: bool, sets: Option<usize>) -> BuildReport {
    build(&BuildOptions {
        root: course.to_path_buf(),
        out: None,
        pdf,
        strict: false,
        sheet: None,
        practice_sheets: sets.map(|k| PracticeSheets(k.try_into().expect("K ≥ 1"))),
        cache: false,
    })
    .unwrap_or_else(|e| panic!("{}", e.render()))
}

fn file<'a>(report: &'a BuildReport, path: &str) -> Option<&'a [u8]> {
    report
        .files
        .iter()
        .find(|f| f.path == path)
        .map(|f| f.bytes.as_slice())
}

/// The PDF's page labels, in page order (lopdf, not our own writer, reads them).
fn page_labels(pdf: &[u8]) -> Vec<String> {
    let doc = lopdf::Document::load_mem(pdf).expect("a valid PDF");
    let catalog = doc.catalog().expect("a catalog");
    let nums = catalog
        .get(b"PageLabels")
        .and_then(|l| l.as_dict())
        .and_then(|l| l.get(b"Nums"))
        .and_then(|n| n.as_array())
        .expect("page labels");
    let labels: Vec<String> = nums
        .chunks(2)
        .map(|pair| {
            let dict = pair[1].as_dict().expect("a label");
            let prefix = dict.get(b"P").and_then(|p| p.as_str()).expect("a prefix");
            String::from_utf8_lossy(prefix).into_owned()
        })
        .collect();
    assert_eq!(labels.len(), doc.get_pages().len(), "one label per page");
    labels
}

#[test]
fn the_page_links_its_practice_sheet_and_two_builds_are_byte_identical() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = sample_with(dir.path(), "practice_sheets: 3\n");
    let first = build_in_memory(&course, true, None);
    let second = build_in_memory(&course, true, None);
    let pdf = file(&first, SHEET).expect("the practice sheet is written");
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(
        pdf == file(&second, SHEET).expect("written again"),
        "two builds give the same bytes"
    );
    let html = String::from_utf8_lossy(file(&first, HTML).expect("the page"));
    assert!(
        html.contains(
            "<a href=\"practice-sheet.pdf\" download>Practice sheet: 3 number sets with worked answers (PDF)</a>"
        ),
        "the downloads line links the sheet"
    );
    // Problems of sets 1–3, then their answers: each set's section starts with its label.
    let labels = page_labels(pdf);
    let starts: Vec<&str> = labels
        .iter()
        .map(String::as_str)
        .filter(|l| !l.ends_with(')'))
        .collect();
    assert_eq!(
        starts,
        [
            "Set 1 problems",
            "Set 2 problems",
            "Set 3 problems",
            "Set 1 answers",
            "Set 2 answers",
            "Set 3 answers"
        ],
        "{labels:?}"
    );
    // The lesson page has no exercise with variants: no sheet.
    assert!(file(&first, "neural-networks/practice-sheet.pdf").is_none());
}

#[test]
fn practice_sheets_are_off_by_default_and_no_pdf_makes_none() {
    let dir = tempfile::tempdir().expect("temp dir");
    let plain = sample_with(dir.path(), "");
    let with = sample_with(&dir.path().join("with"), "practice_sheets: 3\n");
    for (course, pdf) in [(&plain, true), (&with, false)] {
        let report = build_in_memory(course, pdf, None);
        assert!(file(&report, SHEET).is_none(), "no sheet (pdf: {pdf})");
        let html = String::from_utf8_lossy(file(&report, HTML).expect("the page"));
        assert!(!html.contains("practice-sheet.pdf"), "no link (pdf: {pdf})");
    }
}

#[test]
fn the_command_line_overrides_course_yaml_and_more_sets_than_an_exercise_has_are_clamped() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = sample_with(dir.path(), "practice_sheets: 2\n");
    let site = dir.path().join("site");
    let out = Command::new(binary())
        .args(["build", "--practice-sheets", "9", "--out"])
        .arg(&site)
        .arg(&course)
        .output()
        .expect("run coursegen");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Parts A and B have 5 sets each: 9 asked for, 5 printed.
    let pdf = fs::read(site.join(SHEET)).expect("the sheet");
    let labels = page_labels(&pdf);
    assert!(labels.contains(&"Set 5 answers".to_string()), "{labels:?}");
    assert!(!labels.iter().any(|l| l.starts_with("Set 6")), "{labels:?}");
    let html = fs::read_to_string(site.join(HTML)).expect("the page");
    assert!(
        html.contains("Practice sheet: 5 number sets"),
        "the link says 5"
    );
    // K = 0 is a usage error.
    let zero = Command::new(binary())
        .args(["build", "--practice-sheets", "0"])
        .arg(&course)
        .output()
        .expect("run coursegen");
    assert_eq!(zero.status.code(), Some(2));
}

/// Each set's values of `names` in Part B, from the page's own verification (set 1) and each
/// variant's (sets 2 …), evaluated as `{eval}` would on the page; and the variant's own
/// description of its numbers.
type SetValues = Vec<(Vec<String>, Option<String>)>;

fn part_b_values(course: &Path, names: &[&str]) -> SetValues {
    let (loaded, diagnostics) = load_course(course);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let page = loaded
        .pages()
        .find(|p| p.file.path == PAGE)
        .expect("the practice page");
    let verification = verify_page(page).expect("the page verifies");
    let part_b = page
        .doc
        .exercises()
        .into_iter()
        .find(|(_, e)| e.title.raw.starts_with("Part B"))
        .map(|(b, _)| b.id)
        .expect("Part B");
    let variants = verification
        .variants
        .get(&part_b)
        .expect("Part B has variants");
    let values = |v: &PageVerification| -> Vec<String> {
        names
            .iter()
            .map(|name| {
                v.eval(name, Some(part_b))
                    .unwrap_or_else(|e| panic!("{name}: {}", e.message))
                    .to_string()
            })
            .collect()
    };
    let mut sets = vec![(values(&verification), None)];
    for v in variants {
        sets.push((values(&v.verification), Some(v.givens.clone())));
    }
    sets
}

/// pdftotext's text of page `page` (1-based), with minus signs and subscript zeros as typed.
fn page_text(pdf: &str, page: usize) -> String {
    let n = page.to_string();
    tool("pdftotext", &["-layout", "-f", &n, "-l", &n, pdf, "-"])
        .replace('−', "-")
        .replace('₀', "0")
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect()
}

#[test]
#[ignore = "needs poppler-utils; .ci/run installs it and runs ignored tests"]
fn each_sets_numbers_are_on_its_problem_page_and_its_answers_on_its_answer_pages() {
    let dir = tempfile::tempdir().expect("temp dir");
    let course = sample_with(dir.path(), "practice_sheets: 3\n");
    let site = dir.path().join("site");
    super::build_course(&course, Some(&site)).unwrap_or_else(|e| panic!("{}", e.render()));
    let pdf = site.join(SHEET);
    let pdf = pdf.to_str().expect("utf-8 path");
    let labels = page_labels(&fs::read(pdf).expect("the sheet"));
    let pages: Vec<String> = (1..=labels.len()).map(|i| page_text(pdf, i)).collect();
    // Sets 1–3 (the author's numbers, then the first two drawn), as the build computed them.
    let givens = part_b_values(&course, &["x₀", "y₀", "z₀"]);
    // The variant's own description of its givens says the same.
    for (values, described) in &givens[1..] {
        let expected: Vec<String> = ["x₀", "y₀", "z₀"]
            .iter()
            .zip(values)
            .map(|(n, x)| format!("{n} = {x}"))
            .collect();
        assert_eq!(described.as_deref(), Some(expected.join(", ").as_str()));
    }
    let answers = part_b_values(&course, &["q", "f₀", "df/dx"]);
    for k in 1..=3 {
        let problems: Vec<usize> = (0..pages.len())
            .filter(|&i| pages[i].contains(&format!("Practice set {k}")))
            .collect();
        let solved: Vec<usize> = (0..pages.len())
            .filter(|&i| pages[i].contains(&format!("Answers to practice set {k}")))
            .collect();
        assert!(!problems.is_empty() && !solved.is_empty(), "set {k}");
        // Every problem page comes before every answer page.
        let first_answer = (0..pages.len())
            .find(|&i| pages[i].contains("Answers to practice set"))
            .expect("answers");
        assert!(problems.iter().all(|&i| i < first_answer), "set {k}");
        let problem_text: String = problems.iter().map(|&i| pages[i].as_str()).collect();
        let answer_text: String = solved.iter().map(|&i| pages[i].as_str()).collect();
        for title in [
            "Part A: linears collapse",
            "Part B: a fresh chain-rule circuit",
        ] {
            assert!(problem_text.contains(title), "set {k}: {title}");
            assert!(answer_text.contains(title), "set {k} answers: {title}");
        }
        assert!(
            answer_text.contains(&format!("a fresh chain-rule circuit — set {k}")),
            "set {k}: its answers are titled with the set"
        );
        // Part B's given values, as stated in the problem.
        for (name, value) in ["x0", "y0", "z0"].iter().zip(&givens[k - 1].0) {
            assert!(
                squash(&problem_text).contains(&format!("{name}={value}")),
                "set {k}: {name} = {value} on its problem page\n{problem_text}"
            );
        }
        // The worked answer's stated numbers: each step's line ends with this set's value.
        let [q, f, dfdx] = &answers[k - 1].0[..] else {
            unreachable!()
        };
        let ends = |start: &str, value: &str| {
            answer_text.lines().any(|l| {
                let l = squash(l);
                l.starts_with(start) && l.ends_with(&format!("={value}"))
            })
        };
        assert!(ends("q=x0+y0=", q), "set {k}: q = {q}\n{answer_text}");
        assert!(ends("f0=q×z0=", f), "set {k}: f₀ = {f}\n{answer_text}");
        assert!(
            squash(&answer_text).contains(&format!("matchingdf/dx={dfdx}.")),
            "set {k}: {{eval}} prints df/dx = {dfdx}\n{answer_text}"
        );
        assert!(!answer_text.contains("{eval}"), "roles are evaluated");
    }
    // A problem page never gives an answer away.
    for k in 1..=3 {
        let problem_text: String = pages
            .iter()
            .filter(|p| p.contains(&format!("Practice set {k}")))
            .map(String::as_str)
            .collect();
        assert!(!squash(&problem_text).contains("f0=q×z0="), "set {k}");
    }
}
