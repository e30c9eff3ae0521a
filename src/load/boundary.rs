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
        self.files_under_at(dir, 0)
    }

    /// [`Boundary::files_under`], `links` symlinked folders deep: a link to a folder that holds
    /// it would otherwise be walked until the path is too long.
    fn files_under_at(&self, dir: &Path, links: usize) -> Result<Vec<PathBuf>, Vec<Diagnostic>> {
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
        for entry in WalkDir::new(dir).sort_by_file_name() {
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
            match self.kind(entry.path()) {
                Ok(Kind::File) => files.push(entry.into_path()),
                Ok(Kind::Dir) => match self.files_under_at(entry.path(), links + 1) {
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
