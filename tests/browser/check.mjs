// Real-browser checks of a built coursegen site, in Debian's Chromium driven by playwright-core.
// Usage: node check.mjs SITE_DIR SCREENSHOT_DIR
// Serves SITE_DIR on 127.0.0.1, runs every check, prints one line per check and a closing
// "N passed, M failed" line, and exits non-zero if any check failed.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { launchChromium, axeSource as loadAxe, serveSite, checks } from "./lib.mjs";

const [siteDir, shotDir] = process.argv.slice(2);

const { server, origin } = await serveSite(siteDir);
const PRACTICE = `${origin}/neural-networks/practice-backprop/`;

const browser = await launchChromium();

const { check, assert, finish } = checks();

/** A fresh page that records console errors and every request outside the site. */
async function open(url, options = {}) {
  const context = await browser.newContext({ viewport: { width: options.width || 1280, height: 900 }, colorScheme: options.scheme || "light" });
  const page = await context.newPage();
  page.problems = [];
  page.on("console", (m) => { if (m.type() === "error") page.problems.push(`console: ${m.text()}`); });
  page.on("pageerror", (e) => page.problems.push(`page error: ${e.message}`));
  page.on("request", (r) => { if (!r.url().startsWith(origin)) page.problems.push(`request outside the site: ${r.url()}`); });
  await page.goto(url, { waitUntil: "load" });
  return page;
}

await check("flashcards: click reveals and hides; Enter and Space do the same; Show all shows nine", async () => {
  const page = await open(PRACTICE);
  const cards = page.locator("button.card-toggle");
  assert((await cards.count()) === 9, `found ${await cards.count()} card buttons`);
  const answer = (i) => page.locator(`#card-${i + 1}-answer`);
  for (let i = 0; i < 9; i++) {
    assert((await cards.nth(i).getAttribute("aria-expanded")) === "false", `card ${i + 1} starts expanded`);
    assert(!(await answer(i).isVisible()), `answer ${i + 1} visible before a click`);
  }
  await cards.first().click();
  assert((await cards.first().getAttribute("aria-expanded")) === "true", "aria-expanded not true after click");
  assert(await answer(0).isVisible(), "answer not shown after click");
  await cards.first().click();
  assert(!(await answer(0).isVisible()), "answer still shown after second click");
  await cards.nth(1).focus();
  await page.keyboard.press("Enter");
  assert(await answer(1).isVisible(), "Enter did not reveal");
  await page.keyboard.press("Space");
  assert(!(await answer(1).isVisible()), "Space did not hide");
  await page.getByRole("button", { name: "Show all answers" }).click();
  for (let i = 0; i < 9; i++) assert(await answer(i).isVisible(), `answer ${i + 1} hidden after Show all`);
  await page.getByRole("button", { name: "Hide all answers" }).click();
  for (let i = 0; i < 9; i++) assert(!(await answer(i).isVisible()), `answer ${i + 1} shown after Hide all`);
  assert(page.problems.length === 0, page.problems.join("; "));
});

await check("a Show answer <details> opens on click", async () => {
  const page = await open(PRACTICE);
  const first = page.locator("li.question details.answer").first();
  const body = first.locator(".answer-body");
  assert(!(await body.isVisible()), "answer visible before opening");
  await first.locator("summary").click();
  assert(await body.isVisible(), "answer not visible after click");
  assert((await body.innerText()).includes("single linear layer"), "wrong answer text");
});

await check("Print flashcards gives one page per card, nine for the sample", async () => {
  const page = await open(PRACTICE);
  await page.evaluate(() => { window.print = () => {}; });
  await page.getByRole("button", { name: "Print flashcards" }).click();
  await page.emulateMedia({ media: "print" });
  const pdf = await page.pdf({ width: "148mm", height: "105mm", printBackground: false });
  const pages = (pdf.toString("latin1").match(/\/Type\s*\/Page[^s]/g) || []).length;
  assert(pages === 9, `printed ${pages} pages`);
});

await check("at 375 px nothing scrolls sideways and the menu button opens the sidebar", async () => {
  const page = await open(PRACTICE, { width: 375 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert(overflow <= 0, `page is ${overflow}px wider than the screen`);
  const menu = page.getByRole("button", { name: "Menu" });
  assert(await menu.isVisible(), "no menu button");
  assert(!(await page.locator("#sidebar").isVisible()), "sidebar visible before the menu is opened");
  await menu.click();
  assert(await page.locator("#sidebar").isVisible(), "sidebar did not open");
  assert((await menu.getAttribute("aria-expanded")) === "true", "menu button aria-expanded not true");
});

await check("math is MathML with a non-zero box", async () => {
  const page = await open(PRACTICE);
  const count = await page.locator("math").count();
  assert(count > 20, `only ${count} math elements`);
  const box = await page.locator("li.question details.answer").first().evaluate((d) => {
    d.open = true;
    const r = d.querySelector("math").getBoundingClientRect();
    return { w: r.width, h: r.height };
  });
  assert(box.w > 0 && box.h > 0, `math box ${box.w}x${box.h}`);
});

await check("the theme toggle switches and remembers the choice before the first paint", async () => {
  const page = await open(PRACTICE, { scheme: "light" });
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const light = await background();
  await page.getByRole("button", { name: "Switch between dark and light theme" }).click();
  const dark = await background();
  assert(light !== dark, `background stayed ${light}`);
  // The stored theme is applied by an inline script in <head>, before the stylesheet paints.
  await page.reload({ waitUntil: "commit" });
  const early = await page.evaluate(() => document.documentElement.dataset.theme);
  assert(early === "dark", `theme after reload is ${early}`);
});

await check("every control is reachable by keyboard and focus is visible", async () => {
  const page = await open(PRACTICE);
  await page.keyboard.press("Tab");
  const first = await page.evaluate(() => document.activeElement.className + ":" + document.activeElement.textContent.trim());
  assert(first.startsWith("skip-link"), `first Tab reached ${first}`);
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert(outline !== "none", "the focused skip link has no outline");
  const reached = new Set();
  for (let i = 0; i < 200; i++) {
    await page.keyboard.press("Tab");
    reached.add(await page.evaluate(() => document.activeElement.className || document.activeElement.tagName));
  }
  for (const needed of ["card-toggle", "theme-toggle", "SUMMARY"]) {
    assert(reached.has(needed), `Tab never reached ${needed}: ${[...reached].join(", ")}`);
  }
});

const axeSource = await loadAxe();
for (const scheme of ["light", "dark"]) {
  for (const [name, url] of [["home", `${origin}/`], ["lesson", `${origin}/neural-networks/`], ["practice", PRACTICE]]) {
    await check(`axe: no serious or critical violations on the ${name} page (${scheme})`, async () => {
      const page = await open(url, { scheme });
      await page.addScriptTag({ content: axeSource });
      const results = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
      const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
      assert(bad.length === 0, bad.map((v) => `${v.id} (${v.nodes.length}): ${v.nodes[0].target}`).join("; "));
      assert(page.problems.length === 0, page.problems.join("; "));
    });
  }
}

await check("screenshots of the practice page at 1280 and 375 px, light and dark", async () => {
  await mkdir(shotDir, { recursive: true });
  for (const width of [1280, 375]) {
    for (const scheme of ["light", "dark"]) {
      const page = await open(PRACTICE, { width, scheme });
      await page.screenshot({ path: join(shotDir, `practice-${width}-${scheme}.png`), fullPage: true });
    }
  }
});

await browser.close();
server.close();
finish();
