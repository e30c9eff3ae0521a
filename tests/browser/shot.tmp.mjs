import { chromium } from "playwright-core";
const [url, out, width, scheme, sel] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
const ctx = await browser.newContext({ viewport: { width: +width, height: 900 }, colorScheme: scheme || "light" });
const page = await ctx.newPage();
await page.goto(url);
await page.evaluate(() => document.querySelectorAll("details").forEach((d) => (d.open = true)));
if (sel && sel.startsWith("clip:")) { const [, y, h] = sel.split(":"); await page.screenshot({ path: out, fullPage: true, clip: { x: 0, y: +y, width: +width, height: +h } }); }
else if (sel) await page.locator(sel).first().screenshot({ path: out });
else await page.screenshot({ path: out, fullPage: true });
const over = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
console.log("overflow", over);
await browser.close();
