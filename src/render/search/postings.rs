//! Every word's postings while the index is built, in bounded memory: once they pass
//! [`SPILL`] bytes they are sorted and set aside in a temporary file (a run), and the term
//! shards are written from the runs merged in key order. Held whole, they grew with the course
//! (4.8 MB at 10,000 pages, 9.6 MB at 20,000); the files written are the same either way.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, Write};

use rustc_hash::FxBuildHasher;

/// Postings held past this many bytes (an estimate) are set aside in a run.
const SPILL: usize = 1 << 20;
/// What a key costs besides its text and numbers (its string, two lists and its slot).
const KEY_COST: usize = 96;

/// The postings of every word filed so far: those since the last run in memory, the rest in
/// runs, each sorted by key.
pub(super) struct Postings {
    words: HashMap<String, [Deltas; 2], FxBuildHasher>,
    /// An estimate of what `words` holds, in bytes.
    held: usize,
    spill_at: usize,
    runs: Vec<Run>,
}

impl Default for Postings {
    fn default() -> Self {
        Postings::spilling_at(SPILL)
    }
}

impl Postings {
    /// Postings that set aside a run once they hold about `bytes`.
    pub(super) fn spilling_at(bytes: usize) -> Self {
        Postings {
            words: HashMap::default(),
            held: 0,
            spill_at: bytes,
            runs: Vec::new(),
        }
    }

    /// Files piece numbers `all` (the pieces `word` occurs in) and `heading` (those whose
    /// heading holds it); each larger than any filed for the word before.
    pub(super) fn file(
        &mut self,
        word: &str,
        all: impl Iterator<Item = u32>,
        heading: impl Iterator<Item = u32>,
    ) {
        let lists = match self.words.get_mut(word) {
            Some(lists) => lists,
            None => {
                self.held += word.len() + KEY_COST;
                self.words.entry(word.to_string()).or_default()
            }
        };
        let before = lists[0].bytes.len() + lists[1].bytes.len();
        all.for_each(|id| lists[0].push(id));
        heading.for_each(|id| lists[1].push(id));
        self.held += lists[0].bytes.len() + lists[1].bytes.len() - before;
    }

    /// How many runs are set aside.
    #[cfg(test)]
    pub(super) fn runs(&self) -> usize {
        self.runs.len()
    }

    /// Sets the postings in memory aside as a run when they hold more than they may.
    pub(super) fn bound(&mut self) {
        if self.held > self.spill_at {
            let run = Run::of(std::mem::take(&mut self.words));
            self.runs.push(run);
            self.held = 0;
        }
    }

    /// Every word with its postings, in the order the script searches (UTF-16 units), each
    /// handed to `f`; an error when a run cannot be read back.
    pub(super) fn drain_sorted(self, mut f: impl FnMut(String, [Deltas; 2])) -> io::Result<()> {
        if self.runs.is_empty() {
            sorted(self.words).into_iter().for_each(|(k, v)| f(k, v));
            return Ok(());
        }
        let mut runs = self.runs;
        runs.push(Run::in_memory(sorted(self.words)));
        let mut readers: Vec<RunReader> = runs
            .into_iter()
            .map(RunReader::new)
            .collect::<io::Result<_>>()?;
        let mut heads = BinaryHeap::new();
        for (run, reader) in readers.iter_mut().enumerate() {
            if let Some((key, lists)) = reader.next()? {
                heads.push(Head { key, run, lists });
            }
        }
        while let Some(Head {
            key,
            run,
            mut lists,
        }) = heads.pop()
        {
            // The same key in later runs: their pieces come after.
            let mut next = Some(run);
            while let Some(run) = next.take() {
                if let Some((k, l)) = readers[run].next()? {
                    heads.push(Head {
                        key: k,
                        run,
                        lists: l,
                    });
                }
                if heads.peek().is_some_and(|h| h.key == key) {
                    let same = heads.pop().expect("peeked");
                    let [all, heading] = same.lists;
                    lists[0].append(all);
                    lists[1].append(heading);
                    next = Some(same.run);
                }
            }
            f(key, lists);
        }
        Ok(())
    }
}

/// `words` sorted the way the script compares strings (by UTF-16 units).
fn sorted(words: HashMap<String, [Deltas; 2], FxBuildHasher>) -> Vec<(String, [Deltas; 2])> {
    let mut keys: Vec<(String, [Deltas; 2])> = words.into_iter().collect();
    keys.sort_by(|a, b| utf16_order(&a.0, &b.0));
    keys
}

