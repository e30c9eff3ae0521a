//! The built-in page templates (`base.html`, `page.html`, `lesson.html`, `practice.html` and
//! the `toc` and `pager` partials), written without Tera while a course overrides none of
//! them. Tera's render of a page looked up every dotted name through a JSON pointer built with
//! `str::replace`, copied the page's body into its context and checked the whole page as UTF-8
//! again: 6 % of a 10,000-page `--no-pdf` build. A test holds this to Tera's rendering of the
//! templates, byte for byte, over every branch they take.

use super::templates::escape;
use super::views::{NavLink, PageChrome, SiteView};

/// The names of the templates this module writes; a course overriding any of them renders
/// its pages through Tera.
pub const TEMPLATES: [&str; 6] = [
    "base.html",
    "page.html",
    "lesson.html",
    "practice.html",
    "partials/toc.html",
    "partials/pager.html",
];

/// The page `chrome` describes as the built-in `lesson.html` (`lesson` true) or
/// `practice.html` would render it, into room for `expected` bytes.
pub fn builtin(chrome: &PageChrome<'_>, lesson: bool, expected: usize) -> String {
    let (site, page, root) = (chrome.site, chrome.page, escape(chrome.root));
    let mut out = String::with_capacity(expected);
    head(
        &mut out,
        site,
        page.title,
        page.description,
        page.url,
        &root,
    );
    out.push_str(chrome.sidebar);
    out.push_str("\n  <main id=\"main\" tabindex=\"-1\">\n    \n<article class=\"page page-");
    out.push_str(&escape(page.kind));
    out.push_str("\">\n  <h1>");
    out.push_str(&escape(page.title));
    out.push_str("</h1>\n  ");
    if !page.description.is_empty() {
        out.push_str("<p class=\"lead\">");
        out.push_str(&escape(page.description));
        out.push_str("</p>");
    }
    out.push_str("\n  \n  ");
    out.push_str(page.content);
    out.push_str("\n  ");
    if lesson {
        practice_list(&mut out, chrome, &root);
    } else {
        downloads(&mut out, chrome);
    }
    out.push_str("\n</article>\n");
    pager(&mut out, chrome, &root);
    out.push_str("\n\n  </main>\n  ");
    toc(&mut out, chrome);
    out.push_str(FOOT);
    out
}

