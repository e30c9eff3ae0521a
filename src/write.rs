//! Stage 4, write: puts the built site on disk atomically.
//!
//! Files go into a fresh staging folder beside the target as they are rendered; the staging
//! folder replaces the target only when the whole build succeeded ([`Staging::commit`]), in
//! one atomic step on Linux (`renameat2(RENAME_EXCHANGE)`), so at every moment the target
//! holds either the whole previous site or the whole new one. Dropping an uncommitted
//! [`Staging`] deletes it, so a failed build leaves the previous site as it was; the folders of
//! a build that was killed are found by their marker and deleted by the next build ([`sweep`]).
//! Where the site goes is resolved once, symlinks and `..` included, by [`resolve_out`].
//!
//! Every step after that acts on folder handles ([`dir::Dir`]), not paths: the output folder's
//! parent is held open from the start, the staging folder is written through its own handle,
//! and the swap and the removals are made relative to the parent. What is removed is checked
//! at that moment to be coursegen's own (the staging folder by its identity, the previous site
//! by its marker), and no removal follows a symlink; if the output folder was replaced while
//! the build ran (by a symlink, or by a folder coursegen did not build), the build fails with
//! the replacement untouched and nothing of its own left behind (issue #26).
//!
//! A file the new site holds unchanged from the previous site (coursegen's, by its marker) is
//! not written again: the previous site's file is opened beneath its folder (no symlink on the
//! way), compared byte for byte, and linked into the staging folder through its descriptor.
//! When the previous site is removed only its names go. A rebuild then costs what changed
//! rather than every file of the site.

mod dir;

use std::ffi::{OsStr, OsString};
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use crate::output::Previous;
use crate::render::{OutputFile, Sink};
use dir::{Dir, Kind};

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

/// A site being written next to its final place.
#[derive(Debug)]
pub struct Staging {
    /// The output folder's parent, held open for the whole build.
    parent: Dir,
    /// The output folder's name in `parent`, and its path for messages.
    out_name: OsString,
    out: PathBuf,
    /// The staging folder: its name in `parent` and a handle on it (`None` once it is gone).
    staged_name: OsString,
    staged: Option<Dir>,
    /// The previous site, when there is one of coursegen's: a file the new site holds
    /// unchanged is linked from it instead of written again.
    previous: Option<Dir>,
    /// The staging marker, locked until the build ends, however it ends.
    _lock: File,
    /// The first write error, reported by `commit`.
    error: Mutex<Option<io::Error>>,
    /// Hashes of the folders made in the staging folder: a file's folder is made before the
    /// file is placed instead of after placing it failed (two failed links per page). A hash
    /// that collides only costs the old way: the place fails and the folder is made then.
    made: Mutex<rustc_hash::FxHashSet<u64>>,
    /// The stamps of the previous site's files, as the build that placed them kept them.
    known: Stamps,
    /// The stamps of the files this build places, when it keeps them ([`Staging::keep_stamps`]).
    placed: Option<Mutex<Vec<(String, Stamp)>>>,
    /// The paths of the files placed, when no stamps are kept (with them, their paths): the
    /// previous site is removed by these names.
    named: Mutex<Vec<String>>,
    /// Folders of the previous site held open for the files placed one at a time
    /// ([`Staging::previous_folder`]).
    kept_folders: Mutex<rustc_hash::FxHashMap<String, Arc<Dir>>>,
}

/// How many folders of the previous site [`Staging::previous_folder`] holds open at most.
const KEPT_FOLDERS: usize = 64;

/// A file as a build placed it: its bytes' XXH3-128, and the inode, size and modification
/// time it had on disk. The next build links a file whose stamp still holds without reading
/// it: the assumption the up-to-date check makes, that an edit changes a file's time or size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    /// The XXH3-128 of its bytes.
    pub hash: u128,
    /// Its size.
    pub len: u64,
    /// Its inode.
    pub ino: u64,
    /// Its modification time: seconds and nanoseconds.
    pub mtime: (i64, i64),
}

impl Stamp {
    /// The stamp of a file holding bytes that hash to `hash`, whose metadata is `meta`.
    pub fn of(hash: u128, meta: &fs::Metadata) -> Stamp {
        use std::os::unix::fs::MetadataExt;
        Stamp {
            hash,
            len: meta.len(),
            ino: meta.ino(),
            mtime: (meta.mtime(), meta.mtime_nsec()),
        }
    }
}

/// The stamps of a site's files, by path.
pub type Stamps = rustc_hash::FxHashMap<String, Stamp>;

/// A name for this build's folders beside the output folder: the process, the time and a
/// counter, so that concurrent builds and retries never pick the same one.
fn unique_suffix(attempt: u32) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let seed = format!("{}-{nanos}-{attempt}", std::process::id());
    format!(
        "{:012x}",
        crate::fingerprint::fnv1a(seed.bytes(), 0) & 0xffff_ffff_ffff
    )
}

