// Search on a built site opened over file:// (issues #15, #24; docs/performance.md#search).
// Usage: node search_time.mjs SITE_DIR   (e.g. a `gen_course 10000` build). Prints JSON, per
// query: as the first query of a freshly opened page, the time from the query entering the box
// until its results are shown (manifest, shards and drawing; the 100 ms typing pause left out)
// and the bytes of the index it loaded; then, with its shards loaded, the median and worst of 5
// repeats; and the number of results shown (at most 20).
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { launchChromium } from "./lib.mjs";

const site = process.argv[2];
const browser = await launchChromium();
const home = pathToFileURL(resolve(site)).href + "/index.html";

/** Puts `q` in the box and runs it at once (no typing pause); resolves with the ms until shown. */
function ask(page, q) {
  return page.evaluate((q) => new Promise((done) => {
    const input = document.getElementById("search-input"), list = document.getElementById("search-results");
    delete list.dataset.query;
    const t = performance.now();
    input.value = q;
    input.dispatchEvent(new Event("input"));
    input.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowDown" })); // runs the pending query now
    // Told the moment the results are drawn (a frame callback would round to 16 ms).
    new MutationObserver((_, seen) => {
      if (list.dataset.query === q) { seen.disconnect(); done(performance.now() - t); }
    }).observe(list, { attributes: true, attributeFilter: ["data-query"] });
  }), q);
}

const out = {};
for (const q of ["g", "gradient", "backprop chain", "0.73", "softmax gradient", "p − y", "the", "zzqx"]) {
  const page = await browser.newPage();
  await page.goto(home, { waitUntil: "load" });
  await page.focus("#search-input");
  const first = await ask(page, q);
  const urls = await page.$$eval('script[src*="/search/"]', (ss) => ss.map((s) => s.src));
  let bytes = 0;
  for (const u of urls) bytes += (await stat(fileURLToPath(u.replace(/\?.*$/, "")))).size;
  const runs = [];
  for (let i = 0; i < 5; i++) runs.push(await ask(page, q));
  runs.sort((a, b) => a - b);
  const results = await page.$$eval("#search-results [role=option]", (l) => l.length);
  out[q] = { firstMs: first.toFixed(1), firstKB: (bytes / 1024).toFixed(0), files: urls.length,
    repeatMedian: runs[2].toFixed(1), repeatMax: runs[4].toFixed(1), results };
  await page.close();
}
console.log(JSON.stringify(out, null, 1));
await browser.close();
