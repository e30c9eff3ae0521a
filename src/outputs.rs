//! Every path a build writes, claimed once: two outputs at one path, or a file where another
//! output needs a folder (a course's `assets/style.css/` beside the built-in stylesheet), are
//! found before anything reaches the disk, and reported at the page, image or asset that
//! collides. `build` and `check` both write through [`Claims`], so they agree (issue #26: a
//! collision passed `check` and failed `build` with an unlocated "File exists").

use std::collections::{BTreeSet, HashSet};
use std::path::Path;
use std::sync::Mutex;

use rustc_hash::FxBuildHasher;
use xxhash_rust::xxh3::xxh3_128;

use crate::diagnostic::Diagnostic;
use crate::model::{Course, Page};
use crate::output::{OutputFile, Previous, Sink};
use crate::render::BUILTIN_ASSETS;

/// A sink that claims each file's path before passing the file on. A file whose path collides
/// with one already claimed is kept back (the staging folder never sees it), and
/// [`Claims::collisions`] reports it.
pub struct Claims<'a> {
    inner: &'a dyn Sink,
    state: Mutex<State>,
}

/// The paths claimed so far, as hashes (XXH3-128) for the checks and each once, front-coded,
/// for the report: a set of strings held every output path of the course (3 MB at
/// 10,000 pages, in allocations that outlived the pages around them).
#[derive(Default)]
struct State {
    /// Files claimed.
    files: HashSet<u128, FxBuildHasher>,
    /// Folders that claimed files are in (`a`, `a/b` for `a/b/c`).
    folders: HashSet<u128, FxBuildHasher>,
    /// Every path claimed, in the order claimed, only read to report collisions: each as
    /// how many bytes it shares with the one before (a byte), the rest of it and a newline (a
    /// path holds none). Paths claimed one after another share their page's folder.
    paths: Vec<u8>,
    /// The last path claimed.
    last: String,
    /// Paths claimed twice.
    twice: BTreeSet<String>,
    /// Whether any file was kept back.
    kept_back: bool,
}

impl<'a> Claims<'a> {
    /// Claims paths for files passed on to `inner`.
    pub fn new(inner: &'a dyn Sink) -> Self {
        Claims {
            inner,
            state: Mutex::new(State::default()),
        }
    }

    /// Every collision among the paths claimed, located at what collides, sorted: empty when
    /// every file was passed on.
    pub fn collisions(&self, course: &Course, root: &Path) -> Vec<Diagnostic> {
        let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if !state.kept_back {
            return Vec::new();
        }
        let files = state.claimed();
        let mut found = Vec::new();
        for path in &state.twice {
            found.push(collision(course, root, path, path));
        }
        for file in &files {
            let inside = format!("{file}/");
            if let Some(other) = files.range(inside.clone()..).next() {
                if other.starts_with(&inside) {
                    found.push(collision(course, root, file, other));
                }
            }
        }
        found
    }

    /// Claims `path`; whether it is clear of every path claimed before.
    fn claim(&self, path: &str) -> bool {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let hash = xxh3_128(path.as_bytes());
        let folders: Vec<u128> = path
            .match_indices('/')
            .map(|(i, _)| xxh3_128(&path.as_bytes()[..i]))
            .collect();
        let twice = state.files.contains(&hash);
        let clear = !twice
            && !state.folders.contains(&hash)
            && !folders.iter().any(|f| state.files.contains(f));
        if twice {
            state.twice.insert(path.to_string());
        } else {
            state.files.insert(hash);
            state.remember(path);
        }
        state.folders.extend(folders);
        state.kept_back |= !clear;
        clear
    }
}

impl State {
    /// Adds `path` to the paths claimed.
    fn remember(&mut self, path: &str) {
        let shared = path
            .bytes()
            .zip(self.last.bytes())
            .take(u8::MAX as usize)
            .take_while(|(a, b)| a == b)
            .count();
        // Cut where a character starts, so each stored rest is whole UTF-8.
        let shared = (0..=shared)
            .rev()
            .find(|&i| path.is_char_boundary(i))
            .unwrap_or(0);
        self.paths.push(shared as u8);
        self.paths.extend_from_slice(&path.as_bytes()[shared..]);
        self.paths.push(b'\n');
        self.last.clear();
        self.last.push_str(path);
    }

    /// Every path claimed once or more, sorted.
    fn claimed(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let (mut rest, mut last) = (self.paths.as_slice(), String::new());
        while let Some((&shared, tail)) = rest.split_first() {
            let end = memchr::memchr(b'\n', tail).unwrap_or(tail.len());
            last.truncate(shared as usize);
            last.push_str(std::str::from_utf8(&tail[..end]).expect("stored whole"));
            out.insert(last.clone());
            rest = tail.get(end + 1..).unwrap_or_default();
        }
        out
    }
}

