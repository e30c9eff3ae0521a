//! Prints the verify blocks of every exercise variant of a page, as the build wrote them:
//! `cargo run --example show_variants -- COURSE_DIR`.

use coursegen::doc::{BlockKind, Document};

fn main() {
    let root = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    let (course, diagnostics) = coursegen::load::load_course(std::path::Path::new(&root));
    for d in &diagnostics.0 {
        eprintln!("{}", d.render());
    }
    for page in course.pages() {
        let verification = match coursegen::verify::verify_page(page) {
            Ok(v) => v,
            Err(errors) => {
                errors.iter().for_each(|d| eprintln!("{}", d.render()));
                continue;
            }
        };
        for (id, variants) in &verification.variants {
            for v in variants {
                println!(
                    "== {} exercise {}: variant {} ({})",
                    page.file.path, id.0, v.number, v.givens
                );
                let blocks = v
                    .exercise
                    .statement
                    .iter()
                    .chain(v.exercise.solution.iter().flat_map(|s| &s.blocks));
                for block in blocks.flat_map(|b| Document::descendants(b)) {
                    if let BlockKind::Verify(verify) = &block.kind {
                        println!("{}", &v.file.text[verify.code.clone()]);
                    }
                }
            }
        }
    }
}
