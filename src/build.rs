//! Runs the stages in order — load, verify, render, write — timing each, and stops before
//! writing if any stage found a problem.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::config::{PracticeSheets, Require, SheetSize};
use crate::coverage::{course_coverage, Coverage};
use crate::diagnostic::all_or_errors;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::load::load_course;
use crate::model::Course;
use crate::model::Page;
use crate::outputs::Claims;
use crate::plan::Plan;
use crate::print::{print_course_deck, print_page};
use crate::render::links::PageLinks;
use crate::render::search::Record;
use crate::render::{
    assets, render_page, render_site_files, templates::Templates, MemorySink, OutputFile, Sink,
    Site,
};
use crate::verify::PageVerification;
use crate::verify::{verify_course, verify_page};
use crate::write::{resolve_out, Staging};
use rayon::prelude::*;

/// What to do with a course.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The course folder.
    pub root: PathBuf,
    /// Where the site goes; `None` checks without writing.
    pub out: Option<PathBuf>,
    /// Whether to make the flashcard PDFs (`--no-pdf` skips them for a faster preview).
    pub pdf: bool,
    /// Unverified numbers in worked answers are errors (`--strict`), whatever `course.yaml`
    /// says.
    pub strict: bool,
    /// Cut sheets for this build (`--sheet`), over what `course.yaml` says.
    pub sheet: Option<SheetSize>,
    /// Practice sheets with this many number sets for this build (`--practice-sheets`), over
    /// what `course.yaml` says.
    pub practice_sheets: Option<PracticeSheets>,
}

/// What a successful build did.
#[derive(Debug, Default)]
pub struct BuildReport {
    /// Pages rendered (lesson and practice pages).
    pub pages: usize,
    /// Flashcards across the course.
    pub cards: usize,
    /// Verification links checked, the exercise variants' included.
    pub checks: usize,
    /// Exercise variants made and verified (beyond the authors' own numbers).
    pub variants: usize,
    /// How many numbers in worked answers are verified, and which are not.
    pub coverage: Coverage,
    /// Files of the site, when it was built in memory (no `out`), sorted by path.
    pub files: Vec<OutputFile>,
    /// Warnings: the build succeeded, and these deserve a look (an unverified number in a
    /// worked answer, a card set too small to read), sorted by place.
    pub warnings: Vec<Diagnostic>,
    /// Time per stage, in order.
    pub timings: Vec<(&'static str, Duration)>,
    /// What was built, for partial rebuilds (`serve`).
    pub model: Option<Built>,
}

/// The loaded, verified and rendered course a build leaves behind.
pub struct Built {
    /// The course model.
    pub course: Course,
    /// Each page's verification results, in [`Course::pages`] order.
    pub verifications: Vec<PageVerification>,
    /// Each page's anchors and links, in the same order.
    pub links: Vec<PageLinks>,
    /// Each page's sections for the search index, in the same order.
    pub sections: Vec<Vec<crate::render::search::Record>>,
    /// The compiled templates.
    pub templates: Templates,
}

impl std::fmt::Debug for Built {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Built {{ {} pages }}", self.verifications.len())
    }
}

impl BuildReport {
    /// Total time of all stages.
    pub fn elapsed(&self) -> Duration {
        self.timings.iter().map(|(_, d)| *d).sum()
    }

