//! The floor: renders every Markdown file under IN with pulldown-cmark alone (2 threads) and
//! writes the HTML under OUT. Nothing a site generator does can be faster than this.
//!
//! ```sh
//! cargo run --release --example floor -- /tmp/course-1k/plain /tmp/floor-out
//! ```

use std::fs;
use std::path::{Path, PathBuf};

use pulldown_cmark::{html, Options, Parser};
use rayon::prelude::*;

fn main() {
    let args: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    let (input, output) = (&args[0], &args[1]);
    let files: Vec<PathBuf> = walkdir::WalkDir::new(input)
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .expect("pool");
    let _ = fs::remove_dir_all(output);
    pool.install(|| {
        files.par_iter().for_each(|path| {
            let text = fs::read_to_string(path).expect("read");
            let body = text.splitn(3, "---\n").nth(2).unwrap_or(&text);
            let options = Options::ENABLE_TABLES
                | Options::ENABLE_MATH
                | Options::ENABLE_FOOTNOTES
                | Options::ENABLE_STRIKETHROUGH;
            let mut out = String::with_capacity(body.len() * 2);
            html::push_html(&mut out, Parser::new_ext(body, options));
            let rel = path
                .strip_prefix(input)
                .expect("inside")
                .with_extension("html");
            let dest: PathBuf = Path::new(output).join(rel);
            fs::create_dir_all(dest.parent().expect("parent")).expect("mkdir");
            fs::write(dest, out).expect("write");
        });
    });
    println!("rendered {} files", files.len());
}
