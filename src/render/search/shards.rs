//! The search index as files a browser loads a few at a time (issue #24): a small manifest,
//! term shards (each word's sections, sorted by word) and record shards (the sections' text,
//! for excerpts). A query loads the manifest, the term shards its words fall in and the record
//! shards of the results it shows — a few hundred kilobytes however large the course.
//!
//! Every file is a script (`<script src>` works over `file://`, `fetch` does not): the
//! manifest sets `window.COURSEGEN_SEARCH`, a shard files itself under its name in
//! `window.COURSEGEN_SEARCH_PARTS`. The manifest's `v` (a hash of every shard) is added to each
//! shard's address, so a browser never mixes shards of two builds.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;

use rayon::prelude::*;
use rustc_hash::FxBuildHasher;
use smallvec::SmallVec;
use xxhash_rust::xxh3::Xxh3;

use super::postings::Postings;
use super::swar;
use super::words::{for_each_key, is_english, lowered, stem};
use super::Record;
use crate::output::{MemorySink, OutputFile, Sink};

/// The folder of the index, at the site root.
pub const DIR: &str = "search/";
/// The manifest, the one file a page names.
pub const MANIFEST: &str = "search/index.js";
/// A section's text is cut into pieces of at most this many bytes (at a space), each a record
/// of its own: an excerpt never loads a whole long section.
const PIECE: usize = 2_000;
/// A term shard closes once it holds this many bytes.
const TERM_SHARD: usize = 32 * 1024;
/// A record shard closes once it holds this many bytes: a query shows at most 20 results, so
/// it loads at most 20 record shards.
const RECORD_SHARD: usize = 6 * 1024;

/// One section (or piece of one) as the index holds it.
struct Piece<'a> {
    page: usize,
    heading: &'a str,
    anchor: &'a str,
    text: &'a str,
}

/// The index's files for the course's pages (`pages[i]` is `[title, url]` of page i, in
/// reading order) and each page's sections, sorted by path. Two builds of one course write the
/// same bytes. An error when postings set aside in a temporary file cannot be read back.
pub fn index_files(
    language: &str,
    pages: &[[&str; 2]],
    sections: &[Vec<Record>],
) -> std::io::Result<Vec<OutputFile>> {
    let files = MemorySink::default();
    let mut index = Index::new(language, pages.to_vec());
    index.add(0, sections, &files);
    index.finish(&files)?;
    Ok(files.into_files())
}

/// The index, built a run of pages at a time as the build finishes them: each run's record
/// shards are written at once and its words filed, so no page's text is held to the end of
/// the build (at 10,000 pages that text and its shards were ~170 MB held at once). Pages must
/// come in reading order, each once; the files are the same however the pages are grouped.
pub struct Index<'a> {
    language: String,
    /// `[title, url]` of each page, borrowed from the pages (held for the whole build).
    pages: Vec<[&'a str; 2]>,
    /// Every word's postings so far.
    postings: Postings,
    /// Pieces filed so far (the next piece's number).
    count: usize,
    records: RecordShards,
    /// A hash of every shard written, for the manifest's `v`.
    hash: Xxh3,
}

