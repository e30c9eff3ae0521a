//! Stage 4, write: puts the built site on disk atomically.
//!
//! Files go into a fresh staging folder beside the target as they are rendered; the staging
//! folder replaces the target only when the whole build succeeded ([`Staging::commit`]), in
//! one atomic step on Linux (`renameat2(RENAME_EXCHANGE)`), so at every moment the target
//! holds either the whole previous site or the whole new one. Dropping an uncommitted
//! [`Staging`] deletes it, so a failed build leaves the previous site as it was; the folders of
//! a build that was killed are found by their marker and deleted by the next build ([`sweep`]).
//! Where the site goes is resolved once, symlinks and `..` included, by [`resolve_out`].

use std::fs::{self, File};
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;

use crate::render::{OutputFile, Sink};

/// Name of the marker file that says a folder was built by coursegen and may be replaced.
pub const MARKER: &str = ".coursegen-site";

/// Name of the file that marks a staging folder and is locked for as long as its build runs:
/// a staging folder whose lock is free belongs to a build that died.
pub const STAGING_MARKER: &str = ".coursegen-staging";

/// Prefix of the staging folders beside the output folder.
const STAGING_PREFIX: &str = ".coursegen-new-";

/// Prefix of a staging folder before its marker is locked: [`sweep`] leaves these alone (a
/// folder whose lock is not taken yet is not a dead build's), and one only stays behind when a
/// build is killed in the instant between the two steps, holding one empty file.
const PREP_PREFIX: &str = ".coursegen-prep-";

/// Prefix the fallback commit gives the previous site while it swaps folders.
const OLD_PREFIX: &str = ".coursegen-old-";

/// A site being written next to its final place.
#[derive(Debug)]
pub struct Staging {
    dir: StagingDir,
    out: PathBuf,
    parent: PathBuf,
    /// The locked staging marker: held until the build ends, however it ends.
    _lock: File,
    /// The first write error, reported by `commit`.
    error: Mutex<Option<io::Error>>,
}

/// The output folder as the kernel will see it: absolute, every `..` applied and every
/// symlink among its parent folders resolved, so the safety checks look at the folder that
/// will really be written (`C/site/../content/x` is `C/content/x`; through a symlinked `site`
/// it is the link target's sibling). The last component is kept as written: [`Staging::new`]
/// refuses it if it is a symlink.
pub fn resolve_out(out: &Path) -> io::Result<PathBuf> {
    let absolute = std::path::absolute(out)?;
    let components: Vec<Component> = absolute.components().collect();
    let mut resolved = PathBuf::new();
    for (i, component) in components.iter().enumerate() {
        match component {
            Component::Prefix(_) | Component::RootDir => resolved.push(component),
            Component::CurDir => {}
            // `resolved` has no symlinks left, so going up is going to the real parent.
            Component::ParentDir => {
                resolved.pop();
            }
            Component::Normal(name) => {
                let next = resolved.join(name);
                let last = i + 1 == components.len();
                resolved = if !last && fs::symlink_metadata(&next).is_ok() {
                    fs::canonicalize(&next)?
                } else {
                    next
                };
            }
        }
    }
    Ok(resolved)
}

