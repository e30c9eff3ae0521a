//! Runs the stages in order — load, verify, render, write — for a batch of pages at a time,
//! timing each, and commits nothing if any stage found a problem.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use crate::cache::{
    Cache, Entry, Facts, KeyBuilder, PageEntry, Recorder, StoredDiagnostic, Written,
};
use crate::output::Previous;
use search_feed::{Feeding, SearchFeed};

use crate::config::{PracticeSheets, Require, SheetSize};
use crate::coverage::{page_coverage, Claim, Coverage};
use crate::diagnostic::{all_or_errors, Diagnostic, Diagnostics};
use crate::load::{body_of, load_outline, read_body, read_source, source_digest};
use crate::model::Course;
use crate::model::Page;
use crate::outputs::Claims;
use crate::plan::Plan;
use crate::print::{deck_part, print_course_deck, print_page, DeckPart};
use crate::render::links::PageLinks;
use crate::render::search::{PageWords, Record};
use crate::render::{
    assets, render_page, render_site_files, templates::Templates, MemorySink, OutputFile, Sink,
    Site,
};
use crate::source::SourceFile;
use crate::verify::variants::BuildAllowance;
use crate::verify::{verify_page_as, PageVerification};
use crate::write::{resolve_out, Staging};
use rayon::prelude::*;

