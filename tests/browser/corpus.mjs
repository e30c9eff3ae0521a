// Real-browser checks of the real-notes fixture course (issue #12), in Debian's Chromium.
// Usage: node corpus.mjs SITE_DIR SCREENSHOT_DIR
// At 375 and 1280 px, light and dark, with every <details> open: nothing scrolls the page
// sideways, nothing sticks out of the text column except inside a scroll container, every
// scroll container that scrolls shows it (edge shadows), images stay in the column, and axe
// finds no serious violation. Screenshots go to SCREENSHOT_DIR/real-notes-*.png.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { launchChromium, axeSource as loadAxe, serveSite, checks } from "./lib.mjs";

const [siteDir, shotDir] = process.argv.slice(2);
const { server, origin } = await serveSite(siteDir);
const PAGES = [["lesson", "/linear-classifiers/"], ["practice", "/linear-classifiers/practice-hinge/"]];
const browser = await launchChromium();

const { check, assert, finish } = checks();

async function open(path, width, scheme) {
  const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme: scheme });
  const page = await context.newPage();
  page.problems = [];
  page.on("pageerror", (e) => page.problems.push(`page error: ${e.message}`));
  page.on("requestfailed", (r) => page.problems.push(`failed request: ${r.url()}`));
  page.on("response", (r) => { if (r.status() >= 400) page.problems.push(`${r.status()}: ${r.url()}`); });
  await page.goto(origin + path, { waitUntil: "load" });
  await page.evaluate(() => document.querySelectorAll("details").forEach((d) => (d.open = true)));
  return page;
}

/** Everything in the article that leaves the column without a scroll container to hold it. */
function layoutProblems() {
  const article = document.querySelector("main article");
  const col = article.getBoundingClientRect();
  const problems = [];
  const scrolls = (e) => ["auto", "scroll"].includes(getComputedStyle(e).overflowX);
  const held = (e) => { for (let p = e.parentElement; p && p !== article; p = p.parentElement) if (scrolls(p)) return true; return false; };
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth) problems.push(`the page scrolls sideways by ${root.scrollWidth - root.clientWidth}px`);
  for (const e of article.querySelectorAll("*")) {
    const r = e.getBoundingClientRect();
    if (r.width === 0 || getComputedStyle(e).display === "none") continue;
    if ((r.right > col.right + 1 || r.left < col.left - 1) && !held(e)) problems.push(`${e.tagName.toLowerCase()}.${e.className} sticks out of the column (${Math.round(r.left)}..${Math.round(r.right)} vs ${Math.round(col.left)}..${Math.round(col.right)})`);
    if (scrolls(e) && e.scrollWidth > e.clientWidth + 1) {
      const bg = getComputedStyle(e).backgroundImage;
      const shows = bg.includes("gradient") || e.tagName === "PRE" || e.tagName === "TABLE";
      if (!shows) problems.push(`${e.tagName.toLowerCase()} scrolls without showing it`);
    }
  }
  for (const img of article.querySelectorAll("img")) {
    const r = img.getBoundingClientRect();
    if (r.right > col.right + 1 || r.width === 0) problems.push(`image ${img.getAttribute("src")} is ${Math.round(r.width)}px wide, past the column`);
    if (!img.complete || img.naturalWidth === 0) problems.push(`image ${img.getAttribute("src")} did not load`);
  }
  return problems;
}

await mkdir(shotDir, { recursive: true });
for (const [name, path] of PAGES) {
  for (const width of [375, 1280]) {
    for (const scheme of ["light", "dark"]) {
      await check(`${name} at ${width} px (${scheme}): nothing leaves the column unscrollably, images fit`, async () => {
        const page = await open(path, width, scheme);
        await page.evaluate(() => Promise.all([...document.images].map((i) => i.decode().catch(() => {}))));
        const problems = await page.evaluate(layoutProblems);
        await page.screenshot({ path: join(shotDir, `real-notes-${name}-${width}-${scheme}.png`), fullPage: true });
        assert(problems.length === 0, problems.slice(0, 8).join("; "));
        assert(page.problems.length === 0, page.problems.join("; "));
      });
    }
  }
}

await check("a long chain is one line at 1280 px and broken at its = signs at 375 px", async () => {
  const shown = async (width) => {
    const page = await open(PAGES[0][1], width, "light");
    return page.evaluate(() => {
      const chain = document.querySelector(".chain");
      const visible = (sel) => getComputedStyle(chain.querySelector(sel)).display !== "none";
      return { line: visible(".chain-line"), aligned: visible(".chain-aligned") };
    });
  };
  const wide = await shown(1280), narrow = await shown(375);
  assert(narrow.aligned && !narrow.line, `at 375 px: ${JSON.stringify(narrow)}`);
  assert(wide.line !== wide.aligned, `at 1280 px both or neither form shows: ${JSON.stringify(wide)}`);
});

await check("the SVG figure sits on a light card in the dark theme", async () => {
  const page = await open(PAGES[0][1], 1280, "dark");
  const bg = await page.evaluate(() => getComputedStyle(document.querySelector("figure img")).backgroundColor);
  assert(bg === "rgb(244, 246, 249)", `background ${bg}`);
});

await check("code is highlighted without script, and the Copy button copies it", async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const plain = await context.newPage();
  await plain.goto(origin + PAGES[0][1]);
  const spans = await plain.locator("pre code .hl-keyword").count();
  assert(spans > 2, `only ${spans} highlighted keywords without script`);
  const page = await open(PAGES[0][1], 1280, "light");
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin });
  await page.locator(".copy-code").first().click();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert(copied.startsWith("import numpy as np\n"), `copied ${JSON.stringify(copied.slice(0, 40))}`);
});

const axeSource = await loadAxe();
for (const scheme of ["light", "dark"]) {
  for (const [name, path] of PAGES) {
    await check(`axe: no serious or critical violations on the ${name} page (${scheme})`, async () => {
      const page = await open(path, 1280, scheme);
      await page.addScriptTag({ content: axeSource });
      const results = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
      const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
      assert(bad.length === 0, bad.map((v) => `${v.id} (${v.nodes.length}): ${v.nodes[0].target}`).join("; "));
    });
  }
}

await browser.close();
server.close();
finish();