/// Refuses `name` in `parent` unless it is absent, an empty folder, or a folder with coursegen's
/// marker: a symlink (replacing it would swap the link for a folder and leave its target behind,
/// emptied or not), a file, or a folder someone else filled.
fn check_replaceable(parent: &Dir, name: &OsStr, out: &Path) -> io::Result<()> {
    match parent.kind(name)? {
        None => Ok(()),
        Some(Kind::Symlink) => {
            let target = parent.read_link(name).unwrap_or_default();
            Err(io::Error::other(format!(
                "refusing to build through a symlink: {} points to {}; give the folder itself with --out",
                out.display(),
                target.display()
            )))
        }
        Some(Kind::Other) => Err(io::Error::other(format!(
            "refusing to replace {}: it is a file, not a folder",
            out.display()
        ))),
        Some(Kind::Dir) => {
            if is_ours_or_empty(&parent.open_dir(name)?)? {
                Ok(())
            } else {
                Err(io::Error::other(format!(
                    "refusing to replace {}: it is not empty and was not built by coursegen (no {MARKER} file)",
                    out.display()
                )))
            }
        }
    }
}

/// True for a folder with coursegen's site marker (a regular file), or an empty one.
fn is_ours_or_empty(dir: &Dir) -> io::Result<bool> {
    if dir.kind(OsStr::new(MARKER))? == Some(Kind::Other) {
        return Ok(true);
    }
    Ok(dir.entries()?.is_empty())
}

impl Staging {
    /// Prepares to write the site to `out` (already resolved by [`resolve_out`]).
    ///
    /// Refuses to replace a non-empty folder that coursegen did not build, so a mistyped
    /// `--out` cannot delete someone's work, and refuses a symlink: replacing it would swap the
    /// link for a folder and leave its target behind, emptied or not.
    pub fn new(out: &Path) -> io::Result<Staging> {
        let out_name = out
            .file_name()
            .ok_or_else(|| io::Error::other(format!("{} names no folder", out.display())))?
            .to_os_string();
        let parent_path = parent_of(out);
        fs::create_dir_all(&parent_path)?;
        let parent = Dir::open(&parent_path)?;
        check_replaceable(&parent, &out_name, out)?;
        sweep_in(&parent);
        // The marker is locked before the folder takes the name `sweep` looks for, so no
        // sweep can see a live build's folder unlocked.
        let (prep_name, suffix) = (0..100)
            .map(|attempt| {
                let suffix = unique_suffix(attempt);
                let name = OsString::from(format!("{PREP_PREFIX}{suffix}"));
                (parent.make_new_dir(&name), name, suffix)
            })
            .find_map(|(made, name, suffix)| match made {
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => None,
                other => Some(other.map(|()| (name, suffix))),
            })
            .unwrap_or_else(|| Err(io::Error::other("no free name for a staging folder")))?;
        let staged = parent.open_dir(&prep_name)?;
        let staged_name = OsString::from(format!("{STAGING_PREFIX}{suffix}"));
        let locked = staged
            .create(Path::new(STAGING_MARKER))
            .and_then(|lock| lock.lock().map(|()| lock))
            .and_then(|lock| parent.rename_new(&prep_name, &staged_name).map(|()| lock));
        let lock = match locked {
            Ok(lock) => lock,
            Err(e) => {
                // Nothing of this build may stay behind: the prep folder is ours (we hold it).
                let _ = remove_if_same(&parent, &prep_name, &staged);
                return Err(e);
            }
        };
        let previous = parent
            .open_dir(&out_name)
            .ok()
            .filter(|dir| is_ours_or_empty(dir).unwrap_or(false));
        Ok(Staging {
            parent,
            out_name,
            out: out.to_path_buf(),
            staged_name,
            staged: Some(staged),
            previous,
            _lock: lock,
            error: Mutex::new(None),
            made: Mutex::default(),
            known: Stamps::default(),
            placed: None,
            named: Mutex::default(),
            kept_folders: Mutex::default(),
        })
    }

    /// Keeps the stamp of every file this build places ([`Staging::take_stamps`]), and links a
    /// file of the previous site whose stamp in `previous` still holds without reading it.
    pub fn keep_stamps(&mut self, previous: Stamps) {
        self.known = previous;
        self.placed = Some(Mutex::default());
    }

    /// The stamps of the files placed so far, taken out of the staging folder's keeping.
    fn take_stamps(&self) -> Stamps {
        let Some(placed) = &self.placed else {
            return Stamps::default();
        };
        let mut placed = placed.lock().unwrap_or_else(|p| p.into_inner());
        placed.drain(..).collect()
    }

