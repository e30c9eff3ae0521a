//! The built site in a real browser: Debian's Chromium, driven by `tests/browser/check.mjs`
//! (playwright-core). Ignored by plain `cargo test`; `.ci/run` installs Chromium and Node
//! packages and runs it with `--include-ignored`. It fails loudly if either is missing.

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
