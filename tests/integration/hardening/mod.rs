//! Issue #14: no input crashes, hangs or fools a build; no build loses data. Each module is
//! one kind of attack, each test asserts the exit code, the located message, and that nothing
//! else happened (no file outside the output, the previous site intact).

mod boundary;
mod fences;
mod kill;
mod limits;
mod output_safety;
mod props;
mod prose;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A course in `dir/course` with one lesson whose pages are `(file name, body)`; each body gets
/// front matter with the file name as its title unless it starts with `---` itself.
pub fn course_with(dir: &Path, pages: &[(&str, &str)]) -> PathBuf {
    let course = dir.join("course");
    let lesson = course.join("content/01-intro");
    fs::create_dir_all(&lesson).expect("create lesson");
    fs::write(course.join("course.yaml"), "title: Fixture\n").expect("write course.yaml");
    for (name, body) in pages {
        let text = if body.starts_with("---") {
            body.to_string()
        } else {
            format!("---\ntitle: {name}\n---\n\n{body}")
        };
        fs::write(lesson.join(name), text).expect("write page");
    }
    course
}

/// Runs the `coursegen` binary with `args`.
pub fn run(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(super::binary())
        .args(args)
        .output()
        .expect("run coursegen")
}

/// `coursegen build COURSE --out OUT --no-pdf`.
pub fn build_cli(course: &Path, out: &Path) -> Output {
    run(&[
        "build".as_ref(),
        course.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--no-pdf".as_ref(),
    ])
}

/// `coursegen check COURSE`.
pub fn check_cli(course: &Path) -> Output {
    run(&["check".as_ref(), course.as_os_str()])
}

/// The standard error of a run, as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Every file under `dir` (following no symlinks) with its bytes, by relative path.
pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).expect("inside").display();
            (rel.to_string(), fs::read(e.path()).expect("read"))
        })
        .collect()
}
