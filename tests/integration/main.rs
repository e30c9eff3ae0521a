//! Integration tests: one binary, one module per feature, fixture courses under
//! `tests/fixtures/<feature>/<case>/` (see `tests/fixtures/README.md`).

mod anki;
mod browser;
mod cache;
mod cache_edits;
mod cards;
mod circuit_deck;
mod constructs;
mod content;
mod coverage;
mod errors;
mod hardening;
mod links;
mod math_deck;
mod output;
mod pdf;
mod practice_sheet;
mod reliability;
mod sample;
mod scaffold;
mod search;
mod serve;
mod sheets;
mod variants;
mod verify_sample;

use std::path::{Path, PathBuf};

use coursegen::build::{build, BuildOptions, BuildReport};
use coursegen::diagnostic::Diagnostics;

/// The repository root, which is itself the sample course.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture course folder.
pub fn fixture(feature: &str, case: &str) -> PathBuf {
    repo().join("tests/fixtures").join(feature).join(case)
}

/// Builds `course` into `out` (or only checks it when `out` is `None`).
pub fn build_course(course: &Path, out: Option<&Path>) -> Result<BuildReport, Diagnostics> {
    build(&BuildOptions {
        root: course.to_path_buf(),
        out: out.map(Path::to_path_buf),
        pdf: true,
        strict: false,
        sheet: None,
        practice_sheets: None,
        cache: false,
    })
}

/// `check --strict` of `course`, as the library runs it (no output folder, no decks).
pub fn check_strict(course: &Path) -> Result<BuildReport, Diagnostics> {
    build(&BuildOptions {
        root: course.to_path_buf(),
        out: None,
        pdf: false,
        strict: true,
        sheet: None,
        practice_sheets: None,
        cache: false,
    })
}

/// Runs a tool we did not write (pdftotext, qpdf, sqlite3, …) and returns its output, failing
/// loudly when it is missing or fails: `.ci/run` installs every one of them.
pub fn tool(name: &str, args: &[&str]) -> String {
    let out = std::process::Command::new(name)
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("`{name}` is needed for this test (.ci/run installs it with apt-get): {e}")
        });
    assert!(
        out.status.success(),
        "{name} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Path of the `coursegen` binary Cargo built for these tests.
pub fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_coursegen"))
}

/// Copies a folder tree (for tests that edit a course).
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from)
        .into_iter()
        .filter_map(Result::ok)
    {
        let rel = entry.path().strip_prefix(from).expect("inside the tree");
        if ["site", "target", ".git", ".coursegen-cache"]
            .iter()
            .any(|skip| rel.starts_with(skip))
        {
            continue;
        }
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).expect("create folder");
        } else {
            std::fs::copy(entry.path(), &dest).expect("copy file");
        }
    }
}

/// The sample course alone (course file, content, templates, assets), copied into `dir`.
pub fn sample_copy(dir: &Path) -> PathBuf {
    let course = dir.join("course");
    for part in ["content", "templates", "assets"] {
        copy_tree(&repo().join(part), &course.join(part));
    }
    std::fs::copy(repo().join("course.yaml"), course.join("course.yaml"))
        .expect("copy course.yaml");
    course
}
