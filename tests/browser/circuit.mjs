// Circuit figures in Chromium: screenshots in both themes at 1280 and 375 px, and checks that a
// figure wider than the column scrolls inside its frame instead of overflowing the page.
// Usage: node circuit.mjs PAGE_URL SCREENSHOT_PREFIX
// Prints one line per check and a closing "N passed, M failed" line.
import { launchChromium, axeSource as loadAxe } from "./lib.mjs";

const axeSource = await loadAxe();

const [url, out] = process.argv.slice(2);
const browser = await launchChromium();
let passed = 0, failed = 0;
for (const scheme of ["light", "dark"]) for (const width of [1280, 375]) {
  const ctx = await browser.newContext({ viewport: { width, height: 800 }, colorScheme: scheme });
  const page = await ctx.newPage();
  await page.goto(url);
  await page.evaluate(() => document.querySelectorAll("details").forEach((d) => (d.open = true)));
  const fig = page.locator("figure.circuit").first();
  await fig.scrollIntoViewIfNeeded();
  await fig.screenshot({ path: `${out}-${scheme}-${width}.png` });
  const m = await page.evaluate(() => {
    const frame = document.querySelector(".circuit-scroll");
    return { right: Math.round(document.querySelector("figure.circuit").getBoundingClientRect().right), viewport: innerWidth,
             frame: frame.clientWidth, content: frame.scrollWidth, overflow: getComputedStyle(frame).overflowX,
             texts: document.querySelectorAll(".circuit-svg text").length };
  });
  // The figure stays inside the viewport (the page's other content is not this check's).
  // axe on the page with every answer open (the figure, its table, and wide formulas that
  // scroll): no serious or critical violation.
  await page.waitForTimeout(100);
  await page.addScriptTag({ content: axeSource });
  const axe = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
  m.axe = axe.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(" ")}`);
  const ok = m.axe.length === 0 && m.right <= m.viewport && (m.content <= m.frame || m.overflow === "auto") && m.texts > 0;
  if (ok) passed++; else failed++;
  console.log(`${ok ? "ok  " : "FAIL"} ${scheme} ${width}px: ${JSON.stringify(m)}`);
  await ctx.close();
}
await browser.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
