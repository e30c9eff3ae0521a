// The header at phone width (issue #26): the search box is usable, the course title does not
// wrap onto many lines, nothing scrolls sideways, in both themes; and a malformed #fragment
// does not stop coursegen.js.
// Usage: node header.mjs SITE_DIR SCREENSHOT_DIR
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { launchChromium, serveSite, checks } from "./lib.mjs";

const [siteDir, shotDir] = process.argv.slice(2);
await mkdir(shotDir, { recursive: true });
const { server, origin } = await serveSite(siteDir);
const PRACTICE = `${origin}/neural-networks/practice-backprop/`;
const browser = await launchChromium();
const { check, assert, finish } = checks();

/** A fresh page at `width` px in `scheme`, recording uncaught errors. */
async function open(url, width, scheme = "light") {
  const context = await browser.newContext({ viewport: { width, height: 800 }, colorScheme: scheme });
  const page = await context.newPage();
  page.problems = [];
  page.on("pageerror", (e) => page.problems.push(`page error: ${e.name}: ${e.message}`));
  page.on("console", (m) => { if (m.type() === "error") page.problems.push(`console: ${m.text()}`); });
  await page.goto(url, { waitUntil: "load" });
  return page;
}

/** How the header lays out: the title's lines, the search input's width, sideways overflow. */
function measure(page) {
  return page.evaluate(() => {
    const title = document.querySelector(".site-title");
    const lineHeight = parseFloat(getComputedStyle(title).lineHeight) || 24;
    const input = document.querySelector(".search-input");
    const box = input.getBoundingClientRect();
    const header = document.querySelector(".site-header").getBoundingClientRect();
    return {
      titleLines: Math.round(title.getBoundingClientRect().height / lineHeight),
      inputWidth: box.width,
      inputVisible: box.width > 0 && box.height > 0 && getComputedStyle(input).visibility !== "hidden",
      overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
      headerRight: header.right,
      viewport: window.innerWidth,
    };
  });
}

for (const scheme of ["light", "dark"]) {
  await check(`at 375 px (${scheme}) the search is usable and the title short, nothing scrolls sideways`, async () => {
    const page = await open(PRACTICE, 375, scheme);
    await page.locator(".site-header").screenshot({ path: join(shotDir, `header-375-${scheme}.png`) });
    await page.screenshot({ path: join(shotDir, `header-375-${scheme}-page.png`) });
    let m = await measure(page);
    assert(m.overflow <= 0, `page is ${m.overflow}px wider than the screen`);
    assert(m.titleLines <= 2, `the course title wraps onto ${m.titleLines} lines`);
    if (!m.inputVisible) {
      // Collapsed to a button: pressing it opens a usable box.
      const button = page.getByRole("button", { name: "Search" });
      assert(await button.isVisible(), "no visible search box and no Search button");
      await button.click();
      await page.locator(".site-header").screenshot({ path: join(shotDir, `header-375-${scheme}-open.png`) });
      m = await measure(page);
      assert(m.inputVisible, "the Search button did not show the search box");
      assert(await page.locator(".search-input").evaluate((i) => i === document.activeElement), "the box did not take focus");
    }
    assert(m.inputWidth >= 200, `the search box is ${m.inputWidth}px wide`);
    // A much longer course title still takes two lines at most, and pushes nothing off screen.
    await page.locator(".site-title").evaluate((t) => {
      t.textContent = "An Exceptionally Long Course Title About Neural Networks, Backpropagation and Supercalifragilisticexpialidociously Long Words";
    });
    m = await measure(page);
    assert(m.titleLines <= 2, `a long course title wraps onto ${m.titleLines} lines`);
    assert(m.overflow <= 0, `with a long title the page is ${m.overflow}px wider than the screen`);
    await page.locator(".search-input").fill("chain rule");
    await page.locator("#search-results li").first().waitFor({ state: "visible" });
    m = await measure(page);
    assert(m.overflow <= 0, `with results the page is ${m.overflow}px wider than the screen`);
    assert(page.problems.length === 0, page.problems.join("; "));
  });
}

await check("at 1280 px the search box sits in the header row", async () => {
  const page = await open(PRACTICE, 1280);
  await page.locator(".site-header").screenshot({ path: join(shotDir, "header-1280-light.png") });
  const m = await measure(page);
  assert(m.inputVisible && m.inputWidth >= 200, `the search box is ${m.inputWidth}px wide`);
  assert(m.titleLines === 1, `the title wraps onto ${m.titleLines} lines`);
  const rows = await page.evaluate(() => {
    const t = document.querySelector(".site-title").getBoundingClientRect();
    const s = document.querySelector(".search-input").getBoundingClientRect();
    return Math.abs((t.top + t.bottom) / 2 - (s.top + s.bottom) / 2);
  });
  assert(rows < 10, `title and search box are ${rows}px apart vertically`);
});

for (const hash of ["#%E0%A4%A", "#%", "#%ZZ"]) {
  for (const query of ["", "?q=chain"]) {
    await check(`a malformed fragment ${query}${hash} throws nothing and the script still runs`, async () => {
      const page = await open(`${PRACTICE}${query}${hash}`, 1280);
      assert(page.problems.length === 0, page.problems.join("; "));
      assert(await page.getByRole("button", { name: "Switch between dark and light theme" }).isVisible(),
        "the theme toggle is hidden: the script stopped");
      assert((await page.locator("button.card-toggle").count()) > 0, "cards were not made buttons");
    });
  }
}

await browser.close();
server.close();
finish();