impl<'a> Index<'a> {
    /// An empty index for a course in `language` whose pages are `pages` (`[title, url]`).
    pub fn new(language: &str, pages: Vec<[&'a str; 2]>) -> Self {
        Index {
            language: language.to_string(),
            pages,
            postings: Postings::default(),
            count: 0,
            records: RecordShards::default(),
            hash: Xxh3::new(),
        }
    }

    /// Files the sections of pages `first`, `first + 1`, … (`sections[k]` is page
    /// `first + k`'s) and writes the record shards they fill to `sink`.
    pub fn add(&mut self, first: usize, sections: &[Vec<Record>], sink: &dyn Sink) {
        let words = sections
            .par_iter()
            .map(|s| PageWords::of(s, &self.language))
            .collect();
        self.add_with_words(first, sections, words, sink);
    }

    /// [`Self::add`] with each page's words already split (`words[k]` is page `first + k`'s):
    /// a page built afresh splits them as it is built, a cached one brings them.
    pub fn add_with_words(
        &mut self,
        first: usize,
        sections: &[Vec<Record>],
        words: Vec<PageWords>,
        sink: &dyn Sink,
    ) {
        debug_assert_eq!(
            words.len(),
            sections.len(),
            "every page comes with its words"
        );
        let pieces = pieces(first, sections);
        let base = self.count;
        let (postings, records, pages) = (&mut self.postings, &mut self.records, &self.pages);
        let ((), shards) = rayon::join(
            || {
                // Each page's pieces are numbered from where the page before's end.
                let mut counts = vec![0u32; sections.len()];
                pieces.iter().for_each(|p| counts[p.page - first] += 1);
                let mut start = base as u32;
                for (page, count) in words.into_iter().zip(counts) {
                    // Well formed: made by `PageWords::of` or checked when decoded.
                    let _ = page.each(|word, each, heading| {
                        let all = each.iter().map(|&id| start + id);
                        postings.file(word, all, heading.iter().map(|&id| start + id));
                    });
                    start += count;
                }
                postings.bound();
            },
            || records.add(&pieces, base, pages),
        );
        self.count += pieces.len();
        self.emit(shards, sink);
    }

    /// Writes the last record shard, the term shards and the manifest; an error (and no
    /// manifest) when postings set aside in a temporary file cannot be read back.
    pub fn finish(mut self, sink: &dyn Sink) -> std::io::Result<()> {
        let last = self.records.close();
        self.emit(last, sink);
        let postings = std::mem::take(&mut self.postings);
        let term_firsts = term_shards(postings, &mut |file| self.emit([file], sink))?;
        let manifest = serde_json::json!({
            "lang": self.language,
            "v": format!("{:016x}", self.hash.digest()),
            "terms": term_firsts,
            "records": self.records.firsts,
            "count": self.count,
        });
        sink.put(OutputFile {
            path: MANIFEST.to_string(),
            bytes: format!("window.COURSEGEN_SEARCH = {manifest};\n").into_bytes(),
        });
        Ok(())
    }

    /// Hashes `files` and hands them to `sink`.
    fn emit(&mut self, files: impl IntoIterator<Item = OutputFile>, sink: &dyn Sink) {
        for file in files {
            self.hash.update(file.path.as_bytes());
            self.hash.update(&file.bytes);
            sink.put(file);
        }
    }
}

/// Every section of pages `first`, `first + 1`, …, long ones cut at a space into pieces of at
/// most [`PIECE`] bytes.
fn pieces(first: usize, sections: &[Vec<Record>]) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    for (k, records) in sections.iter().enumerate() {
        page_pieces(first + k, records, &mut out);
    }
    out
}

/// The pieces of page `page`, whose sections are `records`, appended to `out`.
fn page_pieces<'a>(page: usize, records: &'a [Record], out: &mut Vec<Piece<'a>>) {
    for r in records {
        let mut rest = r.text.as_str();
        loop {
            let cut = cut_at(rest);
            out.push(Piece {
                page,
                heading: &r.heading,
                anchor: &r.anchor,
                text: &rest[..cut],
            });
            rest = rest[cut..].trim_start();
            if rest.is_empty() {
                break;
            }
        }
    }
}

/// Where the first piece of `text` ends: all of it when short, else at the last space before
/// [`PIECE`] bytes (or at a character boundary, for a text with no space there).
fn cut_at(text: &str) -> usize {
    if text.len() <= PIECE {
        return text.len();
    }
    let mut end = PIECE;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    match text[..end].rfind(' ') {
        Some(space) if space > 0 => space,
        _ => end,
    }
}

/// The pieces a word occurs in, and those whose heading holds it, in order: a word of a page
/// is in a few of its pieces, so the lists rarely leave the entry (a `Vec` each was an
/// allocation per word of every page).
type PagePostings = (SmallVec<[u32; 4]>, SmallVec<[u32; 4]>);

/// One page's index keys, each with the page's pieces (numbered from 0) it occurs in and those
/// whose heading holds it, sorted by key. Made while the page is built and kept in its cache
/// entry, so a rebuild files a cached page's words without splitting its text again (that was
/// a fifth of a one-page-edited rebuild at 10,000 pages). Held as the text it is stored as, a
/// line per key, the key and its two comma-separated lists tab-separated (a key never holds a
/// tab or a newline): a rebuild checks a cached page's text and files its words from it, with
/// no string or list made per key (decoding them was 5 % of a one-page rebuild).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageWords(String);

