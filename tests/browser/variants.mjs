// Exercise variants in Chromium: "New numbers" from the keyboard swaps the given values and
// the worked answer for another set built (and verified) with the site, keeps the answer
// closed and announces the change; without JavaScript the picker's links show each set; axe is
// clean; screenshots of a second set in both themes at 1280 and 375 px.
// Usage: node variants.mjs PAGE_URL SCREENSHOT_PREFIX
// Prints one line per check and a closing "N passed, M failed" line.
import { launchChromium, axeSource as loadAxe } from "./lib.mjs";

const axeSource = await loadAxe();

const [url, out] = process.argv.slice(2);
const browser = await launchChromium();
let passed = 0, failed = 0;
const check = (name, ok, detail) => {
  if (ok) { passed++; console.log(`ok   ${name}`); } else { failed++; console.log(`FAIL ${name}: ${JSON.stringify(detail)}`); }
};

// Which set of each exercise is visible, and the visible set's given values and answer text.
const state = (page) => page.evaluate(() => [...document.querySelectorAll("[data-variants]")].map((box) => {
  const sets = [...box.children].filter((c) => c.classList.contains("variant"));
  const visible = sets.filter((s) => s.offsetParent !== null || getComputedStyle(s).display !== "none");
  const v = visible[0];
  return {
    count: sets.length,
    visible: visible.map((s) => s.dataset.variant),
    // The given values: the exercise's first worked-steps block, before the solution.
    givens: v ? (v.querySelector(":scope > .verified") || {}).textContent || "" : "",
    answer: v ? (v.querySelector("details.solution") || {}).textContent || "" : "",
    open: v ? [...v.querySelectorAll("details")].some((d) => d.open) : null,
    status: (box.querySelector("[data-variant-status]") || {}).textContent || "",
  };
}));

// With JavaScript: every exercise with variants, driven from the keyboard.
{
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  await page.goto(url);
  // Every set's HTML as the build wrote it: the script may only show and hide them.
  const built = await page.evaluate(() => [...document.querySelectorAll(".variant")].map((s) => s.innerHTML));
  const before = await state(page);
  check("the page has exercises with variants", before.length >= 1 && before.every((e) => e.count >= 2), before);
  check("each shows its first set only", before.every((e) => e.visible.join() === "1"), before);
  const buttons = page.locator("[data-new-numbers]");
  for (let i = 0; i < before.length; i++) {
    const button = buttons.nth(i);
    check(`exercise ${i + 1}: "New numbers" is visible`, await button.isVisible(), null);
    await button.focus();
    await page.keyboard.press("Enter");
    const after = (await state(page))[i];
    check(`exercise ${i + 1}: Enter shows set 2`, after.visible.join() === "2", after);
    check(`exercise ${i + 1}: the given values changed`, after.givens !== before[i].givens && after.givens.length > 0,
      { before: before[i].givens, after: after.givens });
    check(`exercise ${i + 1}: the worked answer changed`, after.answer !== before[i].answer && after.answer.length > 0, null);
    check(`exercise ${i + 1}: the answer stays closed`, after.open === false, after);
    check(`exercise ${i + 1}: the change is announced`, /set 2 of/.test(after.status), after.status);
    const focused = await page.evaluate(() => document.activeElement && document.activeElement.matches("[data-new-numbers]"));
    check(`exercise ${i + 1}: focus stays on the button`, focused, null);
    // Space works too, and the sets cycle back to the first.
    for (let k = 2; k < after.count; k++) await page.keyboard.press(" ");
    await page.keyboard.press(" ");
    const cycled = (await state(page))[i];
    check(`exercise ${i + 1}: the sets cycle back to the first`, cycled.visible.join() === "1", cycled);
  }
  const hash = await page.evaluate(() => location.hash);
  check("the address names the set shown", /-v1$/.test(hash), hash);
  const now = await page.evaluate(() => [...document.querySelectorAll(".variant")].map((s) => s.innerHTML));
  check("every set is the HTML the build wrote (nothing computed in the browser)",
    now.length === built.length && now.every((h, k) => h === built[k]), null);

  // axe with a second set shown and every answer open.
  await page.evaluate(() => document.querySelectorAll("[data-new-numbers]").forEach((b) => b.click()));
  await page.evaluate(() => document.querySelectorAll(".variant:not([hidden]) details").forEach((d) => (d.open = true)));
  await page.addScriptTag({ content: axeSource });
  const axe = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
  const serious = axe.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(" ")}`);
  check("axe: no serious or critical violation with a second set open", serious.length === 0, serious);
  await ctx.close();
}

// Reloading with a set's address shows that set.
{
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  await page.goto(url);
  const id = await page.evaluate(() => document.querySelector(".variant[data-variant='3']").id);
  await page.goto(`${url}#${id}`);
  await page.reload();
  const s = await state(page);
  check("an address naming set 3 shows set 3", s[0].visible.join() === "3", s[0]);
  await ctx.close();
}

// Without JavaScript: the links show one set at a time through :target.
{
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, javaScriptEnabled: false });
  const page = await ctx.newPage();
  await page.goto(url);
  const first = await state(page);
  check("without JavaScript each exercise shows its first set", first.every((e) => e.visible.join() === "1"), first);
  const button = await page.locator("[data-new-numbers]").first().isVisible();
  check("without JavaScript there is no dead button", !button, null);
  await page.locator("[data-variant-link='2']").first().click();
  const second = await state(page);
  check("without JavaScript the link to set 2 shows set 2 only", second[0].visible.join() === "2", second[0]);
  check("  and leaves the other exercises at their first set", second.slice(1).every((e) => e.visible.join() === "1"), second);
  await ctx.close();
}

// Screenshots: the first exercise's second set with its answer open.
for (const scheme of ["light", "dark"]) for (const width of [1280, 375]) {
  const ctx = await browser.newContext({ viewport: { width, height: 900 }, colorScheme: scheme });
  const page = await ctx.newPage();
  await page.goto(url);
  await page.locator("[data-new-numbers]").first().click();
  await page.evaluate(() => document.querySelectorAll(".variant:not([hidden]) details").forEach((d) => (d.open = true)));
  const section = page.locator("section.exercise:has([data-variants])").first();
  await section.screenshot({ path: `${out}-${scheme}-${width}.png` });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > innerWidth);
  check(`${scheme} ${width}px: the page does not scroll sideways`, !overflow, null);
  await ctx.close();
}

await browser.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
