// Query time of search on a built site opened over file:// (issue #15; docs/performance.md#search).
// Usage: node search_time.mjs SITE_DIR   (e.g. a `gen_course 1000` build). Prints JSON: time from
// first focus until the index is loaded, and per query the median and worst of 5 runs of
// query + rendering the results, in ms, with the number of results shown (at most 20).
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { launchChromium } from "./lib.mjs";
const site = process.argv[2];
const browser = await launchChromium();
const page = await browser.newPage();
await page.goto(pathToFileURL(resolve(site)).href + "/index.html");
const t0 = Date.now();
await page.focus("#search-input");
await page.waitForFunction(() => !!window.COURSEGEN_SEARCH, null, { timeout: 60000 });
await page.waitForTimeout(100);
const loadMs = Date.now() - t0;
const times = await page.evaluate(() => {
  const input = document.getElementById("search-input");
  const out = {};
  for (const q of ["g", "gradient", "backprop chain", "0.73", "softmax gradient", "p − y", "zzqx"]) {
    const runs = [];
    for (let i = 0; i < 5; i++) {
      input.value = ""; input.dispatchEvent(new Event("input"));
      const t = performance.now();
      input.value = q; input.dispatchEvent(new Event("input"));
      runs.push(performance.now() - t);
    }
    runs.sort((a, b) => a - b);
    out[q] = { median: runs[2].toFixed(1), max: runs[4].toFixed(1), results: document.querySelectorAll("#search-results [role=option]").length };
  }
  return out;
});
console.log(JSON.stringify({ loadMs, times }, null, 1));
await browser.close();