impl PageWords {
    /// The words of a page whose sections are `sections`, in a course in `language`.
    pub fn of(sections: &[Record], language: &str) -> PageWords {
        let english = is_english(language);
        let mut pieces = Vec::new();
        page_pieces(0, sections, &mut pieces);
        // Each piece's heading and text lower-cased, held while the table is: its keys are
        // borrowed from them, with no string made per different word of every page.
        let lower: Vec<(String, String)> = pieces
            .iter()
            .map(|p| (lowered(p.heading), lowered(p.text)))
            .collect();
        // Room for the page's different words at once (about one for every 16 bytes of its
        // text): growing the table rehashed every key several times over.
        let bytes: usize = lower.iter().map(|(h, t)| h.len() + t.len()).sum();
        let mut postings: HashMap<Cow<str>, PagePostings, FxBuildHasher> =
            HashMap::with_capacity_and_hasher(bytes / 16, FxBuildHasher);
        // Filed as written (lower-cased), and stemmed below once per different word rather
        // than once per occurrence.
        for (id, (heading_text, text)) in lower.iter().enumerate() {
            let id = id as u32;
            for_each_key(heading_text, false, |w| file(&mut postings, w, id, true));
            for_each_key(text, false, |w| file(&mut postings, w, id, false));
        }
        // Each word under its key, sorted as (key, reference) pairs rather than moving the
        // table's 72-byte entries; words that stem alike ("gradient", "gradients") end up
        // neighbours.
        let mut words: Vec<(Cow<str>, &PagePostings)> = postings
            .iter()
            .map(|(word, lists)| {
                let key = if english {
                    stem(word)
                } else {
                    Cow::Borrowed(word.as_ref())
                };
                (key, lists)
            })
            .collect();
        words.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut out = String::new();
        for group in words.chunk_by(|a, b| a.0 == b.0) {
            let key: &str = &group[0].0;
            let united;
            let (all, heading): (&[u32], &[u32]) = match group {
                [(_, lists)] => (&lists.0, &lists.1),
                _ => {
                    united = (
                        merged(group.iter().map(|(_, lists)| &lists.0)),
                        merged(group.iter().map(|(_, lists)| &lists.1)),
                    );
                    (&united.0, &united.1)
                }
            };
            out.push_str(key);
            for list in [all, heading] {
                out.push('\t');
                for (i, id) in list.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(itoa::Buffer::new().format(*id));
                }
            }
            out.push('\n');
        }
        PageWords(out)
    }

    /// Calls `f` with each key and its two lists, in order; `None` (after calling `f` for the
    /// keys before) when the text is not well formed.
    fn each(&self, mut f: impl FnMut(&str, &[u32], &[u32])) -> Option<()> {
        // One pass over the bytes: tab, newline and comma are ASCII, so every cut falls
        // between characters (split into lines, then fields, then numbers, with a UTF-8 check
        // and a `str::parse` per number, it was 2.6 % of a build).
        let text = self.0.as_str();
        let bytes = text.as_bytes();
        let (mut all, mut heading) = (Vec::new(), Vec::new());
        let mut i = 0;
        while i < bytes.len() {
            let start = i;
            while *bytes.get(i)? != b'\t' {
                if bytes[i] == b'\n' {
                    return None;
                }
                i += 1;
            }
            if i == start {
                return None;
            }
            let word = &text[start..i];
            i = numbers(bytes, i + 1, b'\t', &mut all)?;
            i = numbers(bytes, i, b'\n', &mut heading)?;
            f(word, &all, &heading);
        }
        Some(())
    }
    /// The words as they were stored, if well formed.
    fn decode(text: String) -> Option<PageWords> {
        let words = PageWords(text);
        words.each(|_, _, _| {})?;
        Some(words)
    }
}

/// The union of sorted lists of piece numbers, sorted, each number once.
fn merged<'a>(lists: impl Iterator<Item = &'a SmallVec<[u32; 4]>>) -> SmallVec<[u32; 4]> {
    let mut all: SmallVec<[u32; 4]> = lists.flatten().copied().collect();
    all.sort_unstable();
    all.dedup();
    all
}

/// Files `word` of piece `id` (in its heading if `heading`) in a page's table.
fn file<'a>(
    postings: &mut HashMap<Cow<'a, str>, PagePostings, FxBuildHasher>,
    word: Cow<'a, str>,
    id: u32,
    heading: bool,
) {
    // A key borrowed from the page's text costs nothing to offer: one lookup, no string made.
    let entry = postings.entry(word).or_default();
    if entry.0.last() != Some(&id) {
        entry.0.push(id);
    }
    if heading && entry.1.last() != Some(&id) {
        entry.1.push(id);
    }
}

