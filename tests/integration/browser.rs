//! The built site in a real browser: Debian's Chromium, driven by `tests/browser/check.mjs`
//! (playwright-core). Ignored by plain `cargo test`; `.ci/run` installs Chromium and Node
//! packages and runs it with `--include-ignored`. It fails loudly if either is missing. The
//! real-notes fixture course has its own script, `tests/browser/corpus.mjs` (issue #12).

use std::process::Command;

use super::{build_course, repo};

#[test]
#[ignore = "needs /usr/bin/chromium and `npm ci` in tests/browser; .ci/run sets both up"]
fn the_sample_site_works_in_chromium() {
    assert!(
        std::path::Path::new("/usr/bin/chromium").exists(),
        "Chromium is missing: apt-get install chromium"
    );
    let browser_dir = repo().join("tests/browser");
    assert!(
        browser_dir.join("node_modules/playwright-core").is_dir(),
        "playwright-core is missing: run `npm ci` in tests/browser"
    );
    let out = tempfile::tempdir().expect("temp dir");
    let site = out.path().join("site");
    build_course(&repo(), Some(&site)).expect("the sample course builds");
    let shots = repo().join("target/screenshots");
    let run = Command::new("node")
        .arg(browser_dir.join("check.mjs"))
        .arg(&site)
        .arg(&shots)
        .output()
        .expect("node is needed for the browser tests");
    let stdout = String::from_utf8_lossy(&run.stdout);
    println!("{stdout}");
    assert!(
        run.status.success(),
        "browser checks failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
}

#[test]
#[ignore = "needs /usr/bin/chromium and `npm ci` in tests/browser; .ci/run sets both up"]
fn the_real_notes_corpus_fits_its_column_in_chromium() {
    let browser_dir = repo().join("tests/browser");
    assert!(
        browser_dir.join("node_modules/playwright-core").is_dir(),
        "playwright-core is missing: run `npm ci` in tests/browser"
    );
    let out = tempfile::tempdir().expect("temp dir");
    let site = out.path().join("site");
    build_course(&super::fixture("content", "real-notes"), Some(&site))
        .expect("the real-notes course builds");
    let run = Command::new("node")
        .arg(browser_dir.join("corpus.mjs"))
        .arg(&site)
        .arg(repo().join("target/screenshots"))
        .output()
        .expect("node is needed for the browser tests");
    let stdout = String::from_utf8_lossy(&run.stdout);
    println!("{stdout}");
    assert!(
        run.status.success(),
        "browser checks failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
}
