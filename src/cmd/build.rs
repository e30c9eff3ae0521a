//! `coursegen build` and `coursegen check`.

use std::path::{Path, PathBuf};

use coursegen::build::{build, default_out, BuildOptions, BuildReport};
use coursegen::config::{PracticeSheets, SheetSize};
use coursegen::diagnostic::Diagnostics;

use super::report::{render, Format};
use super::{CONTENT_ERROR, USAGE_ERROR};

/// What a build prints, from the command line.
pub struct Print {
    /// Whether to make PDFs at all (`--no-pdf` makes none).
    pub pdf: bool,
    /// Cut sheets for the decks (`--sheet`), over `course.yaml`.
    pub sheet: Option<SheetSize>,
    /// Number sets of the practice sheets (`--practice-sheets`), over `course.yaml`.
    pub practice_sheets: Option<PracticeSheets>,
}

/// Builds the course at `path`; prints every error, or the summary line.
pub fn run(
    path: &Path,
    out: Option<PathBuf>,
    print: Print,
    timings: bool,
    strict: bool,
    cache: bool,
    format: Format,
) -> u8 {
    let out = out.unwrap_or_else(|| default_out(path));
    match build(&BuildOptions {
        root: path.to_path_buf(),
        out: Some(out.clone()),
        pdf: print.pdf,
        strict,
        sheet: print.sheet,
        practice_sheets: print.practice_sheets,
        cache,
    }) {
        Ok(report) => {
            report_warnings(&report, format);
            if timings {
                // Stages summed over the pages on every thread, then the build's phases.
                for (stage, time) in &report.stage_times {
                    eprintln!(
                        "{stage:>8}: {:>8.1} ms (all pages, all threads)",
                        time.as_secs_f64() * 1000.0
                    );
                }
                for (phase, time) in &report.timings {
                    eprintln!("{phase:>8}: {:>8.1} ms", time.as_secs_f64() * 1000.0);
                }
                eprintln!("   total: {:>8.1} ms", report.wall.as_secs_f64() * 1000.0);
                eprintln!(
                    "  cached: {} of {} pages{}",
                    report.cached,
                    report.pages,
                    if report.up_to_date {
                        ", and the site's own files: the output folder is up to date, nothing written"
                    } else if report.site_cached {
                        ", and the site's own files"
                    } else {
                        ""
                    }
                );
            }
            summary(
                &format!("{} into {}", report.summary("built"), out.display()),
                format,
            );
            report_coverage(&report, format);
            // The process ends here: freeing the whole course model page by page would only
            // keep it waiting (about 0.1 s on one thread at 10,000 pages).
            std::mem::forget(report);
            0
        }
        Err(errors) => report_errors(&errors, format),
    }
}

/// A summary line: on stdout for people, on stderr when stdout carries machine output.
fn summary(line: &str, format: Format) {
    match format {
        Format::Human => println!("{line}"),
        _ => eprintln!("{line}"),
    }
}

/// Prints the warnings of a build that succeeded.
fn report_warnings(report: &BuildReport, format: Format) {
    for warning in &report.warnings {
        match format {
            Format::Human => eprintln!("{}", render(warning, format)),
            _ => println!("{}", render(warning, format)),
        }
    }
}

/// Prints the coverage line, after the summary.
fn report_coverage(report: &BuildReport, format: Format) {
    if report.coverage.total() > 0 {
        summary(&report.coverage.summary(), format);
    }
}

/// Prints every problem; the exit code says whether the content or the command was wrong.
fn report_errors(errors: &Diagnostics, format: Format) -> u8 {
    match format {
        Format::Human => eprintln!("{}", errors.render()),
        // Machine formats: one line per diagnostic on stdout, nothing else there.
        _ => errors
            .0
            .iter()
            .for_each(|d| println!("{}", render(d, format))),
    }
    if errors.is_usage() {
        USAGE_ERROR
    } else {
        CONTENT_ERROR
    }
}

/// Checks the course at `path` without writing anything.
pub fn check(path: &Path, strict: bool, format: Format) -> u8 {
    match build(&BuildOptions {
        root: path.to_path_buf(),
        out: None,
        // Laying out the decks finds formulas a card cannot print, and cards set too small.
        pdf: true,
        strict,
        sheet: None,
        practice_sheets: None,
        cache: false,
    }) {
        Ok(report) => {
            report_warnings(&report, format);
            summary(&report.summary("checked"), format);
            report_coverage(&report, format);
            0
        }
        Err(errors) => report_errors(&errors, format),
    }
}
