// Sharded search on a large course (issue #24), in Chromium over file://: each query, typed as
// the first one into a freshly opened page, loads at most 500 KB of the index's files and shows
// the same results, in the same order, as a search of the whole index — computed here, apart
// from the site's script, by reading every section's text from the record shards and scoring
// every section by the documented rules (docs/authoring.md#search).
// Usage: node search_large.mjs SITE_DIR
// Prints one line per check and a closing "N passed, M failed" line; exits non-zero on failure.
import { readdir, readFile, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import vm from "node:vm";
import { launchChromium, checks } from "./lib.mjs";

const site = resolve(process.argv[2]);
const BUDGET = 500 * 1024;
const { check, assert, finish } = checks();

// The whole index, read from disk: every record shard, in order of its first record.
const sandbox = { window: {} };
vm.createContext(sandbox);
const dir = join(site, "search");
for (const name of await readdir(dir)) vm.runInContext(await readFile(join(dir, name), "utf8"), sandbox);
const manifest = sandbox.window.COURSEGEN_SEARCH;
const parts = sandbox.window.COURSEGEN_SEARCH_PARTS;
const records = manifest.records.flatMap((_, n) => parts[`r${n}`].records);
const total = (await Promise.all((await readdir(dir)).map(async (n) => (await stat(join(dir, n))).size))).reduce((a, b) => a + b, 0);
console.log(`index: ${records.length} sections in ${(await readdir(dir)).length} files, ${(total / 1024 / 1024).toFixed(1)} MB`);

// The documented rules, on the raw text: words are runs of letters and digits (a number keeps
// its decimal point), lower-cased, English words stemmed; a query word of 3 or more characters
// also finds the words it starts. A section scores, per query word, 3 for the word itself and 1
// for each longer word it starts, at most 3; it must hold every query word; 4 more when its
// heading holds every query word. The best 20, ties in index order.
const WORD = /[\p{Alphabetic}\p{N}]+(?:[.,]\p{N}+)*/gu;
function stem(word) {
  if (word.length < 4 || /\d/.test(word)) return word;
  for (const [end, to] of [["ies", "y"], ["sses", "ss"], ["ing", ""], ["ed", ""], ["ly", ""], ["es", ""], ["s", ""]]) {
    if (word.length - end.length >= 3 && word.endsWith(end)) {
      if (end === "s" && /(ss|us|is)$/.test(word)) return word;
      if (end === "es" && !/(ches|shes|xes|zes)$/.test(word)) continue;
      return word.slice(0, -end.length) + to;
    }
  }
  return word;
}
const words = (text) => (text.toLowerCase().match(WORD) || []).map(stem);
const sets = records.map((r) => ({ all: new Set(words(`${r[1]} ${r[3]}`)), heading: new Set(words(r[1])) }));
function expected(q) {
  const terms = words(q);
  if (!terms.length) return [];
  const hits = [];
  sets.forEach((s, i) => {
    let score = 0, inHeading = true;
    for (const term of terms) {
      let points = 0;
      for (const w of s.all) if (w === term) points += 3; else if (term.length >= 3 && w.startsWith(term)) points += 1;
      if (!points) return;
      score += Math.min(points, 3);
      if (![...s.heading].some((w) => w === term || (term.length >= 3 && w.startsWith(term)))) inHeading = false;
    }
    hits.push({ i, score: score + (inHeading ? 4 : 0) });
  });
  return hits.sort((a, b) => b.score - a.score || a.i - b.i).slice(0, 20).map((h) => h.i);
}

// Queries: common and rare words, prefixes, numbers, two words, words from the first and last
// pages, a word found nowhere, and words drawn (deterministically) from sections across the course.
const queries = ["gradient", "the", "chain rule", "backprop", "grad", "0.5", "p y", "softmax gradient",
  "zzqxv", "Jacobian", "loss", "lesson", "deriv"];
for (const r of [records[0], records[records.length - 1]]) queries.push(words(r[3]).filter((w) => w.length > 4)[0]);
let seed = 7;
for (let k = 0; k < 12; k++) {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  const ws = words(records[seed % records.length][3]).filter((w) => w.length > 3);
  if (ws.length) queries.push(k % 3 === 0 ? ws[seed % ws.length].slice(0, 4) : ws[seed % ws.length]);
}

const browser = await launchChromium();
const home = pathToFileURL(join(site, "index.html")).href;
let worst = 0;
for (const q of queries.filter(Boolean)) {
  await check(`first query "${q}": at most 500 KB loaded, the whole index's results`, async () => {
    const page = await browser.newPage();
    const problems = [];
    page.on("pageerror", (e) => problems.push(e.message));
    await page.goto(home, { waitUntil: "load" });
    await page.focus("#search-input");
    await page.keyboard.type(q);
    await page.waitForFunction((q) => document.getElementById("search-results").dataset.query === q, q);
    const shown = await page.$$eval("#search-results [role=option]", (lis) => lis.map((li) => Number(li.dataset.record)));
    // Every part of the index the page loaded is a <script> it added (over file:// the
    // browser's resource timings leave them out).
    const loaded = await page.$$eval('script[src*="/search/"]', (ss) => ss.map((s) => s.src));
    await page.close();
    let bytes = 0;
    for (const url of loaded) bytes += (await stat(fileURLToPath(url.replace(/\?.*$/, "")))).size;
    worst = Math.max(worst, bytes);
    assert(problems.length === 0, problems.join("; "));
    assert(loaded.some((u) => u.includes("/search/index.js")) && loaded.length >= 2, `loaded only ${loaded}`);
    assert(bytes <= BUDGET, `loaded ${loaded.length} files, ${bytes} bytes`);
    const want = expected(q);
    assert(JSON.stringify(shown) === JSON.stringify(want), `shown ${shown}, whole index ${want}`);
  });
}
console.log(`most loaded by a first query: ${(worst / 1024).toFixed(0)} KB`);
await browser.close();
finish();