mod search_feed;

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
    /// Whether a build that writes a site reuses and keeps pages in the build cache
    /// ([`crate::cache`]; `--no-cache` turns it off).
    pub cache: bool,
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
    /// Wall time of each phase of the build, in order: the outline, the pages (read, verified
    /// and built a batch at a time), the files of the whole site, the write.
    pub timings: Vec<(&'static str, Duration)>,
    /// Time each stage took summed over every page, on every thread: load, verify, coverage,
    /// render (a page's HTML and print files).
    pub stage_times: Vec<(&'static str, Duration)>,
    /// Wall time of the whole build.
    pub wall: Duration,
    /// Pages taken from the build cache.
    pub cached: usize,
    /// Whether the site's own files (search index, home page, sitemap, course deck) came from
    /// the build cache.
    pub site_cached: bool,
    /// Whether the output folder was found up to date (nothing changed since the build that
    /// wrote it, and nothing touched it since), so nothing was written.
    pub up_to_date: bool,
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
    /// Wall time of the whole build.
    pub fn elapsed(&self) -> Duration {
        self.wall
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

/// How many pages are read, verified and built before the next ones are read: the build holds
/// no more pages than this at once (besides what every page leaves for the whole site: its
/// links, anchors and search sections).
pub const BATCH: usize = 256;

/// Builds (or, without `out`, checks) the course. Every problem is returned, sorted by file
/// and position.
pub fn build(options: &BuildOptions) -> Result<BuildReport, Diagnostics> {
    build_with(options, false)
}

/// [`build`], keeping the loaded and verified course in [`BuildReport::model`] (what `serve`
/// needs to rebuild one page).
pub fn build_retained(options: &BuildOptions) -> Result<BuildReport, Diagnostics> {
    build_with(options, true)
}

/// Where time went, summed over the pages (on every thread) per stage.
#[derive(Default)]
struct StageTimes([AtomicU64; 4]);

const STAGES: [&str; 4] = ["load", "verify", "coverage", "render"];

impl StageTimes {
    fn time<T>(&self, stage: usize, f: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let out = f();
        self.0[stage].fetch_add(start.elapsed().as_nanos() as u64, Ordering::Relaxed);
        out
    }
}

/// What one page left for the rest of the build once its files were written.
struct PageOutcome<'c> {
    built: Option<PageBuilt>,
    coverage: Coverage,
    checks: usize,
    variants: usize,
    cards: usize,
    /// The page's part of the course deck, while the course deck may still be written.
    deck: Option<DeckPart<'c>>,
    /// A page from the cache with cards: its part of the course deck is made at the end, if
    /// the course has one (the cache does not keep a page's cards, so it is read and verified
    /// again then, and only then).
    deck_later: bool,
    /// The page and its verification, when the build keeps them.
    kept: Option<(Page, PageVerification)>,
    /// The page's build cache key, when the build has a cache.
    key: Option<u128>,
}

fn build_with(options: &BuildOptions, retain: bool) -> Result<BuildReport, Diagnostics> {
    let started = Instant::now();
    let mut report = BuildReport::default();
    let root = options.root.as_path();
    let fail = |errors: Vec<Diagnostic>| {
        let mut d = Diagnostics(errors);
        d.sort();
        d.cap_per_file();
        d
    };
    let (mut course, mut errors) = timed(&mut report.timings, "outline", || load_outline(root));
    if errors.is_usage() {
        return Err(fail(errors.0));
    }
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
    let templates = match Templates::load(root) {
        Ok(t) => t,
        Err(e) => {
            errors.extend(e);
            return Err(fail(errors.0));
        }
    };

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
    let plan = Plan::before_pages(&course.config, options.pdf);
    let site = Site::new(&course, &templates, plan);
    let required = options.strict || course.config.verify.require == Require::All;
    let asset_files = assets(root);
    // The build cache, for a build that writes a site (`serve` keeps its pages in memory).
    let cache = (options.cache && out.is_some() && !retain)
        .then(|| {
            build_key(
                root,
                &course,
                &templates,
                options.pdf,
                required,
                &asset_files,
            )
        })
        .and_then(|key| Cache::open(root, key));

    // Nothing changed since the build that wrote `out`, and nothing touched `out` since: the
    // site is what this build would write, and stays as it is.
    if let (Some(cache), Some(out), true) = (&cache, &out, errors.is_empty()) {
        let written = timed(&mut report.timings, "current", || {
            up_to_date(cache, &site, out)
        });
        if let Some(written) = written {
            // What killed builds left beside the site goes, as a build that writes would do.
            crate::write::sweep(out);
            report.pages = written.pages;
            report.cards = written.cards;
            report.variants = written.variants;
            report.checks = written.checks;
            report.coverage.verified = written.verified;
            report.cached = written.pages;
            report.site_cached = true;
            report.up_to_date = true;
            report.wall = started.elapsed();
            return Ok(report);
        }
    }

    let staging = match &out {
        Some(out) => {
            let mut staging = Staging::new(out).map_err(|e| write_error(out, e))?;
            // With the cache, the stamps of the files placed are kept: the next build links
            // a file whose stamp still holds without reading it.
            if let Some(cache) = &cache {
                staging.keep_stamps(cache.load_stamps(out).unwrap_or_default());
            }
            Some(staging)
        }
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

    // The pages, a batch at a time: each read, verified, checked for coverage and built (its
    // HTML and print files written at once), then dropped. Pages after a failed one are still
    // read and verified, so one build reports every page's problems, but no longer built.
    let stages = StageTimes::default();
    let allowance = BuildAllowance::default();
    let failed = AtomicBool::new(!errors.is_empty());
    let deck_limit = course.config.flashcards.course_deck_limit;
    let mut deck_cards = if plan.pdf { Some(0usize) } else { None };
    let deck_wanted = AtomicBool::new(plan.pdf);
    let cached = AtomicUsize::new(0);
    let run = PageRun {
        site: &site,
        root,
        required,
        allowance: &allowance,
        failed: &failed,
        stages: &stages,
        sink,
        retain,
        cache: cache.as_ref(),
        deck_wanted: &deck_wanted,
        cached: &cached,
    };
    let count = site.pages.len();
    let mut links = Vec::with_capacity(count);
    let mut kept = Vec::new();
    let mut deck_parts = Vec::new();
    let mut deck_later = Vec::new();
    let mut keys = Vec::with_capacity(count);
    // The site's own files go into the cache as they are made: the search index's shards are
    // made while pages are built, a batch behind them.
    let site_recorder = cache.as_ref().map(|cache| cache.site_recorder(sink));
    let site_sink: &dyn Sink = match &site_recorder {
        Some(recorder) => recorder,
        None => sink,
    };
    // The site's own files come whole from the cache when its entry for the pages as the
    // outline read them is there (checked now, before the pages are built): the pages'
    // sections are then not needed, and none is held.
    let outline_keys = cache.as_ref().map(|cache| outline_keys(cache, &site));
    let site_entry = cache
        .as_ref()
        .zip(outline_keys.as_ref())
        .and_then(|(cache, keys)| cache.open_site(cache.site_key(keys)));
    let feeding = match (&site_entry, retain) {
        (_, true) => Feeding::Keep,
        (Some(_), false) => Feeding::Skip,
        (None, false) => Feeding::Eager,
    };
    let mut feed = SearchFeed::new(site.search_index(), feeding);
    let pages_start = Instant::now();
    for batch in (0..count).step_by(BATCH) {
        let pages = batch..(batch + BATCH).min(count);
        let (results, ()) = rayon::join(
            || {
                pages
                    .clone()
                    .into_par_iter()
                    .map(|i| {
                        let outcome = build_one(&run, i);
                        if outcome.is_err() {
                            failed.store(true, Ordering::Relaxed);
                        }
                        outcome
                    })
                    .collect::<Vec<Result<PageOutcome, Vec<Diagnostic>>>>()
            },
            // The batch before's sections, while this one builds.
            || {
                if !failed.load(Ordering::Relaxed) {
                    feed.feed(site_sink)
                }
            },
        );
        for (i, result) in pages.clone().zip(results) {
            match result {
                Ok(mut outcome) => {
                    // The course deck's cards, kept only while the course may have one.
                    if let Some(total) = deck_cards.as_mut() {
                        *total += outcome.cards;
                        if *total > deck_limit {
                            deck_cards = None;
                            deck_wanted.store(false, Ordering::Relaxed);
                            deck_parts.clear();
                            deck_later.clear();
                            outcome.deck = None;
                        } else if outcome.deck_later {
                            deck_later.push(i);
                        }
                    } else {
                        outcome.deck = None;
                    }
                    // What the rest of the build needs, taken now: an outcome is large
                    // (8.5 MB for 10,000 pages when they were all kept).
                    let Some(built) = outcome.built else {
                        continue; // a page after a failed one: the build fails
                    };
                    keys.extend(outcome.key);
                    report.coverage.add(outcome.coverage);
                    report.checks += outcome.checks;
                    report.variants += outcome.variants;
                    report.cards += outcome.cards;
                    links.push(built.links);
                    feed.push(built.sections, built.words);
                    report.warnings.extend(built.warnings);
                    deck_parts.extend(outcome.deck.map(|part| (i, part)));
                    kept.extend(outcome.kept);
                }
                Err(e) => errors.extend(e),
            }
        }
        site.nav.release_before(pages.end);
    }
    report.timings.push(("pages", pages_start.elapsed()));
    report.cached = cached.load(Ordering::Relaxed);
    report.stage_times = STAGES
        .iter()
        .zip(&stages.0)
        .map(|(name, nanos)| (*name, Duration::from_nanos(nanos.load(Ordering::Relaxed))))
        .collect();
    if !errors.is_empty() {
        return Err(fail(errors.0));
    }

    report.pages = count;
    let plan = plan.with_cards(report.cards, &course.config);
    let site = Site {
        plan,
        cards: report.cards,
        ..site
    };
    // The site's own files come from the cache entry checked before the pages (when every
    // page was as the outline read it); otherwise they are made, and kept for the next build
    // once every page's key is known.
    let site_key = cache
        .as_ref()
        .filter(|_| keys.len() == count)
        .map(|cache| (cache, cache.site_key(&keys)));
    let mut sections = Vec::new();
    let mut site_cached = false;
    let errors = timed(&mut report.timings, "site", || {
        if let Some(entry) = site_entry {
            // A page that changed after the outline read it was built as it is now, but the
            // entry holds its search records as they were, and its sections are gone.
            if let Some(i) =
                (0..count).find(|&i| keys.get(i) != outline_keys.as_ref().map(|k| &k[i]))
            {
                return vec![Diagnostic::in_path(
                    site.pages[i].file.path.clone(),
                    "the page changed while the build read it",
                )
                .with_hint("build again")];
            }
            site_cached = true;
            let entry_path = entry.path().to_string();
            return match entry.hand_on(sink) {
                Ok(()) => Vec::new(),
                Err(e) => vec![Diagnostic::in_path(
                    entry_path,
                    format!("the build cache's site entry could not be read: {e}"),
                )
                .with_hint("delete the cache folder (or build with --no-cache) and build again")],
            };
        }
        let (index, waiting) = feed.finish(site_sink);
        if retain {
            sections = waiting;
        }
        let mut errors = render_site_files(&site, &links, index, site_sink);
        if plan.course {
            let keys = (keys.len() == count).then_some(keys.as_slice());
            match later_deck_parts(&site, root, required, &deck_later, keys, cache.as_ref()) {
                Ok(later) => deck_parts.extend(later),
                Err(e) => errors.extend(e),
            }
        }
        deck_parts.sort_by_key(|(i, _)| *i);
        let parts = deck_parts.into_iter().map(|(_, part)| part).collect();
        if let Err(e) = print_course_deck(&course, parts, plan, site_sink) {
            errors.extend(e);
        }
        errors
    });
    report.site_cached = site_cached;
    // The recorded site's files are kept only when every page's key is known.
    if let (Some(recorder), Some((_, key)), true, false) = (
        site_recorder,
        site_key,
        errors.is_empty(),
        report.site_cached,
    ) {
        recorder.keep(key);
    }
    if !errors.is_empty() {
        return Err(fail(errors));
    }
    drop(site);
    let mut all = Diagnostics(std::mem::take(&mut report.warnings));
    all.sort();
    all.cap_per_file();
    report.warnings = all.0;
    for file in asset_files.map_err(fail)? {
        sink.put(file);
    }
    let collisions = claims.collisions(&course, root);
    if !collisions.is_empty() {
        return Err(fail(collisions));
    }
    let mut stamps = Default::default();
    if let (Some(staging), Some(out)) = (staging, &out) {
        stamps = timed(&mut report.timings, "write", || staging.commit())
            .map_err(|e| write_error(out, e))?;
        if let Some(cache) = &cache {
            cache.store_stamps(out, &stamps);
        }
    }
    if let Some(cache) = &cache {
        cache.keep_only(course.pages().map(|p| p.file.path.as_str()));
        // A build with no warnings is remembered with the folder it wrote, so that the next
        // build finds it up to date if nothing changes.
        if let (Some(out), Some((_, site_key)), true) = (&out, site_key, report.warnings.is_empty())
        {
            if let Some(folder) = cache.folder_key_knowing(out, &stamps) {
                let written = Written {
                    pages: report.pages,
                    cards: report.cards,
                    variants: report.variants,
                    checks: report.checks,
                    verified: report.coverage.verified,
                    folder,
                };
                cache.store_written(cache.written_key(site_key, out), &written);
            }
        }
    }
    report.files = memory.into_files();
    report.wall = started.elapsed();
    if retain {
        // The outline's pages give way to the pages as they were read and built.
        let (pages, verifications): (Vec<Page>, Vec<PageVerification>) = kept.into_iter().unzip();
        let mut pages = pages.into_iter();
        course.card_ids = Default::default();
        for lesson in &mut course.lessons {
            for page in std::iter::once(&mut lesson.page).chain(lesson.practice.iter_mut()) {
                if let Some(read) = pages.next() {
                    *page = read;
                }
            }
        }
        report.model = Some(Built {
            course,
            verifications,
            links,
            sections,
            templates,
        });
    }
    Ok(report)
}

/// What every page of a build shares.
struct PageRun<'s, 'c> {
    site: &'s Site<'c>,
    root: &'s Path,
    /// Whether unverified numbers are errors.
    required: bool,
    allowance: &'s BuildAllowance,
    /// Set once any page has failed: later pages are checked but no longer built.
    failed: &'s AtomicBool,
    stages: &'s StageTimes,
    sink: &'s dyn Sink,
    /// Whether the build keeps each page and its verification (`serve`).
    retain: bool,
    cache: Option<&'s Cache>,
    /// Whether the course deck may still be written, so pages must give their cards.
    deck_wanted: &'s AtomicBool,
    /// Pages taken from the cache.
    cached: &'s AtomicUsize,
}

/// Reads, verifies, checks and builds page `i` (the build's batch loop), or takes it from the
/// build cache when its entry's key matches.
fn build_one<'c>(run: &PageRun<'_, 'c>, i: usize) -> Result<PageOutcome<'c>, Vec<Diagnostic>> {
    let outline = run.site.pages[i];
    let Some(cache) = run.cache else {
        return build_fresh(run, i, None);
    };
    // Keyed by the file as the outline read it: a page taken from the cache is not read again.
    let key = cache.key(&outline.file.path, outline.source_digest);
    let Some(entry) = cache.load(&outline.file.path, key) else {
        return fresh_with_key(run, i, cache, None);
    };
    // Warnings and unverified numbers are located in the file, so a page that has any is read
    // again; if the file changed since the outline read it, the page is built from what it
    // holds now.
    let located = !entry.facts.warnings.is_empty() || !entry.facts.unverified.is_empty();
    let file = match located {
        true => Some(read_page(run, i)?),
        false => None,
    };
    if file
        .as_ref()
        .is_some_and(|f| source_digest(f) != outline.source_digest)
    {
        return fresh_with_key(run, i, cache, file);
    }
    // A cached page charges its variants' work again: the build passes only what a cold
    // build would.
    let work = entry.facts.variant_work;
    if !run.allowance.charge(work) {
        return fresh_with_key(run, i, cache, file);
    }
    // Its files linked whole from the previous site when every one still has the stamp the
    // last build kept of it (nothing opened or read: the usual rebuild); else each found in
    // the previous site or read from the entry and checked, before anything is placed: a
    // damaged file makes the entry a miss (and the page, built afresh, charges its own work).
    let paths: Vec<(&str, u128)> = entry
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.hash))
        .collect();
    let linked = !run.failed.load(Ordering::Relaxed) && run.sink.place_unchanged(&paths);
    let files = match linked {
        true => Vec::new(),
        false => match handed_files(run, &entry) {
            Some(files) => files,
            None => {
                run.allowance.refund(work);
                return fresh_with_key(run, i, cache, file);
            }
        },
    };
    reuse(run, file, entry.facts, files).map(|o| PageOutcome {
        key: Some(key),
        ..o
    })
}

/// A cached page's file as it is handed on.
enum Handed {
    /// The previous site's copy, which holds exactly its bytes.
    Previous(String, Previous),
    /// Its bytes, from the cache entry.
    Bytes(OutputFile),
}

/// The files of a cached page as they will be handed on: the previous site's copy where the
/// sink has one (the bytes are not read from the cache), else the bytes from `entry`, checked;
/// `None` when any file's bytes are damaged. Nothing when the build has failed (a failed build
/// hands nothing on).
fn handed_files(run: &PageRun<'_, '_>, entry: &PageEntry) -> Option<Vec<Handed>> {
    if run.failed.load(Ordering::Relaxed) {
        return Some(Vec::new());
    }
    entry
        .files
        .iter()
        .map(|f| match run.sink.previous(&f.path, f.len, f.hash) {
            Some(previous) => Some(Handed::Previous(f.path.clone(), previous)),
            None => Some(Handed::Bytes(OutputFile {
                path: f.path.clone(),
                bytes: entry.bytes(f)?,
            })),
        })
        .collect()
}

/// Reads the file of page `i` (timed as the load stage).
fn read_page(run: &PageRun<'_, '_>, i: usize) -> Result<Arc<SourceFile>, Vec<Diagnostic>> {
    let path = &run.site.pages[i].file.disk_path;
    let read = run.stages.time(0, || read_source(run.root, path));
    Ok(Arc::new(read.map_err(|d| vec![d])?))
}

/// Builds page `i` from its file (read now unless `file` holds it) and keeps it in the cache
/// under the key of what was read.
fn fresh_with_key<'c>(
    run: &PageRun<'_, 'c>,
    i: usize,
    cache: &Cache,
    file: Option<Arc<SourceFile>>,
) -> Result<PageOutcome<'c>, Vec<Diagnostic>> {
    let file = match file {
        Some(file) => file,
        None => read_page(run, i)?,
    };
    let key = cache.key(&file.path, source_digest(&file));
    build_fresh(run, i, Some((cache, key, file))).map(|o| PageOutcome {
        key: Some(key),
        ..o
    })
}

