//! The search index (issue #15): one record per section of every page — page, nearest heading,
//! its anchor, and the plain text readers can see there, including collapsed answers, worked
//! answers, flashcards, code, the text of math and verified values as printed. The records are
//! collected while the page's document is rendered ([`Sections`]), so the index holds exactly
//! what the page shows and never reads the HTML back.
//!
//! It is written under `search/` as scripts, not as JSON to fetch (browsers refuse `fetch` over
//! `file://`, and a course opened from disk must still search), split so that a query loads only
//! the parts it reads ([`shards`]); `assets/coursegen.js` loads them and ranks the results.

use std::rc::Rc;

use serde::Serialize;

use crate::doc::html::decode;

mod postings;
mod shards;
mod swar;
mod words;

pub use shards::{index_files, Index, PageWords, DIR, MANIFEST};

/// One section of a page: from a heading with an id to the next one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Record {
    /// The heading's text; empty for the part of the page before its first heading.
    pub heading: String,
    /// The heading's id; empty before the first heading.
    pub anchor: String,
    /// The section's text, whitespace collapsed.
    pub text: String,
}

/// The sections of a page as its renderer walks it: text goes to the current section (or its
/// heading, while the heading is written), blocks are separated by a space, and what readers do
/// not see as content (an exercise's further number sets) is left out by pausing.
#[derive(Debug, Default)]
pub struct Sections {
    done: Vec<Record>,
    current: Record,
    in_heading: bool,
    paused: bool,
}

impl Sections {
    /// A heading with id `anchor` starts a section; its text follows until [`Self::end_heading`].
    pub fn start_heading(&mut self, anchor: &str) {
        if self.paused {
            return;
        }
        let next = Record {
            anchor: anchor.to_string(),
            ..Record::default()
        };
        self.done.push(std::mem::replace(&mut self.current, next));
        self.in_heading = true;
    }

    /// The heading's text is complete.
    pub fn end_heading(&mut self) {
        self.in_heading = false;
    }

    /// Text that runs on with its neighbours (a word split by emphasis stays one word).
    pub fn inline_text(&mut self, text: &str) {
        if self.paused {
            return;
        }
        if self.in_heading {
            self.current.heading.push_str(text);
        } else {
            self.current.text.push_str(text);
        }
    }

    /// Text of a block of its own (code), separated from what is around it.
    pub fn text(&mut self, text: &str) {
        self.end_block();
        self.inline_text(text);
        self.end_block();
    }

    /// The text of a formula: the characters of its tokens, each a word of its own (so `p`,
    /// `−` and `y` do not run together). `mathml` is what
    /// [`crate::typeset::mathml::to_mathml`] made of `latex` and `display`, which name it: a
    /// formula's text is read from its MathML once per thread (courses repeat their notation;
    /// reading it was 6 % of building a generated course).
    pub fn math(&mut self, latex: &str, display: bool, mathml: &str) {
        thread_local! {
            // One table for inline formulas, one for displays.
            static TEXTS: [crate::memo::Table<Box<str>, Rc<str>>; 2] = Default::default();
        }
        if self.paused {
            return;
        }
        let made = TEXTS.with(|tables| {
            crate::memo::get_or_insert_by(&tables[usize::from(display)], latex, || {
                let mut text = String::from(" ");
                math_text(mathml, &mut text);
                Ok::<_, std::convert::Infallible>(Rc::from(text))
            })
        });
        let Ok(text) = made;
        self.inline_text(&text);
    }

    /// A block ended: what follows is another word.
    pub fn end_block(&mut self) {
        self.inline_text(" ");
    }

    /// Stops collecting until [`Self::resume`]; returns whether it was already stopped.
    pub fn pause(&mut self) -> bool {
        std::mem::replace(&mut self.paused, true)
    }

    /// Collects again, unless it was stopped before the matching [`Self::pause`].
    pub fn resume(&mut self, was_paused: bool) {
        self.paused = was_paused;
    }

    /// The page's sections, whitespace collapsed, empty ones left out.
    pub fn finish(mut self) -> Vec<Record> {
        self.done.push(self.current);
        self.done
            .into_iter()
            .map(|r| Record {
                heading: collapse(&r.heading),
                anchor: r.anchor,
                text: collapse(&r.text),
            })
            .filter(|r| !r.text.is_empty() || !r.heading.is_empty())
            .collect()
    }
}

