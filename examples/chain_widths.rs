//! Prints the laid-out width (in root em) of every shown step of a course's pages, in page
//! order: what decides a verified chain's `fit-N` class. `cargo run --example chain_widths`.

fn main() {
    let root = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    let (course, _) = coursegen::load::load_course(std::path::Path::new(&root));
    for page in course.pages() {
        let Ok(v) = coursegen::verify::verify_page(page) else {
            continue;
        };
        for checked in v.blocks.values() {
            for stmt in &checked.shown {
                let latex = coursegen::typeset::latex::statement(stmt);
                let mathml = coursegen::typeset::mathml::to_mathml(&latex, true).unwrap();
                let w = coursegen::typeset::layout::layout_mathml(&mathml)
                    .unwrap()
                    .width;
                println!("{:.1} {}", w * 1.05 * 1.0625, &latex[..latex.len().min(50)]);
            }
        }
    }
}
