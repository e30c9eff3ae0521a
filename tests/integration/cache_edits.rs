//! The build cache against a random course history (issue #24): a seeded sequence of the edits
//! authors make — prose, headings, links between pages, titles, order, cards, pages added,
//! moved and deleted, templates, the course file, assets, images, a wrong number and its fix,
//! commits — and of damage to the cache and the output folder, each followed by a build that
//! uses the cache and a cold `--no-cache` one under the same flags. They must agree on the exit
//! code, on every word of the report and on every byte of the site; a build that fails must
//! leave the previous site as it was. `serve`'s rebuilds, handed each save's files as its
//! watcher hands them, go through the same kind of history against a full build.
//!
//! `COURSEGEN_EDITS_SEED` and `COURSEGEN_EDITS_STEPS` run another history or a longer one.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

use coursegen::doc::ids::slugify;

use super::serve::served_files;
use super::{binary, copy_tree, sample_copy};

/// Words for prose, headings and titles: smart quotes and accents among them.
const WORDS: [&str; 8] = [
    "gradient",
    "descent",
    "“smart” quotes",
    "loss",
    "matrix",
    "café",
    "tensor",
    "epoch",
];

/// The flags a step's two builds share.
const FLAGS: [&[&str]; 7] = [
    &[],
    &[],
    &[],
    &["--no-pdf"],
    &["--sheet", "a4"],
    &["--practice-sheets", "2"],
    &["--strict"],
];

/// How many kinds of edit [`History::step`] makes: the last two are a commit and damage to
/// the cache or the output folder.
const KINDS: usize = 28;

/// What one build said and wrote.
#[derive(PartialEq)]
struct Outcome {
    success: bool,
    report: String,
}

/// A course and the seeded randomness that edits it.
struct History {
    rng: ChaCha8Rng,
    work: PathBuf,
    course: PathBuf,
    /// The files the edits since it was last emptied wrote, made, moved or removed.
    touched: Vec<PathBuf>,
}

impl History {
    /// A history seeded with `seed`, starting from the test course written under `work`.
    fn new(work: &Path, seed: u64) -> Self {
        History {
            rng: ChaCha8Rng::seed_from_u64(seed),
            course: course(work),
            work: work.to_path_buf(),
            touched: Vec::new(),
        }
    }

    /// A number below `n`.
    fn below(&mut self, n: usize) -> usize {
        (self.rng.next_u64() % n as u64) as usize
    }

    /// True `percent` times in a hundred.
    fn chance(&mut self, percent: u64) -> bool {
        self.rng.next_u64() % 100 < percent
    }

