//! The build cache: each page's files and what the rest of the build needs from it (links,
//! anchors, search sections, warnings, counts), remembered under a key made of everything they
//! depend on, so a rebuild redoes only the pages whose key changed.
//!
//! A page's key is its path and source bytes and the build's key ([`KeyBuilder`]): the
//! binary, the course file (with the command line's overrides), the templates, the assets and
//! images, every page's place, title and front matter (navigation, links and the course deck
//! read them) and, in a git work tree, the commit checked out (an Anki note's time comes from
//! the history). Anything else a page's files could depend on is a bug in that list.
//!
//! The cache lives in `.coursegen-cache/` in the course folder (safe to delete; `--no-cache`
//! neither reads nor writes it), one file per page under `pages/`. An entry is trusted only
//! when its magic, key and checksum all match; anything else — a truncated or foreign file, a
//! folder that cannot be written — is a miss, and the page is built as if there were no cache.
//! A page's entry is checked in two parts ([`PageEntry`]): its head when it is loaded, each
//! file's bytes by their hash when they are read, before any of the page is handed on.
//! Entries are written to a fresh file and renamed into place, so two builds sharing the
//! folder each read whole entries, never a half-written one.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::{xxh3_128, xxh3_64, Xxh3};

use crate::diagnostic::{Diagnostic, Severity};
use crate::output::{OutputFile, Sink};
use crate::render::links::PageLinks;
use crate::render::search::{PageWords, Record};
use crate::source::SourceFile;
use crate::write::{Stamp, Stamps};

/// The cache's folder, in the course folder.
pub const FOLDER: &str = ".coursegen-cache";

/// An entry file starts with this; the last byte is the entry format's version.
const MAGIC: &[u8; 8] = b"CGCACHE\x04";

/// A page's entry starts with this ([`PageEntry`]); the last byte is its format's version.
const PAGE_MAGIC: &[u8; 8] = b"CGPAGE\x00\x02";

/// Builds a key from parts, each length-prefixed (so `("ab", "c")` and `("a", "bc")` differ).
pub struct KeyBuilder(Xxh3);

impl KeyBuilder {
    /// A key that starts from the binary's identity: its version, and the size and time of its
    /// executable file (a rebuilt or reinstalled binary never reuses another's entries).
    pub fn new() -> Self {
        let mut key = KeyBuilder(Xxh3::new());
        key.add(MAGIC);
        key.add(env!("CARGO_PKG_VERSION").as_bytes());
        let exe = std::env::current_exe().and_then(std::fs::metadata);
        if let Ok(meta) = exe {
            key.add(&meta.len().to_le_bytes());
            if let Ok(since) = meta
                .modified()
                .map(|t| t.duration_since(std::time::UNIX_EPOCH))
            {
                key.add(&since.unwrap_or_default().as_nanos().to_le_bytes());
            }
        }
        key
    }

    /// Adds one part.
    pub fn add(&mut self, part: &[u8]) -> &mut Self {
        self.0.update(&(part.len() as u64).to_le_bytes());
        self.0.update(part);
        self
    }

    /// The key.
    pub fn finish(&self) -> u128 {
        self.0.digest128()
    }
}

impl Default for KeyBuilder {
    fn default() -> Self {
        Self::new()
    }
}

/// What the build needs from a page besides its files.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Facts {
    /// Its anchors and links.
    pub links: PageLinks,
    /// Its sections for the search index.
    pub sections: Vec<Record>,
    /// Their words, as the index files them.
    pub words: PageWords,
    /// Its warnings.
    pub warnings: Vec<StoredDiagnostic>,
    /// Numbers in worked answers that are verified.
    pub verified: usize,
    /// Where the numbers nothing checks are written, in the page's file.
    pub unverified: Vec<Range<usize>>,
    /// Links checked, its variants' included.
    pub checks: usize,
    /// Variants made.
    pub variants: usize,
    /// Its flashcards.
    pub cards: usize,
    /// The work its variants took, charged to the build's allowance again.
    pub variant_work: u64,
}

/// A page's entry: what it told the build and the files it wrote.
#[derive(Debug)]
pub struct Entry {
    /// What it told the build.
    pub facts: Facts,
    /// Its files, in the order it wrote them.
    pub files: Vec<OutputFile>,
}

/// A diagnostic as the cache keeps it: its file is the page's own (the common case) or kept
/// whole (a variant's text).
#[derive(Debug, Serialize, Deserialize)]
pub struct StoredDiagnostic {
    warning: bool,
    file: StoredFile,
    path: Option<String>,
    span: Option<Range<usize>>,
    message: String,
    hint: Option<String>,
    usage: bool,
}

#[derive(Debug, Serialize, Deserialize)]
enum StoredFile {
    None,
    Page,
    Other {
        path: String,
        disk_path: PathBuf,
        text: String,
    },
}

impl StoredDiagnostic {
    /// `d`, raised on `page`.
    pub fn new(d: &Diagnostic, page: &Arc<SourceFile>) -> Self {
        let file = match &d.file {
            None => StoredFile::None,
            Some(f) if f.path == page.path && f.text == page.text => StoredFile::Page,
            Some(f) => StoredFile::Other {
                path: f.path.clone(),
                disk_path: f.disk_path.clone(),
                text: f.text.clone(),
            },
        };
        StoredDiagnostic {
            warning: d.severity == Severity::Warning,
            file,
            path: d.path.clone(),
            span: d.span.clone(),
            message: d.message.clone(),
            hint: d.hint.clone(),
            usage: d.usage,
        }
    }

    /// The diagnostic again, its file `page` when it was the page's.
    pub fn restore(self, page: &Arc<SourceFile>) -> Diagnostic {
        let file = match self.file {
            StoredFile::None => None,
            StoredFile::Page => Some(Arc::clone(page)),
            StoredFile::Other {
                path,
                disk_path,
                text,
            } => Some(Arc::new(SourceFile::new(path, disk_path, text))),
        };
        Diagnostic {
            severity: if self.warning {
                Severity::Warning
            } else {
                Severity::Error
            },
            file,
            path: self.path,
            span: self.span,
            message: self.message,
            hint: self.hint,
            also: None,
            usage: self.usage,
        }
    }
}