/// The characters of a formula's tokens, from the MathML the converter wrote (elements and
/// the character references it uses; no markup of an author's passes through here).
fn math_text(mathml: &str, out: &mut String) {
    // `<` and `>` are ASCII, so every cut falls between characters; memchr scans a word at a
    // time (a formula's text was 5 % of a build when found with `str::find`).
    let bytes = mathml.as_bytes();
    let mut text_start = 0;
    let mut i = 0;
    while let Some(lt) = memchr::memchr(b'<', &bytes[i..]) {
        let text = &mathml[text_start..i + lt];
        if !text.trim().is_empty() {
            decode(text, out);
            out.push(' ');
        }
        let Some(gt) = memchr::memchr(b'>', &bytes[i + lt..]) else {
            return;
        };
        i += lt + gt + 1;
        text_start = i;
    }
    decode(&mathml[text_start..], out);
}

fn collapse(s: &str) -> String {
    let bytes = s.as_bytes();
    let n = bytes.len();
    let mut out = String::with_capacity(s.len());
    // Whether the character at `i` is whitespace, and its length: what `split_whitespace`
    // splits at, with ASCII judged by a table lookup (a character at a time, it was 3 % of a
    // build).
    let space_at = |i: usize| -> (bool, usize) {
        if bytes[i] < 128 {
            (ASCII_SPACE[usize::from(bytes[i])], 1)
        } else {
            let c = s[i..].chars().next().expect("i is at a character");
            (c.is_whitespace(), c.len_utf8())
        }
    };
    let mut i = 0;
    while i < n {
        let (space, len) = space_at(i);
        if space {
            i += len;
            continue;
        }
        // Words apart by single spaces are already collapsed: copied in one piece.
        let start = i;
        loop {
            loop {
                // Eight bytes at a time to the next one that may be whitespace: a control
                // character, a space or a byte of a non-ASCII character.
                i = swar::skip_unflagged(bytes, i, |w| swar::below(w, 0x21) | swar::non_ascii(w));
                while i < n && bytes[i] < 128 && !ASCII_SPACE[usize::from(bytes[i])] {
                    i += 1;
                }
                if i < n && bytes[i] >= 128 {
                    let (space, len) = space_at(i);
                    if !space {
                        i += len;
                        continue;
                    }
                }
                break;
            }
            if i + 1 < n && bytes[i] == b' ' && !space_at(i + 1).0 {
                i += 1;
                continue;
            }
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&s[start..i]);
    }
    out
}

/// ASCII whitespace as `char::is_whitespace` has it: tab, line feed, vertical tab, form feed,
/// carriage return, space (and the separators U+001C–U+001F are not).
const ASCII_SPACE: [bool; 128] = {
    let mut table = [false; 128];
    let mut b = 0;
    while b < 128 {
        table[b] = matches!(b, 0x09..=0x0D | 0x20);
        b += 1;
    }
    table
};

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn collapsing_matches_split_whitespace(text in "[ \t\n\r\u{b}\u{c}\u{0}\u{1}\u{1f}\u{7f}\u{85}\u{a0}\u{2003}\u{3000}ab!~·é€𝑥]{0,80}|[ ab]{0,40}") {
            let words: Vec<&str> = text.split_whitespace().collect();
            proptest::prop_assert_eq!(collapse(&text), words.join(" "));
        }
    }

    #[test]
    fn the_ascii_space_table_is_what_char_says() {
        for b in 0u8..128 {
            let c = char::from(b);
            assert_eq!(ASCII_SPACE[usize::from(b)], c.is_whitespace(), "{c:?}");
        }
    }

    #[test]
    fn sections_split_at_headings_and_skip_what_is_paused() {
        let mut s = Sections::default();
        s.inline_text("Intro te");
        s.inline_text("xt & “q”");
        s.end_block();
        s.start_heading("step");
        s.inline_text("The step");
        s.end_heading();
        s.inline_text("so");
        s.math(
            "p - y",
            false,
            "<math><mi>p</mi><mo>&#x2212;</mo><mi>y</mi></math>",
        );
        let before = s.pause();
        s.inline_text("hidden");
        s.resume(before);
        s.inline_text("= 0.73");
        assert_eq!(
            s.finish(),
            vec![
                Record {
                    heading: String::new(),
                    anchor: String::new(),
                    text: "Intro text & “q”".into()
                },
                Record {
                    heading: "The step".into(),
                    anchor: "step".into(),
                    text: "so p − y = 0.73".into()
                },
            ]
        );
    }
}