/// A page from its cache entry: its files handed to the sink, its facts to the build.
fn reuse<'c>(
    run: &PageRun<'_, 'c>,
    file: Option<Arc<SourceFile>>,
    facts: Facts,
    files: Vec<Handed>,
) -> Result<PageOutcome<'c>, Vec<Diagnostic>> {
    // The course deck is made from every page's cards, which the cache does not keep: their
    // part is made at the end, once it is known whether the course has a deck at all.
    let deck_later =
        run.site.plan.pdf && facts.cards > 0 && run.deck_wanted.load(Ordering::Relaxed);
    let built = if run.failed.load(Ordering::Relaxed) {
        None
    } else {
        for handed in files {
            match handed {
                Handed::Previous(path, previous) => run.sink.put_previous(path, previous),
                Handed::Bytes(file) => run.sink.put(file),
            }
        }
        Some(PageBuilt {
            links: facts.links,
            sections: facts.sections,
            words: facts.words,
            // `file` is read whenever there are warnings.
            warnings: file.as_ref().map_or_else(Vec::new, |file| {
                facts
                    .warnings
                    .into_iter()
                    .map(|d| d.restore(file))
                    .collect()
            }),
        })
    };
    run.cached.fetch_add(1, Ordering::Relaxed);
    // `file` is read whenever there are unverified numbers.
    let claims = file.map_or_else(Vec::new, |file| {
        let claims = facts.unverified.into_iter();
        claims
            .map(|span| Claim {
                file: Arc::clone(&file),
                span,
            })
            .collect()
    });
    Ok(PageOutcome {
        built,
        coverage: Coverage {
            verified: facts.verified,
            claims,
        },
        checks: facts.checks,
        variants: facts.variants,
        cards: facts.cards,
        deck: None,
        deck_later,
        kept: None,
        key: None,
    })
}