/// What a build that wrote a site reported, kept so that a build finding the same site still
/// in place (nothing changed since) reports the same without writing it again. Only a build
/// without warnings is kept: its report is these counts alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Written {
    /// Pages built.
    pub pages: usize,
    /// Flashcards.
    pub cards: usize,
    /// Exercise variants.
    pub variants: usize,
    /// Checks passed.
    pub checks: usize,
    /// Numbers in worked answers verified (all of them: none was left unverified).
    pub verified: usize,
    /// The output folder as that build left it ([`Cache::folder_key`]).
    pub folder: u128,
}

/// A sink that passes each file on and keeps a copy: what a page wrote, for its entry.
pub struct Recorder<'a> {
    inner: &'a dyn Sink,
    files: Mutex<Vec<OutputFile>>,
}

impl<'a> Recorder<'a> {
    /// Records what is passed on to `inner`.
    pub fn new(inner: &'a dyn Sink) -> Self {
        Recorder {
            inner,
            files: Mutex::new(Vec::new()),
        }
    }

    /// The files passed on, in order.
    pub fn into_files(self) -> Vec<OutputFile> {
        self.files.into_inner().unwrap_or_else(|p| p.into_inner())
    }
}

impl Sink for Recorder<'_> {
    fn put(&self, file: OutputFile) {
        self.files
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(file.clone());
        self.inner.put(file);
    }
}

/// A sink that passes each file on and writes it into a draft of the site's cache entry at
/// once, so the site's files (the search index's shards, mostly: 55 MB at 10,000 pages) are
/// never all held in memory. The draft becomes the entry with [`SiteRecorder::keep`]; dropped
/// without it (a failed build, or pages whose keys are not all known), it is deleted.
pub struct SiteRecorder<'a> {
    inner: &'a dyn Sink,
    draft: Mutex<Option<Draft>>,
}

/// A site entry being written: its header is filled in last.
struct Draft {
    temp: PathBuf,
    target: PathBuf,
    out: BufWriter<File>,
    /// The checksum of the body so far.
    sum: Xxh3,
}

impl Draft {
    fn start(temp: &Path, target: PathBuf) -> std::io::Result<Draft> {
        let mut draft = Draft {
            temp: temp.to_path_buf(),
            target,
            // The site's files go in as they are made: a 10,000-page course's search index is
            // 10,000 files of about 5 KB, one write each through a buffer of 8 KB.
            out: BufWriter::with_capacity(1 << 20, File::create(temp)?),
            sum: Xxh3::new(),
        };
        // The key and checksum, written once known.
        draft.out.write_all(MAGIC)?;
        draft.out.write_all(&[0; 32])?;
        let facts = facts_bytes(&Facts::default()).ok_or_else(|| std::io::Error::other("facts"))?;
        draft.part(&facts)?;
        Ok(draft)
    }

    /// Appends one length-prefixed part to the body.
    fn part(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        let len = (bytes.len() as u64).to_le_bytes();
        self.sum.update(&len);
        self.sum.update(bytes);
        self.out.write_all(&len)?;
        self.out.write_all(bytes)
    }

    /// Fills in the header and puts the entry in place.
    fn keep(mut self, key: u128) -> std::io::Result<()> {
        self.out.seek(SeekFrom::Start(MAGIC.len() as u64))?;
        self.out.write_all(&key.to_le_bytes())?;
        self.out.write_all(&self.sum.digest128().to_le_bytes())?;
        self.out.flush()?;
        std::fs::rename(&self.temp, &self.target)
    }
}

impl SiteRecorder<'_> {
    /// Keeps what was recorded as the site's entry under `key`. A failure to write is not an
    /// error: the next build makes the site's files again.
    pub fn keep(self, key: u128) {
        let draft = self.draft.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(draft) = draft {
            let temp = draft.temp.clone();
            if draft.keep(key).is_err() {
                let _ = std::fs::remove_file(temp);
            }
        }
    }
}

impl Sink for SiteRecorder<'_> {
    fn put(&self, file: OutputFile) {
        let mut draft = self.draft.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(d) = draft.as_mut() {
            if d.part(file.path.as_bytes())
                .and_then(|()| d.part(&file.bytes))
                .is_err()
            {
                let _ = std::fs::remove_file(&d.temp);
                *draft = None;
            }
        }
        drop(draft);
        self.inner.put(file);
    }
}

impl Drop for SiteRecorder<'_> {
    fn drop(&mut self) {
        let draft = self
            .draft
            .get_mut()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(draft) = draft {
            let temp = draft.temp.clone();
            drop(draft);
            let _ = std::fs::remove_file(temp);
        }
    }
}

/// The cache of one course's build.
pub struct Cache {
    pages: PathBuf,
    build: u128,
}

impl Cache {
    /// The cache of the course at `root` for a build keyed `build`, or `None` when its folder
    /// cannot be made (a file in its place, a read-only course): the build goes on without.
    pub fn open(root: &Path, build: u128) -> Option<Cache> {
        let pages = root.join(FOLDER).join("pages");
        std::fs::create_dir_all(&pages).ok()?;
        let tag = root.join(FOLDER).join("CACHEDIR.TAG");
        if !tag.exists() {
            // Backup tools skip a folder tagged so (https://bford.info/cachedir/).
            let _ = std::fs::write(
                &tag,
                "Signature: 8a477f597d28d172789f06886806bc55\n# coursegen's build cache: safe to delete.\n",
            );
        }
        Some(Cache { pages, build })
    }

    /// The key of the page at `path` whose file's digest is `source`
    /// ([`crate::load::source_digest`]).
    pub fn key(&self, path: &str, source: u128) -> u128 {
        let mut key = KeyBuilder(Xxh3::new());
        key.add(&self.build.to_le_bytes())
            .add(path.as_bytes())
            .add(&source.to_le_bytes());
        key.finish()
    }

    fn entry_path(&self, path: &str) -> PathBuf {
        self.pages
            .join(format!("{:016x}", xxh3_64(path.as_bytes())))
    }