impl Staging {
    /// Prepares to write the site to `out` (already resolved by [`resolve_out`]).
    ///
    /// Refuses to replace a non-empty folder that coursegen did not build, so a mistyped
    /// `--out` cannot delete someone's work, and refuses a symlink: replacing it would swap the
    /// link for a folder and leave its target behind, emptied or not.
    pub fn new(out: &Path) -> io::Result<Staging> {
        if let Ok(target) = fs::read_link(out) {
            return Err(io::Error::other(format!(
                "refusing to build through a symlink: {} points to {}; give the folder itself with --out",
                out.display(),
                target.display()
            )));
        }
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
        sweep(&parent);
        // The marker is locked before the folder takes the name `sweep` looks for, so no
        // sweep can see a live build's folder unlocked.
        let prep = tempfile::Builder::new()
            .prefix(PREP_PREFIX)
            .tempdir_in(&parent)?;
        let lock = File::create(prep.path().join(STAGING_MARKER))?;
        lock.lock()?;
        let name = prep
            .path()
            .file_name()
            .map(|n| n.to_string_lossy().replacen(PREP_PREFIX, STAGING_PREFIX, 1))
            .unwrap_or_default();
        let staged = parent.join(name);
        fs::rename(prep.path(), &staged)?;
        // Renamed away: nothing for the prep guard to delete any more.
        let _ = prep.keep();
        let dir = StagingDir(Some(staged));
        Ok(Staging {
            dir,
            out: out.to_path_buf(),
            parent,
            _lock: lock,
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
        let mut dir = self.dir;
        let staged = dir.keep();
        let result = if self.out.exists() {
            swap(&staged, &self.out, &self.parent)
        } else {
            fs::rename(&staged, &self.out)
        };
        if let Err(e) = result {
            let _ = fs::remove_dir_all(&staged);
            return Err(e);
        }
        // The site is in place; the lock file came with it and has done its job. Had the
        // build died since the swap, the next build would find its marker and clean up.
        let _ = fs::remove_file(self.out.join(STAGING_MARKER));
        // The previous site, now in the staging folder: its removal is tidying, not part of
        // the build (a build that dies here leaves it for the next one's sweep).
        if staged.exists() {
            let _ = remove_tree(&staged);
        }
        Ok(())
    }
}

/// The staging folder, deleted when dropped unless kept (a failed or abandoned build).
#[derive(Debug)]
struct StagingDir(Option<PathBuf>);

impl StagingDir {
    fn path(&self) -> &Path {
        self.0.as_deref().unwrap_or(Path::new(""))
    }

    /// Stops the folder from being deleted on drop; returns its path.
    fn keep(&mut self) -> PathBuf {
        self.0.take().unwrap_or_default()
    }
}

impl Drop for StagingDir {
    fn drop(&mut self) {
        if let Some(dir) = self.0.take() {
            let _ = remove_tree(&dir);
        }
    }
}

/// Puts `staged` at `out` and the previous site at `staged`, atomically where the system can.
#[cfg(target_os = "linux")]
fn swap(staged: &Path, out: &Path, parent: &Path) -> io::Result<()> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    match renameat_with(CWD, staged, CWD, out, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(()),
        // A file system without RENAME_EXCHANGE: the two-rename swap below.
        Err(e) if e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS => {
            swap_by_renames(staged, out, parent)
        }
        Err(e) => Err(e.into()),
    }
}

/// Puts `staged` at `out` and the previous site at `staged`.
#[cfg(not(target_os = "linux"))]
fn swap(staged: &Path, out: &Path, parent: &Path) -> io::Result<()> {
    swap_by_renames(staged, out, parent)
}

/// Two renames: the previous site moves aside, the new one takes its place. A build killed
/// between the two leaves no site at `out` (the previous one waits beside it, and the next
/// build's sweep deletes it), which is why the exchange above is preferred.
fn swap_by_renames(staged: &Path, out: &Path, parent: &Path) -> io::Result<()> {
    let old = tempfile::Builder::new()
        .prefix(OLD_PREFIX)
        .tempdir_in(parent)?
        .keep();
    fs::remove_dir(&old)?;
    fs::rename(out, &old)?;
    if let Err(e) = fs::rename(staged, out) {
        // Put the previous site back before reporting the failure.
        fs::rename(&old, out)?;
        return Err(e);
    }
    fs::rename(&old, staged)
}

/// Deletes the staging folders in `parent` that earlier builds left when they were killed:
/// only folders with our prefix that hold one of our markers, and only when no running build
/// holds their lock (a concurrent build's staging folder is left alone).
pub fn sweep(parent: &Path) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !(name.starts_with(STAGING_PREFIX) || name.starts_with(OLD_PREFIX)) {
            continue;
        }
        // A symlink with our prefix is not ours to follow.
        if !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let dir = entry.path();
        let stale = match File::open(dir.join(STAGING_MARKER)) {
            // Held by a live build: `try_lock` fails; a dead build's lock died with it.
            Ok(marker) => marker.try_lock().is_ok(),
            // A previous site moved aside: it has the site marker and no lock file.
            Err(_) => dir.join(MARKER).is_file(),
        };
        if stale {
            let _ = remove_tree(&dir);
        }
    }
}

/// Deletes a folder and everything in it, its subfolders in parallel: removing the previous
/// site of a big course is thousands of small unlinks. The marker files go last, so a build
/// killed half way through leaves a folder [`sweep`] still recognises as ours.
fn remove_tree(dir: &Path) -> io::Result<()> {
    let is_marker = |p: &Path| {
        p.file_name()
            .is_some_and(|n| n == MARKER || n == STAGING_MARKER)
    };
    let entries: Vec<PathBuf> = fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<io::Result<_>>()?;
    let (markers, entries): (Vec<PathBuf>, Vec<PathBuf>) =
        entries.into_iter().partition(|p| is_marker(p));
    entries.par_iter().try_for_each(|path| {
        if path.is_dir() && !path.is_symlink() {
            fs::remove_dir_all(path)
        } else {
            fs::remove_file(path)
        }
    })?;
    for marker in markers {
        fs::remove_file(marker)?;
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn parent_folders_and_symlinks_are_resolved_before_the_checks() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = fs::canonicalize(dir.path()).expect("canonical");
        fs::create_dir_all(root.join("c/site")).expect("mkdir");
        fs::create_dir_all(root.join("elsewhere/built")).expect("mkdir");
        let got = resolve_out(&root.join("c/site/../content/x")).expect("resolve");
        assert_eq!(got, root.join("c/content/x"));
        std::os::unix::fs::symlink(root.join("elsewhere/built"), root.join("c/link"))
            .expect("symlink");
        // Through a symlink, `..` is the parent of the link's target, as for the kernel.
        let got = resolve_out(&root.join("c/link/../y")).expect("resolve");
        assert_eq!(got, root.join("elsewhere/y"));
        // The last component stays as written, so a symlinked output folder can be refused.
        assert_eq!(
            resolve_out(&root.join("c/link")).expect("resolve"),
            root.join("c/link")
        );
    }
}