/// Reads the comma-separated numbers (each as `str::parse::<u32>` takes it: an optional `+`
/// and digits) from `i` into `into`, up to `end` (or, for a newline, the end of the text);
/// returns where the next field starts, or `None` when the list is not well formed.
fn numbers(bytes: &[u8], mut i: usize, end: u8, into: &mut Vec<u32>) -> Option<usize> {
    into.clear();
    let ends = |i: usize| match bytes.get(i) {
        Some(&b) => b == end,
        None => end == b'\n',
    };
    if ends(i) {
        return Some(i + 1);
    }
    loop {
        if bytes.get(i) == Some(&b'+') {
            i += 1;
        }
        let digits = bytes[i.min(bytes.len())..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if digits == 0 {
            return None;
        }
        let mut n: u32 = 0;
        for &d in &bytes[i..i + digits] {
            n = n.checked_mul(10)?.checked_add(u32::from(d - b'0'))?;
        }
        into.push(n);
        i += digits;
        if ends(i) {
            return Some(i + 1);
        }
        if bytes.get(i) != Some(&b',') {
            return None;
        }
        i += 1;
    }
}

impl serde::Serialize for PageWords {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for PageWords {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        PageWords::decode(text).ok_or_else(|| serde::de::Error::custom("malformed page words"))
    }
}

/// Writes the term shards: every key with the pieces it occurs in and those whose heading holds
/// it (numbers as differences from the one before). Returns each shard's first key.
fn term_shards(
    postings: Postings,
    emit: &mut dyn FnMut(OutputFile),
) -> std::io::Result<Vec<String>> {
    let mut firsts = Vec::new();
    let mut body = String::new();
    // In the order the script searches; each word's postings are dropped once written.
    postings.drain_sorted(|key, [all, heading]| {
        let mut entry = serde_json::to_string(&key).expect("a string serializes");
        entry.push_str(":[");
        all.write(&mut entry);
        if !heading.is_empty() {
            entry.push(',');
            heading.write(&mut entry);
        }
        entry.push(']');
        if !body.is_empty() && body.len() + entry.len() > TERM_SHARD {
            emit(shard('t', firsts.len() - 1, &body));
            body.clear();
        }
        if body.is_empty() {
            firsts.push(key);
        } else {
            body.push(',');
        }
        body.push_str(&entry);
    })?;
    if !body.is_empty() {
        emit(shard('t', firsts.len() - 1, &body));
    }
    Ok(firsts)
}

/// Appends `text` as a JSON string, escaped as serde_json escapes it (`"`, `\` and the
/// control characters; `\u00XX` in lower-case hex for those without a short form). The runs
/// between escapes are copied whole: a search record is mostly plain text, and serde_json's
/// byte-at-a-time writer was 1.3 % of a build.
fn push_json_string(out: &mut String, text: &str) {
    out.push('"');
    let bytes = text.as_bytes();
    let mut run = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Eight bytes at a time to the next that may need an escape.
        i = swar::skip_unflagged(bytes, i, |w| {
            swar::below(w, 0x20) | swar::equal(w, b'"') | swar::equal(w, b'\\')
        });
        let Some(&b) = bytes.get(i) else { break };
        i += 1;
        let short = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\t' => "\\t",
            b'\r' => "\\r",
            0x08 => "\\b",
            0x0C => "\\f",
            0x00..=0x1F => "",
            _ => continue,
        };
        out.push_str(&text[run..i - 1]);
        if short.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xF)]));
        } else {
            out.push_str(short);
        }
        run = i;
    }
    out.push_str(&text[run..]);
    out.push('"');
}

/// The record shards being written: each piece as `[page, heading, anchor, text]`, after the
/// title and address of each page the shard's pieces belong to.
#[derive(Default)]
struct RecordShards {
    /// Each shard's first piece.
    firsts: Vec<usize>,
    /// The open shard's records and page titles.
    body: String,
    titles: String,
    last_page: Option<usize>,
}