    /// The entry of the page at `path` if it was stored under `key` and its head (facts and
    /// list of files) is whole; its files are read when asked for ([`PageEntry::bytes`]).
    pub fn load(&self, path: &str, key: u128) -> Option<PageEntry> {
        PageEntry::open(File::open(self.entry_path(path)).ok()?, key)
    }

    /// Stores the entry of the page at `path` under `key`. A failure to write is not an error:
    /// the next build builds the page again.
    pub fn store(&self, path: &str, key: u128, entry: &Entry) {
        let tag = format!(
            "{:016x}-{:?}",
            xxh3_64(path.as_bytes()),
            std::thread::current().id()
        );
        if let Some(bytes) = encode_page(key, entry) {
            self.put(&self.entry_path(path), &tag, &bytes);
        }
    }

    /// Writes `bytes` to `target` whole: to a fresh file first (named by `tag` and the
    /// process, so no other build or thread uses it), renamed over `target` once written; on
    /// any failure nothing is left.
    fn put(&self, target: &Path, tag: &str, bytes: &[u8]) {
        let temp = self
            .pages
            .join(format!(".tmp-{}-{tag}", std::process::id()));
        let written = std::fs::File::create(&temp)
            .and_then(|mut f| f.write_all(bytes))
            .and_then(|()| std::fs::rename(&temp, target));
        if written.is_err() {
            let _ = std::fs::remove_file(&temp);
        }
    }

    /// The key of the site's own files (search index, home page, sitemap, course deck): the
    /// build's key and every page's key in order. Those files are made from nothing but the
    /// outline (in the build's key) and what each page gave (fixed by its key), so equal keys
    /// mean equal files.
    pub fn site_key(&self, pages: &[u128]) -> u128 {
        let mut key = KeyBuilder(Xxh3::new());
        key.add(b"site").add(&self.build.to_le_bytes());
        for page in pages {
            key.add(&page.to_le_bytes());
        }
        key.finish()
    }

    /// The site entry stored under `key`, if it is whole and its key matches: read through
    /// once to check it (nothing kept), and held open to hand its files on later
    /// ([`SiteEntry::hand_on`]). `None` when it is missing, foreign or damaged.
    pub fn open_site(&self, key: u128) -> Option<SiteEntry> {
        let file = File::open(self.site_path()).ok()?;
        let mut entry = BufReader::with_capacity(64 * 1024, file);
        let mut header = [0u8; MAGIC.len() + 32];
        entry.read_exact(&mut header).ok()?;
        if !header.starts_with(MAGIC) {
            return None;
        }
        let number = |at: usize| u128::from_le_bytes(header[at..at + 16].try_into().expect("16"));
        let (stored_key, sum) = (number(MAGIC.len()), number(MAGIC.len() + 16));
        if stored_key != key || read_site_files(&mut entry, &mut |_, _| {}).ok()? != sum {
            return None;
        }
        Some(SiteEntry {
            entry,
            body: header.len() as u64,
            sum,
            path: self.site_entry_path(),
        })
    }

