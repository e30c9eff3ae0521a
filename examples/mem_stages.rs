//! Resident memory after each stage of a build of a course, for finding what holds memory:
//! `cargo run --release --example mem_stages -- COURSE_DIR`.

fn rss() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS"))
        .unwrap_or("")
        .to_string()
}

fn main() {
    let root = std::path::PathBuf::from(std::env::args().nth(1).expect("a course folder"));
    println!("start {}", rss());
    let (course, _) = coursegen::load::load_course(&root);
    println!("loaded {}", rss());
    let sizes: usize = course.pages().map(|p| p.file.text.len()).sum();
    println!("source bytes {sizes}");
    let verifications = coursegen::verify::verify_course(&course).expect("verifies");
    println!("verified {}", rss());
    drop(verifications);
    println!("verifications dropped {}", rss());
    drop(course);
    println!("course dropped {}", rss());
}
