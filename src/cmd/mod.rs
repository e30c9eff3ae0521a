//! One module per subcommand, each with a `run` entry point returning the exit code.

pub mod build;
pub mod new;
pub mod report;
pub mod serve;

/// Exit code for a course with content errors.
pub const CONTENT_ERROR: u8 = 1;
/// Exit code for a command that could not run as asked (bad arguments, a file in the way).
pub const USAGE_ERROR: u8 = 2;