    /// One of [`WORDS`].
    fn word(&mut self) -> &'static str {
        WORDS[self.below(WORDS.len())]
    }

    /// One of `items`.
    fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())].clone()
    }

    /// The lesson folders, by name.
    fn lessons(&self) -> Vec<String> {
        let mut lessons: Vec<String> = std::fs::read_dir(self.course.join("content"))
            .expect("content")
            .map(|e| e.expect("entry"))
            .filter(|e| e.path().is_dir())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        lessons.sort();
        lessons
    }

    /// Every page, as `lesson/file.md`.
    fn pages(&self) -> Vec<String> {
        let mut pages = Vec::new();
        for lesson in self.lessons() {
            for entry in std::fs::read_dir(self.course.join("content").join(&lesson)).unwrap() {
                let name = entry.unwrap().file_name().to_string_lossy().into_owned();
                if name.ends_with(".md") {
                    pages.push(format!("{lesson}/{name}"));
                }
            }
        }
        pages.sort();
        pages
    }

    /// A page's file.
    fn path(&self, page: &str) -> PathBuf {
        self.course.join("content").join(page)
    }

    /// Rewrites `file` through `f`, noting it as touched.
    fn edit(&mut self, file: &Path, f: impl FnOnce(String) -> String) {
        self.touched.push(file.to_path_buf());
        let text = std::fs::read_to_string(file).expect("read");
        std::fs::write(file, f(text)).expect("write");
    }

    /// One edit of kind `kind` (of [`KINDS`]); returns what it did.
    fn step(&mut self, kind: usize) -> String {
        let pages = self.pages();
        let page = self.pick(&pages);
        let file = self.path(&page);
        let word = self.word();
        let n = self.below(1000);
        match kind {
            0..=3 => self.edit(&file, |t| format!("{t}\n\nA note on {word} {n}.\n")),
            4..=5 => self.edit(&file, |t| match t.find("\n## ") {
                Some(at) => {
                    let end = at + 1 + t[at + 1..].find('\n').unwrap_or(t.len() - at - 1);
                    format!("{} {word}{}", &t[..end], &t[end..])
                }
                None => format!("{t}\n\n## Section {n}\n\nText.\n"),
            }),
            6..=8 => {
                let target = self.pick(&pages);
                let fragment = match self.below(4) {
                    0 => String::new(),
                    1 => "#no-such-heading".to_string(),
                    _ => {
                        let text = std::fs::read_to_string(self.path(&target)).unwrap();
                        let headings: Vec<String> = text
                            .lines()
                            .filter_map(|l| l.strip_prefix("## "))
                            .map(slugify)
                            .collect();
                        if headings.is_empty() {
                            String::new()
                        } else {
                            format!("#{}", self.pick(&headings))
                        }
                    }
                };
                let (from, to) = (page.split('/').next(), target.split('/').next());
                let rel = if from == to {
                    target.split('/').nth(1).unwrap().to_string()
                } else {
                    format!("../{target}")
                };
                self.edit(&file, |t| format!("{t}\n\nSee [there]({rel}{fragment}).\n"));
            }
            9..=10 => self.edit(&file, |t| {
                front_matter_line(&t, "title:", &format!("title: \"Page {word} {n}\""))
            }),
            11 => self.edit(&file, |t| {
                front_matter_line(&t, "weight:", &format!("weight: {}", n % 6))
            }),
            12 => self.edit(&file, |t| {
                front_matter_line(&t, "variants:", &format!("variants: {}", 1 + n % 4))
            }),
            13..=14 => self.edit(&file, |t| match t.find("::: card\n") {
                Some(at) if !n.is_multiple_of(3) => {
                    let at = at + "::: card\n".len();
                    format!("{}Also {word}? {}", &t[..at], &t[at..])
                }
                _ => format!(
                    "{t}\n\n::: flashcards\n::: card\nWhat is {word}?\n::: answer\nIt is $x_{}$.\n:::\n:::\n:::\n",
                    n % 10
                ),
            }),
            15 => {
                let lesson = self.pick(&self.lessons());
                let new = self.path(&format!("{lesson}/extra-{n}.md"));
                self.touched.push(new.clone());
                std::fs::write(
                    new,
                    format!(
                        "---\ntitle: \"Extra {n}\"\n---\n\n## Section {n}\n\nWords about {word}.\n\n```verify show\nlet x = {n}\nx + 1 = {}\n```\n",
                        n + 1
                    ),
                )
                .unwrap();
                return format!("added a page to {lesson}");
            }
            16 => {
                let movable: Vec<String> = pages
                    .into_iter()
                    .filter(|p| !p.ends_with("/index.md"))
                    .collect();
                if movable.len() < 2 {
                    return "nothing to move".to_string();
                }
                let page = self.pick(&movable);
                self.touched.push(self.path(&page));
                if self.chance(50) {
                    std::fs::remove_file(self.path(&page)).unwrap();
                    return format!("deleted {page}");
                }
                let lesson = self.pick(&self.lessons());
                let to = format!("{lesson}/moved-{n}.md");
                self.touched.push(self.path(&to));
                if !self.path(&to).exists() {
                    std::fs::rename(self.path(&page), self.path(&to)).unwrap();
                }
                return format!("moved {page} to {to}");
            }
            17 => {
                let template = self.pick(&[
                    "templates/base.html",
                    "templates/page.html",
                    "templates/partials/pager.html",
                ]);
                self.edit(&self.course.join(template), |t| {
                    t.replacen("</", &format!("<!-- {n} --></"), 1)
                });
                return format!("edited {template}");
            }
            18 => {
                let line = self.pick(&[
                    format!("title: \"Course {n}\""),
                    format!("description: \"About {word}.\""),
                    "  page_size: index-card".to_string(),
                    "  page_size: a6-landscape".to_string(),
                    format!("  duplex: {}", n.is_multiple_of(2)),
                    format!("  course_deck_limit: {}", [3, 12, 2000][n % 3]),
                    format!("practice_sheets: {}", 1 + n % 3),
                    "base_url: https://example.com/course/".to_string(),
                    "base_url: /".to_string(),
                    "  require: checks".to_string(),
                    "  require: all".to_string(),
                ]);
                let key = line.split(':').next().unwrap().to_string();
                self.edit(&self.course.join("course.yaml"), |t| {
                    if !t.lines().any(|l| l.starts_with(&key)) {
                        // A key the file does not have yet goes under its section.
                        let section = if key.starts_with("  require") {
                            "verify:"
                        } else {
                            "flashcards:"
                        };
                        return if key.starts_with(' ') {
                            t.replacen(section, &format!("{section}\n{line}"), 1)
                        } else {
                            format!("{t}{line}\n")
                        };
                    }
                    t.lines()
                        .map(|l| if l.starts_with(&key) { line.as_str() } else { l })
                        .collect::<Vec<_>>()
                        .join("\n")
                        + "\n"
                });
                return format!("course.yaml: {line}");
            }
            19 => {
                self.edit(&self.course.join("assets/style.css"), |t| {
                    format!("{t}\n/* {n} */\n")
                });
                return "edited an asset".to_string();
            }
            20 => {
                let image = self.course.join("content/02-training/figures/box.svg");
                self.touched.push(image.clone());
                if n.is_multiple_of(5) {
                    let _ = std::fs::remove_file(&image);
                    return "removed an image".to_string();
                }
                std::fs::write(
                    &image,
                    format!(
                        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="12"/>"#,
                        5 + n % 40
                    ),
                )
                .unwrap();
                return "changed an image".to_string();
            }
            21 => self.edit(&file, |t| {
                if t.contains("a * b = 6") {
                    t.replace("a * b = 6", "a * b = 7")
                } else {
                    t.replace("a * b = 7", "a * b = 6")
                }
            }),
            22 => {
                // Saved unchanged (a newer time, the same bytes), or nothing done at all.
                if n.is_multiple_of(2) {
                    self.edit(&file, |t| t);
                    return format!("saved {page} unchanged");
                }
                return "nothing changed".to_string();
            }
            23 => self.edit(&file, |t| {
                // A card id, which ids of the same name on later pages then defer to.
                let id = format!("::: card {{#k{}}}\n", n % 3);
                match t.find("::: card {#") {
                    Some(at) if n.is_multiple_of(2) => {
                        let end = at + t[at..].find('\n').unwrap_or(0) + 1;
                        format!("{}{id}{}", &t[..at], &t[end..])
                    }
                    _ => t.replacen("::: card\n", &id, 1),
                }
            }),
            24 => self.edit(&file, |t| {
                // An exercise whose numbers vary: its sets are drawn from the page's path.
                let k = 1 + n % 9;
                format!(
                    "{t}\n\n::: exercise Extra {n}\n```verify show\nlet x₀ = {k}\nvary x₀ from 1 to 9\n```\n\n::: solution\n```verify show\nx₀ + 1 = {}\n```\n:::\n:::\n",
                    k + 1
                )
            }),
            25 => self.edit(&file, |t| {
                format!("{t}\n\n::: question\nWhy {word}?\n::: answer\nBecause of $x_{}$.\n:::\n:::\n", n % 10)
            }),
            26 => {
                git(&self.course, &["add", "-A"]);
                git(
                    &self.course,
                    &[
                        "-c",
                        "user.name=Author",
                        "-c",
                        "user.email=author@example.com",
                        "commit",
                        "--allow-empty",
                        "-qm",
                        "step",
                    ],
                );
                return "committed".to_string();
            }
            _ => return self.damage(n),
        }
        format!("edit {page}")
    }

    /// Step `step` of a history made of the first `kinds` kinds of edit: each kind alone
    /// first, so that an edit which should rebuild some pages is not hidden by one that
    /// rebuilds them all; then random ones, mostly one at a time.
    fn edits(&mut self, step: u64, kinds: usize) -> Vec<String> {
        if step < kinds as u64 {
            return vec![self.step(step as usize)];
        }
        let edits = [1, 1, 1, 1, 1, 1, 2, 2, 2, 3][self.below(10)];
        (0..edits)
            .map(|_| {
                let kind = self.below(kinds);
                self.step(kind)
            })
            .collect()
    }

    /// Damage to the output folder or the cache, which the next build must see through.
    fn damage(&mut self, n: usize) -> String {
        let (what, folder) = if n.is_multiple_of(2) {
            ("site", self.work.join("site"))
        } else {
            ("cache", self.course.join(".coursegen-cache"))
        };
        // Not the site's marker: without it the folder is no longer the build's to replace,
        // and the build refuses it by design (`tests/integration/hardening/output_safety.rs`).
        let files: Vec<PathBuf> = files(&folder)
            .into_keys()
            .filter(|f| f.as_os_str() != ".coursegen-site")
            .collect();
        if files.is_empty() {
            return format!("no {what} to damage");
        }
        let file = self.pick(&files);
        let path = folder.join(&file);
        let mut bytes = std::fs::read(&path).unwrap();
        match n % 3 {
            0 if what == "site" => std::fs::remove_file(&path).unwrap(),
            0 | 1 if !bytes.is_empty() => {
                let at = n % bytes.len();
                bytes[at] ^= 1 << (n % 8);
                std::fs::write(&path, bytes).unwrap();
            }
            _ => {
                bytes.truncate(bytes.len() / 2);
                std::fs::write(&path, bytes).unwrap();
            }
        }
        format!("damaged {what} file {}", file.display())
    }
}

