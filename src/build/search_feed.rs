//! The search index fed as the build finishes each batch of pages ([`Index`]), so no page's
//! text waits for the end of the build.

use crate::output::Sink;
use crate::render::search::{Index, PageWords, Record};

/// Feeds each page's sections to the search index in reading order. While every page so far
/// came whole from the build cache, their sections wait instead: if every page does, the
/// site's own files (the index among them) may come whole from the cache, and making the index
/// would be wasted work.
pub struct SearchFeed<'a> {
    index: Index<'a>,
    /// Sections of pages `fed..` not yet given to the index.
    waiting: Vec<Vec<Record>>,
    /// Their words.
    waiting_words: Vec<PageWords>,
    fed: usize,
    /// Whether sections go to the index as they come (else they wait).
    eager: bool,
}

impl<'a> SearchFeed<'a> {
    /// A feed into `index`; `eager` when nothing will come from the cache.
    pub fn new(index: Index<'a>, eager: bool) -> Self {
        SearchFeed {
            index,
            waiting: Vec::new(),
            waiting_words: Vec::new(),
            fed: 0,
            eager,
        }
    }

    /// The next page's sections and their words.
    pub fn push(&mut self, sections: Vec<Record>, words: PageWords) {
        self.waiting.push(sections);
        self.waiting_words.push(words);
    }

    /// From now on sections go to the index as they come: a page was built afresh, so the
    /// site's own files will be made.
    pub fn start(&mut self) {
        self.eager = true;
    }

    /// Whether the index has been given anything (the site's files must then be made, not
    /// taken from the cache: the index has written some of them).
    pub fn started(&self) -> bool {
        self.fed > 0
    }

    /// Gives the waiting sections to the index, when it is eager, writing what they fill.
    pub fn feed(&mut self, sink: &dyn Sink) {
        if self.eager && !self.waiting.is_empty() {
            let words = std::mem::take(&mut self.waiting_words);
            self.index
                .add_with_words(self.fed, &self.waiting, words, sink);
            self.fed += self.waiting.len();
            self.waiting.clear();
        }
    }

    /// The index with every page's sections given, and the sections that were still waiting
    /// (every page's, for a feed never started: `serve` keeps them).
    pub fn finish(mut self, sink: &dyn Sink) -> (Index<'a>, Vec<Vec<Record>>) {
        if !self.waiting.is_empty() {
            let words = std::mem::take(&mut self.waiting_words);
            self.index
                .add_with_words(self.fed, &self.waiting, words, sink);
        }
        (self.index, self.waiting)
    }
}
