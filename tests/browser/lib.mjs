// What every browser script shares: Debian's Chromium, launched headless with nothing that
// reaches the network, and axe-core's source to inject into a page.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);

/** Chromium from /usr/bin, headless, without background networking or updates. */
export function launchChromium() {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync"],
  });
}

/** axe-core's script, to add to a page with `page.addScriptTag({ content })`. */
export function axeSource() {
  return readFile(require.resolve("axe-core/axe.min.js"), "utf8");
}
