//! What templates see: small borrowed, serializable views of the model, and the navigation
//! computed once per course (the lesson list) and once per lesson (its sidebar).

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use serde::Serialize;

use super::body::TocEntry;
use super::templates::Templates;
use crate::config::CourseConfig;
use crate::diagnostic::Diagnostic;
use crate::model::Counts;
use crate::model::{Course, Page};
use crate::plan::PageFiles;

/// The course, as every template sees it.
#[derive(Serialize)]
pub struct SiteView<'a> {
    /// The course's title.
    pub(super) title: &'a str,
    description: &'a str,
    /// The language of its pages (`lang`).
    pub(super) language: &'a str,
    base_url: &'a str,
    /// The absolute URL pages are published under, ending in `/`, when `base_url` is one
    /// (`https://…`): canonical links and the sitemap need it.
    pub(super) canonical: Option<String>,
    /// The printed card's size for CSS `@page` (`148mm 105mm`): the browser prints cards on
    /// the page size of the PDF deck.
    pub(super) card_size: String,
    /// The card's height, as the PDF deck sets it.
    pub(super) card_height: String,
    /// The card's margin, as the PDF deck sets it.
    pub(super) card_margin: String,
}

impl<'a> SiteView<'a> {
    /// The view of a course file.
    pub fn of(config: &'a CourseConfig) -> Self {
        let (w, h) = config.flashcards.page_size.mm();
        SiteView {
            title: &config.title,
            description: &config.description,
            language: &config.language,
            base_url: &config.base_url,
            canonical: canonical_base(&config.base_url),
            card_size: format!("{w}mm {h}mm"),
            card_height: format!("{h}mm"),
            // The same margin as `flashcards::pdf`: 7% of the card's shorter side.
            card_margin: format!("{:.2}mm", w.min(h) * crate::config::CARD_MARGIN),
        }
    }
}

/// `base_url` with a trailing `/` when it is an absolute `http(s)://` URL.
pub fn canonical_base(base_url: &str) -> Option<String> {
    let absolute = base_url.starts_with("https://") || base_url.starts_with("http://");
    absolute.then(|| format!("{}/", base_url.trim_end_matches('/')))
}

/// A link to a page, for lists and prev/next.
#[derive(Serialize, Clone)]
pub struct NavLink<'a> {
    /// The page's title.
    pub(super) title: &'a str,
    /// Its URL from the site root.
    pub(super) url: &'a str,
    /// Its one-line description.
    pub(super) description: &'a str,
}

/// A link to `page`.
pub fn link(page: &Page) -> NavLink<'_> {
    NavLink {
        title: page.title(),
        url: &page.url,
        description: &page.meta.description,
    }
}

/// The page being rendered.
#[derive(Serialize)]
pub struct PageView<'a> {
    /// Title.
    pub title: &'a str,
    /// One-line description.
    pub description: &'a str,
    /// URL path from the site root.
    pub url: &'a str,
    /// URL of its lesson.
    pub lesson_url: &'a str,
    /// `lesson`, `practice` or `home`.
    pub kind: &'static str,
    /// The body HTML.
    pub content: &'a str,
    /// Table of contents.
    pub toc: &'a [TocEntry],
    /// The page before, in reading order.
    pub prev: Option<NavLink<'a>>,
    /// The page after.
    pub next: Option<NavLink<'a>>,
    /// Questions, exercises and cards on the page.
    pub counts: Counts,
}

/// Everything a lesson or practice page's templates print around its body.
pub struct PageChrome<'a> {
    /// The course.
    pub site: &'a SiteView<'a>,
    /// The page, its body included.
    pub page: &'a PageView<'a>,
    /// Its sidebar, its own link marked.
    pub sidebar: &'a str,
    /// The prefix of every link from the page to the site's root (`../`).
    pub root: &'a str,
    /// A lesson page's practice pages (empty for a practice page).
    pub lesson_pages: &'a [NavLink<'a>],
    /// The files beside the page.
    pub files: &'a PageFiles,
    /// Number sets of the page's practice sheet; 0 when it has none.
    pub practice_sets: usize,
}