/// The course deck's parts of the cached pages `later` (with their page numbers): each read
/// and verified again, as a cold build did while building it. A page whose source changed
/// since the build read it (its key, in `keys`, no longer matches) is an error: its deck part
/// would not be the page the site shows.
fn later_deck_parts<'c>(
    site: &Site<'c>,
    root: &Path,
    required: bool,
    later: &[usize],
    keys: Option<&[u128]>,
    cache: Option<&Cache>,
) -> Result<Vec<(usize, DeckPart<'c>)>, Vec<Diagnostic>> {
    let made: Vec<Result<(usize, DeckPart<'c>), Vec<Diagnostic>>> = later
        .par_iter()
        .map(|&i| {
            let outline = site.pages[i];
            let file = Arc::new(read_source(root, &outline.file.disk_path).map_err(|d| vec![d])?);
            if let (Some(keys), Some(cache)) = (keys, cache) {
                if cache.key(&file.path, source_digest(&file)) != keys[i] {
                    return Err(vec![Diagnostic::in_path(
                        file.path.clone(),
                        "the page changed while the site was being built",
                    )
                    .with_hint("build again")]);
                }
            }
            let page = body_of(root, outline, file)?;
            // Its work was charged when it was first built.
            let spare = BuildAllowance::default();
            let verification = verify_page_as(&page, &spare, required)?;
            Ok((i, deck_part(site.course, &page, &verification)))
        })
        .collect();
    all_or_errors(made)
}

/// Reads, verifies, checks and builds page `i`; with `store` (the cache, the page's key and
/// its file, already read), keeps what it made in the cache. Once any page has failed, the
/// page is still read and verified but not built.
fn build_fresh<'c>(
    run: &PageRun<'_, 'c>,
    i: usize,
    store: Option<(&Cache, u128, Arc<SourceFile>)>,
) -> Result<PageOutcome<'c>, Vec<Diagnostic>> {
    let outline = run.site.pages[i];
    let page = run.stages.time(0, || match &store {
        Some((_, _, file)) => body_of(run.root, outline, Arc::clone(file)),
        None => read_body(run.root, outline),
    })?;
    let verification = run
        .stages
        .time(1, || verify_page_as(&page, run.allowance, run.required))?;
    if run.required && !verification.unaccounted.is_empty() {
        return Err(verification.unaccounted);
    }
    let coverage = run.stages.time(2, || page_coverage(&page));
    let warnings = coverage.policy(run.required)?;
    let variants = verification.variants.values().flatten();
    let checks = verification.checks + variants.clone().map(|v| v.checks).sum::<usize>();
    let variants = variants.count();
    let cards = page.counts().cards;
    let recorder = store.as_ref().map(|_| Recorder::new(run.sink));
    let sink: &dyn Sink = match &recorder {
        Some(r) => r,
        None => run.sink,
    };
    let built = if run.failed.load(Ordering::Relaxed) {
        None
    } else {
        let mut built = run
            .stages
            .time(3, || build_page(run.site, i, &page, &verification, sink))?;
        built.warnings.extend(warnings);
        Some(built)
    };
    if let (Some((cache, key, _)), Some(recorder), Some(built)) = (&store, recorder, &built) {
        let facts = Facts {
            links: built.links.clone(),
            sections: built.sections.clone(),
            words: built.words.clone(),
            warnings: built
                .warnings
                .iter()
                .map(|d| StoredDiagnostic::new(d, &page.file))
                .collect(),
            verified: coverage.verified,
            unverified: coverage.claims.iter().map(|c| c.span.clone()).collect(),
            checks,
            variants,
            cards,
            variant_work: verification.variant_work,
        };
        let files = recorder.into_files();
        cache.store(&page.file.path, *key, &Entry { facts, files });
    }
    // Its part of the course deck, while the course may still have one (past the deck's
    // limit no page's part is kept, so none is made).
    let deck = (run.site.plan.pdf && cards > 0 && run.deck_wanted.load(Ordering::Relaxed))
        .then(|| deck_part(run.site.course, &page, &verification));
    Ok(PageOutcome {
        built,
        coverage,
        checks,
        variants,
        cards,
        deck,
        deck_later: false,
        kept: run.retain.then_some((page, verification)),
        key: None,
    })
}