    /// A sink for the site's own files that passes them on to `inner` and writes them into a
    /// draft of the site entry as they come ([`SiteRecorder::keep`]).
    pub fn site_recorder<'a>(&self, inner: &'a dyn Sink) -> SiteRecorder<'a> {
        static DRAFTS: AtomicUsize = AtomicUsize::new(0);
        let temp = self.pages.join(format!(
            ".tmp-{}-site-{}",
            std::process::id(),
            DRAFTS.fetch_add(1, Ordering::Relaxed)
        ));
        let draft = Draft::start(&temp, self.site_path()).ok();
        if draft.is_none() {
            let _ = std::fs::remove_file(&temp);
        }
        SiteRecorder {
            inner,
            draft: Mutex::new(draft),
        }
    }

    /// The key of the site a build writes into `out`: the site's key ([`Cache::site_key`])
    /// and the folder's path.
    pub fn written_key(&self, site: u128, out: &Path) -> u128 {
        let mut key = KeyBuilder(Xxh3::new());
        key.add(b"written")
            .add(&site.to_le_bytes())
            .add(out.as_os_str().as_encoded_bytes());
        key.finish()
    }

    /// The output folder as it is: the name and kind of every entry in it, the size,
    /// modification time and inode of every file, and those of the folder itself. It changes
    /// when anything touches the folder after a build (a file edited, added or removed), so a
    /// folder that is not exactly what that build wrote is never taken as up to date. `None`
    /// when the folder cannot be read.
    pub fn folder_key(&self, out: &Path) -> Option<u128> {
        folder_key_of(out, tree_key(out)?)
    }

    /// [`Cache::folder_key`] of the folder `out` a build has just written, without listing it:
    /// its entries are taken to be the files of `stamps` (every file the build placed, the
    /// site's marker included) and the folders that hold them. Nothing in it is looked up or
    /// listed: at 10,000 pages listing the site's folders was 60,000 system calls of a rebuild
    /// with one page edited, and looking the folders up most of the 26–38 ms the key took
    /// without listing them. The key is the walked one when the folder holds exactly those
    /// files as stamped; anything else there (a file placed without a stamp, one changed
    /// since) only makes the next build's walk differ, and that build writes the folder.
    pub fn folder_key_knowing(&self, out: &Path, stamps: &Stamps) -> Option<u128> {
        folder_key_of(out, placed_key("", &placed_order(stamps))?)
    }

    /// Whether a build has recorded the site it wrote (else no build can be up to date, and
    /// the sources need not be read twice to find that out).
    pub fn has_written(&self) -> bool {
        self.written_path().is_file()
    }

    /// What the build that wrote the site under `key` reported, with the folder it left.
    pub fn load_written(&self, key: u128) -> Option<Written> {
        let bytes = std::fs::read(self.written_path()).ok()?;
        let entry = decode(&bytes, key)?;
        serde_json::from_slice(&entry.files.first()?.bytes).ok()
    }

    /// Remembers that the site under `key` was written by a build that reported `written`.
    pub fn store_written(&self, key: u128, written: &Written) {
        let Ok(json) = serde_json::to_vec(written) else {
            return;
        };
        let entry = Entry {
            facts: Facts::default(),
            files: vec![OutputFile {
                path: "written.json".into(),
                bytes: json,
            }],
        };
        if let Some(bytes) = encode(key, &entry) {
            self.put(&self.written_path(), "written", &bytes);
        }
    }

    /// The stamps of the files the last build placed in `out` ([`crate::write::Stamps`]),
    /// if they were kept for that folder and are whole.
    pub fn load_stamps(&self, out: &Path) -> Option<Stamps> {
        let bytes = std::fs::read(self.stamps_path()).ok()?;
        let entry = decode(&bytes, stamps_key(out))?;
        let mut reader = Reader(&entry.files.first()?.bytes);
        let mut stamps = Stamps::default();
        while !reader.0.is_empty() {
            let path = std::str::from_utf8(reader.part()?).ok()?.to_string();
            let mut n = || Some(u64::from_le_bytes(reader.take(8)?.try_into().ok()?));
            let (hash_low, hash_high, len, ino, secs, nanos) = (n()?, n()?, n()?, n()?, n()?, n()?);
            let stamp = Stamp {
                hash: u128::from(hash_low) | u128::from(hash_high) << 64,
                len,
                ino,
                mtime: (secs as i64, nanos as i64),
            };
            stamps.insert(path, stamp);
        }
        Some(stamps)
    }

    /// Keeps the stamps of the files a build placed in `out`, for the next build.
    pub fn store_stamps(&self, out: &Path, stamps: &Stamps) {
        let mut bytes = Vec::with_capacity(stamps.len() * 96);
        for (path, stamp) in stamps {
            put(&mut bytes, path.as_bytes());
            for n in [
                stamp.hash as u64,
                (stamp.hash >> 64) as u64,
                stamp.len,
                stamp.ino,
                stamp.mtime.0 as u64,
                stamp.mtime.1 as u64,
            ] {
                bytes.extend_from_slice(&n.to_le_bytes());
            }
        }
        let entry = Entry {
            facts: Facts::default(),
            files: vec![OutputFile {
                path: "stamps".into(),
                bytes,
            }],
        };
        if let Some(bytes) = encode(stamps_key(out), &entry) {
            self.put(&self.stamps_path(), "stamps", &bytes);
        }
    }

    /// The stamps of the files last placed, beside `pages/`.
    fn stamps_path(&self) -> PathBuf {
        self.pages.with_file_name("stamps")
    }

    /// The record of the site last written, beside `pages/` like the site entry.
    fn written_path(&self) -> PathBuf {
        self.pages.with_file_name("written")
    }

    /// The site entry sits beside `pages/`, so pruning pages never removes it.
    fn site_path(&self) -> PathBuf {
        self.pages.with_file_name("site")
    }

    /// Where the site entry is, for a message.
    fn site_entry_path(&self) -> String {
        self.site_path().display().to_string()
    }

    /// Removes the entries of pages the course no longer has, and leftovers of interrupted
    /// writes older than a day (another build may still be writing a fresh one).
    pub fn keep_only<'a>(&self, paths: impl Iterator<Item = &'a str>) {
        let keep: std::collections::HashSet<String> = paths
            .map(|p| format!("{:016x}", xxh3_64(p.as_bytes())))
            .collect();
        let Ok(dir) = std::fs::read_dir(&self.pages) else {
            return;
        };
        for item in dir.flatten() {
            let name = item.file_name().to_string_lossy().into_owned();
            let stale_temp = name.starts_with(".tmp-")
                && item
                    .metadata()
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| t.elapsed().ok())
                    .is_some_and(|age| age.as_secs() > 24 * 3600);
            if (!name.starts_with(".tmp-") && !keep.contains(&name)) || stale_temp {
                let _ = std::fs::remove_file(item.path());
            }
        }
    }
}

/// The key the stamps of the files placed in `out` are kept under: they describe that folder
/// only.
fn stamps_key(out: &Path) -> u128 {
    let mut key = KeyBuilder(Xxh3::new());
    key.add(b"stamps").add(out.as_os_str().as_encoded_bytes());
    key.finish()
}

/// The key of the folder `out` whose contents have the key `inside`: its path and its own
/// metadata with it.
fn folder_key_of(out: &Path, inside: u128) -> Option<u128> {
    let meta = std::fs::symlink_metadata(out).ok()?;
    let mut key = KeyBuilder(Xxh3::new());
    key.add(out.as_os_str().as_encoded_bytes());
    add_meta(&mut key, &MetaKey::of(&meta));
    key.add(&inside.to_le_bytes());
    Some(key.finish())
}

/// The key of what the folder `dir` holds: each entry's name, kind, size, inode and
/// modification time in name order, a folder's with the key of what it holds instead of its
/// own size, inode and time ([`MetaKey::FOLDER`]). Subfolders are
/// read in parallel: walking a 10,000-page site one entry at a time was most of a rebuild with
/// nothing changed. A symlink is never followed.
fn tree_key(dir: &Path) -> Option<u128> {
    use rayon::prelude::*;
    let mut entries: Vec<std::fs::DirEntry> = std::fs::read_dir(dir)
        .ok()?
        .collect::<Result<_, _>>()
        .ok()?;
    entries.sort_by_key(|e| e.file_name());
    let parts: Option<Vec<(MetaKey, Option<u128>)>> = entries
        .par_iter()
        .map(|e| {
            // A folder by the listing's word (a symlink is not one): not looked up itself.
            if e.file_type().ok()?.is_dir() {
                return Some((MetaKey::FOLDER, Some(tree_key(&e.path())?)));
            }
            Some((MetaKey::of(&e.metadata().ok()?), None))
        })
        .collect();
    let mut key = KeyBuilder(Xxh3::new());
    for (entry, (meta, inside)) in entries.iter().zip(parts?) {
        key.add(entry.file_name().as_encoded_bytes());
        add_meta(&mut key, &meta);
        if let Some(inside) = inside {
            key.add(&inside.to_le_bytes());
        }
    }
    Some(key.finish())
}

