//! Stage 4, write: puts the built site on disk atomically.
//!
//! Files go into a fresh staging folder beside the target as they are rendered; the staging
//! folder replaces the target only when the whole build succeeded ([`Staging::commit`]).
//! Dropping an uncommitted [`Staging`] deletes it, so a failed build (or one stopped half way)
//! leaves the previous site as it was.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;
use tempfile::TempDir;

use crate::render::{OutputFile, Sink};

/// Name of the marker file that says a folder was built by coursegen and may be replaced.
pub const MARKER: &str = ".coursegen-site";

/// A site being written next to its final place.
#[derive(Debug)]
pub struct Staging {
    dir: TempDir,
    out: PathBuf,
    parent: PathBuf,
    /// The first write error, reported by `commit`.
    error: Mutex<Option<io::Error>>,
}

impl Staging {
    /// Prepares to write the site to `out`.
    ///
    /// Refuses to replace a non-empty folder that coursegen did not build, so a mistyped
    /// `--out` cannot delete someone's work.
    pub fn new(out: &Path) -> io::Result<Staging> {
        if out.exists() && !out.join(MARKER).exists() && fs::read_dir(out)?.next().is_some() {
            return Err(io::Error::other(format!(
                "refusing to replace {}: it is not empty and was not built by coursegen (no {MARKER} file)",
                out.display()
            )));
        }
        let parent = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => Path::new(".").to_path_buf(),
        };
        fs::create_dir_all(&parent)?;
        let dir = tempfile::Builder::new()
            .prefix(".coursegen-new-")
            .tempdir_in(&parent)?;
        Ok(Staging {
            dir,
            out: out.to_path_buf(),
            parent,
            error: Mutex::new(None),
        })
    }

    fn write(&self, file: &OutputFile) -> io::Result<()> {
        let path = self.dir.path().join(&file.path);
        if let Some(folder) = path.parent() {
            fs::create_dir_all(folder)?;
        }
        fs::write(path, &file.bytes)
    }

    /// Swaps the staged site in for the previous one.
    pub fn commit(self) -> io::Result<()> {
        if let Some(e) = self.error.lock().unwrap_or_else(|p| p.into_inner()).take() {
            return Err(e);
        }
        fs::write(
            self.dir.path().join(MARKER),
            "This folder is built by coursegen and replaced by each build.\n",
        )?;
        let staged = self.dir.keep();
        if self.out.exists() {
            let old = tempfile::Builder::new()
                .prefix(".coursegen-old-")
                .tempdir_in(&self.parent)?
                .keep();
            fs::remove_dir(&old)?;
            fs::rename(&self.out, &old)?;
            if let Err(e) = fs::rename(&staged, &self.out) {
                // Put the previous site back before reporting the failure.
                fs::rename(&old, &self.out)?;
                let _ = fs::remove_dir_all(&staged);
                return Err(e);
            }
            remove_tree(&old)?;
        } else if let Err(e) = fs::rename(&staged, &self.out) {
            let _ = fs::remove_dir_all(&staged);
            return Err(e);
        }
        Ok(())
    }
}

/// Deletes a folder and everything in it, its subfolders in parallel: removing the previous
/// site of a big course is thousands of small unlinks.
fn remove_tree(dir: &Path) -> io::Result<()> {
    let entries: Vec<PathBuf> = fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<io::Result<_>>()?;
    entries.par_iter().try_for_each(|path| {
        if path.is_dir() && !path.is_symlink() {
            fs::remove_dir_all(path)
        } else {
            fs::remove_file(path)
        }
    })?;
    fs::remove_dir(dir)
}

impl Sink for Staging {
    fn put(&self, file: OutputFile) {
        if let Err(e) = self.write(&file) {
            let mut first = self.error.lock().unwrap_or_else(|p| p.into_inner());
            first.get_or_insert(e);
        }
    }
}