    fn write(&self, file: &OutputFile) -> io::Result<()> {
        let path = Path::new(&file.path);
        let hash = self
            .placed
            .is_some()
            .then(|| xxhash_rust::xxh3::xxh3_128(&file.bytes));
        if let Some(hash) = hash {
            let stamped = self.known.get(&file.path).is_some_and(|s| s.hash == hash);
            if stamped && self.place_stamped(&[(&file.path, hash)], true) {
                return Ok(());
            }
        }
        let same = match hash.and_then(|h| self.previous_stamped(path, &file.path, h)) {
            Some(same) => Some(same),
            None => self.previous_copy(path, &file.bytes),
        };
        let same = same.as_ref();
        let placed = self.place_at(path, |dir| {
            place(dir, path, same.map(|(f, _)| f), &file.bytes, hash.is_some())
        })?;
        match hash {
            Some(hash) => {
                let meta = placed.as_ref().or(same.map(|(_, m)| m));
                self.record(&file.path, hash, meta);
            }
            None => self.name(&file.path),
        }
        Ok(())
    }

    /// Keeps the path of a file placed without a stamp, to remove the previous site by
    /// (when there is one).
    fn name(&self, path: &str) {
        if self.previous.is_some() {
            let mut named = self.named.lock().unwrap_or_else(|p| p.into_inner());
            named.push(path.to_string());
        }
    }

    /// Places the previous site's file `previous` at `path` again: linked, or, where a link
    /// cannot be made, its bytes copied.
    fn write_previous(&self, path: &Path, previous: &Previous) -> io::Result<()> {
        let recording = self.placed.is_some();
        let copied = self.place_at(path, |dir| {
            if dir.link_open_file(&previous.file, path).is_ok() {
                return Ok(None);
            }
            use std::io::{Read, Seek, SeekFrom};
            let mut bytes = Vec::new();
            let mut file = &previous.file;
            file.seek(SeekFrom::Start(0))?;
            file.read_to_end(&mut bytes)?;
            let mut created = dir.create(path)?;
            created.write_all(&bytes)?;
            recording.then(|| created.metadata()).transpose()
        })?;
        let meta = copied.as_ref().unwrap_or(&previous.meta);
        self.record(&path.to_string_lossy(), previous.hash, Some(meta));
        Ok(())
    }

    /// Keeps the stamp of the file placed at `path` (when stamps are kept and its metadata
    /// is known).
    fn record(&self, path: &str, hash: u128, meta: Option<&fs::Metadata>) {
        if self.placed.is_none() {
            self.name(path);
        }
        if let (Some(placed), Some(meta)) = (&self.placed, meta) {
            let mut placed = placed.lock().unwrap_or_else(|p| p.into_inner());
            placed.push((path.to_string(), Stamp::of(hash, meta)));
        }
    }

    /// Keeps the first write error, for `commit`.
    fn failed(&self, e: io::Error) {
        let mut first = self.error.lock().unwrap_or_else(|p| p.into_inner());
        first.get_or_insert(e);
    }

