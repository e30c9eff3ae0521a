//! The course model every stage reads: a [`Course`] of [`Lesson`]s, each with its lesson page and
//! practice pages, each page's body one [`Document`]. Built by `load`, read by every later stage.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, OnceLock};

use serde::Deserialize;

use crate::config::CourseConfig;
pub use crate::doc::Counts;
use crate::doc::Document;
use crate::source::SourceFile;

/// A whole course, in reading order.
#[derive(Debug)]
pub struct Course {
    /// The course file's settings.
    pub config: CourseConfig,
    /// Lessons in order.
    pub lessons: Vec<Lesson>,
    /// The images under `content/`, by course-relative path; pages show them as figures.
    pub media: BTreeMap<String, MediaFile>,
    /// The first card to give itself each id, made when first asked for
    /// ([`Course::first_card_with_id`]).
    pub card_ids: CardIds,
}

/// Each card id of the course and the file and line of the first card, in reading order, to
/// give itself that id: made once from the pages' [`Page::card_keys`] when first asked for.
/// Looking through the earlier pages for each page instead made a course whose cards have ids
/// take time with the square of its size (45 s for 10,000 pages, 4.5 s without ids).
#[derive(Debug, Default)]
pub struct CardIds(OnceLock<HashMap<String, (Arc<SourceFile>, usize)>>);

/// An image of the course, read at load so that rendering never touches the disk.
#[derive(Debug)]
pub struct MediaFile {
    /// The file's bytes, copied into the site as they are.
    pub bytes: Vec<u8>,
    /// Width and height in pixels, when the file's header says them.
    pub size: Option<(u32, u32)>,
}

/// Where an image of the course is published: an image under `content/` at `media/` and its
/// path there, so two lessons' `fig.png` never collide and the URL does not depend on the page
/// showing it; a shared image of the course's `assets/` where assets go, `assets/…`.
pub fn media_url(path: &str) -> String {
    match path.strip_prefix("content/") {
        Some(rest) => format!("media/{rest}"),
        None => path.to_string(),
    }
}

/// The image of the course an image link names: `source` is the page-relative path resolved
/// against the page's folder, or, for a root-relative link (`/assets/x.png`, `/x.png`), the
/// path after the `/`, which names a file of the course (`assets/x.png`) or of its `content/`.
pub fn find_image<'m>(
    media: &'m BTreeMap<String, MediaFile>,
    source: &str,
) -> Option<(&'m str, &'m MediaFile)> {
    let candidates: Vec<String> = match source.strip_prefix('/') {
        Some(rest) => vec![rest.to_string(), format!("content/{rest}")],
        None => vec![source.to_string()],
    };
    candidates
        .iter()
        .find_map(|c| media.get_key_value(c.as_str()))
        .map(|(k, v)| (k.as_str(), v))
}

impl Course {
    /// Every page in reading order: each lesson page followed by its practice pages.
    pub fn pages(&self) -> impl Iterator<Item = &Page> {
        self.lessons
            .iter()
            .flat_map(|l| std::iter::once(&l.page).chain(&l.practice))
    }

    /// The file and line of the first card, in reading order, that gives itself the id `key`.
    pub fn first_card_with_id(&self, key: &str) -> Option<(&str, usize)> {
        let ids = self.card_ids.0.get_or_init(|| {
            let mut ids = HashMap::new();
            for page in self.pages() {
                for (key, line) in &page.card_keys {
                    ids.entry(key.clone())
                        .or_insert_with(|| (Arc::clone(&page.file), *line));
                }
            }
            ids
        });
        ids.get(key).map(|(file, line)| (file.path.as_str(), *line))
    }

    /// Page `index` in reading order, to replace it: what was made from the pages
    /// ([`CardIds`]) is made again when next asked for.
    pub fn page_mut(&mut self, index: usize) -> Option<&mut Page> {
        self.card_ids = CardIds::default();
        self.lessons
            .iter_mut()
            .flat_map(|l| std::iter::once(&mut l.page).chain(l.practice.iter_mut()))
            .nth(index)
    }
}

/// One lesson folder.
#[derive(Debug)]
pub struct Lesson {
    /// The lesson's own page (`index.md`).
    pub page: Page,
    /// Practice pages, in order.
    pub practice: Vec<Page>,
}

/// Whether a page is a lesson page or a practice page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageKind {
    /// A lesson's `index.md`.
    Lesson,
    /// Any other Markdown file in a lesson folder.
    Practice,
}

/// Front matter of a page.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageMeta {
    /// Page title (required).
    pub title: Option<String>,
    /// One line shown in listings and the page's meta description.
    #[serde(default)]
    pub description: String,
    /// Orders pages and lessons; lower comes first. Without it the numeric prefix orders them.
    pub weight: Option<i64>,
    /// How many variants each exercise with `vary` lines has, unless it says (`variants N`).
    pub variants: Option<usize>,
}

/// Keys accepted in page front matter, for error hints.
pub const PAGE_KEYS: &[&str] = &["title", "description", "weight", "variants"];

/// One Markdown page: where it is published, its front matter and its body as one typed
/// document ([`Document`]).
#[derive(Debug)]
pub struct Page {
    /// Lesson or practice.
    pub kind: PageKind,
    /// URL path from the site root, ending in `/` (e.g. `neural-networks/practice-backprop/`).
    pub url: String,
    /// Front matter.
    pub meta: PageMeta,
    /// The file the page came from.
    pub file: Arc<SourceFile>,
    /// The body. In a build's outline ([`crate::load::load_outline`]) it is the one empty
    /// document every outline shares ([`Document::none`]) until the page is read: held inline
    /// it was half of each outline page's 336 bytes, kept for the whole build.
    pub doc: Arc<Document>,
    /// The ids its cards give themselves (`::: card {#relu}`), with their lines: known from the
    /// outline already, since another page's cards may not take them.
    pub card_keys: Vec<(String, usize)>,
    /// The XXH3-128 digest of the page's file as it was read for the page (for an outline, as
    /// the outline read it): a build cache entry is keyed by it, so a page taken from the cache
    /// is never read again.
    pub source_digest: u128,
}

impl Page {
    /// The title from the front matter (loading fails without one).
    pub fn title(&self) -> &str {
        self.meta.title.as_deref().unwrap_or_default()
    }

    /// How many levels below the site root the page's `index.html` is (for relative links).
    pub fn depth(&self) -> usize {
        self.url.matches('/').count()
    }

    /// How many questions, exercises and cards the page holds.
    pub fn counts(&self) -> Counts {
        self.doc.counts
    }
}
