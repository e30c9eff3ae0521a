//! Shared by the benchmark course generators.

/// The same page as plain Markdown: what a generator without coursegen's syntax would get.
pub fn plain(page: &str) -> String {
    page.lines()
        .filter(|l| !l.starts_with(":::"))
        .map(|l| {
            if l.starts_with("```verify") {
                "```text"
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}
