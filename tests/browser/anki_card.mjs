// Anki cards in Chromium, as Anki shows them: each card's answer side (its question, then its
// answer) rendered by Anki's own library with the note type's CSS, in a page whose <body> has
// Anki's classes (`card card1`, and `nightMode night_mode` at night), at a phone's 375 px.
// Checks: nothing wider than the screen (circuits scale down), no id twice on the card, every
// text of a circuit at WCAG AA contrast (4.5:1) against what it is drawn on, and axe finds no
// serious or critical violation. Screenshots: SCREENSHOT_PREFIX-card-N-{day,night}-375.png.
// Usage: node anki_card.mjs CARDS_DIR SCREENSHOT_PREFIX
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { launchChromium, axeSource as loadAxe, checks } from "./lib.mjs";

const [dir, prefix] = process.argv.slice(2);
const axeSource = await loadAxe();
const files = (await readdir(dir)).filter((f) => f.endsWith(".html")).sort();
const { check, assert, finish } = checks();
const browser = await launchChromium();
const ctx = await browser.newContext({ viewport: { width: 375, height: 800 } });
for (const file of files) {
  const name = file.replace(/\.html$/, "");
  const page = await ctx.newPage();
  await page.goto(pathToFileURL(join(dir, file)).href);
  await page.screenshot({ path: `${prefix}-${name}-375.png`, fullPage: true });
  const m = await page.evaluate(() => {
    const rgb = (s) => (s.match(/[\d.]+/g) || []).slice(0, 3).map(Number);
    const lum = ([r, g, b]) => {
      const c = [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
      return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    };
    const ratio = (a, b) => { const [x, y] = [lum(rgb(a)), lum(rgb(b))].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
    const bg = getComputedStyle(document.body).backgroundColor;
    const texts = [...document.querySelectorAll(".circuit-svg text")].map((t) => {
      // A gate's name sits on its node; a wire's labels on the card.
      const under = t.classList.contains("gate") ? getComputedStyle(t.previousElementSibling).fill : bg;
      const fill = getComputedStyle(t).fill;
      return { cls: t.getAttribute("class"), text: t.textContent, fill, under, ratio: ratio(fill, under) };
    });
    const ids = [...document.querySelectorAll("[id]")].map((e) => e.id);
    const svgs = [...document.querySelectorAll(".circuit-svg")].map((s) => Math.round(s.getBoundingClientRect().right));
    return {
      night: document.body.classList.contains("nightMode"), bg, fg: getComputedStyle(document.body).color,
      bodyRatio: ratio(getComputedStyle(document.body).color, bg),
      scroll: document.documentElement.scrollWidth, width: innerWidth, svgs,
      duplicates: ids.filter((id, i) => ids.indexOf(id) !== i), worst: texts.sort((a, b) => a.ratio - b.ratio)[0] || null,
      count: texts.length,
    };
  });
  await check(`${name}: ${m.count} circuit labels, ${m.svgs.length} circuits, background ${m.bg}`, () => {
    assert(m.night === name.endsWith("night"), `night mode class: ${m.night}`);
    assert(m.svgs.length > 0 && m.count > 0, "no circuit on the card");
    assert(m.scroll <= m.width, `the card is ${m.scroll} px wide on a ${m.width} px screen`);
    assert(m.svgs.every((r) => r <= m.width), `a circuit ends at ${m.svgs} px`);
    assert(m.duplicates.length === 0, `ids repeated: ${m.duplicates}`);
    assert(m.bodyRatio >= 4.5, `text ${m.fg} on ${m.bg}: ${m.bodyRatio.toFixed(2)}:1`);
    assert(m.worst.ratio >= 4.5, `lowest contrast ${m.worst.ratio.toFixed(2)}:1: ${JSON.stringify(m.worst)}`);
    console.log(`     lowest circuit label contrast ${m.worst.ratio.toFixed(2)}:1 (${m.worst.cls} ${m.worst.fill} on ${m.worst.under}); body ${m.bodyRatio.toFixed(2)}:1`);
  });
  await page.addScriptTag({ content: axeSource });
  const axe = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
  const bad = axe.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  await check(`${name}: axe finds no serious or critical violation`, () => {
    assert(bad.length === 0, bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(" ")}`).join("; "));
  });
  await page.close();
}
await browser.close();
finish();
