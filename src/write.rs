//! Stage 5, write: puts the built site on disk atomically.
//!
//! Files are written into a fresh temporary folder beside the target, which replaces the
//! target only once every file is written, so a failed build (or one stopped half way) leaves
//! the previous site as it was.

use std::fs;
use std::io;
use std::path::Path;

use rayon::prelude::*;

use crate::render::OutputFile;

/// Name of the marker file that says a folder was built by coursegen and may be replaced.
pub const MARKER: &str = ".coursegen-site";

/// Writes `files` to `out`, replacing what was there.
///
/// Refuses to replace a non-empty folder that coursegen did not build, so a mistyped `--out`
/// cannot delete someone's work.
pub fn write_site(out: &Path, files: &[OutputFile]) -> io::Result<()> {
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
    let staging = tempfile::Builder::new()
        .prefix(".coursegen-new-")
        .tempdir_in(&parent)?;
    let mut dirs: Vec<&str> = files
        .iter()
        .filter_map(|f| f.path.rsplit_once('/').map(|(d, _)| d))
        .collect();
    dirs.sort_unstable();
    dirs.dedup();
    for dir in dirs {
        fs::create_dir_all(staging.path().join(dir))?;
    }
    files
        .par_iter()
        .try_for_each(|f| fs::write(staging.path().join(&f.path), &f.bytes))?;
    fs::write(
        staging.path().join(MARKER),
        "This folder is built by coursegen and replaced by each build.\n",
    )?;

    let staged = staging.keep();
    if out.exists() {
        let old = tempfile::Builder::new()
            .prefix(".coursegen-old-")
            .tempdir_in(&parent)?
            .keep();
        fs::remove_dir(&old)?;
        fs::rename(out, &old)?;
        if let Err(e) = fs::rename(&staged, out) {
            // Put the previous site back before reporting the failure.
            fs::rename(&old, out)?;
            return Err(e);
        }
        fs::remove_dir_all(&old)?;
    } else {
        fs::rename(&staged, out)?;
    }
    Ok(())
}