    /// Runs `placing` in the staged folder, its folder made first (once per folder).
    fn place_at<T>(&self, path: &Path, placing: impl Fn(&Dir) -> io::Result<T>) -> io::Result<T> {
        let dir = self
            .staged
            .as_ref()
            .ok_or_else(|| io::Error::other("the staging folder is gone"))?;
        // A page's folder is made once, by its first file (making every folder of every path
        // was 80,000 failed `mkdir`s in a 10,000-page rebuild).
        let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
        if let Some(parent) = parent {
            let hash = xxhash_rust::xxh3::xxh3_64(parent.as_os_str().as_encoded_bytes());
            let new = self
                .made
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(hash);
            if new {
                make_folder(dir, path)?;
            }
        }
        match placing(dir) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                make_folder(dir, path)?;
                placing(dir)
            }
            placed => placed,
        }
    }

    /// The previous site's file at `path`, open, when it holds exactly `bytes`: the staged
    /// site can then link to it instead of writing the bytes again (the previous site's names
    /// go when it is removed; the file stays, under the new site's name). Reading and comparing
    /// costs less than writing and later freeing a copy, and it trusts nothing: a file that
    /// differs by a byte, or is reached through a symlink, is written afresh.
    fn previous_copy(&self, path: &Path, bytes: &[u8]) -> Option<(File, fs::Metadata)> {
        let (file, meta, held) = self.previous_bytes(path, bytes.len() as u64)?;
        (held == bytes).then_some((file, meta))
    }

    /// The previous site's file at `path`, open, when it holds exactly `len` bytes hashing to
    /// `hash` (XXH3-128): a file of the build cache, whose bytes are then not read from it.
    /// A file whose stamp still holds is not read either.
    fn previous_by_hash(&self, path: &Path, len: u64, hash: u128) -> Option<Previous> {
        let key = path.to_string_lossy();
        if let Some((file, meta)) = self.previous_stamped(path, &key, hash) {
            return (meta.len() == len).then_some(Previous { file, meta, hash });
        }
        let (file, meta, held) = self.previous_bytes(path, len)?;
        (xxhash_rust::xxh3::xxh3_128(&held) == hash).then_some(Previous { file, meta, hash })
    }

    /// Places every one of `files` (path and XXH3-128) again, linked from the previous site
    /// under the same path, when each still has the stamp the last build kept of it; else
    /// none of them (`false`). Nothing is opened or read: the files' folder in the previous
    /// site is opened once (no symlink on the way), each file linked by its name, then looked
    /// up under its new name, where it must be a regular file with the stamped inode, size and
    /// time (so a name replaced between the two is caught: the link is to the file checked).
    /// Opening, checking, linking and closing each file were four system calls a file, the
    /// most of a one-page rebuild's at 10,000 pages.
    fn place_stamped(&self, files: &[(&str, u128)], keep_folder: bool) -> bool {
        let (Some(previous), Some(staged), Some(placed)) =
            (&self.previous, &self.staged, &self.placed)
        else {
            return false;
        };
        let mut stamps = Vec::with_capacity(files.len());
        for &(path, hash) in files {
            match self.known.get(path) {
                Some(stamp) if stamp.hash == hash => stamps.push(*stamp),
                _ => return false,
            }
        }
        let mut linked = Vec::with_capacity(files.len());
        let mut opened: Option<(&str, Arc<Dir>)> = None;
        let all = files.iter().zip(&stamps).all(|(&(path, _), stamp)| {
            let (folder, name) = path.rsplit_once('/').unwrap_or(("", path));
            if !folder.is_empty() && opened.as_ref().is_none_or(|(f, _)| *f != folder) {
                match self.previous_folder(previous, folder, keep_folder) {
                    Some(dir) => opened = Some((folder, dir)),
                    None => return false,
                }
            }
            let from = match &opened {
                Some((_, dir)) if !folder.is_empty() => dir,
                _ => previous,
            };
            let at = Path::new(path);
            if self
                .place_at(at, |dir| dir.link_from(from, OsStr::new(name), at))
                .is_err()
            {
                return false;
            }
            linked.push(path);
            let held = dir::FileStat {
                len: stamp.len,
                ino: stamp.ino,
                mtime: stamp.mtime,
            };
            staged.file_stat(at).ok().flatten() == Some(held)
        });
        if !all {
            for path in linked {
                let _ = staged.remove_file(OsStr::new(path));
            }
            return false;
        }
        let mut placed = placed.lock().unwrap_or_else(|p| p.into_inner());
        placed.extend(
            files
                .iter()
                .zip(stamps)
                .map(|(&(path, _), s)| (path.to_string(), s)),
        );
        true
    }

    /// The previous site's folder `folder`, opened beneath it with no symlink on the way; with
    /// `keep`, held open for the next file of the same folder (the search index's thousands of
    /// files share one), up to [`KEPT_FOLDERS`] of them.
    fn previous_folder(&self, previous: &Dir, folder: &str, keep: bool) -> Option<Arc<Dir>> {
        let open = || {
            previous
                .open_dir_beneath(Path::new(folder))
                .ok()
                .map(Arc::new)
        };
        if !keep {
            return open();
        }
        let mut kept = self.kept_folders.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(dir) = kept.get(folder) {
            return Some(Arc::clone(dir));
        }
        let dir = open()?;
        if kept.len() >= KEPT_FOLDERS {
            kept.clear();
        }
        kept.insert(folder.to_string(), Arc::clone(&dir));
        Some(dir)
    }

    /// The previous site's regular file at `path`, open, when the stamp the last build kept
    /// of it says it holds the bytes hashing to `hash` and still holds: the same inode, size
    /// and modification time (not reached through a symlink: [`Dir::open_beneath`]).
    fn previous_stamped(&self, path: &Path, key: &str, hash: u128) -> Option<(File, fs::Metadata)> {
        let stamp = self.known.get(key)?;
        if stamp.hash != hash {
            return None;
        }
        let file = self.previous.as_ref()?.open_beneath(path).ok()?;
        let meta = file.metadata().ok()?;
        (meta.is_file() && Stamp::of(hash, &meta) == *stamp).then_some((file, meta))
    }

    /// The previous site's regular file at `path`, open, its metadata and its bytes, when it
    /// holds exactly `len` of them (not reached through a symlink: [`Dir::open_beneath`]).
    fn previous_bytes(&self, path: &Path, len: u64) -> Option<(File, fs::Metadata, Vec<u8>)> {
        use std::io::Read;
        let mut file = self.previous.as_ref()?.open_beneath(path).ok()?;
        let meta = file.metadata().ok()?;
        if !meta.is_file() || meta.len() != len {
            return None;
        }
        // Exactly its length, then nothing more (a file that grew or shrank since is not the
        // same): one byte past it asked for. Read into room for all of it at once: through
        // `read_to_end` a page's 40 KB took four reads (8 KB, then doubling), not two.
        let mut held = vec![0; usize::try_from(len).ok()?.checked_add(1)?];
        let mut filled = 0;
        while filled < held.len() {
            match file.read(&mut held[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return None,
            }
        }
        (filled as u64 == len).then(|| {
            held.truncate(filled);
            (file, meta, held)
        })
    }

    /// Swaps the staged site in for the previous one. Gives the stamps of every file of the
    /// site, its marker included, when they are kept ([`Staging::keep_stamps`]).
    pub fn commit(mut self) -> io::Result<Stamps> {
        if let Some(e) = self.error.lock().unwrap_or_else(|p| p.into_inner()).take() {
            return Err(e);
        }
        let staged = self.staged.take().expect("a staging folder until commit");
        let result = self.swap_in(&staged);
        if let Err(e) = result {
            // The staging folder, wherever the swap left it, is ours: found by its identity.
            let gone = remove_if_same(&self.parent, &self.staged_name, &staged);
            if !matches!(gone, Ok(true)) {
                let _ = remove_if_same(&self.parent, &self.out_name, &staged);
            }
            return Err(e);
        }
        Ok(self.take_stamps())
    }

    /// Marks the staged site, swaps it in, and removes the previous one (or puts back what
    /// was found at the output folder if it is not coursegen's).
    fn swap_in(&self, staged: &Dir) -> io::Result<()> {
        const TEXT: &[u8] = b"This folder is built by coursegen and replaced by each build.\n";
        let mut marker = staged.create(Path::new(MARKER))?;
        marker.write_all(TEXT)?;
        // Stamped like the site's other files: the folder's key is made from the stamps.
        if self.placed.is_some() {
            let hash = xxhash_rust::xxh3::xxh3_128(TEXT);
            self.record(MARKER, hash, Some(&marker.metadata()?));
        }
        let (parent, out, name) = (&self.parent, &self.out, self.out_name.as_os_str());
        // The output folder as it is now, not as it was when the build started.
        check_replaceable(parent, name, out).map_err(changed(out))?;
        self.place(staged)
    }

    /// Puts the staged site at the output folder's name: renamed there if the name is free,
    /// else exchanged with what is there, which is checked again once it has moved aside and
    /// put back if it is not coursegen's; then the previous site is removed.
    fn place(&self, staged: &Dir) -> io::Result<()> {
        let (parent, out, name) = (&self.parent, &self.out, self.out_name.as_os_str());
        let staged_name = self.staged_name.as_os_str();
        if parent.kind(name)?.is_none() {
            match parent.rename_new(staged_name, name) {
                Ok(()) => return self.finish(staged, None),
                // Made meanwhile: checked and swapped like any previous site.
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    check_replaceable(parent, name, out).map_err(changed(out))?
                }
                Err(e) => return Err(e),
            }
        }
        if parent.exchange(staged_name, name)? {
            // What was at the output folder is now at the staging name: checked again, at this
            // moment, before anything of it is removed; put back if it is not ours.
            match parent.open_dir(staged_name) {
                Ok(previous) if is_ours_or_empty(&previous)? => {
                    return self.finish(staged, Some((staged_name.to_os_string(), previous)))
                }
                _ => {
                    parent.exchange(staged_name, name)?;
                    return Err(replaced(out));
                }
            }
        }
        // No atomic exchange here: the previous site moves aside, is checked, then the new one
        // takes its place.
        let old_name = OsString::from(format!("{OLD_PREFIX}{}", unique_suffix(0)));
        parent.rename_new(name, &old_name)?;
        let previous = match parent.open_dir(&old_name) {
            Ok(previous) if is_ours_or_empty(&previous)? => previous,
            _ => {
                parent.rename_new(&old_name, name)?;
                return Err(replaced(out));
            }
        };
        if let Err(e) = parent.rename_new(staged_name, name) {
            // Put the previous site back before reporting the failure.
            parent.rename_new(&old_name, name)?;
            return Err(e);
        }
        self.finish(staged, Some((old_name, previous)))
    }

    /// The new site is in place: its lock file goes, then the previous site (`previous`: its
    /// name beside the output folder and a handle on it), whose removal is tidying, not part of
    /// the build (a build that dies here leaves it for the next one's sweep).
    fn finish(&self, staged: &Dir, previous: Option<(OsString, Dir)>) -> io::Result<()> {
        let _ = staged.remove_file(OsStr::new(STAGING_MARKER));
        if let Some((name, dir)) = previous {
            // The files the last build placed go by name first, their folders unlisted; without
            // its stamps, the names this build placed.
            if self.parent.identity_of(&name).ok().flatten() == dir.identity().ok() {
                let named = self.named.lock().unwrap_or_else(|p| p.into_inner());
                match self.known.is_empty() {
                    false => remove_known(&dir, self.known.keys().map(String::as_str)),
                    true => remove_known(&dir, named.iter().map(String::as_str)),
                }
            }
            let _ = remove_if_same(&self.parent, &name, &dir);
        }
        Ok(())
    }
}