    /// The one summary line a build ends with.
    pub fn summary(&self, verb: &str) -> String {
        let variants = match self.variants {
            0 => String::new(),
            n => format!("{n} exercise variant{}, ", plural(n)),
        };
        format!(
            "{verb} {} page{}, {} flashcard{}, {variants}{} check{} passed in {} ms",
            self.pages,
            plural(self.pages),
            self.cards,
            plural(self.cards),
            self.checks,
            plural(self.checks),
            self.elapsed().as_millis()
        )
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn timed<T>(
    timings: &mut Vec<(&'static str, Duration)>,
    stage: &'static str,
    f: impl FnOnce() -> T,
) -> T {
    let start = Instant::now();
    let out = f();
    timings.push((stage, start.elapsed()));
    out
}

/// Builds (or, without `out`, checks) the course. Every problem is returned, sorted by file
/// and position.
pub fn build(options: &BuildOptions) -> Result<BuildReport, Diagnostics> {
    let mut report = BuildReport::default();
    let root = options.root.as_path();
    let fail = |errors: Vec<Diagnostic>| {
        let mut d = Diagnostics(errors);
        d.sort();
        d.cap_per_file();
        d
    };
    let (mut course, mut errors) = timed(&mut report.timings, "load", || load_course(root));
    if options.sheet.is_some() {
        course.config.flashcards.sheet = options.sheet;
    }
    if options.practice_sheets.is_some() {
        course.config.practice_sheets = options.practice_sheets;
    }
    if options.out.is_none() {
        // Built in memory for `serve`, the site lives at `/`, not at its published base URL
        // (the 404 page's links start from it).
        course.config.base_url = "/".into();
    }
    // Pages that loaded are verified even when others did not, so one build reports both.
    let verified = timed(&mut report.timings, "verify", || verify_course(&course));
    let verifications = match verified {
        Ok(v) if errors.is_empty() => v,
        Ok(_) => return Err(fail(errors.0)),
        Err(e) => {
            errors.extend(e);
            return Err(fail(errors.0));
        }
    };
    // Unverified numbers in worked answers: warnings, or errors when the course asks for it.
    report.coverage = timed(&mut report.timings, "coverage", || course_coverage(&course));
    let required = options.strict || course.config.verify.require == Require::All;
    let mut warnings = Diagnostics(report.coverage.policy(required).map_err(fail)?);
    warnings.sort();
    warnings.cap_per_file();
    report.warnings = warnings.0;
    let templates = Templates::load(root).map_err(fail)?;
    report.pages = course.pages().count();
    report.cards = course.pages().map(|p| p.counts().cards).sum();
    let variants = || {
        verifications
            .iter()
            .flat_map(|v| v.variants.values().flatten())
    };
    report.variants = variants().count();
    report.checks = verifications.iter().map(|v| v.checks).sum::<usize>()
        + variants().map(|v| v.checks).sum::<usize>();

    // Files go straight to the staging folder as they are made (or to memory without `out`).
    let write_error = |out: &Path, e: std::io::Error| {
        fail(vec![Diagnostic::in_path(
            out.display().to_string(),
            format!("cannot write the site: {e}"),
        )
        .usage()])
    };
    // Every check looks at the folder the kernel will write, `..` and symlinks resolved.
    let out = match &options.out {
        Some(out) => Some(resolve_out(out).map_err(|e| write_error(out, e))?),
        None => None,
    };
    if let Some(out) = &out {
        check_out(root, out).map_err(|d| fail(vec![d]))?;
    }
    let staging = match &out {
        Some(out) => Some(Staging::new(out).map_err(|e| write_error(out, e))?),
        None => None,
    };
    let memory = MemorySink::default();
    let target: &dyn Sink = match &staging {
        Some(staging) => staging,
        None => &memory,
    };
    // Every path is claimed once, whether the site goes to disk or to memory, so `check`
    // finds the collisions `build` would meet.
    let claims = Claims::new(target);
    let sink: &dyn Sink = &claims;
    let plan = Plan::of(&course, options.pdf);
    let site = Site::new(&course, &templates, plan).map_err(|d| fail(vec![d]))?;
    // Every page's HTML and print files in parallel; the course deck, one long job, beside
    // them rather than after them.
    let (pages, course_deck) = timed(&mut report.timings, "render", || {
        rayon::join(
            || {
                let built: Vec<Result<PageBuilt, Vec<Diagnostic>>> = (0..site.pages.len())
                    .into_par_iter()
                    .map(|i| build_page(&site, i, &verifications[i], sink))
                    .collect();
                all_or_errors(built)
            },
            || print_course_deck(&course, &|i| &verifications[i], plan, sink),
        )
    });
    let pages = pages.map_err(fail)?;
    // The page decks report a bad formula; the course deck's error is the same one again.
    course_deck.map_err(fail)?;
    let mut links = Vec::with_capacity(pages.len());
    let mut sections = Vec::with_capacity(pages.len());
    for page in pages {
        links.push(page.links);
        sections.push(page.sections);
        report.warnings.extend(page.warnings);
    }
    let errors = timed(&mut report.timings, "site", || {
        render_site_files(&site, &links, &sections, sink)
    });
    if !errors.is_empty() {
        return Err(fail(errors));
    }
    drop(site);
    let mut all = Diagnostics(std::mem::take(&mut report.warnings));
    all.sort();
    report.warnings = all.0;
    for file in assets(root).map_err(fail)? {
        sink.put(file);
    }
    let collisions = claims.collisions(&course, root);
    if !collisions.is_empty() {
        return Err(fail(collisions));
    }
    if let (Some(staging), Some(out)) = (staging, &out) {
        timed(&mut report.timings, "write", || staging.commit())
            .map_err(|e| write_error(out, e))?;
    }
    report.files = memory.into_files();
    report.model = Some(Built {
        course,
        verifications,
        links,
        sections,
        templates,
    });
    Ok(report)
}

/// What building one page made besides its files: what its links need checked, its sections
/// for the search index, and its warnings.
#[derive(Debug)]
pub struct PageBuilt {
    /// The page's anchors and links.
    pub links: PageLinks,
    /// The page's sections for the search index.
    pub sections: Vec<Record>,
    /// What deserves a look (a card set below a readable size).
    pub warnings: Vec<Diagnostic>,
}

/// Builds page `i` of `site`, verified as `verification`: its HTML and the print files beside
/// it (its cards' TSV, deck, Anki package and practice sheet, as the plan says), each handed
/// to `sink`. The one way a page is built, for `build` and for `serve`'s partial rebuilds.
pub fn build_page(
    site: &Site,
    i: usize,
    verification: &PageVerification,
    sink: &dyn Sink,
) -> Result<PageBuilt, Vec<Diagnostic>> {
    let page: &Page = site.pages[i];
    let (file, links, sections) = render_page(site, i, verification)?;
    sink.put(file);
    let warnings = print_page(site.course, page, verification, site.plan, sink)?;
    Ok(PageBuilt {
        links,
        sections,
        warnings,
    })
}

/// Verifies one page and applies the coverage policy to it: its verification and its
/// warnings, or every error. What `serve` runs when one page changed.
pub fn check_page(
    page: &Page,
    required: bool,
) -> Result<(PageVerification, Vec<Diagnostic>), Vec<Diagnostic>> {
    let verification = verify_page(page)?;
    let warnings = crate::coverage::page_coverage(page).policy(required)?;
    Ok((verification, warnings))
}

/// The site may not be written over the course's sources, nor over a folder holding them.
/// `out` is resolved ([`resolve_out`]); the course folder is resolved the same way, so neither
/// `..` nor a symlink can hide that one is inside the other.
fn check_out(root: &Path, out: &Path) -> Result<(), Diagnostic> {
    let Ok(root) = std::fs::canonicalize(root).or_else(|_| std::path::absolute(root)) else {
        return Ok(());
    };
    // The output folder itself may be a symlink (refused later); checked as its target too.
    let target = std::fs::canonicalize(out).unwrap_or_else(|_| out.to_path_buf());
    for out in [out, target.as_path()] {
        check_out_resolved(&root, out)?;
    }
    Ok(())
}

fn check_out_resolved(root: &Path, out: &Path) -> Result<(), Diagnostic> {
    let sources = ["content", "templates", "assets", crate::config::COURSE_FILE];
    let inside_sources = sources.iter().any(|s| out.starts_with(root.join(s)));
    if inside_sources || root.starts_with(out) {
        return Err(Diagnostic::in_path(
            out.display().to_string(),
            "the output folder would overwrite the course's own files",
        )
        .with_hint("write the site elsewhere, e.g. `--out site` (the default)")
        .usage());
    }
    Ok(())
}

/// The default output folder of a course: `site/` inside it.
pub fn default_out(root: &Path) -> PathBuf {
    root.join("site")
}
