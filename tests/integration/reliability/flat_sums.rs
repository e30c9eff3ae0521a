//! Item 5: a flat sum or product of any length builds (parsed, checked, typeset, varied);
//! only real nesting meets the depth limit.

use std::fs;

use crate::hardening::{build_cli, check_cli, course_with, stderr};

#[test]
fn a_page_with_a_five_thousand_term_sum_builds() {
    let dir = tempfile::tempdir().expect("temp dir");
    let terms = vec!["a"; 5000].join(" + ");
    let shown = vec!["{a}"; 5000].join(" + ");
    let twos = vec!["2"; 5000].join(" + ");
    let page = format!(
        "Text.\n\n```verify show\nlet a = 2\nlet s = {terms} = {shown} = 10000\n```\n\n\
         ::: exercise Long sums\n```verify show\nlet x = 3\nvary x from 1 to 9\nvariants 3\n\
         let t = {xs} = {threes}\n```\n:::\n\n{{verify}}`{twos} = 10000`\n",
        xs = vec!["x"; 3000].join(" + "),
        threes = vec!["3"; 3000].join(" + "),
    );
    let course = course_with(dir.path(), &[("index.md", &page)]);
    let site = dir.path().join("site");
    let run = build_cli(&course, &site);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let html = fs::read_to_string(site.join("intro/index.html")).expect("page");
    // The shown sum is typeset with its values written in: 5,000 twos.
    assert!(
        html.matches("<mn>2</mn>").count() >= 10_000,
        "sum not typeset"
    );
}

#[test]
fn deep_real_nesting_is_still_a_located_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let deep = format!("{}1{}", "(".repeat(250), ")".repeat(250));
    let page = format!("Text.\n\n```verify\nlet a = 1\na = {deep}\n```\n");
    let course = course_with(dir.path(), &[("index.md", &page)]);
    let run = check_cli(&course);
    let err = stderr(&run);
    assert_eq!(run.status.code(), Some(1), "{err}");
    assert!(
        err.contains("content/01-intro/index.md:9:205: expression nested more than 200 deep"),
        "{err}"
    );
    assert!(err.contains("split it into steps with `let`"), "{err}");
}