/// The page `chrome` describes rendered by Tera from the course's `template`, into room for
/// `expected` bytes.
pub fn tera_page(
    templates: &Templates,
    template: &str,
    chrome: &PageChrome<'_>,
    expected: usize,
) -> Result<String, Diagnostic> {
    let mut context = tera::Context::new();
    context.insert("site", chrome.site);
    context.insert("lesson_pages", chrome.lesson_pages);
    context.insert("sidebar", chrome.sidebar);
    context.insert("page", chrome.page);
    context.insert("root", chrome.root);
    context.insert("files", chrome.files);
    // Kept for templates written before `files`.
    context.insert("page_deck", &chrome.files.deck_pdf.is_some());
    context.insert("practice_sets", &chrome.practice_sets);
    templates.render(template, &context, expected)
}

/// What the sidebar template knows of the page it is rendered for.
#[derive(Serialize)]
struct SidebarPage<'a> {
    url: &'a str,
    lesson_url: &'a str,
}

/// The sidebar's template.
const SIDEBAR: &str = "partials/sidebar.html";

/// The sidebar rendered by Tera from the course's `partials/sidebar.html`: the lessons `nav`,
/// the pages `lesson_pages` of the lesson at `lesson_url` expanded, links prefixed by `root`,
/// nothing marked current.
pub(super) fn tera_sidebar(
    templates: &Templates,
    site: &SiteView<'_>,
    nav: &[NavLink<'_>],
    lesson_pages: &[NavLink<'_>],
    lesson_url: &str,
    root: &str,
) -> Result<String, Diagnostic> {
    let mut context = tera::Context::new();
    context.insert("site", site);
    context.insert("nav", nav);
    context.insert("lesson_pages", lesson_pages);
    context.insert(
        "page",
        &SidebarPage {
            url: "",
            lesson_url,
        },
    );
    context.insert("root", root);
    templates.render(SIDEBAR, &context, 16 << 10)
}

/// Navigation shared by every page: computed once, so that a course of 10,000 pages does not
/// build 10,000 sidebars of 10,000 entries.
pub struct Navigation<'a> {
    /// Every lesson, in order.
    pub lessons: Vec<NavLink<'a>>,
    /// Each lesson's practice pages, by lesson URL.
    pub lesson_pages: HashMap<&'a str, Vec<NavLink<'a>>>,
    /// The sidebar, by lesson URL and folder depth (links are relative), rendered the first
    /// time a page needs it: a rebuild that takes every page but one from the cache renders
    /// one lesson's sidebars, not every lesson's. Dropped once the lesson's pages are built
    /// ([`Self::release_before`]): each lists every lesson, so holding them all grew with the
    /// square of the course (3.2 MB at 10,000 pages, 6.4 MB at 20,000).
    sidebars: HashMap<&'a str, Vec<(usize, SidebarSlot)>>,
    /// Each lesson's URL with the number of pages up to and including its last, in reading
    /// order.
    lesson_ends: Vec<(&'a str, usize)>,
    /// How many lessons of `lesson_ends` have had their sidebars dropped.
    released: AtomicUsize,
    site: SiteView<'a>,
    templates: &'a Templates,
}

/// The URL of the lesson `page` belongs to: its URL's first folder. A lesson's URL is its
/// folder's slug and a practice page's is that slug and its own (`load::page_of`), so no
/// page-by-page map is kept for it (at 20,000 pages a table of 32,768 slots of 33 bytes).
pub fn lesson_of(page: &Page) -> &str {
    match page.url.find('/') {
        Some(slash) => &page.url[..=slash],
        None => &page.url,
    }
}

/// A lesson's sidebar as rendered (or why it could not be), shared by the pages that show it.
type Sidebar = Arc<Result<String, Diagnostic>>;
/// A lesson's sidebar at one folder depth, once rendered and until released.
type SidebarSlot = Mutex<Option<Sidebar>>;

impl<'a> Navigation<'a> {
    /// Computes the lists; each lesson's sidebar is rendered when a page first asks for it.
    pub fn new(course: &'a Course, templates: &'a Templates) -> Self {
        let lessons: Vec<NavLink> = course.lessons.iter().map(|l| link(&l.page)).collect();
        let lesson_pages: HashMap<&str, Vec<NavLink>> = course
            .lessons
            .iter()
            .map(|l| (l.page.url.as_str(), l.practice.iter().map(link).collect()))
            .collect();
        debug_assert!(course.lessons.iter().all(|l| {
            std::iter::once(&l.page)
                .chain(&l.practice)
                .all(|p| lesson_of(p) == l.page.url)
        }));
        let sidebars = course
            .lessons
            .iter()
            .map(|l| {
                let mut depths: Vec<usize> = std::iter::once(&l.page)
                    .chain(&l.practice)
                    .map(Page::depth)
                    .collect();
                depths.sort_unstable();
                depths.dedup();
                let slots = depths.into_iter().map(|d| (d, Mutex::new(None)));
                (l.page.url.as_str(), slots.collect())
            })
            .collect();
        let lesson_ends = course
            .lessons
            .iter()
            .scan(0, |end, l| {
                *end += 1 + l.practice.len();
                Some((l.page.url.as_str(), *end))
            })
            .collect();
        Navigation {
            lessons,
            lesson_pages,
            sidebars,
            lesson_ends,
            released: AtomicUsize::new(0),
            site: SiteView::of(&course.config),
            templates,
        }
    }

    /// The sidebar for a lesson (all lessons, the lesson's pages expanded), with nothing
    /// marked current.
    pub fn render_sidebar(&self, lesson_url: &str, root: &str) -> Result<String, Diagnostic> {
        let pages = self
            .lesson_pages
            .get(lesson_url)
            .map_or(&[][..], Vec::as_slice);
        if self.templates.is_builtin(SIDEBAR) {
            return Ok(super::sidebar::builtin(
                &self.lessons,
                pages,
                lesson_url,
                root,
            ));
        }
        tera_sidebar(
            self.templates,
            &self.site,
            &self.lessons,
            pages,
            lesson_url,
            root,
        )
    }

    /// The sidebar of `page`, with its own link marked `aria-current="page"`.
    pub fn sidebar_for(&self, page: &Page, root: &str) -> Result<String, Diagnostic> {
        let lesson = lesson_of(page);
        let sidebar = {
            // Held while the sidebar renders: the lesson's other pages wait for it rather than
            // render it again.
            let (_, slot) = self.sidebars[lesson]
                .iter()
                .find(|(depth, _)| *depth == page.depth())
                .expect("every page's depth has a slot");
            let mut slot = slot.lock().unwrap_or_else(PoisonError::into_inner);
            Arc::clone(slot.get_or_insert_with(|| {
                let root = "../".repeat(page.depth());
                Arc::new(self.render_sidebar(lesson, &root))
            }))
        };
        let sidebar = sidebar.as_ref().as_ref().map_err(Clone::clone)?;
        // The page's own link is marked where it first appears (a vectorised search: the
        // sidebar of a large course is many kilobytes, and `str::replacen` scanned it for every
        // page, 0.8 % of a build).
        let href = format!("href=\"{root}{}\"", page.url);
        let Some(at) = memchr::memmem::find(sidebar.as_bytes(), href.as_bytes()) else {
            return Ok(sidebar.clone());
        };
        const CURRENT: &str = " aria-current=\"page\"";
        let end = at + href.len();
        let mut marked = String::with_capacity(sidebar.len() + CURRENT.len());
        marked.push_str(&sidebar[..end]);
        marked.push_str(CURRENT);
        marked.push_str(&sidebar[end..]);
        Ok(marked)
    }

    /// Drops the sidebars of the lessons whose pages all come before page `next` in reading
    /// order: the build loop calls it as it finishes a batch, since no page after asks for
    /// them. (A page asking again, as `serve` may, has its sidebar rendered again.)
    pub fn release_before(&self, next: usize) {
        let from = self.released.load(Ordering::Relaxed);
        let done = from
            + self.lesson_ends[from..]
                .iter()
                .take_while(|(_, end)| *end <= next)
                .count();
        for &(lesson, _) in &self.lesson_ends[from..done] {
            for (_, slot) in &self.sidebars[lesson] {
                *slot.lock().unwrap_or_else(PoisonError::into_inner) = None;
            }
        }
        self.released.fetch_max(done, Ordering::Relaxed);
    }
}
