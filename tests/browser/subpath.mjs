// The built site served under a sub-path, as GitHub Pages serves a project site
// (`https://user.github.io/project/`): every page is opened in Chromium and every link,
// stylesheet, script, image and download it refers to must load from under the prefix.
// Usage: node subpath.mjs SITE_DIR PREFIX   (PREFIX like /some/prefix/)
// Prints one line per page and a closing "N passed, M failed" line; exits non-zero on failure.
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { launchChromium } from "./lib.mjs";

const [siteDir, prefix] = process.argv.slice(2);
const TYPES = { ".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript", ".pdf": "application/pdf", ".xml": "application/xml" };

const server = createServer(async (req, res) => {
  const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
  if (!path.startsWith(prefix) || path.includes("..")) { res.writeHead(404).end(); return; }
  let file = join(siteDir, normalize(path.slice(prefix.length)));
  try {
    if ((await stat(file)).isDirectory()) file = join(file, "index.html");
    res.writeHead(200, { "content-type": TYPES[extname(file)] || "application/octet-stream" }).end(await readFile(file));
  } catch {
    // Like a static host: a missing file gets the site's 404 page.
    res.writeHead(404, { "content-type": TYPES[".html"] }).end(await readFile(join(siteDir, "404.html")));
  }
});
await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
const origin = `http://127.0.0.1:${server.address().port}`;
const root = `${origin}${prefix}`;

const browser = await launchChromium();

let passed = 0, failed = 0;
const seen = new Set();
const queue = [root, `${root}no-such-page/`];
const checked = new Map(); // URL -> HTTP status
async function status(url) {
  if (!checked.has(url)) {
    const r = await fetch(url);
    checked.set(url, r.status);
  }
  return checked.get(url);
}

while (queue.length) {
  const url = queue.shift();
  if (seen.has(url)) continue;
  seen.add(url);
  const problems = [];
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on("response", (r) => { if (r.status() >= 400 && r.url() !== url) problems.push(`${r.status()} ${r.url()}`); });
  page.on("request", (r) => { if (!r.url().startsWith(root) && !r.url().startsWith("data:")) problems.push(`request outside the prefix: ${r.url()}`); });
  await page.goto(url, { waitUntil: "load" });
  const refs = await page.evaluate(() => [
    ...[...document.querySelectorAll("a[href]")].map((a) => a.href),
    ...[...document.querySelectorAll("link[href]")].map((l) => l.href),
    ...[...document.querySelectorAll("script[src], img[src]")].map((s) => s.src),
  ]);
  await context.close();
  for (const ref of refs) {
    if (ref.startsWith("data:") || ref.startsWith("mailto:")) continue;
    const bare = ref.split("#")[0];
    if (bare === url) continue; // a link within the page (the skip link, headings)
    if (!bare.startsWith(root)) { problems.push(`refers outside the prefix: ${ref}`); continue; }
    const code = await status(bare);
    if (code !== 200) problems.push(`${code} ${bare}`);
    else if ((bare.endsWith("/") || bare.endsWith(".html")) && !seen.has(bare)) queue.push(bare);
  }
  if (problems.length) { failed++; console.log(`FAIL ${url}: ${problems.join("; ")}`); }
  else { passed++; console.log(`ok   ${url} (${refs.length} references)`); }
}
await browser.close();
server.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
