//! The search index fed as the build finishes each batch of pages ([`Index`]), so no page's
//! text waits for the end of the build.

use crate::output::Sink;
use crate::render::search::{Index, PageWords, Record};

/// What the feed does with the sections it is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feeding {
    /// Each batch's sections go to the index while the next batch builds.
    Eager,
    /// Every page's sections are kept, and handed back at the end (`serve` keeps them to
    /// make the index again when a page changes).
    Keep,
    /// The sections are dropped: the site's own files, the index among them, come whole from
    /// the build cache (an entry checked before the pages were built).
    Skip,
}

/// Feeds each page's sections to the search index in reading order.
pub struct SearchFeed<'a> {
    index: Index<'a>,
    /// Sections of pages `fed..` not yet given to the index.
    waiting: Vec<Vec<Record>>,
    /// Their words.
    waiting_words: Vec<PageWords>,
    fed: usize,
    feeding: Feeding,
}

impl<'a> SearchFeed<'a> {
    /// A feed into `index`.
    pub fn new(index: Index<'a>, feeding: Feeding) -> Self {
        SearchFeed {
            index,
            waiting: Vec::new(),
            waiting_words: Vec::new(),
            fed: 0,
            feeding,
        }
    }

    /// The next page's sections and their words.
    pub fn push(&mut self, sections: Vec<Record>, words: PageWords) {
        if self.feeding != Feeding::Skip {
            self.waiting.push(sections);
            self.waiting_words.push(words);
        }
    }

    /// Gives the waiting sections to the index, when it is eager, writing what they fill.
    pub fn feed(&mut self, sink: &dyn Sink) {
        if self.feeding == Feeding::Eager && !self.waiting.is_empty() {
            let words = std::mem::take(&mut self.waiting_words);
            self.index
                .add_with_words(self.fed, &self.waiting, words, sink);
            self.fed += self.waiting.len();
            self.waiting.clear();
        }
    }

    /// The index with every page's sections given, and the sections that were still waiting
    /// (every page's, when they are kept). Not for a feed that skips: its index has none.
    pub fn finish(mut self, sink: &dyn Sink) -> (Index<'a>, Vec<Vec<Record>>) {
        debug_assert_ne!(self.feeding, Feeding::Skip, "the index was never fed");
        if !self.waiting.is_empty() {
            let words = std::mem::take(&mut self.waiting_words);
            self.index
                .add_with_words(self.fed, &self.waiting, words, sink);
        }
        (self.index, self.waiting)
    }
}