/// Makes the folder of `path` in `dir`, and its own folders if they are missing: its own folder
/// first, since a page's folder is usually all that is missing (its lesson's made by an
/// earlier page). One already there is fine.
fn make_folder(dir: &Dir, path: &Path) -> io::Result<()> {
    let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) else {
        return Ok(());
    };
    match dir.make_dir(parent) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let folders: Vec<&Path> = path.ancestors().skip(1).collect();
            for folder in folders.into_iter().rev() {
                if !folder.as_os_str().is_empty() {
                    dir.make_dir(folder)?;
                }
            }
            Ok(())
        }
        made => made,
    }
}

/// Puts `bytes` at `path` in the staged folder `dir`: a link to `same` (the previous site's
/// file holding exactly them) where it can be made, else a new file. `NotFound` when a folder
/// of `path` is not made yet.
/// With `stat`, the metadata of a file it created (`None` when it linked `same`).
fn place(
    dir: &Dir,
    path: &Path,
    same: Option<&File>,
    bytes: &[u8],
    stat: bool,
) -> io::Result<Option<fs::Metadata>> {
    if let Some(same) = same {
        if dir.link_open_file(same, path).is_ok() {
            return Ok(None);
        }
    }
    let mut file = dir.create(path)?;
    file.write_all(bytes)?;
    // The new file's metadata, for its stamp.
    stat.then(|| file.metadata()).transpose()
}

