//! Where built files go: the one type of a file of the site and the sinks that take them (the
//! writer's staging folder, or memory for `check` and `serve`). Every stage that makes files
//! hands them here as soon as each is made.

use std::sync::Mutex;

/// One file of the built site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Path relative to the output folder, with `/` separators.
    pub path: String,
    /// The file's bytes.
    pub bytes: Vec<u8>,
}

/// Where rendered files go, as soon as each is made (from many threads at once).
pub trait Sink: Sync {
    /// Takes one file of the site.
    fn put(&self, file: OutputFile);

    /// The previous build's file at `path`, open, if it holds exactly the `len` bytes that
    /// hash to `hash` (XXH3-128): a file taken from the build cache can then be placed again
    /// without its bytes being read from the cache ([`Sink::put_previous`]). A sink that keeps
    /// no previous build has none.
    fn previous(&self, _path: &str, _len: u64, _hash: u128) -> Option<Previous> {
        None
    }

    /// Places again, under the same paths, the previous build's copies of `files` (the path
    /// and XXH3-128 of each) — every one of them, or none — when the sink can tell without
    /// opening them that each still holds those bytes (the writer's stamps). `false` when it
    /// placed none: the files are then for [`Sink::previous`] or [`Sink::put`].
    fn place_unchanged(&self, _files: &[(&str, u128)]) -> bool {
        false
    }

    /// Takes the file at `path` that [`Sink::previous`] found.
    fn put_previous(&self, path: String, previous: Previous) {
        // A sink that finds previous files places them itself; this is what any other would
        // do with one: read it and take it as a file.
        use std::io::{Read, Seek, SeekFrom};
        let mut file = &previous.file;
        let mut bytes = Vec::new();
        let read = file
            .seek(SeekFrom::Start(0))
            .and_then(|_| file.read_to_end(&mut bytes));
        if read.is_ok() {
            self.put(OutputFile { path, bytes });
        }
    }
}

/// A file of the previous build found to hold what a file of this build would
/// ([`Sink::previous`]), held open so the very file checked is the one placed.
#[derive(Debug)]
pub struct Previous {
    /// The file, open.
    pub file: std::fs::File,
    /// Its metadata, as it was checked.
    pub meta: std::fs::Metadata,
    /// The XXH3-128 of its bytes.
    pub hash: u128,
}

/// A sink that keeps the files in memory (for `serve` and `check`).
#[derive(Debug, Default)]
pub struct MemorySink(Mutex<Vec<OutputFile>>);

impl Sink for MemorySink {
    fn put(&self, file: OutputFile) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).push(file);
    }
}

impl MemorySink {
    /// The files received, sorted by path.
    pub fn into_files(self) -> Vec<OutputFile> {
        let mut files = self.0.into_inner().unwrap_or_else(|p| p.into_inner());
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files
    }
}