/// What the build that wrote `out` reported, when every page's key and the build's are the
/// ones it was written with and the folder is as that build left it.
fn up_to_date(cache: &Cache, site: &Site, out: &Path) -> Option<Written> {
    if !cache.has_written() || !out.is_dir() {
        return None;
    }
    let keys = outline_keys(cache, site);
    // The folder is walked only once the record matches what this build would write.
    let written = cache.load_written(cache.written_key(cache.site_key(&keys), out))?;
    (cache.folder_key(out)? == written.folder).then_some(written)
}

/// Every page's cache key as the outline read its file, at the start of this build.
fn outline_keys(cache: &Cache, site: &Site) -> Vec<u128> {
    site.pages
        .iter()
        .map(|outline| cache.key(&outline.file.path, outline.source_digest))
        .collect()
}

/// The key of everything a page's files depend on besides the page itself: the course file
/// (as this build's options leave it), the options, the templates, the assets and images,
/// every page's place, title and front matter, and the commit checked out ([`crate::cache`]).
fn build_key(
    root: &Path,
    course: &Course,
    templates: &Templates,
    pdf: bool,
    required: bool,
    assets: &Result<Vec<OutputFile>, Vec<Diagnostic>>,
) -> u128 {
    let mut key = KeyBuilder::new();
    key.add(format!("{:?}", course.config).as_bytes())
        .add(format!("pdf {pdf} required {required}").as_bytes())
        .add(&templates.fingerprint().to_le_bytes());
    for file in assets.iter().flatten() {
        key.add(file.path.as_bytes()).add(&file.bytes);
    }
    for (path, file) in &course.media {
        key.add(path.as_bytes()).add(&file.bytes);
    }
    for page in course.pages() {
        key.add(page.file.path.as_bytes())
            .add(page.url.as_bytes())
            .add(format!("{:?} {:?} {:?}", page.kind, page.meta, page.card_keys).as_bytes());
    }
    if let Some(head) = crate::print::anki::history::head_commit(root) {
        key.add(head.as_bytes());
    }
    key.finish()
}

