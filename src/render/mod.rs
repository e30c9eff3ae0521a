//! Stage 3, render: pages to HTML strings. Pure: the course and the verification results in,
//! the files of the site out (as paths and bytes); only `write` touches the disk.

pub mod markdown;
pub mod math;
pub mod templates;

use std::collections::{HashMap, HashSet};

use rayon::prelude::*;
use serde::Serialize;

use crate::diagnostic::Diagnostic;
use crate::model::{Course, Page, PageKind};
use crate::verify::PageVerification;
use markdown::{render_body, BodyHtml, Counts, TocEntry};
use templates::Templates;

/// One file of the built site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Path relative to the output folder, with `/` separators.
    pub path: String,
    /// The file's bytes.
    pub bytes: Vec<u8>,
}

/// The built-in static files, by name; a course's `assets/` adds to them and overrides them.
pub const BUILTIN_ASSETS: &[(&str, &str)] = &[
    ("style.css", include_str!("../../assets/style.css")),
    ("coursegen.js", include_str!("../../assets/coursegen.js")),
];

#[derive(Serialize)]
struct SiteView<'a> {
    title: &'a str,
    description: &'a str,
    language: &'a str,
    base_url: &'a str,
}

#[derive(Serialize, Clone)]
struct NavLink<'a> {
    title: &'a str,
    url: &'a str,
    description: &'a str,
}

#[derive(Serialize)]
struct PageView<'a> {
    title: &'a str,
    description: &'a str,
    url: &'a str,
    lesson_url: &'a str,
    kind: &'static str,
    content: &'a str,
    toc: &'a [TocEntry],
    prev: Option<NavLink<'a>>,
    next: Option<NavLink<'a>>,
    counts: Counts,
}

/// What the sidebar template knows of the page it is rendered for.
#[derive(Serialize)]
struct SidebarPage<'a> {
    url: &'a str,
    lesson_url: &'a str,
}

/// Marks the link to `url` in a pre-rendered sidebar as the current page.
fn mark_current(sidebar: &str, root: &str, url: &str) -> String {
    let href = format!("href=\"{root}{url}\"");
    sidebar.replacen(&href, &format!("{href} aria-current=\"page\""), 1)
}

fn link(page: &Page) -> NavLink<'_> {
    NavLink {
        title: &page.title,
        url: &page.url,
        description: &page.meta.description,
    }
}

