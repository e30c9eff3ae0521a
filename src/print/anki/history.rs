//! When each card last changed: a note's modification time. Anki's import updates a note only
//! when the package's note is newer than the student's ("update notes: if newer", its default),
//! so an edited card must come with a later time than the build before, and an unchanged card
//! with the same time. No function of the card's text alone can do both (an edit and its
//! revert would each have to be the newer), so the time comes from the course's history:
//!
//! - In a git work tree, `git blame` of the page: a card's time is the latest commit time of its
//!   lines (whitespace-only changes and lines moved within the page do not count). A card that
//!   shows a computed value (`{eval}`, `{verify}`, a verify block or circuit) takes the latest
//!   time of its whole page, since the value may come from anywhere on it. Lines not yet
//!   committed count as one second after the last commit (`HEAD`), so a preview build of an
//!   uncommitted edit updates the note once.
//! - Outside git, a time made from the card's fields alone: 2024-01-01 plus up to 194 days.
//!   Identical cards keep their time, so an identical re-import changes nothing; an edited card
//!   is as likely older as newer, so Anki's "update notes: always" is needed to take edits
//!   (docs/authoring.md says so).
//!
//! No file time and no clock: a fresh clone with the same history, or a copy outside git, builds
//! the same bytes as the build before.

use std::collections::HashMap;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock};

use crate::model::Page;

/// 2024-01-01, where times made from a card's text start.
const TEXT_TIME_START: i64 = 1_704_067_200;
/// Their span: 2^24 seconds, about 194 days.
const TEXT_TIME_SPAN: u64 = 1 << 24;

/// What a card's time is read from.
pub struct CardLines {
    /// Its lines in the page file, 1-based.
    pub lines: RangeInclusive<usize>,
    /// Whether it shows a value computed elsewhere on the page.
    pub computed: bool,
    /// Its fields as the package writes them (for a course outside git).
    pub fields: String,
}

/// A time made from a card's fields alone.
pub fn text_time(fields: &str) -> i64 {
    TEXT_TIME_START + (super::identity::hash(&["mtime", fields]) % TEXT_TIME_SPAN) as i64
}

/// The time of each card of `page`, in seconds since 1970.
pub fn card_times(page: &Page, cards: &[CardLines]) -> Vec<i64> {
    let Some(lines) = page_history(page) else {
        return cards.iter().map(|c| text_time(&c.fields)).collect();
    };
    let page_time = lines.iter().copied().max().unwrap_or(0);
    cards
        .iter()
        .map(|card| {
            if card.computed {
                return page_time;
            }
            let (start, end) = (*card.lines.start(), *card.lines.end());
            lines
                .get(start.saturating_sub(1)..end.min(lines.len()))
                .and_then(|l| l.iter().copied().max())
                .unwrap_or(page_time)
        })
        .collect()
}

/// The time of each line of the page file (index 0 is line 1), or `None` outside git.
fn page_history(page: &Page) -> Option<Arc<Vec<i64>>> {
    type Cache = Mutex<HashMap<PathBuf, (u64, Arc<Vec<i64>>)>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let path = std::fs::canonicalize(&page.file.disk_path).ok()?;
    let dir = path.parent()?;
    work_tree(dir)?;
    // The page deck and the course deck both ask; `serve` asks again only after an edit.
    let text_hash = crate::fingerprint::fnv1a(page.file.text.bytes(), 0);
    let cache = CACHE.get_or_init(Default::default);
    if let Some((hash, lines)) = cache.lock().unwrap_or_else(|p| p.into_inner()).get(&path) {
        if *hash == text_hash {
            return Some(Arc::clone(lines));
        }
    }
    let lines = Arc::new(blame(dir, &path)?);
    let mut cache = cache.lock().unwrap_or_else(|p| p.into_inner());
    if cache.len() > 50_000 {
        cache.clear();
    }
    cache.insert(path, (text_hash, Arc::clone(&lines)));
    Some(lines)
}

