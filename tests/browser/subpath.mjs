// The built site served under a sub-path, as GitHub Pages serves a project site
// (`https://user.github.io/project/`): every page is opened in Chromium and every link,
// stylesheet, script, image and download it refers to must load from under the prefix.
// Usage: node subpath.mjs SITE_DIR PREFIX   (PREFIX like /some/prefix/)
// Prints one line per page and a closing "N passed, M failed" line; exits non-zero on failure.
import { launchChromium, serveSite, checks } from "./lib.mjs";

const [siteDir, prefix] = process.argv.slice(2);

// Like a static host: a missing file gets the site's 404 page.
const { server, origin } = await serveSite(siteDir, {
  toSitePath: (path) => (path.startsWith(prefix) ? path.slice(prefix.length) : null),
  notFound: "404.html",
});
const root = `${origin}${prefix}`;

const browser = await launchChromium();

const { check, assert, finish } = checks();
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
  await check(`${url} (${refs.length} references)`, () => assert(problems.length === 0, problems.join("; ")));
}
await browser.close();
server.close();
finish();
