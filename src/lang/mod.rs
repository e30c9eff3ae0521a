//! The verification language's syntax, below every stage: [`lexer`] → [`parser`] → [`ast`],
//! with [`error`] for what cannot be read. The document layer reads verify blocks and roles
//! with it; the verify stage runs what it reads (`crate::verify`). Documented in
//! `docs/verify.md`.

pub mod ast;
pub mod error;
pub mod lexer;
pub mod parser;

/// Stack that must be left before a recursive walk of an expression goes one level deeper;
/// below it, [`stacker`] continues on a new segment of [`STACK_SEGMENT`] bytes. Depths are
/// limited anyway, but frames of a debug build are large and threads' stacks small.
pub const STACK_RED_ZONE: usize = 128 * 1024;

/// Size of each stack segment a deep walk grows onto.
pub const STACK_SEGMENT: usize = 2 * 1024 * 1024;