/// The commit checked out in the git work tree holding `root`, or `None` outside git (or before
/// the first commit): the history every card's time is read from, so part of the build
/// cache's key.
pub fn head_commit(root: &Path) -> Option<String> {
    let root = std::fs::canonicalize(root).ok()?;
    work_tree(&root)?;
    let out = Command::new("git")
        .arg("-C")
        .arg(&root)
        .args(["rev-parse", "HEAD"])
        .env("GIT_OPTIONAL_LOCKS", "0")
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The top of the git work tree holding `dir`, found without running git (a course outside git,
/// like a generated 10,000-page one, runs no process at all).
fn work_tree(dir: &Path) -> Option<PathBuf> {
    type Cache = Mutex<HashMap<PathBuf, Option<PathBuf>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(hit) = cache.lock().unwrap_or_else(|p| p.into_inner()).get(dir) {
        return hit.clone();
    }
    let found = dir
        .ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf);
    cache
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(dir.to_path_buf(), found.clone());
    found
}

/// The commit time of every line of `file` (`git blame`), lines not committed yet one second
/// after `HEAD`. `None` when git cannot say (no git, no commit yet).
fn blame(dir: &Path, file: &Path) -> Option<Vec<i64>> {
    let git = |args: &[&std::ffi::OsStr]| -> Option<String> {
        let out = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .env("GIT_OPTIONAL_LOCKS", "0")
            .stdin(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let head = || -> Option<i64> {
        git(&["log".as_ref(), "-1".as_ref(), "--format=%ct".as_ref()])?
            .trim()
            .parse()
            .ok()
    };
    let blamed = git(&[
        "blame".as_ref(),
        "--porcelain".as_ref(),
        "-w".as_ref(),
        "-M".as_ref(),
        "--".as_ref(),
        file.as_os_str(),
    ]);
    let Some(porcelain) = blamed else {
        // Not tracked yet: every line is uncommitted.
        let head = head()?;
        let count = std::fs::read_to_string(file).ok()?.lines().count();
        return Some(vec![head + 1; count]);
    };
    let lines = parse_porcelain(&porcelain);
    if lines.iter().any(Option::is_none) {
        let head = head()?;
        return Some(lines.into_iter().map(|t| t.unwrap_or(head + 1)).collect());
    }
    Some(lines.into_iter().map(|t| t.unwrap_or(0)).collect())
}

/// The committer time of each line of `git blame --porcelain`'s output, `None` for a line not
/// committed yet. Each line's entry starts with its commit's hash, its line in that commit and
/// its line in the file; a commit's `committer-time` comes once, at its first line.
fn parse_porcelain(text: &str) -> Vec<Option<i64>> {
    let mut times: HashMap<&str, i64> = HashMap::new();
    let mut lines: Vec<(usize, &str)> = Vec::new();
    let mut current: Option<&str> = None;
    for line in text.lines() {
        if line.starts_with('\t') {
            continue;
        }
        let mut words = line.split(' ');
        let first = words.next().unwrap_or_default();
        if first.len() == 40 && first.bytes().all(|b| b.is_ascii_hexdigit()) {
            let final_line = words.nth(1).and_then(|n| n.parse::<usize>().ok());
            if let Some(n) = final_line {
                lines.push((n, first));
            }
            current = Some(first);
        } else if first == "committer-time" {
            if let (Some(sha), Some(t)) = (current, words.next().and_then(|t| t.parse().ok())) {
                times.insert(sha, t);
            }
        }
    }
    let count = lines.iter().map(|(n, _)| *n).max().unwrap_or(0);
    let mut out = vec![None; count];
    for (n, sha) in lines {
        let uncommitted = sha.bytes().all(|b| b == b'0');
        out[n - 1] = if uncommitted {
            None
        } else {
            times.get(sha).copied()
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn porcelain_gives_each_line_its_commit_time() {
        let a = "a".repeat(40);
        let zero = "0".repeat(40);
        let text = format!(
            "{a} 1 1 2\nauthor X\ncommitter-time 1700000000\nfilename f.md\n\tline one\n\
             {a} 2 2\n\tline two\n\
             {zero} 3 3 1\nauthor Not Committed Yet\ncommitter-time 1800000000\n\tline three\n"
        );
        assert_eq!(
            parse_porcelain(&text),
            [Some(1_700_000_000), Some(1_700_000_000), None]
        );
    }

    #[test]
    fn text_times_are_past_and_stable() {
        let t = text_time("<div>q</div>\u{1f}<div>a</div>");
        assert!((TEXT_TIME_START..TEXT_TIME_START + TEXT_TIME_SPAN as i64).contains(&t));
        assert_eq!(t, text_time("<div>q</div>\u{1f}<div>a</div>"));
    }
}
