//! `coursegen serve`: builds the course into memory, serves it on loopback, rebuilds when a
//! file changes and tells open pages to reload. A broken edit never stops the server: the last
//! good site stays up and the error is shown over it, in the browser and once in the terminal.

pub mod http;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use crate::build::{build, BuildOptions};

/// What the server has to serve, replaced as a whole after each build.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// The last good site, by path relative to the site root.
    pub files: HashMap<String, Arc<Vec<u8>>>,
    /// The errors of the last build, if it failed (the files are then the previous build's).
    pub error: Option<String>,
    /// Increases with every build, good or bad; live-reload clients wait for it to change.
    pub version: u64,
}

/// The server's state, shared by the request threads and the rebuild loop.
#[derive(Debug, Default)]
pub struct Site {
    snapshot: Mutex<Snapshot>,
    changed: Condvar,
}

impl Site {
    /// Builds the course at `root` and publishes the result. Returns the error text (as the
    /// CLI prints it) if the build failed, or the summary line.
    pub fn rebuild(&self, root: &Path) -> Result<String, String> {
        let result = build(&BuildOptions {
            root: root.to_path_buf(),
            out: None,
            pdf: true,
        });
        let mut snapshot = self.snapshot.lock().unwrap_or_else(|p| p.into_inner());
        snapshot.version += 1;
        let outcome = match result {
            Ok(report) => {
                let summary = report.summary("built");
                snapshot.files = report
                    .files
                    .into_iter()
                    .map(|f| (f.path, Arc::new(f.bytes)))
                    .collect();
                snapshot.error = None;
                Ok(summary)
            }
            Err(errors) => {
                let text = errors.render();
                snapshot.error = Some(text.clone());
                Err(text)
            }
        };
        self.changed.notify_all();
        outcome
    }

    /// Runs `f` on the current snapshot.
    pub fn with<T>(&self, f: impl FnOnce(&Snapshot) -> T) -> T {
        f(&self.snapshot.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Waits until the version is past `seen` (or `timeout` passes); returns the new version
    /// and whether that build failed.
    pub fn wait_change(&self, seen: u64, timeout: Duration) -> (u64, bool) {
        let guard = self.snapshot.lock().unwrap_or_else(|p| p.into_inner());
        let (guard, _) = self
            .changed
            .wait_timeout_while(guard, timeout, |s| s.version <= seen)
            .unwrap_or_else(|p| p.into_inner());
        (guard.version, guard.error.is_some())
    }
}

/// The folders and files of a course whose changes trigger a rebuild.
pub fn watched(root: &Path) -> Vec<PathBuf> {
    ["content", "templates", "assets", crate::config::COURSE_FILE]
        .iter()
        .map(|p| root.join(p))
        .filter(|p| p.exists())
        .collect()
}
