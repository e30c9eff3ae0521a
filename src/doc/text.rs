//! The plain text of inline content: what a heading's id is made of, and the words a
//! formula-free reader (a slug, an alt attribute) sees.

use super::roles::RoleKind;
use super::{Counts, Inline, InlineKind, Role};

/// The text of `inlines`: text and code as written, counts in words, labels as written; line
/// breaks as spaces. Formulas, computed values, images and raw HTML add nothing.
pub fn plain(inlines: &[Inline], counts: Counts) -> String {
    let mut out = String::new();
    push_plain(inlines, counts, &mut out);
    out
}

fn push_plain(inlines: &[Inline], counts: Counts, out: &mut String) {
    for inline in inlines {
        match &inline.kind {
            InlineKind::Text(t) | InlineKind::Code(t) => out.push_str(t),
            InlineKind::SoftBreak | InlineKind::HardBreak => out.push(' '),
            InlineKind::Role(role) => match &role.kind {
                RoleKind::Count(style, what) => {
                    out.push_str(&Role::count_text(*style, *what, counts))
                }
                RoleKind::Label => out.push_str(&role.arg),
                _ => {}
            },
            InlineKind::Emphasis(c) | InlineKind::Strong(c) | InlineKind::Strikethrough(c) => {
                push_plain(c, counts, out)
            }
            InlineKind::Link(l) => push_plain(&l.children, counts, out),
            _ => {}
        }
    }
}