/// The page with its front matter's `key` line set to `line`.
fn front_matter_line(text: &str, key: &str, line: &str) -> String {
    let body_at = text[4..].find("\n---\n").map_or(0, |at| at + 4);
    let (front, body) = text.split_at(body_at);
    let mut lines: Vec<&str> = front.lines().filter(|l| !l.starts_with(key)).collect();
    lines.insert(1, line);
    format!("{}{body}", lines.join("\n"))
}

/// Runs git in `dir`, failing loudly without it.
fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .expect("git is needed for this test (.ci/run installs it)");
    assert!(status.status.success(), "git {args:?}: {status:?}");
}

/// Every file under `dir` with its bytes (none when it does not exist).
fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().to_path_buf();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

/// The paths whose bytes differ between two sites (or that one of them lacks).
fn differing<'a, K: Ord>(
    ours: &'a BTreeMap<K, Vec<u8>>,
    theirs: &'a BTreeMap<K, Vec<u8>>,
) -> std::collections::BTreeSet<&'a K> {
    ours.keys()
        .chain(theirs.keys())
        .filter(|p| ours.get(*p) != theirs.get(*p))
        .collect()
}

/// `coursegen build` of `course` into `out`; its report with the time and the folder taken out.
fn build(course: &Path, out: &Path, flags: &[&str], cache: bool) -> Outcome {
    let mut command = Command::new(binary());
    command
        .arg("build")
        .arg(course)
        .arg("--out")
        .arg(out)
        .args(flags);
    if !cache {
        command.arg("--no-cache");
    }
    let output = command.output().expect("run coursegen");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
    .replace(&out.display().to_string(), "OUT")
    .lines()
    .map(|l| match (l.find(" in "), l.find(" into OUT")) {
        (Some(from), Some(to)) if l.starts_with("built ") && from < to => {
            format!("{}{}", &l[..from], &l[to..])
        }
        _ => l.to_string(),
    })
    .collect::<Vec<_>>()
    .join("\n");
    Outcome {
        success: output.status.success(),
        report,
    }
}

