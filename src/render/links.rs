//! Internal links, checked once every page is rendered: each must reach a page of the course
//! and each `#fragment` an id on that page.

use std::collections::{HashMap, HashSet};

use crate::diagnostic::nearest;
use crate::diagnostic::Diagnostic;
use crate::doc::InternalLink;
use crate::model::Page;
use crate::source::SourceFile;
use std::sync::Arc;

/// What a rendered page offers to links (its ids) and asks of others (its links).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct PageLinks {
    /// Every id an `#anchor` may point at.
    pub anchors: Vec<String>,
    /// The page's links to check.
    pub links: Vec<InternalLink>,
}

/// Checks every page's links against every page's anchors (`pages[i]` owns `links[i]`).
pub fn check_links(pages: &[&Page], links: &[PageLinks]) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    let index: HashMap<&str, usize> = pages
        .iter()
        .enumerate()
        .map(|(i, p)| (p.file.path.as_str(), i))
        .collect();
    let anchors: Vec<HashSet<&str>> = links
        .iter()
        .map(|l| l.anchors.iter().map(String::as_str).collect())
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
            if anchors[target].contains(fragment.as_str()) {
                continue;
            }
            let mut known: Vec<&str> = anchors[target].iter().copied().collect();
            known.sort();
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
