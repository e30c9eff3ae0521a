//! The course folder is the boundary of what a build reads.
//!
//! A symlink inside the course is followed only while its target stays inside the course
//! folder, for lesson folders, pages, templates and assets alike; one that points outside is a
//! located error, so a link to `/etc/passwd` is neither published nor quoted in a message
//! (issue #14). Anything that is not a regular file or a folder (a FIFO, which would block the
//! build forever; a device such as `/dev/zero`, which never ends) is an error too, found before
//! the file is opened. Folders that cannot be read are reported, not skipped.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use walkdir::WalkDir;

use crate::diagnostic::Diagnostic;

/// Most symlinked folders a walk follows one inside another.
const MAX_LINKED_FOLDERS: usize = 8;

/// What a path found in a course is, once an in-course symlink is followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A folder.
    Dir,
    /// A regular file.
    File,
}

/// The course folder that every followed path must stay inside.
#[derive(Debug, Clone)]
pub struct Boundary {
    root: PathBuf,
    /// The real (symlink-free) course folder, resolved when the first symlink is met: most
    /// courses have none, and pages are read one `Boundary` each.
    real: OnceLock<PathBuf>,
}

impl Boundary {
    /// The boundary of the course at `root`.
    pub fn new(root: &Path) -> Boundary {
        Boundary {
            root: root.to_path_buf(),
            real: OnceLock::new(),
        }
    }

    fn real(&self) -> &Path {
        self.real
            .get_or_init(|| fs::canonicalize(&self.root).unwrap_or_else(|_| self.root.clone()))
    }

    /// What `path` is, or the located error that says why it may not be read. Costs one
    /// `lstat` for an ordinary file; a symlink is resolved and checked against the boundary.
    pub fn kind(&self, path: &Path) -> Result<Kind, Diagnostic> {
        let shown = super::relative(&self.root, path);
        let error =
            |message: String, hint: &str| Err(Diagnostic::in_path(&shown, message).with_hint(hint));
        let mut meta = match fs::symlink_metadata(path) {
            Ok(meta) => meta,
            Err(e) => return error(format!("cannot read: {e}"), "check the file's permissions"),
        };
        if meta.file_type().is_symlink() {
            let target = match fs::canonicalize(path) {
                Ok(target) => target,
                // A missing target, or a loop of links: named by the system's own words.
                Err(e) => {
                    return error(
                        format!("symlink that cannot be followed: {e}"),
                        "fix or remove the link",
                    )
                }
            };
            if !target.starts_with(self.real()) {
                return error(
                    "symlink to a place outside the course folder".into(),
                    "a course reads only its own folder: copy the file or folder into the course, or link to one inside it",
                );
            }
            meta = match fs::metadata(path) {
                Ok(meta) => meta,
                Err(e) => {
                    return error(format!("cannot read: {e}"), "check the file's permissions")
                }
            };
        }
        if meta.is_dir() {
            Ok(Kind::Dir)
        } else if meta.is_file() {
            Ok(Kind::File)
        } else {
            error(
                "not a regular file (a FIFO, device or socket)".into(),
                "pages, templates and assets are ordinary files; remove this one or replace it with a file",
            )
        }
    }

    /// Every file under `dir`, sorted by path, following in-course symlinks; none when `dir`
    /// does not exist (a course's optional `templates/` and `assets/`). Every entry that may
    /// not be read is reported.
    pub fn files_under(&self, dir: &Path) -> Result<Vec<PathBuf>, Vec<Diagnostic>> {
        self.files_under_at(dir, 0, &|_| true)
    }

    /// [`Boundary::files_under`] without the regular files whose path `wanted` refuses, which
    /// are not looked up (symlinks and anything else still are): the images among a course's
    /// pages without a look-up of every page.
    pub fn files_under_where(
        &self,
        dir: &Path,
        wanted: &dyn Fn(&Path) -> bool,
    ) -> Result<Vec<PathBuf>, Vec<Diagnostic>> {
        self.files_under_at(dir, 0, wanted)
    }