/// The sample course with a second lesson whose pages link to each other and to the sample,
/// carry cards, a figure and a verified block.
fn course(work: &Path) -> PathBuf {
    let course = sample_copy(work);
    let lesson = course.join("content/02-training");
    std::fs::create_dir_all(lesson.join("figures")).unwrap();
    std::fs::write(
        lesson.join("figures/box.svg"),
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="12"/>"#,
    )
    .unwrap();
    std::fs::write(
        lesson.join("index.md"),
        "---\ntitle: Training\n---\n\n## Gradient descent\n\nStep against the gradient; see [the warm-up](practice-one.md#warm-up).\n\n## Learning rate\n\nToo big diverges.\n",
    )
    .unwrap();
    std::fs::write(
        lesson.join("practice-one.md"),
        "---\ntitle: Practice one\nweight: 2\n---\n\n## Warm-up\n\n```verify show\nlet a = 2\nlet b = 3\na * b = 6\n```\n\n![A box](figures/box.svg \"Figure 1. A box.\")\n\nBack to [the learning rate](index.md#learning-rate) and [backpropagation](../01-neural-networks/practice-backprop.md).\n\n::: flashcards\n::: card\nWhat is a learning rate?\n::: answer\nThe step size, $\\eta$.\n:::\n:::\n::: card\nThe gradient of $x^2$?\n::: answer\n$2x$\n:::\n:::\n:::\n",
    )
    .unwrap();
    std::fs::write(course.join(".gitignore"), ".coursegen-cache/\n").unwrap();
    git(&course, &["init", "-q"]);
    course
}