/// What building one page made besides its files: what its links need checked, its sections
/// for the search index, and its warnings.
#[derive(Debug)]
pub struct PageBuilt {
    /// The page's anchors and links.
    pub links: PageLinks,
    /// The page's sections for the search index.
    pub sections: Vec<Record>,
    /// Their words, as the index files them.
    pub words: PageWords,
    /// What deserves a look (a card set below a readable size).
    pub warnings: Vec<Diagnostic>,
}

/// Builds page `i` of `site`, verified as `verification`: its HTML and the print files beside
/// it (its cards' TSV, deck, Anki package and practice sheet, as the plan says), each handed
/// to `sink`. The one way a page is built, for `build` and for `serve`'s partial rebuilds.
pub fn build_page(
    site: &Site,
    i: usize,
    page: &Page,
    verification: &PageVerification,
    sink: &dyn Sink,
) -> Result<PageBuilt, Vec<Diagnostic>> {
    let (file, links, sections) = render_page(site, i, page, verification)?;
    sink.put(file);
    let warnings = print_page(site.course, page, verification, site.plan, sink)?;
    let words = PageWords::of(&sections, &site.course.config.language);
    Ok(PageBuilt {
        links,
        sections,
        words,
        warnings,
    })
}

/// Verifies one page and applies the coverage policy to it: its verification and its
/// warnings, or every error. What `serve` runs when one page changed.
pub fn check_page(
    page: &Page,
    required: bool,
) -> Result<(PageVerification, Vec<Diagnostic>), Vec<Diagnostic>> {
    let allowance = BuildAllowance::default();
    let verification = verify_page_as(page, &allowance, required)?;
    // Numbers in checks that nothing accounts for fail a strict build (#25).
    if required && !verification.unaccounted.is_empty() {
        return Err(verification.unaccounted);
    }
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