/// `base.html` up to the sidebar.
fn head(
    out: &mut String,
    site: &SiteView<'_>,
    title: &str,
    description: &str,
    url: &str,
    root: &str,
) {
    out.push_str("<!doctype html>\n<html lang=\"");
    out.push_str(&escape(site.language));
    out.push_str("\" data-theme=\"auto\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
    out.push_str(&escape(title));
    out.push_str(" · ");
    out.push_str(&escape(site.title));
    out.push_str("</title>\n");
    if !description.is_empty() {
        out.push_str("<meta name=\"description\" content=\"");
        out.push_str(&escape(description));
        out.push_str("\">");
    }
    out.push_str("\n<meta name=\"generator\" content=\"coursegen\">\n");
    if let Some(canonical) = site.canonical.as_deref().filter(|c| !c.is_empty()) {
        out.push_str("<link rel=\"canonical\" href=\"");
        out.push_str(&escape(canonical));
        out.push_str(&escape(url));
        out.push_str("\">");
    }
    out.push_str("\n<link rel=\"icon\" href=\"data:,\">\n<script>\ntry { var t = localStorage.getItem(\"coursegen-theme\"); if (t === \"light\" || t === \"dark\") document.documentElement.dataset.theme = t; } catch (e) {}\n</script>\n<link rel=\"stylesheet\" href=\"");
    out.push_str(root);
    out.push_str("assets/style.css\">\n<style>\n@page card { size: ");
    out.push_str(&escape(&site.card_size));
    out.push_str("; margin: 0; }\n:root { --card-height: ");
    out.push_str(&escape(&site.card_height));
    out.push_str("; --card-margin: ");
    out.push_str(&escape(&site.card_margin));
    out.push_str("; }\n</style>\n<script src=\"");
    out.push_str(root);
    out.push_str("assets/coursegen.js\" defer></script>\n</head>\n<body>\n<a class=\"skip-link\" href=\"#main\">Skip to content</a>\n<header class=\"site-header\">\n  <button type=\"button\" class=\"menu-button\" aria-expanded=\"false\" aria-controls=\"sidebar\" hidden>Menu</button>\n  <a class=\"site-title\" href=\"");
    out.push_str(root);
    out.push_str("\">");
    out.push_str(&escape(site.title));
    out.push_str("</a>\n  \n  <div class=\"search\" role=\"search\" hidden>\n    <label class=\"sr-only\" for=\"search-input\">Search the course</label>\n    <input id=\"search-input\" class=\"search-input\" type=\"text\" role=\"combobox\" aria-expanded=\"false\" aria-controls=\"search-results\" aria-autocomplete=\"list\" autocomplete=\"off\" spellcheck=\"false\" placeholder=\"Search (press /)\">\n    <ul id=\"search-results\" class=\"search-results\" role=\"listbox\" aria-label=\"Search results\" hidden></ul>\n    <p id=\"search-status\" class=\"sr-only\" aria-live=\"polite\"></p>\n  </div>\n  <button type=\"button\" class=\"theme-toggle\" aria-label=\"Switch between dark and light theme\" hidden>Theme</button>\n</header>\n<div class=\"layout\">\n  ");
}

/// `base.html` after the aside.
const FOOT: &str = "\n</div>\n<footer class=\"site-footer\"><p>Built with coursegen. Every worked answer on this site was recomputed when it was built.</p></footer>\n</body>\n</html>\n";

/// `lesson.html`'s block: the lesson's practice pages.
fn practice_list(out: &mut String, chrome: &PageChrome<'_>, root: &str) {
    out.push('\n');
    if !chrome.lesson_pages.is_empty() {
        out.push_str("\n<section class=\"practice-list\" aria-labelledby=\"practice-pages\">\n  <h2 id=\"practice-pages\">Practice</h2>\n  <ul>\n  ");
        for p in chrome.lesson_pages {
            out.push_str("\n    <li>");
            link(out, "", root, p, "");
            if !p.description.is_empty() {
                out.push_str(" — ");
                out.push_str(&escape(p.description));
            }
            out.push_str("</li>\n  ");
        }
        out.push_str("\n  </ul>\n</section>\n");
    }
    out.push('\n');
}

/// `practice.html`'s block: the files beside the page.
fn downloads(out: &mut String, chrome: &PageChrome<'_>) {
    let files = chrome.files;
    // A name is a non-empty constant: present is truthy, as Tera judges it.
    out.push('\n');
    if files.deck_tsv.is_some() || files.practice_sheet.is_some() {
        out.push_str("\n<p class=\"downloads\">\n  ");
        if let Some(tsv) = files.deck_tsv {
            if let Some(pdf) = files.deck_pdf {
                out.push_str("<a href=\"");
                out.push_str(&escape(pdf));
                out.push_str("\" download>Download flashcards (PDF)</a>\n  · <a href=\"");
                out.push_str(&escape(files.deck_apkg.unwrap_or_default()));
                out.push_str("\" download>Anki deck (.apkg)</a>\n  · ");
            }
            out.push_str("<a href=\"");
            out.push_str(&escape(tsv));
            out.push_str("\" download>Flashcards for Anki (TSV)</a>");
        }
        if let Some(sheet) = files.practice_sheet {
            out.push_str("\n  ");
            if files.deck_tsv.is_some() {
                out.push_str("· ");
            }
            out.push_str("<a href=\"");
            out.push_str(&escape(sheet));
            out.push_str("\" download>Practice sheet: ");
            out.push_str(&chrome.practice_sets.to_string());
            out.push_str(" number set");
            if chrome.practice_sets != 1 {
                out.push('s');
            }
            out.push_str(" with worked answers (PDF)</a>");
        }
        out.push_str("\n</p>\n");
    }
    out.push('\n');
}

/// `partials/pager.html`: links to the pages before and after.
fn pager(out: &mut String, chrome: &PageChrome<'_>, root: &str) {
    let page = chrome.page;
    if page.prev.is_some() || page.next.is_some() {
        pager_nav(out, chrome, root);
    }
    // The file's own last line break.
    out.push('\n');
}

/// The pager's `<nav>`.
fn pager_nav(out: &mut String, chrome: &PageChrome<'_>, root: &str) {
    let page = chrome.page;
    out.push_str("\n<nav class=\"pager\" aria-label=\"Previous and next pages\">\n  ");
    if let Some(prev) = &page.prev {
        link(
            out,
            " class=\"pager-prev\" rel=\"prev\"",
            root,
            prev,
            "<span>Previous</span> ",
        );
    }
    out.push_str("\n  ");
    if let Some(next) = &page.next {
        link(
            out,
            " class=\"pager-next\" rel=\"next\"",
            root,
            next,
            "<span>Next</span> ",
        );
    }
    out.push_str("\n</nav>\n");
}

/// `<a{attributes} href="{root}{url}">{label}{title}</a>`, the URL and title escaped.
fn link(out: &mut String, attributes: &str, root: &str, to: &NavLink<'_>, label: &str) {
    out.push_str("<a");
    out.push_str(attributes);
    out.push_str(" href=\"");
    out.push_str(root);
    out.push_str(&escape(to.url));
    out.push_str("\">");
    out.push_str(label);
    out.push_str(&escape(to.title));
    out.push_str("</a>");
}

/// `partials/toc.html`: the page's headings.
fn toc(out: &mut String, chrome: &PageChrome<'_>) {
    if !chrome.page.toc.is_empty() {
        toc_nav(out, chrome);
    }
    // The file's own last line break.
    out.push('\n');
}

/// The table of contents' `<nav>`.
fn toc_nav(out: &mut String, chrome: &PageChrome<'_>) {
    let toc = chrome.page.toc;
    out.push_str("\n<nav class=\"toc\" aria-label=\"On this page\">\n  <h2 class=\"toc-title\">On this page</h2>\n  <ol>\n  ");
    for entry in toc {
        out.push_str("\n    <li class=\"toc-h");
        out.push_str(&entry.level.to_string());
        out.push_str("\"><a href=\"#");
        out.push_str(&escape(&entry.id));
        out.push_str("\">");
        out.push_str(&escape(&entry.title));
        out.push_str("</a></li>\n  ");
    }
    out.push_str("\n  </ol>\n</nav>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::CourseConfig;
    use crate::model::Counts;
    use crate::plan::PageFiles;
    use crate::render::body::TocEntry;
    use crate::render::templates::Templates;
    use crate::render::views::{tera_page, PageView};

    fn to<'a>(title: &'a str, url: &'a str, description: &'a str) -> NavLink<'a> {
        NavLink {
            title,
            url,
            description,
        }
    }

    /// Every branch of the templates, with text that needs escaping wherever text is printed.
    #[test]
    fn the_builtin_pages_are_what_tera_makes_of_their_templates() {
        let empty = tempfile::tempdir().unwrap();
        let templates = Templates::load(empty.path()).unwrap();
        assert!(TEMPLATES.iter().all(|t| templates.is_builtin(t)));
        let mut plain = CourseConfig::fallback();
        plain.title = "Course".into();
        let mut fancy = CourseConfig::fallback();
        fancy.title = "Nets & \"grads\" <ok> it's ∇".into();
        fancy.base_url = "https://example.org/a&b/".into();
        fancy.language = "en-GB".into();
        let toc = [
            TocEntry {
                level: 2,
                id: "self-check".into(),
                title: "Self-check <& \"quotes\">".into(),
            },
            TocEntry {
                level: 3,
                id: "part-a".into(),
                title: "Part A: σ′(z) = σ(1 − σ)".into(),
            },
        ];
        let pages = [
            to("Practice: a < b", "l/p/", "drills & <more>"),
            to("Más", "l/más/", ""),
        ];
        let tsv = Some("flashcards.tsv");
        let files = [
            (None, None, None, None),
            (Some("flashcards.pdf"), Some("flashcards.apkg"), tsv, None),
            (None, None, tsv, None),
            (None, None, None, Some("practice-sheet.pdf")),
            (None, None, tsv, Some("practice-sheet.pdf")),
            (
                Some("flashcards.pdf"),
                Some("flashcards.apkg"),
                tsv,
                Some("practice-sheet.pdf"),
            ),
        ]
        .map(
            |(deck_pdf, deck_apkg, deck_tsv, practice_sheet)| PageFiles {
                deck_pdf,
                deck_apkg,
                deck_tsv,
                practice_sheet,
            },
        );
        let mut compared = 0;
        for config in [&plain, &fancy] {
            let site = SiteView::of(config);
            for (kind, lesson) in [("lesson", true), ("practice", false)] {
                for description in ["", "What <b> & 'why'"] {
                    for toc in [&toc[..], &[][..]] {
                        for (prev, next) in [
                            (None, None),
                            (Some(to("Before & <after>", "l/", "")), None),
                            (None, Some(to("Next \"one\"", "l/n/", "x"))),
                            (Some(to("A", "a/", "")), Some(to("B", "b/", ""))),
                        ] {
                            let view = PageView {
                                title: "Backprop & <friends> \"q\" 'a'",
                                description,
                                url: "l/p&q/",
                                lesson_url: "l/",
                                kind,
                                content: "<p>Body with <em>raw</em> HTML &amp; more</p>\n",
                                toc,
                                prev,
                                next,
                                counts: Counts::default(),
                            };
                            for root in ["", "../../", "a\"b&c/"] {
                                for lesson_pages in [&pages[..], &[][..]] {
                                    for files in &files {
                                        for practice_sets in [0, 1, 2, 12] {
                                            let chrome = PageChrome {
                                                site: &site,
                                                page: &view,
                                                sidebar: "\n<nav id=\"sidebar\">…</nav>\n",
                                                root,
                                                lesson_pages,
                                                files,
                                                practice_sets,
                                            };
                                            let template = if lesson {
                                                "lesson.html"
                                            } else {
                                                "practice.html"
                                            };
                                            let slow = tera_page(&templates, template, &chrome, 0)
                                                .unwrap();
                                            let fast = builtin(&chrome, lesson, 0);
                                            assert_eq!(
                                                fast,
                                                slow,
                                                "{kind}, root {root:?}, {} prev/next",
                                                u8::from(view.prev.is_some())
                                                    + u8::from(view.next.is_some())
                                            );
                                            compared += 1;
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        assert_eq!(compared, 2 * 2 * 2 * 2 * 4 * 3 * 2 * 6 * 4);
    }
}