/// The parts of a course an edit touches, copied so that a broken course can be put back.
fn snapshot(course: &Path, to: &Path) {
    let _ = std::fs::remove_dir_all(to);
    for part in ["content", "templates", "assets"] {
        copy_tree(&course.join(part), &to.join(part));
    }
    std::fs::copy(course.join("course.yaml"), to.join("course.yaml")).unwrap();
}

/// Puts back what [`snapshot`] copied.
fn restore(course: &Path, from: &Path) {
    for part in ["content", "templates", "assets"] {
        std::fs::remove_dir_all(course.join(part)).unwrap();
        copy_tree(&from.join(part), &course.join(part));
    }
    std::fs::copy(from.join("course.yaml"), course.join("course.yaml")).unwrap();
}

/// The number in the environment variable `name`, or `default`.
fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn a_cached_build_matches_a_cold_one_through_a_random_history_of_edits() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().to_path_buf();
    let seed = env_number("COURSEGEN_EDITS_SEED", 24);
    let steps = env_number("COURSEGEN_EDITS_STEPS", 2 * KINDS as u64);
    let mut history = History::new(&work, seed);
    let (site, cold, good) = (work.join("site"), work.join("cold"), work.join("good"));
    snapshot(&history.course, &good);
    let (mut built, mut failed) = (0, 0);
    let mut done: Vec<String> = Vec::new();
    let mut flags: &[&str] = &[];
    for step in 0..steps {
        let did = history.edits(step, KINDS);
        // Mostly under the flags of the step before, so that an edit which should rebuild some
        // pages is seldom hidden by new flags, which rebuild them all.
        if step >= KINDS as u64 && history.chance(25) {
            flags = history.pick(&FLAGS);
        }
        done.push(format!("{step}: {} {flags:?}", did.join("; ")));
        let context = || format!("seed {seed}, history:\n{}", done.join("\n"));
        let before = files(&site);
        let warm = build(&history.course, &site, flags, true);
        let _ = std::fs::remove_dir_all(&cold);
        let fresh = build(&history.course, &cold, flags, false);
        assert_eq!(
            warm.success,
            fresh.success,
            "the cached build {} where a cold one {}\n{}",
            if warm.success { "succeeded" } else { "failed" },
            if fresh.success { "succeeded" } else { "failed" },
            context()
        );
        assert_eq!(warm.report, fresh.report, "reports differ\n{}", context());
        if warm.success {
            built += 1;
            let (ours, theirs) = (files(&site), files(&cold));
            let differ = differing(&ours, &theirs);
            assert!(
                differ.is_empty(),
                "files differ from a cold build's: {differ:?}\n{}",
                context()
            );
            snapshot(&history.course, &good);
        } else {
            failed += 1;
            assert!(
                files(&site) == before,
                "a failed build changed the site\n{}",
                context()
            );
            // Mostly back to the last course that built, so the history goes on building.
            if history.chance(85) {
                restore(&history.course, &good);
            }
        }
    }
    eprintln!(
        "seed {seed}: {built} built, {failed} failed\n{}",
        done.join("\n")
    );
    both_sides(built, failed, steps);
}