/// The paths of `stamps` in the order [`tree_key`] meets them: folder by folder, each
/// folder's names in byte order. That is byte order with `/` below every other byte (a name
/// holds neither `/` nor NUL): `a/c` comes before `a-b`, as `a` does.
fn placed_order(stamps: &Stamps) -> Vec<(&str, &Stamp)> {
    use rayon::prelude::*;
    let mut placed: Vec<(Vec<u8>, &str, &Stamp)> = stamps
        .par_iter()
        .map(|(p, s)| {
            let key = p.bytes().map(|b| if b == b'/' { 0 } else { b }).collect();
            (key, p.as_str(), s)
        })
        .collect();
    // Sorted by the mapped bytes made once and compared whole: comparing through the mapping a
    // byte at a time (60,000 paths, about 16 comparisons each) made the rebuild slower than a
    // tree of the names in a side-by-side run.
    placed.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
    placed.into_iter().map(|(_, p, s)| (p, s)).collect()
}

/// [`tree_key`] of the folder `folder` (its path in the site, empty for the site itself, else
/// ending in `/`) taken to hold exactly the files of `placed` (all under it, in
/// [`placed_order`]) and the folders that hold them, each file as its stamp says: nothing is
/// looked up. `None` when a name is both a file and a folder.
fn placed_key(folder: &str, placed: &[(&str, &Stamp)]) -> Option<u128> {
    use rayon::prelude::*;
    // The folder's entries: each a name and the run of `placed` under it.
    let mut entries: Vec<(&str, &[(&str, &Stamp)])> = Vec::new();
    let mut rest = placed;
    while let Some(((path, _), _)) = rest.split_first() {
        let inside = &path[folder.len()..];
        let name = inside.split('/').next()?;
        let within = |p: &str| {
            let tail = &p[folder.len()..];
            tail.strip_prefix(name)
                .is_some_and(|t| t.is_empty() || t.starts_with('/'))
        };
        let run = rest.iter().take_while(|(p, _)| within(p)).count();
        entries.push((name, &rest[..run]));
        rest = &rest[run..];
    }
    let parts: Option<Vec<(MetaKey, Option<u128>)>> = entries
        .par_iter()
        .map(|&(name, run)| match run {
            [(path, stamp)] if path.len() == folder.len() + name.len() => {
                Some((MetaKey::stamped(stamp), None))
            }
            _ => {
                let inside = format!("{folder}{name}/");
                // A file by this name among the folder's: the name is both.
                if run.iter().any(|(p, _)| p.len() < inside.len()) {
                    return None;
                }
                Some((MetaKey::FOLDER, Some(placed_key(&inside, run)?)))
            }
        })
        .collect();
    let mut key = KeyBuilder(Xxh3::new());
    for ((name, _), (meta, inside)) in entries.iter().zip(parts?) {
        key.add(name.as_bytes());
        add_meta(&mut key, &meta);
        if let Some(inside) = inside {
            key.add(&inside.to_le_bytes());
        }
    }
    Some(key.finish())
}

/// What a folder's key holds of one entry: its kind, size, inode and modification time.
struct MetaKey {
    dir: bool,
    symlink: bool,
    len: u64,
    ino: u64,
    mtime: (i64, i64),
}

impl MetaKey {
    fn of(meta: &std::fs::Metadata) -> MetaKey {
        use std::os::unix::fs::MetadataExt;
        MetaKey {
            dir: meta.is_dir(),
            symlink: meta.file_type().is_symlink(),
            len: meta.len(),
            ino: meta.ino(),
            mtime: (meta.mtime(), meta.mtime_nsec()),
        }
    }

    /// A folder: what it holds is in the key, so its own size, inode and time add nothing
    /// (they change when its names do) and are left out; a folder's key is then made without
    /// looking it up.
    const FOLDER: MetaKey = MetaKey {
        dir: true,
        symlink: false,
        len: 0,
        ino: 0,
        mtime: (0, 0),
    };

    /// A regular file as its stamp describes it.
    fn stamped(stamp: &Stamp) -> MetaKey {
        MetaKey {
            dir: false,
            symlink: false,
            len: stamp.len,
            ino: stamp.ino,
            mtime: stamp.mtime,
        }
    }
}

/// Adds an entry's kind, size, inode and modification time to `key`.
fn add_meta(key: &mut KeyBuilder, meta: &MetaKey) {
    key.add(&[meta.dir as u8, meta.symlink as u8]);
    for n in [meta.len, meta.ino, meta.mtime.0 as u64, meta.mtime.1 as u64] {
        key.add(&n.to_le_bytes());
    }
}

/// A page's entry as loaded: its facts and the list of its files, checked whole; each file's
/// bytes are read from the entry only when asked for, and checked then. A rebuild hands most
/// files on without their bytes (the previous site holds them, byte for byte by their hash),
/// so it reads a page's head, not its files (reading and checking them took a 1,000-page
/// rebuild with one page edited from 156 to 180 ms).
///
/// Layout: [`PAGE_MAGIC`], the key, the head's length and checksum (XXH3-128), the head (the
/// facts (bincode), then each file's path, offset, length and XXH3-128, each length-prefixed or
/// fixed-size), then the files' bytes.
#[derive(Debug)]
pub struct PageEntry {
    /// What the page told the build.
    pub facts: Facts,
    /// Its files, in the order it wrote them.
    pub files: Vec<EntryFile>,
    entry: File,
    /// Where the files' bytes start in the entry.
    body: u64,
}

/// A file of a page's entry: its path, and where its bytes are and what they hash to.
#[derive(Debug, Clone)]
pub struct EntryFile {
    /// Path relative to the output folder.
    pub path: String,
    /// Its length in bytes.
    pub len: u64,
    /// The XXH3-128 of its bytes.
    pub hash: u128,
    offset: u64,
}

/// The fixed part of a page entry before its head: magic, key, head length, head checksum.
const PAGE_HEADER: usize = 8 + 16 + 8 + 16;

/// How much of a page entry's head is read with its header (heads are about 7 KB).
const FIRST_READ: u64 = 16 * 1024;

