// Search (issue #15) in Chromium: from the keyboard, into a collapsed worked answer and a
// flashcard's answer, served over HTTP (at the root and under a sub-path) and opened from disk
// over file://.
// Usage: node search.mjs SITE_DIR SCREENSHOT_DIR
// Prints one line per check and a closing "N passed, M failed" line; exits non-zero on failure.
import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { launchChromium, axeSource as loadAxe, serveSite, checks } from "./lib.mjs";


const [siteDir, shotDir] = process.argv.slice(2);

// The same site is also served under a sub-path, as a project site is (`base_url`).
const { server, origin } = await serveSite(siteDir, { toSitePath: (path) => path.replace(/^\/some\/prefix\//, "/") });
const fileRoot = pathToFileURL(resolve(siteDir)).href + "/";

const browser = await launchChromium();

const { check, assert, finish } = checks();

/** A fresh page that records console errors and every request outside the site. */
async function open(url, site, scheme = "light") {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: scheme });
  const page = await context.newPage();
  page.problems = [];
  page.on("console", (m) => { if (m.type() === "error") page.problems.push(`console: ${m.text()}`); });
  page.on("pageerror", (e) => page.problems.push(`page error: ${e.message}`));
  page.on("request", (r) => { if (!r.url().startsWith(site)) page.problems.push(`request outside the site: ${r.url()}`); });
  await page.goto(url, { waitUntil: "load" });
  return page;
}

/** Types `word` after pressing `key` (no mouse) and waits for the listbox to show a result. */
async function searchFor(page, word, key = "/") {
  await page.keyboard.press(key);
  assert(await page.evaluate(() => document.activeElement && document.activeElement.id === "search-input"),
    `${key} did not focus the search box`);
  await page.keyboard.type(word);
  // The results of the whole word: on a busy machine typing can pause long enough for a
  // prefix's results ("dow") to be drawn first.
  await page.waitForFunction((w) => document.getElementById("search-results").dataset.query === w, word);
  await page.waitForSelector("#search-results [role=option]", { state: "visible" });
  const input = page.locator("#search-input");
  assert((await input.getAttribute("role")) === "combobox", "the box is not a combobox");
  assert((await input.getAttribute("aria-expanded")) === "true", "aria-expanded is not true with results shown");
  const status = await page.locator("#search-status").textContent();
  assert(/\d+ results?/.test(status), `results not announced: "${status}"`);
  const marks = await page.locator("#search-results [role=option] mark").allTextContents();
  assert(marks.some((m) => m.toLowerCase() === word.toLowerCase()), `no <mark>${word}</mark> in results: ${marks}`);
}

/** Arrow Down to the first result, Enter, and wait for the page it leads to. */
async function chooseFirst(page) {
  await page.keyboard.press("ArrowDown");
  const input = page.locator("#search-input");
  assert((await input.getAttribute("aria-activedescendant")) === "search-result-0", "ArrowDown did not make the first result active");
  assert((await page.locator("#search-result-0").getAttribute("aria-selected")) === "true", "first result not aria-selected");
  await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.keyboard.press("Enter")]);
}

/** The marked match is visible, inside the viewport, and every <details> around it is open. */
async function landedOn(page, word) {
  const hit = page.locator("mark.search-hit");
  await hit.waitFor({ state: "visible" });
  assert((await hit.textContent()).toLowerCase() === word, `marked "${await hit.textContent()}"`);
  // The page scrolls to the match once it has loaded; give it that moment.
  await page.waitForFunction(() => {
    const r = document.querySelector("mark.search-hit").getBoundingClientRect();
    return r.top >= 0 && r.bottom <= innerHeight && r.height > 0;
  }, null, { timeout: 10000 }).catch(() => {});
  const state = await hit.evaluate((m) => {
    const closed = [];
    for (let el = m.parentElement; el; el = el.parentElement) if (el.tagName === "DETAILS" && !el.open) closed.push(el.className);
    const r = m.getBoundingClientRect();
    return { closed, inView: r.top >= 0 && r.bottom <= innerHeight && r.height > 0 };
  });
  assert(state.closed.length === 0, `a collapsible around the match is still closed: ${state.closed}`);
  assert(state.inView, "the match is not in view");
}