impl RecordShards {
    /// Adds `pieces` (numbered from `base`); returns the shards they filled.
    fn add(&mut self, pieces: &[Piece], base: usize, pages: &[[&str; 2]]) -> Vec<OutputFile> {
        let mut files = Vec::new();
        for (k, piece) in pieces.iter().enumerate() {
            // `[page,"heading","anchor","text"]`, as serde_json writes the tuple.
            let mut record = String::with_capacity(
                24 + piece.heading.len() + piece.anchor.len() + piece.text.len(),
            );
            record.push('[');
            record.push_str(itoa::Buffer::new().format(piece.page));
            for field in [piece.heading, piece.anchor, piece.text] {
                record.push(',');
                push_json_string(&mut record, field);
            }
            record.push(']');
            if !self.body.is_empty()
                && self.body.len() + self.titles.len() + record.len() > RECORD_SHARD
            {
                files.extend(self.close());
            }
            if self.body.is_empty() {
                self.firsts.push(base + k);
            } else {
                self.body.push(',');
            }
            if self.last_page != Some(piece.page) {
                if !self.titles.is_empty() {
                    self.titles.push(',');
                }
                let [title, url] = &pages[piece.page];
                let _ = write!(
                    self.titles,
                    "\"{}\":{}",
                    piece.page,
                    serde_json::to_string(&[title, url]).expect("strings serialize")
                );
                self.last_page = Some(piece.page);
            }
            self.body.push_str(&record);
        }
        files
    }

    /// The open shard as a file, if it holds anything; the next record starts a new one.
    fn close(&mut self) -> Option<OutputFile> {
        if self.body.is_empty() {
            return None;
        }
        let json = [
            "\"pages\":{",
            &self.titles,
            "},\"records\":[",
            &self.body,
            "]",
        ]
        .concat();
        let file = shard('r', self.firsts.len() - 1, &json);
        self.body.clear();
        self.titles.clear();
        self.last_page = None;
        Some(file)
    }
}

