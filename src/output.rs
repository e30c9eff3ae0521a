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