fn utf16_order(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// The next key of one run, ordered so that a max-heap pops the smallest key first, and of
/// equal keys the earliest run's.
struct Head {
    key: String,
    run: usize,
    lists: [Deltas; 2],
}

impl Ord for Head {
    fn cmp(&self, other: &Self) -> Ordering {
        utf16_order(&other.key, &self.key).then(other.run.cmp(&self.run))
    }
}

impl PartialOrd for Head {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Head {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Head {}

/// Postings set aside, sorted by key: each key, then each list's bytes and last number, as
/// LEB128 lengths and numbers. In a temporary file (gone with the process), or in memory
/// where no temporary file can be written.
enum Run {
    File(File),
    Memory(Vec<u8>),
}

impl Run {
    fn of(words: HashMap<String, [Deltas; 2], FxBuildHasher>) -> Run {
        let bytes = encode(sorted(words));
        let written = tempfile::tempfile().and_then(|mut file| {
            file.write_all(&bytes)?;
            file.rewind()?;
            Ok(file)
        });
        match written {
            Ok(file) => Run::File(file),
            Err(_) => Run::Memory(bytes),
        }
    }

    fn in_memory(words: Vec<(String, [Deltas; 2])>) -> Run {
        Run::Memory(encode(words))
    }
}

/// `words`, sorted, as a run holds them.
fn encode(words: Vec<(String, [Deltas; 2])>) -> Vec<u8> {
    let mut out = Vec::new();
    for (key, lists) in words {
        leb128(&mut out, key.len() as u32);
        out.extend_from_slice(key.as_bytes());
        for list in lists {
            leb128(&mut out, list.bytes.len() as u32);
            out.extend_from_slice(&list.bytes);
            leb128(&mut out, list.last);
        }
    }
    out
}

/// Reads a run's keys back in order.
struct RunReader(Box<dyn Read>);

impl RunReader {
    fn new(run: Run) -> io::Result<RunReader> {
        Ok(RunReader(match run {
            Run::File(file) => Box::new(BufReader::with_capacity(16 * 1024, file)),
            Run::Memory(bytes) => Box::new(io::Cursor::new(bytes)),
        }))
    }

    /// The next key and its lists; `None` at the end of the run.
    fn next(&mut self) -> io::Result<Option<(String, [Deltas; 2])>> {
        let Some(len) = read_leb128(&mut self.0, true)? else {
            return Ok(None);
        };
        let key = String::from_utf8(self.bytes(len)?)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        let mut lists: [Deltas; 2] = Default::default();
        for list in &mut lists {
            let len = self.number()?;
            list.bytes = self.bytes(len)?;
            list.last = self.number()?;
        }
        Ok(Some((key, lists)))
    }

    fn number(&mut self) -> io::Result<u32> {
        read_leb128(&mut self.0, false)?.ok_or_else(|| io::ErrorKind::UnexpectedEof.into())
    }

    fn bytes(&mut self, len: u32) -> io::Result<Vec<u8>> {
        let mut bytes = vec![0; len as usize];
        self.0.read_exact(&mut bytes)?;
        Ok(bytes)
    }
}

/// Appends `n` as LEB128: seven bits a byte, low first, the high bit set on all but the last.
fn leb128(out: &mut Vec<u8>, mut n: u32) {
    loop {
        let low = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(low);
            return;
        }
        out.push(low | 0x80);
    }
}

/// Reads a LEB128 number; `None` at the end of the input when `may_end` and nothing was read.
fn read_leb128(input: &mut dyn Read, may_end: bool) -> io::Result<Option<u32>> {
    let (mut n, mut shift) = (0u32, 0);
    loop {
        let mut byte = [0u8];
        if input.read(&mut byte)? == 0 {
            return if may_end && shift == 0 {
                Ok(None)
            } else {
                Err(io::ErrorKind::UnexpectedEof.into())
            };
        }
        if shift > 28 {
            return Err(io::ErrorKind::InvalidData.into());
        }
        n |= u32::from(byte[0] & 0x7f) << shift;
        shift += 7;
        if byte[0] & 0x80 == 0 {
            return Ok(Some(n));
        }
    }
}

/// A rising list of piece numbers as the index writes it, each number's difference from the
/// one before, kept as LEB128 bytes: most differences fit one byte, where a `u32` takes four
/// (the postings are held until set aside in a run; 15 MB as `u32`s at 10,000 pages).
#[derive(Default)]
pub(super) struct Deltas {
    bytes: Vec<u8>,
    last: u32,
}

impl Deltas {
    /// Appends `id`, larger than every number before it.
    fn push(&mut self, id: u32) {
        leb128(&mut self.bytes, id - self.last);
        self.last = id;
    }

    /// Appends `later`'s numbers, each larger than every number here.
    fn append(&mut self, later: Deltas) {
        let mut rest = later.bytes.as_slice();
        // The first number of a list is its difference from 0: made again from this list's
        // last.
        let Ok(Some(first)) = read_leb128(&mut rest, true) else {
            return;
        };
        self.push(first);
        self.bytes.extend_from_slice(rest);
        self.last = later.last;
    }

    /// Whether the list is empty.
    pub(super) fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// `[d0,d1,…]`: the first number, then each one's difference from the one before.
    pub(super) fn write(&self, out: &mut String) {
        out.push('[');
        let (mut delta, mut shift, mut first) = (0u32, 0, true);
        for &b in &self.bytes {
            delta |= u32::from(b & 0x7f) << shift;
            shift += 7;
            if b & 0x80 == 0 {
                if !first {
                    out.push(',');
                }
                out.push_str(itoa::Buffer::new().format(delta));
                (delta, shift, first) = (0, 0, false);
            }
        }
        out.push(']');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(lists: &[Deltas; 2]) -> String {
        let mut out = String::new();
        lists[0].write(&mut out);
        lists[1].write(&mut out);
        out
    }

    fn all(postings: Postings) -> Vec<(String, String)> {
        let mut out = Vec::new();
        postings
            .drain_sorted(|k, lists| out.push((k, written(&lists))))
            .unwrap();
        out
    }

    #[test]
    fn postings_set_aside_in_runs_come_back_merged_as_if_held_whole() {
        // Words that come and go, some in headings, some beyond the BMP (UTF-16 order).
        let words = ["alpha", "beta", "zeta", "ｚ", "😀", "gamma", "ab"];
        let mut whole = Postings::spilling_at(usize::MAX);
        let mut runs = Postings::spilling_at(40);
        for id in 0..400u32 {
            for (k, w) in words.iter().enumerate() {
                if (id as usize + k).is_multiple_of(k + 1) {
                    let heading = || (id % 3 == 0).then_some(id).into_iter();
                    whole.file(w, [id].into_iter(), heading());
                    runs.file(w, [id].into_iter(), heading());
                }
            }
            whole.bound();
            runs.bound();
        }
        assert!(runs.runs.len() > 10, "{} runs", runs.runs.len());
        assert!(whole.runs.is_empty());
        let (whole, runs) = (all(whole), all(runs));
        assert_eq!(whole.len(), words.len());
        assert_eq!(runs, whole);
    }

    #[test]
    fn a_damaged_run_is_an_error_not_a_wrong_index() {
        let mut postings = Postings::spilling_at(0);
        postings.file("word", [1, 5].into_iter(), [5].into_iter());
        postings.bound();
        postings.runs = vec![Run::Memory(vec![4, b'w', b'o'])];
        assert!(postings.drain_sorted(|_, _| {}).is_err());
    }

    #[test]
    fn deltas_write_every_difference_however_large() {
        let ids = [0, 1, 127, 128, 300, 16_511, 16_512, 2_000_000, u32::MAX];
        let mut deltas = Deltas::default();
        ids.iter().for_each(|&id| deltas.push(id));
        let mut out = String::new();
        deltas.write(&mut out);
        let mut last = 0;
        let want: Vec<String> = ids
            .iter()
            .map(|&id| {
                let d = id - last;
                last = id;
                d.to_string()
            })
            .collect();
        assert_eq!(out, format!("[{}]", want.join(",")));
    }

    #[test]
    fn deltas_append_continues_from_the_last_number() {
        let (mut a, mut b) = (Deltas::default(), Deltas::default());
        [1, 4, 200].into_iter().for_each(|n| a.push(n));
        [300, 301, 100_000].into_iter().for_each(|n| b.push(n));
        a.append(b);
        a.append(Deltas::default());
        let mut out = String::new();
        a.write(&mut out);
        assert_eq!(out, "[1,3,196,100,1,99699]");
    }
}
