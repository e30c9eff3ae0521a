//! Who a card is in Anki, for good. A note's GUID is what Anki matches on import: the same
//! GUID updates the student's note (and keeps its reviews), a new one adds a note. So a GUID
//! is made only of what names the card, never of its place among the other cards:
//!
//! - the course's identity (its `id`, or its title: [`crate::config::CourseConfig::identity`]),
//!   so two courses never share a note;
//! - for a card with an id (`::: card {#relu}`), that id: the note survives any edit of the
//!   card and a move to another page of the course;
//! - for a card without one, its page's URL and its question's source text, with runs of
//!   whitespace made one space: the note survives cards inserted, removed or reordered around
//!   it, and any edit of its answer; editing its question, or moving it to another page, makes
//!   a new note.
//!
//! Two cards that would share a GUID are a warning at the later card's opening line (it gets
//! a GUID of its own, named by its page and its place, so the deck still holds both). Note
//! type and deck ids are named by the course's identity too, and every id is a millisecond
//! time between 2015 and 2025, the range Anki's own ids (creation times) fall in.

use std::collections::HashMap;

use crate::diagnostic::Diagnostic;
use crate::doc::Card;
use crate::model::{Course, Page};

/// 2015-01-01 and 2025-01-01 in milliseconds: every id falls between, never in the future.
const ID_START: i64 = 1_420_070_400_000;
const ID_SPAN: i64 = 1_735_689_600_000 - ID_START;

/// 64 bits of the SHA-1 of `parts`, each ended by a NUL (so `("ab", "c")` and `("a", "bc")`
/// differ).
pub fn hash(parts: &[&str]) -> u64 {
    let mut sha = sha1_smol::Sha1::new();
    for part in parts {
        sha.update(part.as_bytes());
        sha.update(&[0]);
    }
    let bytes = sha.digest().bytes();
    u64::from_be_bytes(bytes[..8].try_into().expect("eight bytes"))
}

/// An Anki id (note type, deck, note or card) named by `parts`: a millisecond time in
/// 2015–2025.
pub fn anki_id(parts: &[&str]) -> i64 {
    ID_START + (hash(parts) % ID_SPAN as u64) as i64
}

/// A GUID: `cg` and 64 bits in letters and digits (no character a TSV or CSV reader, or
/// Anki's search, gives a meaning).
fn guid(parts: &[&str]) -> String {
    const DIGITS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut n = hash(parts);
    let mut digits = Vec::new();
    while n > 0 {
        digits.push(DIGITS[(n % 62) as usize]);
        n /= 62;
    }
    digits.reverse();
    format!("cg{}", String::from_utf8(digits).expect("ASCII digits"))
}

/// The source of a card's question (between its opening line and its `::: answer` line),
/// each run of whitespace one space.
fn question_source(page: &Page, card: &Card) -> String {
    let text = &page.file.text;
    let start = card.open.end.min(text.len());
    let end = card.answer.open.start.clamp(start, text.len());
    text.get(start..end)
        .unwrap_or_default()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The GUIDs of `page`'s cards, in order, and a warning for each card that would have shared
/// its GUID with an earlier card of the course.
pub fn page_guids(course: &Course, page: &Page) -> (Vec<String>, Vec<Diagnostic>) {
    let course_id = course.config.identity();
    let cards = page.doc.cards();
    let mut warnings = Vec::new();
    // An id on an earlier page of the course: its file and line (from the course's outline,
    // which knows every page's card ids before their bodies are read). The first card with
    // the id is on an earlier page when it is not on this one.
    let earlier = |key: &str| {
        course
            .first_card_with_id(key)
            .filter(|(path, _)| *path != page.file.path)
    };
    let mut questions: HashMap<String, usize> = HashMap::new();
    let guids = cards
        .iter()
        .map(|card| {
            let number = card.number.to_string();
            match card.key.as_deref() {
                Some(key) => match earlier(key) {
                    None => guid(&[&course_id, "id", key]),
                    Some((other, line)) => {
                        warnings.push(
                            Diagnostic::at(
                                &page.file,
                                card.open.clone(),
                                format!(
                                    "flashcard {} has the id `{key}`, which a card of {}:{line} already has: Anki would take them for one note",
                                    card.number, other
                                ),
                            )
                            .with_hint("an id names one card of the course for good: give this card another")
                            .warning(),
                        );
                        guid(&[&course_id, "id", key, &page.url, &number])
                    }
                },
                None => {
                    let question = question_source(page, card);
                    match questions.get(&question) {
                        None => {
                            questions.insert(question.clone(), card.number);
                            guid(&[&course_id, "question", &page.url, &question])
                        }
                        Some(first) => {
                            warnings.push(
                                Diagnostic::at(
                                    &page.file,
                                    card.open.clone(),
                                    format!(
                                        "flashcard {} asks the same question as flashcard {first} of this page: Anki would take them for one note",
                                        card.number
                                    ),
                                )
                                .with_hint("give one of them an id of its own: `::: card {#name}`")
                                .warning(),
                            );
                            guid(&[&course_id, "question", &page.url, &question, &number])
                        }
                    }
                }
            }
        })
        .collect();
    (guids, warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_past_millisecond_times() {
        for parts in [&["a"][..], &["b", "c"], &["course", "deck", "x::y"]] {
            let id = anki_id(parts);
            assert!((ID_START..ID_START + ID_SPAN).contains(&id), "{id}");
        }
        assert_ne!(anki_id(&["ab", "c"]), anki_id(&["a", "bc"]));
    }

    #[test]
    fn guids_are_letters_and_digits_and_stable() {
        let g = guid(&["id:c", "id", "relu"]);
        assert!(g.starts_with("cg") && g.len() <= 13, "{g}");
        assert!(g.chars().all(|c| c.is_ascii_alphanumeric()), "{g}");
        // The scheme is a promise to every student's collection: it must never change.
        assert_eq!(g, guid(&["id:c", "id", "relu"]));
        assert_eq!(
            hash(&["abc"]),
            0x6864_8380_5ac4_7ca1,
            "the first 8 bytes of SHA-1(\"abc\\0\")"
        );
    }
}
