//! The Anki outputs: a `.apkg` package and a `.tsv` for Anki's text import, both written from
//! the card model ([`crate::print::CardText`]) with the same fields. What a student keeps
//! across imports is the point of this module:
//!
//! - [`identity`]: each card's GUID, named by the course's identity and the card's own id or
//!   question, never by its place; note type and deck ids named by the course.
//! - [`history`]: each note's modification time, from the course's git history (or its text),
//!   never from file times or the clock.
//! - [`fields`]: the fields' HTML (`\( \)` math for Anki's MathJax, images by media name,
//!   circuits that fit a phone and follow night mode) and Anki's sort field and checksum.
//! - [`style`]: the note type's templates and CSS, and its version.
//! - [`package`]: the SQLite collection and the zip.

pub mod fields;
pub mod history;
pub mod identity;
pub mod package;
pub mod style;

use std::collections::BTreeMap;

pub use fields::{field_html, FieldContext};
pub use package::apkg;

/// One note: one card of the course as every Anki output writes it.
#[derive(Debug, Clone)]
pub struct Note {
    /// What names it for good ([`identity`]).
    pub guid: String,
    /// The Question field's HTML.
    pub question: String,
    /// The Answer field's HTML.
    pub answer: String,
    /// When it last changed, in seconds since 1970 ([`history`]).
    pub mtime: i64,
    /// The full name of its deck (`Course::Page`).
    pub deck: String,
}

/// What a `.apkg` holds.
pub struct Package<'a> {
    /// The course's identity, which names the note type and every deck and id.
    pub course_id: &'a str,
    /// The course's title as a deck name: the top deck, and the note type's name.
    pub title: &'a str,
    /// The notes, in the order new cards are shown.
    pub notes: Vec<Note>,
    /// The media files by name.
    pub media: BTreeMap<String, &'a [u8]>,
}

/// A page or course title as one level of Anki's deck tree: Anki splits names at `::`, so a
/// `::` in a title becomes `∷` (U+2237) and stays one level; then what Anki does to a level
/// itself (NFC, no ASCII control characters, no spaces or colons at either end) is done here,
/// so the name in the package is the name Anki keeps.
pub fn deck_component(title: &str) -> String {
    let text = fields::normalized(title.replace("::", "∷")).replace(['\t', '\n'], " ");
    let trimmed = text.trim_matches(|c: char| c.is_whitespace() || c == ':');
    if trimmed.is_empty() {
        "Flashcards".to_string()
    } else {
        trimmed.to_string()
    }
}

/// A media file's name in Anki: its own name (letters, digits, `-` and `_`; at most 40
/// characters) and the first 10 hex digits of its SHA-1 (`plot-3f2a9c01b4.png`). Every
/// student's collection has one media folder for all decks, so two courses' `fig.png` must
/// not meet, and a changed image is a new file.
pub fn media_name(path: &str, bytes: &[u8]) -> String {
    let file = path.rsplit('/').next().unwrap_or(path);
    let (stem, ext) = match file.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem, ext),
        _ => (file, ""),
    };
    let clean = |s: &str, max: usize| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '-'
                }
            })
            .take(max)
            .collect()
    };
    let digest = sha1_smol::Sha1::from(bytes).digest().to_string();
    let ext = clean(&ext.to_ascii_lowercase(), 8);
    let stem = clean(stem, 40);
    if ext.is_empty() {
        format!("{stem}-{}", &digest[..10])
    } else {
        format!("{stem}-{}.{ext}", &digest[..10])
    }
}

/// Notes as a tab-separated file for Anki's text import: the same fields as the `.apkg`'s,
/// each note's GUID first (`#guid column:1`), so importing it again updates the notes it
/// made instead of adding copies. No `#columns` header: with one, Anki maps its names onto
/// the chosen note type's fields and leaves unmatched fields empty; without, it fills the
/// fields in order from the columns after the GUID. Its images name media files only the
/// `.apkg` carries.
pub fn tsv(deck: &str, notes: &[Note]) -> String {
    let field = |html: &str| html.replace(['\t', '\n', '\r'], " ").trim().to_string();
    let mut out = format!(
        "#separator:tab\n#html:true\n#guid column:1\n#deck:{}\n",
        field(deck)
    );
    for note in notes {
        out.push_str(&format!(
            "{}\t{}\t{}\n",
            note.guid,
            field(&note.question),
            field(&note.answer)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_title_is_one_level_of_the_deck_tree() {
        assert_eq!(deck_component("std::vector in C++"), "std∷vector in C++");
        assert_eq!(deck_component("  :Intro: "), "Intro");
        assert_eq!(deck_component("a\u{7}b"), "ab");
        assert_eq!(deck_component(" :: "), "∷");
        assert_eq!(deck_component(""), "Flashcards");
    }

    #[test]
    fn media_names_are_safe_and_name_their_bytes() {
        let a = media_name("content/01-x/my plot (1).PNG", b"one");
        assert!(a.starts_with("my-plot--1--") && a.ends_with(".png"), "{a}");
        assert_ne!(a, media_name("content/01-x/my plot (1).PNG", b"two"));
        assert_eq!(a.len(), "my-plot--1-".len() + 1 + 10 + 4);
    }
}
