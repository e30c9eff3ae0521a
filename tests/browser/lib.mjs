// What every browser script shares: Debian's Chromium, launched headless with nothing that
// reaches the network, axe-core's source to inject into a page, a static server for a built
// site, and the ok/FAIL checks with their closing "N passed, M failed" line.
import { readFile, stat } from "node:fs/promises";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { extname, join, normalize } from "node:path";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);

/**
 * How long a navigation or a wait may take. Playwright's 30 s default is ample for these local
 * pages on a quiet machine, but CI runs the browser tests beside the rest of the suite on two
 * cores, where a page's "load" once took longer: a slow machine must not read as a broken page.
 */
const PATIENCE_MS = 120_000;

/**
 * Chromium from /usr/bin, headless, without background networking or updates. Its shared memory
 * goes to /tmp (`--disable-dev-shm-usage`): containers often give /dev/shm 64 MB, and a renderer
 * that runs out of it can crash or stall a page's load. Every context and page it makes
 * waits up to PATIENCE_MS.
 */
export async function launchChromium() {
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
  });
  for (const make of ["newContext", "newPage"]) {
    const original = browser[make].bind(browser);
    browser[make] = async (...args) => {
      const made = await original(...args);
      made.setDefaultTimeout(PATIENCE_MS);
      made.setDefaultNavigationTimeout(PATIENCE_MS);
      return made;
    };
  }
  return browser;
}

/** axe-core's script, to add to a page with `page.addScriptTag({ content })`. */
export function axeSource() {
  return readFile(require.resolve("axe-core/axe.min.js"), "utf8");
}

/** Content types of the files a built site holds. */
const TYPES = {
  ".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript", ".pdf": "application/pdf",
  ".tsv": "text/tab-separated-values", ".woff2": "font/woff2", ".svg": "image/svg+xml", ".png": "image/png",
  ".xml": "application/xml",
};

/**
 * Serves the built site in `siteDir` on 127.0.0.1 (a free port), as a static host would.
 * `toSitePath` maps a request's path to a path in the site, or null for a 404; `notFound`
 * names the page a 404 answers with (none: an empty body). Returns the server and its origin.
 */
export async function serveSite(siteDir, { toSitePath = (path) => path, notFound = null } = {}) {
  const server = createServer(async (req, res) => {
    const path = toSitePath(decodeURIComponent(new URL(req.url, "http://x").pathname));
    if (path === null || path.includes("..")) { res.writeHead(404).end(); return; }
    let file = join(siteDir, normalize(path));
    try {
      if ((await stat(file)).isDirectory()) file = join(file, "index.html");
      res.writeHead(200, { "content-type": TYPES[extname(file)] || "application/octet-stream" }).end(await readFile(file));
    } catch {
      if (notFound) res.writeHead(404, { "content-type": TYPES[".html"] }).end(await readFile(join(siteDir, notFound)));
      else res.writeHead(404).end();
    }
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  return { server, origin: `http://127.0.0.1:${server.address().port}` };
}

/**
 * The scripts' checks: `check(name, fn)` runs one (it fails by throwing, as `assert` does) and
 * prints `ok` or `FAIL`; `finish()` prints the closing "N passed, M failed" line and exits.
 */
export function checks() {
  let passed = 0, failed = 0;
  return {
    async check(name, fn) {
      try { await fn(); passed++; console.log(`ok   ${name}`); }
      catch (e) { failed++; console.log(`FAIL ${name}: ${e.message}`); }
    },
    assert(cond, message) { if (!cond) throw new Error(message); },
    finish() {
      console.log(`${passed} passed, ${failed} failed`);
      process.exit(failed === 0 ? 0 : 1);
    },
  };
}