impl PageEntry {
    /// The entry in `entry` if it is stored under `key` and its head is whole and well
    /// formed, every file inside the entry.
    fn open(mut entry: File, key: u128) -> Option<PageEntry> {
        use std::io::Read;
        let size = entry.metadata().ok()?.len();
        // The header and, in one read with it, the head when it is of the usual size (a few
        // KB): a read saved for each of a rebuild's pages.
        let first = size.min(PAGE_HEADER as u64 + FIRST_READ) as usize;
        let mut start = vec![0u8; first.max(PAGE_HEADER)];
        entry.read_exact(&mut start).ok()?;
        let header: [u8; PAGE_HEADER] = start[..PAGE_HEADER].try_into().ok()?;
        let rest = header.strip_prefix(PAGE_MAGIC.as_slice())?;
        let (stored_key, rest) = rest.split_at(16);
        let (head_len, sum) = rest.split_at(8);
        let head_len = u64::from_le_bytes(head_len.try_into().ok()?);
        if u128::from_le_bytes(stored_key.try_into().ok()?) != key
            || head_len > size.saturating_sub(PAGE_HEADER as u64)
        {
            return None;
        }
        let head_end = PAGE_HEADER + usize::try_from(head_len).ok()?;
        if start.len() < head_end {
            let read = start.len();
            start.resize(head_end, 0);
            entry.read_exact(&mut start[read..]).ok()?;
        }
        let head = &start[PAGE_HEADER..head_end];
        if u128::from_le_bytes(sum.try_into().ok()?) != xxh3_128(head) {
            return None;
        }
        let body = PAGE_HEADER as u64 + head_len;
        let mut reader = Reader(head);
        let facts = facts_from(reader.part()?)?;
        let mut files = Vec::new();
        while !reader.0.is_empty() {
            let path = std::str::from_utf8(reader.part()?).ok()?.to_string();
            let (offset, len) = (reader.number()? as u64, reader.number()? as u64);
            let hash = u128::from_le_bytes(reader.take(16)?.try_into().ok()?);
            if offset.checked_add(len)? > size.saturating_sub(body) {
                return None;
            }
            files.push(EntryFile {
                path,
                len,
                hash,
                offset,
            });
        }
        Some(PageEntry {
            facts,
            files,
            entry,
            body,
        })
    }

    /// The bytes of `file`, one of this entry's, if they are whole (their hash matches).
    pub fn bytes(&self, file: &EntryFile) -> Option<Vec<u8>> {
        use std::io::Read;
        let mut bytes = vec![0; usize::try_from(file.len).ok()?];
        let mut entry = &self.entry;
        entry.seek(SeekFrom::Start(self.body + file.offset)).ok()?;
        entry.read_exact(&mut bytes).ok()?;
        (xxh3_128(&bytes) == file.hash).then_some(bytes)
    }
}

/// A page entry's bytes ([`PageEntry`]).
fn encode_page(key: u128, entry: &Entry) -> Option<Vec<u8>> {
    let facts = facts_bytes(&entry.facts)?;
    let mut head = Vec::with_capacity(facts.len() + 64 * entry.files.len());
    put(&mut head, &facts);
    let mut offset = 0u64;
    for file in &entry.files {
        put(&mut head, file.path.as_bytes());
        head.extend_from_slice(&offset.to_le_bytes());
        head.extend_from_slice(&(file.bytes.len() as u64).to_le_bytes());
        head.extend_from_slice(&xxh3_128(&file.bytes).to_le_bytes());
        offset += file.bytes.len() as u64;
    }
    let mut bytes = Vec::with_capacity(PAGE_HEADER + head.len() + offset as usize);
    bytes.extend_from_slice(PAGE_MAGIC);
    bytes.extend_from_slice(&key.to_le_bytes());
    bytes.extend_from_slice(&(head.len() as u64).to_le_bytes());
    bytes.extend_from_slice(&xxh3_128(&head).to_le_bytes());
    bytes.extend_from_slice(&head);
    for file in &entry.files {
        bytes.extend_from_slice(&file.bytes);
    }
    Some(bytes)
}

/// An entry's bytes: the magic, the key, a checksum of the rest, then the facts and
/// each file (path and bytes) to the end, each length-prefixed ([`SiteRecorder`] writes the
/// same layout a file at a time).
fn encode(key: u128, entry: &Entry) -> Option<Vec<u8>> {
    let facts = facts_bytes(&entry.facts)?;
    let mut body = Vec::with_capacity(
        facts.len()
            + entry
                .files
                .iter()
                .map(|f| f.bytes.len() + 64)
                .sum::<usize>(),
    );
    put(&mut body, &facts);
    for file in &entry.files {
        put(&mut body, file.path.as_bytes());
        put(&mut body, &file.bytes);
    }
    let mut bytes = Vec::with_capacity(body.len() + 40);
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&key.to_le_bytes());
    bytes.extend_from_slice(&xxh3_128(&body).to_le_bytes());
    bytes.extend_from_slice(&body);
    Some(bytes)
}

/// A page's facts as an entry holds them: bincode, whose strings are their bytes (as JSON a
/// page's search words, a line per word with tabs, were escaped and unescaped a character at a
/// time: 7 % of a rebuild with one page edited at 10,000 pages).
fn facts_bytes(facts: &Facts) -> Option<Vec<u8>> {
    use bincode::Options;
    facts_options().serialize(facts).ok()
}

/// The facts in `bytes` ([`facts_bytes`]); `None` when they do not read as facts, all of
/// `bytes` and no more.
fn facts_from(bytes: &[u8]) -> Option<Facts> {
    use bincode::Options;
    // A length in the bytes is never taken for more than the bytes hold.
    let options = facts_options().with_limit(bytes.len() as u64);
    options.deserialize(bytes).ok()
}

fn facts_options() -> impl bincode::Options {
    use bincode::Options;
    bincode::DefaultOptions::new()
        .with_fixint_encoding()
        .reject_trailing_bytes()
}

fn put(out: &mut Vec<u8>, part: &[u8]) {
    out.extend_from_slice(&(part.len() as u64).to_le_bytes());
    out.extend_from_slice(part);
}

/// The entry in `bytes` if it is whole and stored under `key`.
fn decode(bytes: &[u8], key: u128) -> Option<Entry> {
    let (facts, files) = parts(bytes, key)?;
    Some(Entry {
        facts: facts_from(facts)?,
        files: files
            .into_iter()
            .map(|(path, bytes)| OutputFile {
                path: path.to_string(),
                bytes: bytes.to_vec(),
            })
            .collect(),
    })
}

