// Fails the build when the JavaScript of the first load (the entry script and the modules it
// preloads, as index.html names them) exceeds the budget in gzip bytes. Lazy chunks (the charts)
// are not part of the first load.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const BUDGET = 500 * 1024;
const dist = new URL("../dist/", import.meta.url).pathname;
const html = readFileSync(join(dist, "index.html"), "utf8");
const scripts = [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*rel="modulepreload"[^>]*\shref)="\/?([^"]+\.js)"/g)].map(
  (match) => match[1],
);
if (scripts.length === 0) {
  console.error("check-bundle: no script found in dist/index.html");
  process.exit(1);
}
let total = 0;
for (const script of scripts) {
  const size = gzipSync(readFileSync(join(dist, script)), { level: 9 }).length;
  total += size;
  console.log(`check-bundle: ${script} ${(size / 1024).toFixed(1)} KB gzip`);
}
console.log(`check-bundle: first load ${(total / 1024).toFixed(1)} KB of JavaScript (gzip), budget ${BUDGET / 1024} KB`);
if (total > BUDGET) {
  console.error(`check-bundle: the first load is over budget by ${((total - BUDGET) / 1024).toFixed(1)} KB`);
  process.exit(1);
}