/// `serve`'s rebuilds through the same kind of history (the commits and the damage left out:
/// `serve` watches the course's files): after each save, handed the files it touched as the
/// watcher hands them, the server holds what a full build of the course as it now is holds,
/// or fails where that build fails.
#[test]
fn serve_matches_a_full_build_through_a_random_history_of_edits() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().to_path_buf();
    let seed = env_number("COURSEGEN_EDITS_SEED", 24);
    let kinds = KINDS - 2;
    let steps = env_number("COURSEGEN_EDITS_STEPS", 2 * kinds as u64);
    let mut history = History::new(&work, seed);
    let good = work.join("good");
    snapshot(&history.course, &good);
    let site = coursegen::serve::Site::default();
    site.rebuild(&history.course).expect("the first build");
    let (mut built, mut failed) = (0, 0);
    let mut done: Vec<String> = Vec::new();
    for step in 0..steps {
        history.touched.clear();
        let did = history.edits(step, kinds);
        done.push(format!("{step}: {}", did.join("; ")));
        let context = || format!("seed {seed}, history:\n{}", done.join("\n"));
        let mut changed = history.touched.clone();
        changed.sort();
        changed.dedup();
        let saved = site.update(&history.course, &changed);
        let fresh = coursegen::serve::Site::default();
        let full = fresh.rebuild(&history.course);
        assert_eq!(
            saved.is_ok(),
            full.is_ok(),
            "serve says {saved:?} where a full build says {full:?}\n{}",
            context()
        );
        if let (Err(ours), Err(theirs)) = (&saved, &full) {
            assert_eq!(ours, theirs, "serve's errors differ\n{}", context());
        }
        if saved.is_ok() {
            built += 1;
            let (ours, theirs) = (served_files(&site), served_files(&fresh));
            let differ = differing(&ours, &theirs);
            assert!(
                differ.is_empty(),
                "served files differ from a full build's: {differ:?}\n{}",
                context()
            );
            snapshot(&history.course, &good);
        } else {
            failed += 1;
            if history.chance(85) {
                restore(&history.course, &good);
                // The watcher reports every file put back: more than one, a full rebuild.
                site.rebuild(&history.course)
                    .expect("the course that built last");
                done.push("put back the course that built last".to_string());
            }
        }
    }
    eprintln!(
        "seed {seed}: {built} built, {failed} failed\n{}",
        done.join("\n")
    );
    both_sides(built, failed, steps);
}

/// The history must exercise both sides, or it tested little: a third of its steps built, and
/// at least one failed.
fn both_sides(built: u64, failed: u64, steps: u64) {
    assert!(
        built >= steps / 3 && failed >= 1,
        "{built} builds succeeded and {failed} failed"
    );
}