/// The error for an output folder found changed when the site was to be swapped in.
fn changed(out: &Path) -> impl Fn(io::Error) -> io::Error + '_ {
    move |e| {
        io::Error::other(format!(
            "{} changed while the site was being built; nothing was replaced: {e}",
            out.display()
        ))
    }
}

/// The error for an output folder replaced, between the last check and the swap, by something
/// coursegen did not build (put back as it was).
fn replaced(out: &Path) -> io::Error {
    io::Error::other(format!(
        "{} was replaced while the site was being built by something coursegen did not build; it was put back untouched",
        out.display()
    ))
}

impl Drop for Staging {
    /// An abandoned build (an error before `commit`) removes its staging folder.
    fn drop(&mut self) {
        if let Some(staged) = self.staged.take() {
            let _ = remove_if_same(&self.parent, &self.staged_name, &staged);
        }
    }
}

/// Removes the folder `name` in `parent` if it is still the folder `dir` is a handle on: its
/// contents through the handle, then the folder itself. `Ok(false)` when the name now names
/// something else (which is left alone).
fn remove_if_same(parent: &Dir, name: &OsStr, dir: &Dir) -> io::Result<bool> {
    if parent.identity_of(name)? != Some(dir.identity()?) {
        return Ok(false);
    }
    remove_contents(dir)?;
    parent.remove_dir(name)?;
    Ok(true)
}

/// Removes from `dir` (the previous site) the files at `paths` (the stamps the last build kept
/// of it, or else the paths this build placed, which a site rebuilt mostly shares with the one
/// before) without listing a folder, and each folder they leave empty: a folder's files
/// through a handle on it, then the folder through its parent's. Every handle is opened
/// without following a symlink, from `dir` down; a file not there is skipped, and whatever
/// else is there stays for [`remove_contents`], as do the files at the top (the markers among
/// them). At 10,000 pages, listing each page's folder to remove it was five of the twelve
/// system calls a page cost.
fn remove_known<'a>(dir: &Dir, paths: impl Iterator<Item = &'a str>) {
    // Page folders (`lesson/page`) with the names of their files, by folder.
    let mut folders: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
    for path in paths {
        if let Some((folder, name)) = path.rsplit_once('/') {
            folders.entry(folder).or_default().push(name);
        }
    }
    let folders: Vec<(&str, Vec<&str>)> = folders.into_iter().collect();
    folders.par_chunks(64).for_each(|chunk| {
        let mut opened: Option<(&str, Dir)> = None;
        for (folder, names) in chunk {
            let (parent, name) = folder.rsplit_once('/').unwrap_or(("", folder));
            if !parent.is_empty() && opened.as_ref().is_none_or(|(p, _)| *p != parent) {
                opened = dir
                    .open_dir_beneath(Path::new(parent))
                    .ok()
                    .map(|handle| (parent, handle));
            }
            let holder = match &opened {
                Some((p, handle)) if *p == parent => handle,
                _ if parent.is_empty() => dir,
                _ => continue,
            };
            let Ok(inside) = holder.open_dir(OsStr::new(name)) else {
                continue;
            };
            for file in names {
                let _ = inside.remove_file(OsStr::new(file));
            }
            drop(inside);
            // Not empty (a folder below, or a stray file) is left for `remove_contents`.
            let _ = holder.remove_dir(OsStr::new(name));
        }
    });
}

/// Deletes everything in `dir`, its subfolders in parallel (removing the previous site of a big
/// course is thousands of small unlinks), each through a handle opened without following a
/// symlink; a symlink is removed itself, never followed. The marker files go last, so a build
/// killed half way through leaves a folder [`sweep`] still recognises as ours.
fn remove_contents(dir: &Dir) -> io::Result<()> {
    let is_marker = |n: &OsStr| n == MARKER || n == STAGING_MARKER;
    let (markers, entries): (Vec<_>, Vec<_>) = dir
        .entries()?
        .into_iter()
        .partition(|(name, _)| is_marker(name));
    entries.par_iter().try_for_each(|(name, kind)| {
        let kind = match kind {
            Some(kind) => Some(*kind),
            None => dir.kind(name)?,
        };
        match kind {
            Some(Kind::Dir) => {
                remove_contents(&dir.open_dir(name)?)?;
                dir.remove_dir(name)
            }
            Some(_) => dir.remove_file(name),
            None => Ok(()),
        }
    })?;
    for (marker, _) in markers {
        dir.remove_file(&marker)?;
    }
    Ok(())
}