impl Sink for Claims<'_> {
    fn put(&self, file: OutputFile) {
        if self.claim(&file.path) {
            self.inner.put(file);
        }
    }

    fn previous(&self, path: &str, len: u64, hash: u128) -> Option<Previous> {
        self.inner.previous(path, len, hash)
    }

    fn place_unchanged(&self, files: &[(&str, u128)]) -> bool {
        // Claimed once placed: a path another file claimed first is already in the staging
        // folder, so the link fails and the file comes back through `put`, which finds the
        // collision.
        let placed = self.inner.place_unchanged(files);
        if placed {
            for (path, _) in files {
                self.claim(path);
            }
        }
        placed
    }

    fn put_previous(&self, path: String, previous: Previous) {
        if self.claim(&path) {
            self.inner.put_previous(path, previous);
        }
    }
}

/// What writes an output path.
enum Origin<'a> {
    /// A lesson or practice page (its HTML, its decks).
    Page(&'a Page),
    /// A course file (an image under `content/`, a file of `assets/`), course-relative.
    Source(String),
    /// Something coursegen writes itself (a built-in asset, the home page).
    Builtin,
}

/// What writes `path`: the page whose folder holds it, the image or asset it copies, or
/// coursegen itself.
fn origin<'a>(course: &'a Course, root: &Path, path: &str) -> Origin<'a> {
    if let Some(image) = path.strip_prefix("media/") {
        let source = format!("{}/{image}", crate::load::CONTENT_DIR);
        if course.media.contains_key(&source) {
            return Origin::Source(source);
        }
    }
    if let Some(asset) = path.strip_prefix("assets/") {
        if root.join("assets").join(asset).is_file() {
            return Origin::Source(path.to_string());
        }
        if BUILTIN_ASSETS.iter().any(|(name, _)| *name == asset) {
            return Origin::Builtin;
        }
    }
    course
        .pages()
        .filter(|p| path.starts_with(p.url.as_str()))
        .max_by_key(|p| p.url.len())
        .map_or(Origin::Builtin, Origin::Page)
}

fn describe(origin: &Origin) -> String {
    match origin {
        Origin::Page(page) => format!("the page {}", page.file.path),
        Origin::Source(path) => format!("the course's {path}"),
        Origin::Builtin => "coursegen itself".into(),
    }
}

/// The collision of the file at `file` with the output at `other` (the same path, or one
/// inside a folder of that name), located at the page it involves, else the course file.
fn collision(course: &Course, root: &Path, file: &str, other: &str) -> Diagnostic {
    let (a, b) = (origin(course, root, file), origin(course, root, other));
    let message = if file == other {
        format!(
            "output path collision: {file} is written twice, for {}",
            describe(&a)
        )
    } else {
        format!(
            "output path collision: {file} is a file written for {}, and {other}, written for {}, needs a folder there",
            describe(&a),
            describe(&b)
        )
    };
    let hint = "rename the file or folder of one of them: two outputs cannot share a path";
    let diagnostic = match (&a, &b) {
        (Origin::Page(page), _) | (_, Origin::Page(page)) => {
            Diagnostic::at(&page.file, 0..0, message)
        }
        (Origin::Source(path), _) | (_, Origin::Source(path)) => {
            Diagnostic::in_path(path.clone(), message)
        }
        _ => Diagnostic::in_path(file.to_string(), message),
    };
    diagnostic.with_hint(hint)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::MemorySink;

    fn put(claims: &Claims, path: &str) {
        claims.put(OutputFile {
            path: path.into(),
            bytes: Vec::new(),
        });
    }

    #[test]
    fn claimed_paths_come_back_whole_however_much_they_share() {
        let long = "d/".repeat(200);
        let paths = [
            "a/é/index.html".to_string(),
            "a/è/index.html".to_string(),
            "a/è/cards.pdf".to_string(),
            "b".to_string(),
            format!("{long}x"),
            format!("{long}y/z"),
            "日本/index.html".to_string(),
            "日/index.html".to_string(),
        ];
        let mut state = State::default();
        paths.iter().for_each(|p| state.remember(p));
        assert_eq!(state.claimed(), paths.iter().cloned().collect());
        assert!(state.paths.len() < paths.iter().map(String::len).sum::<usize>() - 200);
    }

    #[test]
    fn a_file_where_a_folder_is_needed_or_a_path_twice_is_kept_back_and_reported() {
        let course = Course {
            config: crate::config::CourseConfig::fallback(),
            lessons: Vec::new(),
            media: Default::default(),
            card_ids: Default::default(),
        };
        let memory = MemorySink::default();
        let claims = Claims::new(&memory);
        for path in [
            "a/b/c.html",
            "a-b",
            "a/b",
            "x/y",
            "x",
            "a-b",
            "z/index.html",
        ] {
            put(&claims, path);
        }
        let found: Vec<String> = claims
            .collisions(&course, Path::new("/nonexistent"))
            .iter()
            .map(|d| d.message.clone())
            .collect();
        assert_eq!(
            found,
            [
                "output path collision: a-b is written twice, for coursegen itself",
                "output path collision: a/b is a file written for coursegen itself, and a/b/c.html, written for coursegen itself, needs a folder there",
                "output path collision: x is a file written for coursegen itself, and x/y, written for coursegen itself, needs a folder there",
            ]
        );
        let passed: Vec<String> = memory.into_files().into_iter().map(|f| f.path).collect();
        assert_eq!(passed, ["a-b", "a/b/c.html", "x/y", "z/index.html"]);
    }
}