/// A stored file's path and bytes, as slices of its entry.
type StoredFileParts<'a> = (&'a str, &'a [u8]);

/// A site entry checked whole ([`Cache::open_site`]) and held open. It is read twice
/// through that one open file, a file at a time, never held whole (55 MB at 10,000 pages):
/// an entry is replaced by renaming, never written in place, so the second read sees the
/// bytes the first checked.
pub struct SiteEntry {
    entry: BufReader<File>,
    /// Where its body starts.
    body: u64,
    /// The body's checksum.
    sum: u128,
    path: String,
}

impl SiteEntry {
    /// Hands the entry's files to `sink`; an error when a read fails partway (some files
    /// were handed on).
    pub fn hand_on(mut self, sink: &dyn Sink) -> std::io::Result<()> {
        self.entry.seek(SeekFrom::Start(self.body))?;
        let digest = read_site_files(&mut self.entry, &mut |path, bytes| {
            sink.put(OutputFile { path, bytes });
        })?;
        if digest != self.sum {
            return Err(std::io::Error::other(
                "the site entry changed while it was read",
            ));
        }
        Ok(())
    }

    /// Where the entry is, for a message.
    pub fn path(&self) -> &str {
        &self.path
    }
}

/// Reads a site entry's body from `entry` (after its header) to its end, handing each file to
/// `f` as it is read; the body's XXH3-128. An error when it is cut short or not laid out as
/// an entry.
fn read_site_files(
    entry: &mut impl Read,
    f: &mut dyn FnMut(String, Vec<u8>),
) -> std::io::Result<u128> {
    let mut sum = Xxh3::new();
    let mut part = |entry: &mut dyn Read, may_end: bool| -> std::io::Result<Option<Vec<u8>>> {
        let mut len = [0u8; 8];
        let mut got = 0;
        while got < len.len() {
            match entry.read(&mut len[got..])? {
                0 if got == 0 && may_end => return Ok(None),
                0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
                n => got += n,
            }
        }
        let n = usize::try_from(u64::from_le_bytes(len))
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidData))?;
        let mut bytes = Vec::new();
        entry.take(n as u64).read_to_end(&mut bytes)?;
        if bytes.len() != n {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        sum.update(&len);
        sum.update(&bytes);
        Ok(Some(bytes))
    };
    part(entry, false)?; // the facts
    while let Some(path) = part(entry, true)? {
        let path = String::from_utf8(path)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        let bytes = part(entry, false)?.ok_or(std::io::ErrorKind::UnexpectedEof)?;
        f(path, bytes);
    }
    Ok(sum.digest128())
}

