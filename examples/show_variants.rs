//! Prints the verify blocks of every exercise variant of a page, as the build wrote them:
//! `cargo run --example show_variants -- COURSE_DIR`.

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
        for (open, variants) in &verification.variants {
            for v in variants {
                println!(
                    "== {} @{open}: variant {} ({})",
                    page.file.path, v.number, v.givens
                );
                let text = &v.page.file.text;
                let exercise = v.verification.scopes.iter().find(|(r, _)| r.start == *open);
                for code in v.verification.shown.keys() {
                    if exercise.is_some_and(|(r, _)| r.contains(code)) {
                        let end = text[*code..].find("```").map_or(*code, |e| code + e);
                        println!("{}", &text[*code..end]);
                    }
                }
            }
        }
    }
}