    /// [`Boundary::files_under_where`], `links` symlinked folders deep: a link to a folder
    /// that holds it would otherwise be walked until the path is too long.
    fn files_under_at(
        &self,
        dir: &Path,
        links: usize,
        wanted: &dyn Fn(&Path) -> bool,
    ) -> Result<Vec<PathBuf>, Vec<Diagnostic>> {
        let mut files = Vec::new();
        let mut errors = Vec::new();
        if !dir.exists() {
            return Ok(files);
        }
        if links > MAX_LINKED_FOLDERS {
            return Err(vec![Diagnostic::in_path(
                super::relative(&self.root, dir),
                format!("more than {MAX_LINKED_FOLDERS} symlinked folders inside one another"),
            )
            .with_hint(
                "a symlink probably points at a folder that holds it; remove it",
            )]);
        }
        // The folder itself is not an entry: a symlinked one would be found a folder again.
        for entry in WalkDir::new(dir).min_depth(1).sort_by_file_name() {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    errors.push(self.walk_error(&e));
                    continue;
                }
            };
            // Folders are walked as they are; a symlink is followed only after its check.
            if entry.file_type().is_dir() {
                continue;
            }
            if entry.file_type().is_file() && !wanted(entry.path()) {
                continue;
            }
            match self.kind(entry.path()) {
                Ok(Kind::File) if wanted(entry.path()) => files.push(entry.into_path()),
                Ok(Kind::File) => {}
                Ok(Kind::Dir) => match self.files_under_at(entry.path(), links + 1, wanted) {
                    Ok(inner) => files.extend(inner),
                    Err(e) => errors.extend(e),
                },
                Err(d) => errors.push(d),
            }
        }
        if errors.is_empty() {
            Ok(files)
        } else {
            Err(errors)
        }
    }

    /// A folder that could not be listed, reported rather than skipped.
    pub fn walk_error(&self, e: &walkdir::Error) -> Diagnostic {
        let shown = e
            .path()
            .map_or_else(|| "content".to_string(), |p| super::relative(&self.root, p));
        let reason = e
            .io_error()
            .map_or_else(|| e.to_string(), |io| io.to_string());
        Diagnostic::in_path(shown, format!("cannot read folder: {reason}"))
            .with_hint("check the folder's permissions")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The files a walk wants, a symlinked folder and a symlinked file among them; a file
    /// it does not want is left out, and so is a symlink to a wanted name outside the course.
    #[cfg(unix)]
    #[test]
    fn a_walk_keeps_the_files_it_wants_through_symlinks_inside_the_course() {
        let dir = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(dir.path()).unwrap().join("course");
        let content = root.join("content");
        fs::create_dir_all(content.join("a/figures")).unwrap();
        fs::create_dir_all(root.join("shared")).unwrap();
        for file in ["a/index.md", "a/figures/net.svg", "a/figures/notes.txt"] {
            fs::write(content.join(file), "x").unwrap();
        }
        fs::write(root.join("shared/logo.png"), "x").unwrap();
        fs::write(dir.path().join("outside.png"), "x").unwrap();
        std::os::unix::fs::symlink(root.join("shared"), content.join("a/shared")).unwrap();
        std::os::unix::fs::symlink(root.join("shared/logo.png"), content.join("a/link.png"))
            .unwrap();
        let boundary = Boundary::new(&root);
        let images = |p: &Path| p.extension().is_some_and(|e| e == "png" || e == "svg");
        let found = boundary.files_under_where(&content, &images).unwrap();
        let names: Vec<String> = found
            .iter()
            .map(|p| p.strip_prefix(&content).unwrap().display().to_string())
            .collect();
        assert_eq!(
            names,
            ["a/figures/net.svg", "a/link.png", "a/shared/logo.png"]
        );
        let all = boundary.files_under(&content).unwrap();
        assert_eq!(all.len(), 5, "{all:?}");
        // A wanted name that leads out of the course is an error, as in any walk.
        std::os::unix::fs::symlink(dir.path().join("outside.png"), content.join("a/out.png"))
            .unwrap();
        assert!(boundary.files_under_where(&content, &images).is_err());
    }
}