/// The facts (bincode) and files (path and bytes) of the entry in `bytes`, if it is whole, well
/// formed and stored under `key`.
fn parts(bytes: &[u8], key: u128) -> Option<(&[u8], Vec<StoredFileParts<'_>>)> {
    let rest = bytes.strip_prefix(MAGIC.as_slice())?;
    let (stored_key, rest) = rest.split_at_checked(16)?;
    let (sum, body) = rest.split_at_checked(16)?;
    if u128::from_le_bytes(stored_key.try_into().ok()?) != key
        || u128::from_le_bytes(sum.try_into().ok()?) != xxh3_128(body)
    {
        return None;
    }
    let mut reader = Reader(body);
    let facts = reader.part()?;
    let mut files = Vec::new();
    while !reader.0.is_empty() {
        let path = std::str::from_utf8(reader.part()?).ok()?;
        files.push((path, reader.part()?));
    }
    Some((facts, files))
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn number(&mut self) -> Option<usize> {
        let (n, rest) = self.0.split_at_checked(8)?;
        self.0 = rest;
        usize::try_from(u64::from_le_bytes(n.try_into().ok()?)).ok()
    }

    fn part(&mut self) -> Option<&'a [u8]> {
        let len = self.number()?;
        self.take(len)
    }

    fn take(&mut self, len: usize) -> Option<&'a [u8]> {
        let (part, rest) = self.0.split_at_checked(len)?;
        self.0 = rest;
        Some(part)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::MemorySink;

    /// A folder's key taken from the stamps of its files is the key of walking it, and a file
    /// changed after its stamp was taken makes the walk's key differ.
    #[test]
    fn a_folder_key_from_stamps_is_the_walked_one() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        let files = [
            "index.html",
            "a/index.html",
            "a/b/index.html",
            "a/b/deck.tsv",
            // Names that sort between `a` and what is in it, byte by byte.
            "a-b/index.html",
            "a.b",
            "z.css",
        ];
        let mut stamps = Stamps::default();
        for (i, file) in files.iter().enumerate() {
            let path = out.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, "x".repeat(i + 1)).unwrap();
            let meta = std::fs::metadata(&path).unwrap();
            stamps.insert(file.to_string(), Stamp::of(i as u128, &meta));
        }
        let cache = Cache::open(&dir.path().join("course"), 1).unwrap();
        let walked = cache.folder_key(&out).unwrap();
        assert_eq!(cache.folder_key_knowing(&out, &stamps), Some(walked));
        // A file placed without a stamp is not taken to be there: the keys differ, so the
        // next build writes the folder rather than trusting it.
        std::fs::write(out.join("a/marker"), "m").unwrap();
        let walked = cache.folder_key(&out).unwrap();
        assert_ne!(cache.folder_key_knowing(&out, &stamps), Some(walked));
        let meta = std::fs::metadata(out.join("a/marker")).unwrap();
        stamps.insert("a/marker".into(), Stamp::of(9, &meta));
        assert_eq!(cache.folder_key_knowing(&out, &stamps), Some(walked));
        // A folder where the stamps put a file: no key.
        stamps.insert("a".into(), Stamp::of(9, &meta));
        assert_eq!(cache.folder_key_knowing(&out, &stamps), None);
        stamps.remove("a");
        // Another size and time for one file: the stamps no longer say what is there.
        std::thread::sleep(std::time::Duration::from_millis(5));
        std::fs::write(out.join("a/b/deck.tsv"), "changed").unwrap();
        assert_ne!(cache.folder_key(&out), Some(walked));
    }

    fn entry() -> Entry {
        let sections = vec![Record {
            heading: "H".into(),
            anchor: "h".into(),
            text: "text".into(),
        }];
        Entry {
            facts: Facts {
                links: PageLinks::default(),
                words: PageWords::of(&sections, "en"),
                sections,
                warnings: Vec::new(),
                verified: 3,
                unverified: vec![4..6, 9..12],
                checks: 2,
                variants: 1,
                cards: 9,
                variant_work: 17,
            },
            files: vec![
                OutputFile {
                    path: "a/index.html".into(),
                    bytes: b"<p>a</p>".to_vec(),
                },
                OutputFile {
                    path: "a/cards.pdf".into(),
                    bytes: vec![0, 255, 7],
                },
            ],
        }
    }

    #[test]
    fn an_entry_comes_back_whole_or_not_at_all() {
        let bytes = encode(42, &entry()).unwrap();
        let back = decode(&bytes, 42).expect("whole");
        assert_eq!(back.files, entry().files);
        assert_eq!(back.facts.sections, entry().facts.sections);
        assert_eq!(back.facts.unverified, vec![4..6, 9..12]);
        // Another key, any byte changed, any length cut: a miss.
        assert!(decode(&bytes, 43).is_none());
        for i in 0..bytes.len() {
            let mut changed = bytes.clone();
            changed[i] ^= 1;
            assert!(decode(&changed, 42).is_none(), "byte {i} flipped");
            assert!(decode(&bytes[..i], 42).is_none(), "cut at {i}");
        }
    }

    /// A page entry in a file of its own, loaded back under `key`.
    fn page_entry(bytes: &[u8], key: u128) -> Option<PageEntry> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("entry");
        std::fs::write(&path, bytes).unwrap();
        PageEntry::open(File::open(&path).unwrap(), key)
    }

    #[test]
    fn a_page_entry_comes_back_whole_or_is_a_miss() {
        let bytes = encode_page(42, &entry()).unwrap();
        let back = page_entry(&bytes, 42).expect("whole");
        let files: Vec<OutputFile> = back
            .files
            .iter()
            .map(|f| OutputFile {
                path: f.path.clone(),
                bytes: back.bytes(f).expect("whole bytes"),
            })
            .collect();
        assert_eq!(files, entry().files);
        assert_eq!(back.facts.sections, entry().facts.sections);
        assert_eq!(back.facts.unverified, vec![4..6, 9..12]);
        assert!(page_entry(&bytes, 43).is_none(), "another key");
        // Any byte changed and any length cut: the entry is a miss, or the file whose bytes
        // changed or are cut never comes back.
        let whole = |e: &PageEntry| e.files.iter().all(|f| e.bytes(f).is_some());
        for i in 0..bytes.len() {
            let mut changed = bytes.clone();
            changed[i] ^= 1;
            assert!(
                !page_entry(&changed, 42).is_some_and(|e| whole(&e)),
                "byte {i} flipped"
            );
            assert!(
                !page_entry(&bytes[..i], 42).is_some_and(|e| whole(&e)),
                "cut at {i}"
            );
        }
    }

    #[test]
    fn a_recorded_site_is_kept_whole_or_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(dir.path(), 7).unwrap();
        let files = entry().files;
        let passed = MemorySink::default();
        let recorder = cache.site_recorder(&passed);
        files.iter().for_each(|f| recorder.put(f.clone()));
        recorder.keep(99);
        let loaded = |key| {
            let sink = MemorySink::default();
            let entry = cache.open_site(key)?;
            entry.hand_on(&sink).unwrap();
            Some(sink.into_files())
        };
        let mut sorted = files.clone();
        sorted.sort_by(|a, b| a.path.cmp(&b.path));
        assert_eq!(loaded(99), Some(sorted.clone()));
        assert_eq!(loaded(98), None);
        assert_eq!(passed.into_files().len(), files.len());
        // A recorder dropped without `keep` leaves no draft behind, and the entry as it was.
        let elsewhere = MemorySink::default();
        let recorder = cache.site_recorder(&elsewhere);
        recorder.put(files[0].clone());
        drop(recorder);
        let left: Vec<_> = std::fs::read_dir(dir.path().join(FOLDER).join("pages"))
            .unwrap()
            .collect();
        assert!(left.is_empty(), "{left:?}");
        assert_eq!(loaded(99), Some(sorted));
        // A damaged entry (any byte flipped, or cut anywhere) hands nothing on.
        let site = cache.site_path();
        let whole = std::fs::read(&site).unwrap();
        for i in 0..whole.len() {
            let mut flipped = whole.clone();
            flipped[i] ^= 0x20;
            for bytes in [&flipped[..], &whole[..i]] {
                std::fs::write(&site, bytes).unwrap();
                assert!(cache.open_site(99).is_none(), "byte {i}");
            }
        }
    }

    #[test]
    fn stamps_come_back_for_their_folder_only() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(dir.path(), 7).unwrap();
        let site = dir.path().join("site");
        std::fs::create_dir_all(&site).unwrap();
        std::fs::write(site.join("a.html"), b"a").unwrap();
        let meta = std::fs::metadata(site.join("a.html")).unwrap();
        let stamps: Stamps = [
            ("a.html".to_string(), Stamp::of(u128::MAX - 5, &meta)),
            ("b/c.pdf".to_string(), Stamp::of(3, &meta)),
        ]
        .into_iter()
        .collect();
        cache.store_stamps(&site, &stamps);
        assert_eq!(cache.load_stamps(&site), Some(stamps));
        assert_eq!(cache.load_stamps(&dir.path().join("elsewhere")), None);
        // Damaged: not trusted.
        let path = dir.path().join(FOLDER).join("stamps");
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(cache.load_stamps(&site), None);
    }

    #[test]
    fn keys_separate_their_parts() {
        let mut a = KeyBuilder::new();
        a.add(b"ab").add(b"c");
        let mut b = KeyBuilder::new();
        b.add(b"a").add(b"bc");
        assert_ne!(a.finish(), b.finish());
    }
}
