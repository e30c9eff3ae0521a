//! `coursegen build` and `coursegen check`.

use std::path::{Path, PathBuf};

use coursegen::build::{build, default_out, BuildOptions};
use coursegen::config::SheetSize;
use coursegen::diagnostic::Diagnostics;

use super::{CONTENT_ERROR, USAGE_ERROR};

/// Builds the course at `path`; prints every error, or the summary line.
/// `sheet` lays the decks out as cut sheets for this build.
pub fn run(
    path: &Path,
    out: Option<PathBuf>,
    timings: bool,
    pdf: bool,
    sheet: Option<SheetSize>,
) -> u8 {
    let out = out.unwrap_or_else(|| default_out(path));
    match build(&BuildOptions {
        root: path.to_path_buf(),
        out: Some(out.clone()),
        pdf,
        sheet,
    }) {
        Ok(report) => {
            if timings {
                for (stage, time) in &report.timings {
                    eprintln!("{stage:>8}: {:>8.1} ms", time.as_secs_f64() * 1000.0);
                }
            }
            for warning in &report.warnings {
                eprintln!("{}", warning.render());
            }
            println!("{} into {}", report.summary("built"), out.display());
            // The process ends here: freeing the whole course model page by page would only
            // keep it waiting (about 0.1 s on one thread at 10,000 pages).
            std::mem::forget(report);
            0
        }
        Err(errors) => report_errors(&errors),
    }
}

/// Prints every problem; the exit code says whether the content or the command was wrong.
fn report_errors(errors: &Diagnostics) -> u8 {
    eprintln!("{}", errors.render());
    if errors.is_usage() {
        USAGE_ERROR
    } else {
        CONTENT_ERROR
    }
}

/// Checks the course at `path` without writing anything.
pub fn check(path: &Path) -> u8 {
    match build(&BuildOptions {
        root: path.to_path_buf(),
        out: None,
        // Laying out the decks finds formulas a card cannot print, and cards set too small.
        pdf: true,
        sheet: None,
    }) {
        Ok(report) => {
            for warning in &report.warnings {
                eprintln!("{}", warning.render());
            }
            println!("{}", report.summary("checked"));
            0
        }
        Err(errors) => report_errors(&errors),
    }
}
