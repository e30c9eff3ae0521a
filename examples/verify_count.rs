//! Runs the benchmark's Part A and Part B blocks a fixed number of times, for instruction
//! counts under `valgrind --tool=callgrind` (noise-free, unlike wall time on a shared machine).

use coursegen::verify::lexer::lex;
use coursegen::verify::parser::parse;
use coursegen::verify::Env;

fn block(name: &str) -> String {
    let bench = include_str!("../benches/verify.rs");
    let start = bench
        .find(&format!("const {name}: &str = \""))
        .expect("block")
        + name.len()
        + 16;
    let end = start + bench[start..].find("\";").expect("end");
    bench[start..end].to_string()
}

fn main() {
    let which = std::env::args().nth(1).unwrap_or_else(|| "PART_A".into());
    let src = block(&which);
    let mut checks = 0;
    for _ in 0..200 {
        let stmts = parse(&lex(&src, 0).expect("lexes")).expect("parses");
        let mut env = Env::default();
        for s in &stmts {
            checks += env.run(s).expect("passes");
        }
    }
    println!("{checks}");
}
