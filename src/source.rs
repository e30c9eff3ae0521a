//! Source files as the pipeline sees them: a path relative to the course root and the text.
//!
//! Positions travel through the pipeline as byte offsets into [`SourceFile::text`]; they are
//! turned into `line:column` only when a diagnostic is shown (the habit mdBook and rustc share).

use std::ops::Range;
use std::path::PathBuf;
use std::sync::OnceLock;

/// One UTF-8 file of the course, with the path an author recognises.
#[derive(Debug)]
pub struct SourceFile {
    /// Path relative to the course root, with `/` separators (e.g. `content/01-x/index.md`).
    pub path: String,
    /// Absolute or working-directory-relative path used to read the file.
    pub disk_path: PathBuf,
    /// The whole text of the file.
    pub text: String,
    /// Byte offset of the start of every line, made when the first position is shown: a file
    /// with thousands of errors then finds each line by binary search instead of rescanning
    /// the text per error (20,000 stray `:::` lines took 7–13 s, issue #14).
    line_starts: OnceLock<Vec<usize>>,
}

impl SourceFile {
    /// Wraps a file's text with its display path.
    pub fn new(path: impl Into<String>, disk_path: PathBuf, text: String) -> Self {
        SourceFile {
            path: path.into(),
            disk_path,
            text,
            line_starts: OnceLock::new(),
        }
    }

    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(self.text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        })
    }

    /// The 0-based line index and the byte offset (on a character boundary) of `offset`.
    fn locate(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let starts = self.line_starts();
        let line = starts.partition_point(|&s| s <= offset) - 1;
        (line, offset)
    }

    /// The 1-based line and column (in characters) of a byte offset, in O(log n) once the
    /// line index exists.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let (line, offset) = self.locate(offset);
        let start = self.line_starts()[line];
        (line + 1, self.text[start..offset].chars().count() + 1)
    }

    /// The text of the line holding `offset`, and the byte range of that line.
    pub fn line_at(&self, offset: usize) -> (&str, Range<usize>) {
        let (line, _) = self.locate(offset);
        let start = self.line_starts()[line];
        let end = self
            .line_starts()
            .get(line + 1)
            .map_or(self.text.len(), |next| next - 1);
        (&self.text[start..end], start..end)
    }
}

/// The 1-based line and column (counted in characters) of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        let text = "ab\nc·d\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 3), (2, 1));
        // `·` is two bytes but one column.
        assert_eq!(line_col(text, 6), (2, 3));
        assert_eq!(line_col(text, 100), (3, 1));
    }

    #[test]
    fn the_line_index_agrees_with_the_scan() {
        let text = "ab\nc·d\n\n\nlast line";
        let file = SourceFile::new("t", "t".into(), text.to_string());
        for offset in 0..=text.len() + 2 {
            assert_eq!(file.line_col(offset), line_col(text, offset), "at {offset}");
        }
        assert_eq!(file.line_at(4), ("c·d", 3..7));
        assert_eq!(file.line_at(9), ("", 9..9));
        assert_eq!(file.line_at(text.len()), ("last line", 10..19));
    }
}
