//! Counts the nodes of a course's documents: `cargo run --release --example doc_stats -- DIR`.

use coursegen::doc::{all_inlines, InlineKind};

fn main() {
    let root = std::path::PathBuf::from(std::env::args().nth(1).expect("a course folder"));
    let (course, _) = coursegen::load::load_course(&root);
    let (mut blocks, mut inlines, mut texts, mut text_bytes, mut stmts, mut pages) =
        (0, 0, 0, 0, 0, 0);
    for page in course.pages().take(100) {
        pages += 1;
        for b in page.doc.all_blocks() {
            blocks += 1;
            if let coursegen::doc::BlockKind::Verify(v) = &b.kind {
                stmts += v.statements.as_ref().map_or(0, |s| s.len());
            }
            for i in all_inlines(b.inlines()) {
                inlines += 1;
                if let InlineKind::Text(t) = &i.kind {
                    texts += 1;
                    text_bytes += t.len();
                }
            }
        }
    }
    println!(
        "per page: {} blocks, {} inlines ({} texts, {} bytes), {} statements",
        blocks / pages,
        inlines / pages,
        texts / pages,
        text_bytes / pages,
        stmts / pages
    );
}
