//! Internal links, checked once every page is rendered: each must reach a page of the course
//! and each `#fragment` an id on that page.

use std::collections::HashMap;

use crate::diagnostic::nearest;
use crate::diagnostic::Diagnostic;
use crate::doc::InternalLink;
use crate::model::Page;
use crate::source::SourceFile;
use std::sync::Arc;

/// What a rendered page offers to links (its ids) and asks of others (its links). Every page's
/// is held until the links are checked, at the end of the build, so it is kept small.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct PageLinks {
    /// Every id an `#anchor` may point at.
    pub anchors: Anchors,
    /// The page's links to check.
    pub links: Vec<InternalLink>,
}

/// A page's ids, one string for all (ids hold no line breaks): a list of strings took three
/// times the memory (7 MB at 10,000 pages).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Anchors(String);

impl Anchors {
    /// Whether `id` is one of them.
    pub fn contains(&self, id: &str) -> bool {
        self.iter().any(|a| a == id)
    }

    /// The ids, in the page's order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.split('\n').filter(|a| !a.is_empty())
    }
}

impl<S: AsRef<str>> FromIterator<S> for Anchors {
    fn from_iter<I: IntoIterator<Item = S>>(ids: I) -> Self {
        let mut all = String::new();
        for id in ids {
            let id = id.as_ref();
            // An id with a line break could not be linked to anyway (the Markdown link would
            // not hold it); it is left out rather than split in two.
            if !id.contains('\n') {
                all.push_str(id);
                all.push('\n');
            }
        }
        all.shrink_to_fit();
        Anchors(all)
    }
}

/// Checks every page's links against every page's anchors (`pages[i]` owns `links[i]`).
pub fn check_links(pages: &[&Page], links: &[PageLinks]) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    let index: HashMap<&str, usize> = pages
        .iter()
        .enumerate()
        .map(|(i, p)| (p.file.path.as_str(), i))
        .collect();
    // A page of a build's outline holds no text; its file is read again to locate an error.
    let file_of = |i: usize| -> Arc<SourceFile> {
        let file = &pages[i].file;
        if !file.text.is_empty() {
            return Arc::clone(file);
        }
        let text = std::fs::read_to_string(&file.disk_path).unwrap_or_default();
        Arc::new(SourceFile::new(
            file.path.clone(),
            file.disk_path.clone(),
            text,
        ))
    };
    for (i, page_links) in links.iter().enumerate() {
        for link in &page_links.links {
            let target = match &link.target {
                None => i,
                Some(path) => match index.get(path.as_str()) {
                    Some(&t) => t,
                    None => {
                        errors.push(
                            Diagnostic::at(&file_of(i), link.span.clone(), format!("link to a page that does not exist: {path}"))
                                .with_hint("links to pages name their Markdown file, relative to this one, e.g. `../01-intro/index.md`"),
                        );
                        continue;
                    }
                },
            };
            let Some(fragment) = &link.fragment else {
                continue;
            };
            let anchors = &links[target].anchors;
            if anchors.contains(fragment) {
                continue;
            }
            let mut known: Vec<&str> = anchors.iter().collect();
            known.sort();
            known.dedup();
            let d = Diagnostic::at(
                &file_of(i),
                link.span.clone(),
                format!(
                    "link to a heading that does not exist: #{fragment} in {}",
                    pages[target].file.path
                ),
            );
            errors.push(match nearest(fragment, &known) {
                Some(best) => d.with_hint(format!("did you mean #{best}?")),
                None => {
                    d.with_hint("heading ids are the heading's words in lowercase joined by `-`")
                }
            });
        }
    }
    errors
}