/// Shard `n` of `kind` (`t` or `r`): a script filing `{body}` under its name.
fn shard(kind: char, n: usize, body: &str) -> OutputFile {
    // JSON escapes `</script>` and U+2028 are still valid JavaScript, and the file is loaded by
    // `<script src>`, never inlined.
    OutputFile {
        path: format!("{DIR}{kind}{n}.js"),
        bytes: format!(
            "(window.COURSEGEN_SEARCH_PARTS = window.COURSEGEN_SEARCH_PARTS || {{}})[\"{kind}{n}\"] = {{{body}}};\n"
        )
        .into_bytes(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(heading: &str, anchor: &str, text: &str) -> Record {
        Record {
            heading: heading.into(),
            anchor: anchor.into(),
            text: text.into(),
        }
    }

    #[test]
    fn words_that_stem_alike_share_a_key_with_their_pieces_merged() {
        let sections = [
            record("Gradients", "a", "The gradient flows."),
            record("Steps", "b", "Flowing gradients; the GRADIENT again."),
            record("Flows", "c", "Nothing else."),
        ];
        let mut got = Vec::new();
        PageWords::of(&sections, "en").each(|word, all, heading| {
            got.push((word.to_string(), all.to_vec(), heading.to_vec()));
        });
        let find = |w: &str| got.iter().find(|g| g.0 == w).cloned();
        // "Gradients" (heading of 0), "gradient" (0), "gradients" and "GRADIENT" (1).
        assert_eq!(
            find("gradient"),
            Some(("gradient".into(), vec![0, 1], vec![0]))
        );
        // "flows" (0), "Flowing" (1), "Flows" (heading of 2).
        assert_eq!(find("flow"), Some(("flow".into(), vec![0, 1, 2], vec![2])));
        assert!(find("gradients").is_none() && find("flowing").is_none());
        // Not English: every word as written, lower-cased.
        let mut other = Vec::new();
        PageWords::of(&sections, "de").each(|word, _, _| other.push(word.to_string()));
        assert!(other.iter().any(|w| w == "gradients") && other.iter().any(|w| w == "gradient"));
        assert!(
            other.windows(2).all(|w| w[0] < w[1]),
            "sorted, each once: {other:?}"
        );
    }

    #[test]
    fn long_sections_are_cut_at_spaces_and_every_piece_keeps_its_heading() {
        let long = "gradient ".repeat(1_000);
        let sections = vec![vec![record("Steps", "steps", long.trim())]];
        let got = pieces(0, &sections);
        assert!(got.len() >= 3, "{} pieces", got.len());
        assert!(got
            .iter()
            .all(|p| p.text.len() <= PIECE && p.heading == "Steps"));
        let joined: Vec<&str> = got.iter().map(|p| p.text).collect();
        assert_eq!(joined.join(" "), long.trim());
        // No space at all: cut at a character boundary.
        let dense = "ä".repeat(2_000);
        let sections = vec![vec![record("", "", &dense)]];
        assert_eq!(
            pieces(0, &sections)
                .iter()
                .map(|p| p.text)
                .collect::<String>(),
            dense
        );
    }

    #[test]
    fn terms_are_filed_under_their_stems_with_heading_hits_apart() {
        let sections = vec![
            vec![
                record("", "", "Intro"),
                record("Gradients", "g", "the chain rule"),
            ],
            vec![record("", "", "A gradient step")],
        ];
        let files = index_files("en", &[["One", "one/"], ["Two", "two/"]], &sections).unwrap();
        let text: Vec<String> = files
            .iter()
            .map(|f| String::from_utf8(f.bytes.clone()).unwrap())
            .collect();
        let terms = text
            .iter()
            .find(|t| t.contains("[\"t0\"]"))
            .expect("a term shard");
        // Pieces 1 and 2 hold "gradient"; piece 1 in its heading.
        assert!(terms.contains("\"gradient\":[[1,1],[1]]"), "{terms}");
        assert!(terms.contains("\"chain\":[[1]]"), "{terms}");
        let records = text
            .iter()
            .find(|t| t.contains("[\"r0\"]"))
            .expect("a record shard");
        assert!(records.contains("\"pages\":{\"0\":[\"One\",\"one/\"],\"1\":[\"Two\",\"two/\"]}"));
        assert!(
            records.contains("[0,\"Gradients\",\"g\",\"the chain rule\"]"),
            "{records}"
        );
        let manifest = String::from_utf8(
            files
                .iter()
                .find(|f| f.path == MANIFEST)
                .expect("a manifest")
                .bytes
                .clone(),
        )
        .unwrap();
        assert!(manifest.starts_with("window.COURSEGEN_SEARCH = {"));
        assert!(manifest.contains("\"terms\":[\"a\"]") && manifest.contains("\"count\":3"));
    }

    #[test]
    fn an_index_fed_a_few_pages_at_a_time_writes_the_same_files() {
        let sections: Vec<Vec<Record>> = (0..300)
            .map(|p| {
                vec![
                    record("", "", &format!("intro {p}")),
                    record(
                        "Step",
                        "s",
                        &format!("word{p} shared {}", "text ".repeat(p % 700)),
                    ),
                ]
            })
            .collect();
        let pages: Vec<String> = (0..300).map(|p| format!("p{p}/")).collect();
        let titles: Vec<[&str; 2]> = pages.iter().map(|p| ["Page", p.as_str()]).collect();
        let whole = index_files("en", &titles, &sections).unwrap();
        assert!(whole.len() > 20, "{} files", whole.len());
        for (step, spill) in [
            (1, usize::MAX),
            (7, usize::MAX),
            (64, usize::MAX),
            (7, 2_000),
        ] {
            let files = MemorySink::default();
            let mut index = Index::new("en", titles.clone());
            // Postings set aside in temporary files every few pages, merged at the end.
            index.postings = Postings::spilling_at(spill);
            for (n, run) in sections.chunks(step).enumerate() {
                // The words as a cached page brings them: through their stored form.
                let words = run
                    .iter()
                    .map(|s| {
                        let stored = serde_json::to_string(&PageWords::of(s, "en")).unwrap();
                        serde_json::from_str(&stored).unwrap()
                    })
                    .collect();
                index.add_with_words(n * step, run, words, &files);
            }
            assert_eq!(spill == usize::MAX, index.postings.runs() == 0);
            index.finish(&files).unwrap();
            let fed = files.into_files();
            assert_eq!(
                fed, whole,
                "fed {step} pages at a time, spilling at {spill}"
            );
        }
    }

    #[test]
    fn page_words_keep_their_pieces_through_their_stored_form() {
        let long = format!("{} tail", "gradient ".repeat(400));
        let sections = vec![
            record("", "", "Intro words"),
            record("Gradients", "g", &long),
            record("Steps", "s", "one\ttwo 0.73"),
        ];
        let words = PageWords::of(&sections, "en");
        let find = |w: &str| {
            let mut found = None;
            words.each(|k, all, heading| {
                if k == w {
                    found = Some((all.to_vec(), heading.to_vec()));
                }
            });
            found
        };
        // The long section is two pieces (1 and 2), both under its heading.
        assert_eq!(find("gradient"), Some((vec![1, 2], vec![1, 2])));
        assert_eq!(find("tail"), Some((vec![2], vec![])));
        assert_eq!(find("0.73"), Some((vec![3], vec![])));
        let stored = serde_json::to_string(&words).unwrap();
        assert_eq!(serde_json::from_str::<PageWords>(&stored).unwrap(), words);
        for bad in [
            "\"word\"",
            "\"word\\t1\"",
            "\"w\\tx\\t\\n\"",
            "\"\\t1\\t\\n\"",
        ] {
            assert!(serde_json::from_str::<PageWords>(bad).is_err(), "{bad}");
        }
    }

    /// A key and its two lists, as read from the stored form.
    type StoredWord = (String, Vec<u32>, Vec<u32>);

    /// The stored form as it was read before the one-pass reader: lines, tab-separated
    /// fields, comma-separated numbers each through `str::parse`.
    fn each_by_splitting(text: &str) -> Option<Vec<StoredWord>> {
        let list = |s: &str| -> Option<Vec<u32>> {
            if s.is_empty() {
                return Some(Vec::new());
            }
            s.split(',').map(|n| n.parse().ok()).collect()
        };
        let mut out = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            let end = rest.find('\n').unwrap_or(rest.len());
            let line = &rest[..end];
            rest = rest.get(end + 1..).unwrap_or_default();
            let fields: Vec<&str> = line.split('\t').collect();
            let [word, all, heading] = fields[..] else {
                return None;
            };
            if word.is_empty() {
                return None;
            }
            out.push((word.to_string(), list(all)?, list(heading)?));
        }
        Some(out)
    }

    proptest::proptest! {
        #[test]
        fn json_strings_are_written_as_serde_json_writes_them(text in "[\\x00-\\x21\"\\\\/a-z\\x7f\u{80}\u{a0}\u{2028}é😀]{0,40}") {
            let mut ours = String::new();
            push_json_string(&mut ours, &text);
            proptest::prop_assert_eq!(ours, serde_json::to_string(&text).unwrap());
        }

        #[test]
        fn page_words_read_as_split_lines_read(text in "[ab\t\n,+0-9é]{0,24}") {
            let mut read = Vec::new();
            let got = PageWords(text.clone())
                .each(|w, all, heading| read.push((w.to_string(), all.to_vec(), heading.to_vec())))
                .map(|()| read);
            proptest::prop_assert_eq!(got, each_by_splitting(&text));
        }
    }

    #[test]
    fn page_words_read_big_and_odd_numbers_as_parse_does() {
        for text in [
            "a\t4294967295\t\n",
            "a\t4294967296\t\n",
            "a\t+7,007\t1\n",
            "a\t+\t\n",
            "a\t1\t2",
            "a\t1,\t\n",
            "a\t1\t2\t\n",
            "é\t\t\nb\t3\t3\n",
        ] {
            let mut read = Vec::new();
            let got = PageWords(text.to_string())
                .each(|w, all, heading| read.push((w.to_string(), all.to_vec(), heading.to_vec())))
                .map(|()| read);
            assert_eq!(got, each_by_splitting(text), "{text:?}");
        }
    }

    #[test]
    fn large_indexes_split_into_bounded_shards() {
        let sections: Vec<Vec<Record>> = (0..2_000)
            .map(|p| {
                vec![record(
                    "Step",
                    "s",
                    &format!("word{p} shared text number {p}"),
                )]
            })
            .collect();
        let pages: Vec<String> = (0..2_000).map(|p| format!("p{p}/")).collect();
        let titles: Vec<[&str; 2]> = pages.iter().map(|p| ["Page", p.as_str()]).collect();
        let files = index_files("en", &titles, &sections).unwrap();
        let shards = files.iter().filter(|f| f.path != MANIFEST);
        assert!(files.len() > 10, "{} files", files.len());
        // A shard exceeds its bound only by one entry (here: "shared", in every piece).
        for f in shards {
            assert!(
                f.bytes.len() < TERM_SHARD + 12_000,
                "{} is {} bytes",
                f.path,
                f.bytes.len()
            );
        }
    }
}