const sub = `${origin}/some/prefix/`;
for (const [where, site, home] of [["http", origin, `${origin}/`], ["sub-path", sub, sub], ["file://", fileRoot, `${fileRoot}index.html`]]) {
  await check(`${where}: "/" then a word only in a collapsed worked answer lands on the opened answer`, async () => {
    const page = await open(home, site);
    assert(await page.locator(".search").isVisible(), "no search box in the header");
    await searchFor(page, "downstream");
    if (where === "http") {
      await mkdir(shotDir, { recursive: true });
      await page.screenshot({ path: join(shotDir, "search.png") });
    }
    await chooseFirst(page);
    const url = page.url();
    assert(url.startsWith(site) && url.includes("practice-backprop/") && url.includes("#"), `went to ${url}`);
    await landedOn(page, "downstream");
    assert(await page.locator("mark.search-hit").evaluate((m) => !!m.closest("details.solution")), "the match is not in a worked answer");
    assert(page.problems.length === 0, page.problems.join("; "));
  });

  await check(`${where}: Ctrl-K then a word only in a flashcard's answer lands on the revealed card`, async () => {
    const page = await open(home, site);
    await searchFor(page, "mechanism", "Control+k");
    await chooseFirst(page);
    await landedOn(page, "mechanism");
    const card = await page.locator("mark.search-hit").evaluate((m) => {
      const li = m.closest("li.flashcard");
      const button = li && li.querySelector("button.card-toggle");
      return li ? { expanded: button && button.getAttribute("aria-expanded") } : null;
    });
    assert(card && card.expanded === "true", `not on a revealed flashcard: ${JSON.stringify(card)}`);
    assert(page.problems.length === 0, page.problems.join("; "));
  });
}

await check("Escape closes the results and returns focus to where it was", async () => {
  const page = await open(`${origin}/neural-networks/`, origin);
  await page.locator(".site-title").focus();
  await searchFor(page, "gradient");
  await page.keyboard.press("Escape");
  assert(await page.locator("#search-results").isHidden(), "results still shown after Escape");
  assert((await page.locator("#search-input").getAttribute("aria-expanded")) === "false", "aria-expanded still true");
  assert(await page.evaluate(() => document.activeElement.classList.contains("site-title")), "focus did not return");
  assert(page.problems.length === 0, page.problems.join("; "));
});

const axeSource = await loadAxe();
for (const scheme of ["light", "dark"]) {
  await check(`axe: no serious or critical violations with the results open (${scheme})`, async () => {
    const page = await open(`${origin}/neural-networks/`, origin, scheme);
    await searchFor(page, "gradient");
    await page.keyboard.press("ArrowDown");
    await page.addScriptTag({ content: axeSource });
    const results = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
    const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    assert(bad.length === 0, bad.map((v) => `${v.id} (${v.nodes.length}): ${v.nodes[0].target}`).join("; "));
    await page.screenshot({ path: join(shotDir, `search-${scheme}.png`) });
  });
}

await check("a number as printed (3.01) and an equation's text (x · y) are found", async () => {
  const page = await open(`${origin}/`, origin);
  await searchFor(page, "3.01");
  const input = page.locator("#search-input");
  await input.fill("");
  await input.pressSequentially("x · y");
  await page.waitForFunction(() => document.getElementById("search-results").dataset.query === "x · y");
  const where = await page.locator("#search-result-0 .search-where").textContent();
  assert(where.includes("chain rule"), `"x · y" first found in ${where}`);
  assert(page.problems.length === 0, page.problems.join("; "));
});

await check("a word found nowhere says so", async () => {
  const page = await open(`${origin}/`, origin);
  await page.keyboard.press("/");
  await page.keyboard.type("zzqxj");
  await page.waitForFunction(() => document.getElementById("search-status").textContent === "No results");
  assert((await page.locator("#search-results [role=option]").count()) === 0, "options for a word found nowhere");
});

await check("without JavaScript the search box stays hidden", async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${origin}/`);
  assert(await page.locator(".search").isHidden(), "an unusable search box is shown without JavaScript");
});

await browser.close();
server.close();
finish();
