//! Prints the work units (see `linalg::budget`) verifying each page of a course takes, its
//! variants included: `cargo run --example page_work -- COURSE_DIR`.

fn main() {
    let root = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    let (course, _) = coursegen::load::load_course(std::path::Path::new(&root));
    for page in course.pages() {
        let before = coursegen::linalg::budget::spent();
        let start = std::time::Instant::now();
        let ok = coursegen::verify::verify_page(page).is_ok();
        println!(
            "{} {} units {:?} {}",
            page.file.path,
            coursegen::linalg::budget::spent() - before,
            start.elapsed(),
            if ok { "ok" } else { "errors" }
        );
    }
}
