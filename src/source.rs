//! Source files as the pipeline sees them: a path relative to the course root and the text.
//!
//! Positions travel through the pipeline as byte offsets into [`SourceFile::text`]; they are
//! turned into `line:column` only when a diagnostic is shown (the habit mdBook and rustc share).

use std::ops::Range;
use std::path::PathBuf;

/// One UTF-8 file of the course, with the path an author recognises.
#[derive(Debug)]
pub struct SourceFile {
    /// Path relative to the course root, with `/` separators (e.g. `content/01-x/index.md`).
    pub path: String,
    /// Absolute or working-directory-relative path used to read the file.
    pub disk_path: PathBuf,
    /// The whole text of the file.
    pub text: String,
}

impl SourceFile {
    /// Wraps a file's text with its display path.
    pub fn new(path: impl Into<String>, disk_path: PathBuf, text: String) -> Self {
        SourceFile {
            path: path.into(),
            disk_path,
            text,
        }
    }

    /// The 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        line_col(&self.text, offset)
    }

    /// The text of the line holding `offset`, and the byte range of that line.
    pub fn line_at(&self, offset: usize) -> (&str, Range<usize>) {
        let offset = offset.min(self.text.len());
        let start = self.text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let end = self.text[offset..]
            .find('\n')
            .map_or(self.text.len(), |i| offset + i);
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
}