/// Deletes the staging folders beside `out` that earlier builds left when they were killed:
/// only folders with our prefix that hold one of our markers, and only when no running build
/// holds their lock (a concurrent build's staging folder is left alone).
pub fn sweep(out: &Path) {
    if let Ok(dir) = Dir::open(&parent_of(out)) {
        sweep_in(&dir);
    }
}

/// The folder that holds `out` (`.` for a bare name).
fn parent_of(out: &Path) -> PathBuf {
    match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn sweep_in(parent: &Dir) {
    let Ok(entries) = parent.entries() else {
        return;
    };
    for (name, _) in entries {
        let text = name.to_string_lossy();
        if !(text.starts_with(STAGING_PREFIX) || text.starts_with(OLD_PREFIX)) {
            continue;
        }
        // A symlink with our prefix is not ours to follow: `open_dir` refuses it.
        let Ok(dir) = parent.open_dir(&name) else {
            continue;
        };
        let stale = match dir.open_file(OsStr::new(STAGING_MARKER)) {
            // Held by a live build: `try_lock` fails; a dead build's lock died with it.
            Ok(marker) => marker.try_lock().is_ok(),
            // A previous site moved aside: it has the site marker and no lock file.
            Err(_) => dir.kind(OsStr::new(MARKER)).ok().flatten() == Some(Kind::Other),
        };
        if stale {
            let _ = remove_if_same(parent, &name, &dir);
        }
    }
}

impl Sink for Staging {
    fn put(&self, file: OutputFile) {
        if let Err(e) = self.write(&file) {
            self.failed(e);
        }
    }

    fn previous(&self, path: &str, len: u64, hash: u128) -> Option<Previous> {
        self.previous_by_hash(Path::new(path), len, hash)
    }

    fn place_unchanged(&self, files: &[(&str, u128)]) -> bool {
        self.place_stamped(files, false)
    }

    fn put_previous(&self, path: String, previous: Previous) {
        if let Err(e) = self.write_previous(Path::new(&path), &previous) {
            self.failed(e);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Removing the previous site removes a symlink in it, never what it points to.
    #[cfg(unix)]
    #[test]
    fn removing_the_previous_site_never_follows_a_symlink() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = fs::canonicalize(dir.path()).expect("canonical");
        let theirs = root.join("theirs");
        fs::create_dir_all(&theirs).expect("mkdir");
        fs::write(theirs.join("keep.txt"), "mine").expect("write");
        let out = root.join("site");
        fs::create_dir_all(out.join("sub")).expect("mkdir");
        fs::write(out.join(MARKER), "").expect("marker");
        std::os::unix::fs::symlink(&theirs, out.join("sub/link")).expect("symlink");
        std::os::unix::fs::symlink(theirs.join("keep.txt"), out.join("file-link"))
            .expect("symlink");
        let staging = Staging::new(&out).expect("staging");
        staging.put(OutputFile {
            path: "index.html".into(),
            bytes: b"new".to_vec(),
        });
        staging.commit().expect("commit");
        assert_eq!(
            fs::read_to_string(out.join("index.html")).expect("new"),
            "new"
        );
        assert!(!out.join("sub").exists());
        assert_eq!(
            fs::read_to_string(theirs.join("keep.txt")).expect("kept"),
            "mine"
        );
    }

    /// The previous site removed by the names its stamps give: its files and the folders
    /// they leave empty go, a stray file and everything else afterwards, and a name that is a
    /// symlink (a folder on the way, or the folder itself) is never followed.
    #[cfg(target_os = "linux")]
    #[test]
    fn removing_the_previous_site_by_its_stamps_never_follows_a_symlink() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = fs::canonicalize(dir.path()).expect("canonical");
        let theirs = root.join("theirs");
        fs::create_dir_all(theirs.join("p")).expect("mkdir");
        fs::write(theirs.join("p/keep.txt"), "mine").expect("write");
        let out = root.join("site");
        for folder in ["a/p", "a/q/deeper"] {
            fs::create_dir_all(out.join(folder)).expect("mkdir");
        }
        fs::write(out.join(MARKER), "").expect("marker");
        let mut known = Stamps::default();
        for file in ["a/p/index.html", "a/q/index.html", "a/q/deeper/x.tsv"] {
            fs::write(out.join(file), file).expect("write");
            let meta = fs::metadata(out.join(file)).expect("meta");
            known.insert(file.to_string(), Stamp::of(0, &meta));
        }
        fs::write(out.join("a/p/stray.txt"), "stray").expect("write");
        std::os::unix::fs::symlink(&theirs, out.join("lesson")).expect("symlink");
        std::os::unix::fs::symlink(theirs.join("p"), out.join("a/r")).expect("symlink");
        let meta = fs::metadata(theirs.join("p/keep.txt")).expect("meta");
        for file in ["lesson/p/keep.txt", "a/r/keep.txt"] {
            known.insert(file.to_string(), Stamp::of(0, &meta));
        }
        let mut staging = Staging::new(&out).expect("staging");
        staging.keep_stamps(known);
        staging.put(OutputFile {
            path: "index.html".into(),
            bytes: b"new".to_vec(),
        });
        staging.commit().expect("commit");
        let mut left: Vec<String> = fs::read_dir(&out)
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, [MARKER, "index.html"]);
        assert_eq!(
            fs::read_to_string(theirs.join("p/keep.txt")).expect("kept"),
            "mine"
        );
        let beside: Vec<_> = fs::read_dir(&root).expect("list").collect();
        assert_eq!(beside.len(), 2, "the site and theirs, nothing else");
    }

    /// Without stamps the previous site is removed by the names the new one placed, with the
    /// same care: a symlink on the way is never followed.
    #[cfg(target_os = "linux")]
    #[test]
    fn removing_the_previous_site_by_the_new_names_never_follows_a_symlink() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = fs::canonicalize(dir.path()).expect("canonical");
        let theirs = root.join("theirs");
        fs::create_dir_all(theirs.join("p")).expect("mkdir");
        fs::write(theirs.join("p/index.html"), "mine").expect("write");
        let out = root.join("site");
        fs::create_dir_all(out.join("a/p")).expect("mkdir");
        fs::write(out.join(MARKER), "").expect("marker");
        fs::write(out.join("a/p/index.html"), "old").expect("write");
        fs::write(out.join("a/p/stray.txt"), "stray").expect("write");
        std::os::unix::fs::symlink(&theirs, out.join("lesson")).expect("symlink");
        let staging = Staging::new(&out).expect("staging");
        for path in ["a/p/index.html", "lesson/p/index.html"] {
            staging.put(OutputFile {
                path: path.into(),
                bytes: b"new".to_vec(),
            });
        }
        staging.commit().expect("commit");
        assert_eq!(
            fs::read_to_string(out.join("a/p/index.html")).unwrap(),
            "new"
        );
        assert!(!out.join("a/p/stray.txt").exists());
        assert!(!fs::symlink_metadata(out.join("lesson"))
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(
            fs::read_to_string(theirs.join("p/index.html")).expect("kept"),
            "mine"
        );
        let beside: Vec<_> = fs::read_dir(&root).expect("list").collect();
        assert_eq!(beside.len(), 2, "the site and theirs, nothing else");
    }

    /// What is swapped out of the output folder is checked again after the exchange, so a
    /// symlink or a foreign folder that took the output folder's place between the last check
    /// and the swap is put back untouched, and the staging folder is removed (issue #26).
    #[cfg(target_os = "linux")]
    #[test]
    fn a_replacement_found_after_the_exchange_is_put_back_untouched() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = fs::canonicalize(dir.path()).expect("canonical");
        let theirs = root.join("theirs");
        fs::create_dir_all(theirs.join("sub")).expect("mkdir");
        fs::write(theirs.join("sub/keep.txt"), "mine").expect("write");
        for symlinked in [true, false] {
            let out = root.join("site");
            let staging = Staging::new(&out).expect("staging");
            staging.put(OutputFile {
                path: "a/index.html".into(),
                bytes: b"new".to_vec(),
            });
            // Between the last check and the exchange: the output folder is now theirs.
            if symlinked {
                std::os::unix::fs::symlink(&theirs, &out).expect("symlink");
            } else {
                fs::create_dir_all(out.join("work")).expect("mkdir");
                fs::write(out.join("work/draft.md"), "draft").expect("write");
            }
            let staged = staging.staged.as_ref().expect("staged");
            let err = staging.place(staged).expect_err("refused");
            assert!(err.to_string().contains("was replaced while"), "{err}");
            assert_eq!(
                fs::read_to_string(theirs.join("sub/keep.txt")).expect("kept"),
                "mine"
            );
            if symlinked {
                assert!(fs::symlink_metadata(&out).expect("out").is_symlink());
                fs::remove_file(&out).expect("unlink");
            } else {
                assert_eq!(
                    fs::read_to_string(out.join("work/draft.md")).expect("kept"),
                    "draft"
                );
                fs::remove_dir_all(&out).expect("rm");
            }
            drop(staging);
            let left: Vec<_> = fs::read_dir(&root)
                .expect("list")
                .filter_map(Result::ok)
                .map(|e| e.file_name())
                .filter(|n| n.to_string_lossy().starts_with(".coursegen"))
                .collect();
            assert!(left.is_empty(), "{left:?}");
        }
    }

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
