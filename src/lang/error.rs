//! Errors of the verification language: what went wrong and the byte range of the file where.

use std::ops::Range;

/// A parse, evaluation or check failure inside a verification block.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifyError {
    /// Byte range in the page's file.
    pub span: Range<usize>,
    /// Lowercase, one line.
    pub message: String,
    /// What to do about it, when known.
    pub hint: Option<String>,
    /// A second place the message names, and what it is there (the sub-expression a claimed
    /// literal was compared with: "computed here").
    pub also: Option<Box<(Range<usize>, String)>>,
}

impl VerifyError {
    /// An error at `span`.
    pub fn new(span: Range<usize>, message: impl Into<String>) -> Self {
        VerifyError {
            span,
            message: message.into(),
            hint: None,
            also: None,
        }
    }

    /// Adds a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Marks a second place, labelled `label`, in the report's source lines.
    pub fn also(mut self, span: Range<usize>, label: impl Into<String>) -> Self {
        self.also = Some(Box::new((span, label.into())));
        self
    }
}

/// Result of parsing or evaluating.
pub type Result<T> = std::result::Result<T, VerifyError>;