/// Renders every page of the course (in parallel) and checks the links between them.
pub fn render_course(
    course: &Course,
    verifications: &[PageVerification],
    templates: &Templates,
) -> Result<Vec<OutputFile>, Vec<Diagnostic>> {
    let pages: Vec<&Page> = course.pages().collect();
    let urls: HashMap<String, String> = pages
        .iter()
        .map(|p| (p.file.path.clone(), p.url.clone()))
        .collect();
    let bodies: Vec<Result<BodyHtml, Vec<Diagnostic>>> = pages
        .par_iter()
        .zip(verifications)
        .map(|(p, v)| render_body(p, v, &urls))
        .collect();
    let mut errors = Vec::new();
    let mut ok = Vec::new();
    for body in bodies {
        match body {
            Ok(b) => ok.push(b),
            Err(e) => errors.extend(e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    check_links(&pages, &ok, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }

    let site = SiteView {
        title: &course.config.title,
        description: &course.config.description,
        language: &course.config.language,
        base_url: &course.config.base_url,
    };
    // Navigation is computed once: the list of lessons, and each lesson's pages.
    let nav: Vec<NavLink> = course.lessons.iter().map(|l| link(&l.page)).collect();
    let lesson_pages: HashMap<&str, Vec<NavLink>> = course
        .lessons
        .iter()
        .map(|l| (l.page.url.as_str(), l.practice.iter().map(link).collect()))
        .collect();
    let lesson_of: HashMap<&str, &str> = course
        .lessons
        .iter()
        .flat_map(|l| {
            std::iter::once(&l.page)
                .chain(&l.practice)
                .map(move |p| (p.url.as_str(), l.page.url.as_str()))
        })
        .collect();

    // The sidebar is rendered once per lesson and folder depth, not once per page (that made
    // big courses quadratic); each page's copy then marks the page as current.
    let render_sidebar = |lesson_url: &str, pages: &[NavLink], root: &str| {
        let mut context = tera::Context::new();
        context.insert("site", &site);
        context.insert("nav", &nav);
        context.insert("lesson_pages", pages);
        context.insert(
            "page",
            &SidebarPage {
                url: "",
                lesson_url,
            },
        );
        context.insert("root", root);
        templates.render("partials/sidebar.html", &context)
    };
    let sidebar_jobs: Vec<(&str, usize)> = course
        .lessons
        .iter()
        .flat_map(|l| {
            let depths: std::collections::BTreeSet<usize> = std::iter::once(&l.page)
                .chain(&l.practice)
                .map(Page::depth)
                .collect();
            depths.into_iter().map(move |d| (l.page.url.as_str(), d))
        })
        .collect();
    let mut sidebars: HashMap<(&str, usize), String> = HashMap::new();
    for (key, html) in sidebar_jobs
        .par_iter()
        .map(|&(lesson, depth)| {
            (
                (lesson, depth),
                render_sidebar(lesson, &lesson_pages[lesson], &"../".repeat(depth)),
            )
        })
        .collect::<Vec<_>>()
    {
        match html {
            Ok(html) => {
                sidebars.insert(key, html);
            }
            Err(e) => return Err(vec![e]),
        }
    }
    let no_pages: Vec<NavLink> = Vec::new();

    let rendered: Vec<Result<OutputFile, Diagnostic>> = pages
        .par_iter()
        .enumerate()
        .map(|(i, page)| {
            let lesson_url = lesson_of[page.url.as_str()];
            let root = "../".repeat(page.depth());
            let view = PageView {
                title: &page.title,
                description: &page.meta.description,
                url: &page.url,
                lesson_url,
                kind: if page.kind == PageKind::Lesson {
                    "lesson"
                } else {
                    "practice"
                },
                content: &ok[i].html,
                toc: &ok[i].toc,
                prev: i.checked_sub(1).map(|j| link(pages[j])),
                next: pages.get(i + 1).map(|p| link(p)),
                counts: Counts::of(page),
            };
            let mut context = tera::Context::new();
            context.insert("site", &site);
            // Only a lesson page lists its lesson's pages; a practice page needs no copy.
            let listed = if page.kind == PageKind::Lesson {
                &lesson_pages[lesson_url]
            } else {
                &no_pages
            };
            context.insert("lesson_pages", listed);
            context.insert(
                "sidebar",
                &mark_current(&sidebars[&(lesson_url, page.depth())], &root, &page.url),
            );
            context.insert("page", &view);
            context.insert("root", &root);
            let template = if page.kind == PageKind::Lesson {
                "lesson.html"
            } else {
                "practice.html"
            };
            let html = templates.render(template, &context)?;
            Ok(OutputFile {
                path: format!("{}index.html", page.url),
                bytes: html.into_bytes(),
            })
        })
        .collect();
    let mut files = Vec::new();
    for r in rendered {
        match r {
            Ok(f) => files.push(f),
            Err(e) => errors.push(e),
        }
    }
    for (page, body) in pages.iter().zip(&ok) {
        if !body.cards.is_empty() {
            let tsv = anki_tsv(&body.cards);
            files.push(OutputFile {
                path: format!("{}flashcards.tsv", page.url),
                bytes: tsv.into_bytes(),
            });
        }
    }
    for (template, path, root) in [
        ("index.html", "index.html", ""),
        ("404.html", "404.html", course.config.base_url.as_str()),
    ] {
        let empty = PageView {
            title: &course.config.title,
            description: &course.config.description,
            url: "",
            lesson_url: "",
            kind: "home",
            content: "",
            toc: &[],
            prev: None,
            next: None,
            counts: Counts::default(),
        };
        let mut context = tera::Context::new();
        context.insert("site", &site);
        context.insert("nav", &nav);
        context.insert("lesson_pages", &no_pages);
        match render_sidebar("", &no_pages, root) {
            Ok(sidebar) => context.insert("sidebar", &sidebar),
            Err(e) => errors.push(e),
        }
        context.insert("page", &empty);
        context.insert("root", root);
        let cards: usize = pages.iter().map(|p| Counts::of(p).cards).sum();
        // The home page links the course deck only when the deck is written.
        let deck = if cards <= course.config.flashcards.course_deck_limit {
            cards
        } else {
            0
        };
        context.insert("course_cards", &deck);
        match templates.render(template, &context) {
            Ok(html) => files.push(OutputFile {
                path: path.into(),
                bytes: html.into_bytes(),
            }),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(files)
    } else {
        Err(errors)
    }
}

/// Cards as a tab-separated file that Anki's text import reads: HTML fields, one card a line.
pub fn anki_tsv(cards: &[(String, String)]) -> String {
    let field = |html: &str| html.replace(['\t', '\n', '\r'], " ").trim().to_string();
    let mut out = String::from("#separator:tab\n#html:true\n#columns:Front\tBack\n");
    for (question, answer) in cards {
        out.push_str(&format!("{}\t{}\n", field(question), field(answer)));
    }
    out
}

/// Every internal link must reach a page, and every `#fragment` an id on that page.
fn check_links(pages: &[&Page], bodies: &[BodyHtml], errors: &mut Vec<Diagnostic>) {
    let index: HashMap<&str, usize> = pages
        .iter()
        .enumerate()
        .map(|(i, p)| (p.file.path.as_str(), i))
        .collect();
    let anchors: Vec<HashSet<&str>> = bodies
        .iter()
        .map(|b| b.anchors.iter().map(String::as_str).collect())
        .collect();
    for (i, body) in bodies.iter().enumerate() {
        for link in &body.links {
            let target = match &link.target {
                None => i,
                Some(path) => match index.get(path.as_str()) {
                    Some(&t) => t,
                    None => {
                        errors.push(
                            Diagnostic::at(&pages[i].file, link.span.clone(), format!("link to a page that does not exist: {path}"))
                                .with_hint("links to pages name their Markdown file, relative to this one, e.g. `../01-intro/index.md`"),
                        );
                        continue;
                    }
                },
            };
            if let Some(fragment) = &link.fragment {
                if !anchors[target].contains(fragment.as_str()) {
                    let mut known: Vec<&str> = anchors[target].iter().copied().collect();
                    known.sort();
                    let d = Diagnostic::at(
                        &pages[i].file,
                        link.span.clone(),
                        format!(
                            "link to a heading that does not exist: #{fragment} in {}",
                            pages[target].file.path
                        ),
                    );
                    errors.push(match crate::load::yaml::nearest(fragment, &known) {
                        Some(best) => d.with_hint(format!("did you mean #{best}?")),
                        None => d.with_hint(
                            "heading ids are the heading's words in lowercase joined by `-`",
                        ),
                    });
                }
            }
        }
    }
}

/// The built-in assets, then the course's `assets/` folder (same name replaces).
pub fn assets(root: &std::path::Path) -> Result<Vec<OutputFile>, Diagnostic> {
    let mut files: Vec<OutputFile> = BUILTIN_ASSETS
        .iter()
        .map(|(n, s)| OutputFile {
            path: format!("assets/{n}"),
            bytes: s.as_bytes().to_vec(),
        })
        .collect();
    let dir = root.join("assets");
    if dir.is_dir() {
        for entry in walkdir::WalkDir::new(&dir)
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
        {
            if !entry.file_type().is_file() {
                continue;
            }
            let path = format!("assets/{}", crate::load::relative(&dir, entry.path()));
            let bytes = std::fs::read(entry.path()).map_err(|e| {
                Diagnostic::in_path(
                    crate::load::relative(root, entry.path()),
                    format!("cannot read asset: {e}"),
                )
            })?;
            files.retain(|f| f.path != path);
            files.push(OutputFile { path, bytes });
        }
    }
    Ok(files)
}
