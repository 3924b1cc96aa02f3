// End-to-end test of the web app in Debian's Chromium (playwright-core, no downloaded browser)
// against a real `medlake serve` on demo data; started by e2e/run.sh. Fails on any console error
// or page error, saves a screenshot of every page into $MEDLAKE_E2E_SCREENSHOTS.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { AxeBuilder } from "@axe-core/playwright";
import { dashboardFlows } from "./dashboards.mjs";

const BASE = required("MEDLAKE_E2E_URL");
const PASSWORD = required("MEDLAKE_E2E_PASSWORD");
const UPLOAD_FILE = required("MEDLAKE_E2E_UPLOAD_FILE");
const UPLOAD_MONTH = required("MEDLAKE_E2E_UPLOAD_MONTH");
// a month without data, for an upload whose rows are all rejected
const REJECTED_MONTH = "2020-01";
/** The uploader's held run, approved by the admin. */
let heldRunId;
const SHOTS = required("MEDLAKE_E2E_SCREENSHOTS");
const TIMEOUT = 60_000;

function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set (run e2e/run.sh)`);
  }
  return value;
}

function check(condition, message) {
  if (!condition) {
    throw new Error("check failed: " + message);
  }
}

/** RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF line ends. */
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") {
        i++;
      }
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else {
      field += c;
    }
  }
  if (field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

const problems = [];
mkdirSync(SHOTS, { recursive: true });
const profile = mkdtempSync(join(tmpdir(), "medlake-e2e-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
  viewport: { width: 1280, height: 900 },
  acceptDownloads: true,
});
context.setDefaultTimeout(TIMEOUT);
let shot = 0;

async function screenshot(page, name) {
  const file = join(SHOTS, `${String(++shot).padStart(2, "0")}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  await accessibilityCheck(page, name);
}

async function newPage(label) {
  const page = await context.newPage();
  page.on("console", (message) => {
    if (message.type() === "error") {
      problems.push(`${label}: console error: ${message.text()} (${message.location().url})`);
    }
  });
  page.on("pageerror", (error) => problems.push(`${label}: page error: ${error.message}`));
  return page;
}

/** Logs in through the form; {@code keyboard} fills it with Tab and Enter only. */
async function login(name, { keyboard = false } = {}) {
  await context.clearCookies();
  const page = await newPage(name);
  await page.goto(BASE + "/");
  await page.waitForSelector("#login-name");
  if (keyboard) {
    await page.keyboard.type(name); // the name field has focus
    await page.keyboard.press("Tab");
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press("Enter");
  } else {
    await page.fill("#login-name", name);
    await page.fill("#login-password", PASSWORD);
    await page.click("form.login button[type=submit]");
  }
  await page.waitForSelector(`header .user:has-text("${name}")`);
  return page;
}

async function logout(page) {
  await page.click("header button:has-text('Log out')");
  await page.waitForSelector("#login-name");
  await page.close();
}

async function navLinks(page) {
  return page.$$eval("header nav a", (links) => links.map((link) => link.textContent));
}

/** The API's answer to the same request, with the session of the page (its cookie and CSRF token). */
async function api(page, path, body) {
  const csrf = await page.evaluate(() => localStorage.getItem("medlake.csrf"));
  const response = await page.request.post(BASE + path, { data: body, headers: { "X-CSRF-Token": csrf } });
  return {
    status: response.status(),
    body: response.headers()["content-type"]?.includes("json") ? await response.json() : await response.text(),
  };
}

async function tableRows(page, selector) {
  return page.$$eval(`${selector} tbody tr`, (rows) => rows.map((row) => [...row.cells].map((cell) => cell.textContent.trim())));
}

const count = (text) => Number(String(text).replace(/,/g, ""));

// --- quality bars: accessibility and the phone width ------------------------------------------------
// Every page the e2e screenshots is checked with axe-core (WCAG 2.x A and AA and best-practice
// rules): a serious or critical violation fails the run. phoneFlows() runs the main flows at 390 x 844.

/** Fails the run on a serious or critical axe-core violation of the page as it is now. */
async function accessibilityCheck(page, name) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  for (const violation of violations.filter((found) => found.impact === "serious" || found.impact === "critical")) {
    const targets = violation.nodes.slice(0, 3).map((node) => node.target.join(" "));
    problems.push(`${name}: accessibility ${violation.impact} ${violation.id} (${violation.nodes.length}x): ${targets.join("; ")}`);
  }
}

/** How many lines the header navigation takes. */
async function navLines(page) {
  return page.$$eval("header nav a", (links) => new Set(links.map((link) => Math.round(link.getBoundingClientRect().top))).size);
}

/** The titles of the drawn charts wider than their chart and not wrapped onto more lines (so cut). */
async function cutChartTitles(page) {
  return page.$$eval("[data-testid=chart] .chart", (charts) => {
    const context = document.createElement("canvas").getContext("2d");
    context.font = "600 13px sans-serif"; // the chart title's font (titlefit.ts)
    return charts
      .map((chart) => ({
        title: (chart.getAttribute("aria-label") ?? "").replace(/^\w+ chart: /, ""),
        room: chart.clientWidth - 16,
        lines: Number(chart.dataset.titleLines ?? "1"),
      }))
      .filter(({ title, room, lines }) => context.measureText(title).width > room * lines)
      .map(({ title, room, lines }) => `${title} (${room} px, ${lines} lines)`);
  });
}

/** The main flows at phone width: login, the query builder's run, the results and chart in view. */
async function phoneFlows() {
  await context.clearCookies();
  const page = await newPage("phone");
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(BASE + "/");
  await page.waitForSelector("#login-name");
  await screenshot(page, "phone-login");
  await page.fill("#login-name", "boss");
  await page.fill("#login-password", PASSWORD);
  await page.click("form.login button[type=submit]");
  await page.waitForSelector(`header .user:has-text("boss")`);
  // the admin has the most links: at most two lines of navigation
  const lines = await navLines(page);
  check(lines <= 2, `the navigation takes ${lines} lines at 390 px`);
  await page.goto(BASE + "/#/query?g=hospital,month&a=avg&t=2160-0");
  await page.waitForSelector("[data-testid=estimate]");
  await page.click(".run-controls button:has-text('Run')");
  await page.waitForSelector("[data-testid=results] table");
  await page.waitForSelector("[data-chart=line] canvas");
  const inView = () => {
    const box = document.querySelector(".flow > .output")?.getBoundingClientRect();
    return box !== undefined && box.top < window.innerHeight / 2 && box.bottom > window.innerHeight / 2;
  };
  await page.waitForFunction(inView, null, { timeout: 10_000 }).catch(() => {});
  const where = await page.evaluate(() => ({
    top: document.querySelector(".flow > .output")?.getBoundingClientRect().top,
    bottom: document.querySelector(".flow > .output")?.getBoundingClientRect().bottom,
    height: window.innerHeight,
    scrollY: window.scrollY,
    active: document.activeElement?.className,
  }));
  // the results fill the middle of the screen (a line of layout shift above them is tolerated)
  check(
    where.top < where.height / 2 && where.bottom > where.height / 2 && where.active === "output",
    "the results in view at 390 px: " + JSON.stringify(where),
  );
  check(
    await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
    "no horizontal overflow of the results at 390 px",
  );
  const cut = await cutChartTitles(page);
  check(cut.length === 0, "chart titles cut at 390 px: " + cut.join("; "));
  await screenshot(page, "phone-query-results");
  await logout(page);
}

async function main() {
  // MEDLAKE_E2E_ONLY=dashboards medlake-web/e2e/run.sh: the dashboards' checks alone (they need no other section)
  if (process.env.MEDLAKE_E2E_ONLY === "dashboards") {
    await dashboardFlows({ BASE, UPLOAD_FILE, UPLOAD_MONTH, login, logout, screenshot, check, navLinks, parseCsv });
    return;
  }
  // --- viewer: catalogue, query builder (URL state, estimate, numbers, chart, CSV), no SQL -------
  {
    const page = await login("viewer");
    check(
      JSON.stringify(await navLinks(page)) === JSON.stringify(["Catalogue", "Query builder", "Predefined", "Dashboards"]),
      "viewer navigation: " + (await navLinks(page)),
    );
    await page.waitForSelector("table.coverage");
    // the coverage heat-map: every cell a shade or a gap, a key, months sticky while it scrolls
    const cells = await page.$$eval("table.coverage tbody td", (tds) => tds.map((td) => td.className));
    check(
      cells.length > 0 && cells.every((name) => /\bheat-[1-5]\b|\bgap\b/.test(name)),
      "coverage cells shaded or marked as gaps: " + cells.slice(0, 3),
    );
    await page.waitForSelector("[data-testid=heat-legend]");
    const sticky = await page.$eval("table.coverage thead th", (th) => getComputedStyle(th).position);
    check(sticky === "sticky", "coverage months sticky: " + sticky);
    // snapshots collapsed under the latest, then a page at a time
    await page.waitForSelector("[data-testid=snapshots] summary");
    check(!(await page.$eval("[data-testid=snapshots]", (details) => details.open)), "snapshots collapsed");
    await page.click("[data-testid=snapshots] summary");
    await page.waitForSelector("caption:has-text('Snapshots of lab_results')");
    // snapshot ids exceed 2^53: the page must show them digit for digit (read from the raw JSON here)
    const raw = await (await page.request.get(BASE + "/api/v1/tables/lab_results/snapshots")).text();
    const ids = [...raw.matchAll(/"snapshot_id":(\d+)/g)].map((match) => match[1]);
    const shownIds = await page.$$eval("caption:has-text('Snapshots of') ~ tbody tr td:first-child code", (cells) =>
      cells.map((cell) => cell.textContent),
    );
    check(
      shownIds.length === Math.min(10, ids.length) && JSON.stringify(shownIds) === JSON.stringify([...ids].reverse().slice(0, 10)),
      `snapshot ids exact, newest first, 10 a page: ${shownIds[0]} of ${ids.length}`,
    );
    if (ids.length > 10) {
      await page.click("[data-testid=snapshots] button:has-text('Next')");
      await page.waitForSelector("[data-testid=snapshots] [data-testid=page-position]:has-text('11–')");
      const second = await page.$$eval("caption:has-text('Snapshots of') ~ tbody tr td:first-child code", (cells) =>
        cells.map((cell) => cell.textContent),
      );
      check(second[0] === [...ids].reverse()[10], "snapshots paged: " + second[0]);
    }
    await screenshot(page, "viewer-catalogue");

    await page.goto(BASE + "/#/query?g=hospital&a=count,patients");
    await page.waitForSelector("[data-testid=estimate]");
    check(await page.isChecked("fieldset.checks input[value=hospital]"), "group by hospital restored from the URL");
    check(!(await page.isChecked("fieldset.checks input[value=month]")), "month not grouped");
    await page.click(".run-controls button:has-text('Run')");
    await page.waitForSelector("[data-testid=results] table");
    await page.waitForSelector("[data-chart=bar] canvas");
    const shown = await tableRows(page, "[data-testid=results]");
    const answer = await api(page, "/api/v1/query", {
      query: {
        table: "lab_results",
        filters: [],
        group_by: [{ column: "hospital_id" }],
        aggregates: [{ function: "count" }, { function: "count_distinct_patients" }],
        order_by: [{ column: "hospital_id", direction: "asc" }],
        limit: 1000,
      },
    });
    check(answer.status === 200, "API query answered " + answer.status);
    check(
      shown.length === answer.body.result.rows.length && shown.length > 0,
      `table rows ${shown.length} vs API ${answer.body.result.rows.length}`,
    );
    answer.body.result.rows.forEach((row, i) => {
      check(
        shown[i][0] === row[0] && count(shown[i][1]) === row[1] && count(shown[i][2]) === row[2],
        `row ${i}: table ${shown[i]} vs API ${row}`,
      );
    });
    await screenshot(page, "viewer-query-bars");
    // the results are scrolled into view and hold the focus; the sticky panel says the run is done
    await page.waitForFunction(() => {
      const output = document.querySelector(".flow > .output");
      const box = output?.getBoundingClientRect();
      return output === document.activeElement && box !== undefined && box.top >= -1 && box.top < window.innerHeight / 2;
    });
    check(/^Done: \d+ rows? shown/.test(await page.textContent("[data-testid=run-status]")), "run status says done");

    const [download] = await Promise.all([page.waitForEvent("download"), page.click("button[data-format=csv]")]);
    const csv = parseCsv(readFileSync(await download.path(), "utf8"));
    check(csv[0].join(",") === "hospital_id,count,patients", "CSV header " + csv[0]);
    check(csv.length - 1 === answer.body.result.rows.length, "CSV rows " + (csv.length - 1));
    answer.body.result.rows.forEach((row, i) =>
      check(csv[i + 1][0] === row[0] && Number(csv[i + 1][1]) === row[1], `CSV row ${i}: ${csv[i + 1]} vs ${row}`),
    );
    await page.waitForSelector("text=your row cap is");

    // interactively: lines over months per hospital; the URL follows the form
    await page.check("fieldset.checks input[value=month]");
    await page.waitForFunction(() => location.hash.includes("g=hospital%2Cmonth") || location.hash.includes("g=hospital,month"));
    await page.click(".run-controls button:has-text('Run')");
    await page.waitForSelector("[data-chart=line] canvas");
    await screenshot(page, "viewer-query-lines");

    // the test picker: one entry per standard code, "creat" + Enter picks creatinine (2160-0), the
    // hospital and month pickers offer what is in the data
    await page.goto(BASE + "/#/query?g=hospital,month&a=avg");
    await page.waitForSelector("[data-testid=estimate]");
    await page.fill("#test-search", "creat");
    await page.waitForSelector("#test-search-suggestions button.suggestion");
    const offered = await page.$$eval("#test-search-suggestions button.suggestion", (buttons) =>
      buttons.map((button) => button.dataset.code),
    );
    check(new Set(offered).size === offered.length, "each test code offered once: " + offered);
    check(
      /\d[\d,]* rows?/.test(await page.textContent("#test-search-suggestions button.suggestion .secondary")),
      "row counts as secondary text",
    );
    await page.press("#test-search", "Enter");
    await page.waitForSelector(".chips .chip:has-text('2160-0')");
    await page.waitForFunction(() => /[?&]t=2160-0/.test(location.hash));
    check((await page.$$("fieldset.hospitals input[type=checkbox]")).length === 3, "one checkbox per hospital in the data");
    // the month inputs are bounded by the data; the last month with data, from its first to its last day
    const last = await page.getAttribute("#collected-from", "max");
    check(/^\d{4}-\d{2}$/.test(last ?? "") && (await page.getAttribute("#collected-to", "max")) === last, "month bounds: " + last);
    await page.fill("#collected-from", last);
    await page.fill("#collected-to", last);
    await page.waitForFunction(
      (month) => location.hash.includes("from=" + month + "-01") && location.hash.includes("to=" + month + "-"),
      last,
    );
    await page.click(".run-controls button:has-text('Run')");
    await page.waitForSelector("[data-testid=results] table");
    await screenshot(page, "viewer-query-creatinine");

    // a shared link opens in a new tab of the same browser without a login (the session is shared)
    const link = page.url();
    const tab = await newPage("viewer second tab");
    await tab.goto(link);
    await tab.waitForSelector("[data-testid=estimate]");
    check(!tab.url().includes("#/login"), "the shared link opened without the login page: " + tab.url());
    await tab.waitForSelector(".chips .chip:has-text('2160-0')");
    await tab.close();

    // a small group: cells below the threshold show as suppressed
    await page.goto(BASE + "/#/query?g=hospital,sex&a=count&vmin=200");
    await page.waitForSelector("[data-testid=estimate]");
    await page.click(".run-controls button:has-text('Run')");
    await page.waitForSelector("[data-testid=results] table");
    check((await page.$$("[data-testid=results] .suppressed")).length > 0, "suppressed cells marked");
    await screenshot(page, "viewer-query-suppressed");

    // phone width: no horizontal scrolling of the page itself
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(BASE + "/#/query");
    await page.waitForSelector("[data-testid=estimate]");
    check(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), "no horizontal overflow at 390 px");
    await screenshot(page, "viewer-phone-query");
    await page.goto(BASE + "/#/catalog");
    await page.waitForSelector("table.coverage");
    check(
      await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
      "no horizontal overflow of the catalogue at 390 px",
    );
    await screenshot(page, "viewer-phone-catalogue");
    await page.setViewportSize({ width: 1280, height: 900 });

    await page.goto(BASE + "/#/sql");
    await page.waitForSelector("text=Ad-hoc SQL is for analysts and admins");
    const refused = await api(page, "/api/v1/sql", { sql: "SELECT 1" });
    check(refused.status === 403, "viewer SQL answered " + refused.status);
    await screenshot(page, "viewer-sql-refused");
    await logout(page);
  }

  // --- analyst: SQL editor (estimate, run, history) and a predefined query ------------------------
  {
    const page = await login("analyst");
    check((await navLinks(page)).includes("SQL") && !(await navLinks(page)).includes("Admin"), "analyst navigation");
    await page.goto(BASE + "/#/sql");
    await page.fill("#sql-text", "SELECT hospital_id, count(*) AS results FROM lab_results GROUP BY hospital_id ORDER BY hospital_id");
    await page.click(".run-controls button:has-text('Estimate')");
    await page.waitForSelector("[data-testid=estimate]");
    check((await page.$$(".sql-highlight .tok-keyword")).length >= 4, "SQL highlighted");
    await page.click(".run-controls button:has-text('Run')");
    await page.waitForSelector("[data-testid=results] table");
    // the builder's flow: the results scrolled into view with the focus, the status in the sticky panel
    await page.waitForFunction(() => {
      const output = document.querySelector(".page-sql .flow > .output");
      const box = output?.getBoundingClientRect();
      return output === document.activeElement && box !== undefined && box.top >= -1 && box.top < window.innerHeight / 2;
    });
    check(/^Done: \d+ rows? shown/.test(await page.textContent(".page-sql [data-testid=run-status]")), "SQL run status says done");
    const rows = await tableRows(page, "[data-testid=results]");
    const answer = await api(page, "/api/v1/sql", {
      sql: "SELECT hospital_id, count(*) AS results FROM lab_results GROUP BY hospital_id ORDER BY hospital_id",
    });
    check(answer.status === 200 && rows.length === answer.body.result.rows.length, "SQL rows match the API");
    answer.body.result.rows.forEach((row, i) => check(rows[i][0] === row[0] && count(rows[i][1]) === row[1], `SQL row ${i}`));
    // estimate and answer on one definition of bytes scanned (docs/queries.md, "Cost control")
    const estimated = await page.$eval("[data-testid=estimate]", (estimate) =>
      [...estimate.querySelectorAll("dt")].find((dt) => dt.textContent === "Bytes to scan")?.nextElementSibling?.textContent.trim(),
    );
    const facts = await page.textContent("[data-testid=result-facts]");
    check(estimated && facts.includes(`${estimated} scanned`), `the estimated ${estimated} is what the answer scanned: ${facts}`);
    const h001 = {
      table: "lab_results",
      filters: [{ column: "hospital_id", op: "in", values: ["H001"] }],
      group_by: [{ column: "collected_at", bucket: "month" }],
      aggregates: [{ function: "avg", column: "value_canonical" }],
      limit: 1000,
    };
    const dry = await api(page, "/api/v1/query", { query: h001, dry_run: true });
    const ran = await api(page, "/api/v1/query", { query: h001 });
    check(
      dry.status === 200 &&
        ran.status === 200 &&
        dry.body.files < dry.body.total_files &&
        dry.body.files === ran.body.files_scanned &&
        dry.body.projected_bytes === ran.body.bytes_scanned &&
        ran.body.bytes_scanned < dry.body.bytes,
      `pruned estimate ${JSON.stringify(dry.body)} and answer ${ran.body.files_scanned} files, ${ran.body.bytes_scanned} bytes agree`,
    );
    await page.waitForSelector(".history li button:has-text('SELECT hospital_id')");
    await screenshot(page, "analyst-sql");

    await page.goto(BASE + "/#/predefined");
    await page.waitForSelector(".gallery li");
    await screenshot(page, "analyst-predefined-gallery");
    await page.click(".gallery a:has-text('Test summary')");
    await page.waitForSelector("form.param-form fieldset[data-param=hospitals] input[value=H001]");
    check(
      (await page.$$("form.param-form input[type=text], form.param-form input[type=date]")).length === 0,
      "no free-text or raw date fields",
    );
    await page.check("form.param-form fieldset[data-param=hospitals] input[value=H001]");
    await page.click(".run-controls button:has-text('Estimate')");
    await page.waitForSelector("[data-testid=estimate]");
    await page.click(".run-controls button:has-text('Run')");
    await page.waitForSelector("[data-testid=results] table");
    await page.waitForFunction(() => location.hash.includes("hospitals=H001"));
    await screenshot(page, "analyst-predefined-run");
    // the one-test form: the test picker takes a single test, replacing the default
    await page.goto(BASE + "/#/predefined/value-distribution");
    await page.waitForSelector("form.param-form fieldset[data-param=test] .chip:has-text('718-7')");
    await page.fill("form.param-form fieldset[data-param=test] input[type=search]", "creat");
    await page.press("form.param-form fieldset[data-param=test] input[type=search]", "Enter");
    await page.waitForSelector("form.param-form fieldset[data-param=test] .chip:has-text('2160-0')");
    check((await page.$$("form.param-form fieldset[data-param=test] .chip")).length === 1, "one test chosen");
    await page.waitForFunction(() => location.hash.includes("test=2160-0"));
    await page.click(".run-controls button:has-text('Run')");
    await page.waitForSelector("[data-testid=results] table");
    await screenshot(page, "analyst-predefined-distribution");

    // a logout in one tab logs the other tabs out too
    const other = await newPage("analyst second tab");
    await other.goto(BASE + "/#/predefined");
    await other.waitForSelector(".gallery li");
    await page.click("header button:has-text('Log out')");
    await other.waitForSelector("#login-name");
    await other.close();
    await page.waitForSelector("#login-name");
    await page.close();
  }

  // --- charts: measure and chart-type pickers, titles with test and unit, predefined charts, export --
  {
    const page = await login("analyst");
    const chartLabel = () => page.getAttribute("[data-testid=chart] .chart", "aria-label");
    // "mean creatinine per hospital per month": the mean is drawn without unticking anything
    await page.goto(BASE + "/#/query?t=2160-0&g=hospital,month&a=count,avg");
    await page.waitForSelector("[data-testid=estimate]");
    await page.click(".run-controls button:has-text('Run')");
    await page.waitForSelector("[data-chart=line] canvas");
    await page.waitForFunction(() =>
      /Creatinine/.test(document.querySelector("[data-testid=chart] .chart")?.getAttribute("aria-label") ?? ""),
    );
    const meanTitle = await chartLabel();
    check(
      /Mean value of Creatinine.*\(2160-0\).*mg\/dL.* by month and hospital/.test(meanTitle ?? ""),
      "mean creatinine chart title: " + meanTitle,
    );
    check(
      (await page.inputValue("[data-testid=chart] select[id^=chart-measure]")) === "avg_value_canonical",
      "mean is the default measure",
    );
    check((await page.inputValue("[data-testid=chart] select[id^=chart-kind]")) === "line", "lines are the default chart");
    await screenshot(page, "charts-mean-creatinine");
    await page.selectOption("[data-testid=chart] select[id^=chart-measure]", "count");
    await page.waitForFunction(() =>
      /^line chart: Results of /.test(document.querySelector("[data-testid=chart] .chart")?.getAttribute("aria-label") ?? ""),
    );
    await page.selectOption("[data-testid=chart] select[id^=chart-kind]", "bar");
    await page.waitForSelector("[data-chart=bar] canvas");
    await page.selectOption("[data-testid=chart] select[id^=chart-kind]", "table");
    await page.waitForSelector("[data-testid=chart] .chart-holder p.status");
    check((await page.$$("[data-testid=chart] .chart")).length === 0, "table only draws no chart");
    await page.selectOption("[data-testid=chart] select[id^=chart-kind]", "line");
    await page.waitForSelector("[data-chart=line] canvas");
    // export: a PNG and an SVG file of the chart
    await page.waitForSelector("button[data-export=png]");
    const [png] = await Promise.all([page.waitForEvent("download"), page.click("button[data-export=png]")]);
    const pngBytes = readFileSync(await png.path());
    check(
      png.suggestedFilename().endsWith(".png") && pngBytes.subarray(1, 4).toString() === "PNG",
      "PNG export " + png.suggestedFilename(),
    );
    const [svg] = await Promise.all([page.waitForEvent("download"), page.click("button[data-export=svg]")]);
    const svgText = readFileSync(await svg.path(), "utf8");
    check(
      svg.suggestedFilename().endsWith(".svg") && svgText.includes("<svg") && svgText.includes("Creatinine"),
      "SVG export " + svg.suggestedFilename(),
    );

    // every shipped predefined query draws its intended chart
    const intended = {
      "value-distribution": "histogram",
      "abnormal-trend": "line",
      "monthly-volume": "line",
      "delivery-completeness": "line",
      "test-summary": "box",
    };
    for (const [name, kind] of Object.entries(intended)) {
      await page.goto(BASE + "/#/predefined/" + name);
      await page.waitForSelector("[data-testid=estimate]");
      await page.click(".run-controls button:has-text('Run')");
      await page.waitForSelector(`[data-testid=results] [data-chart=${kind}] canvas`);
      await screenshot(page, "charts-predefined-" + name);
    }
    await page.goto(BASE + "/#/predefined/value-distribution");
    await page.waitForSelector("[data-testid=estimate]");
    await page.click(".run-controls button:has-text('Run')");
    await page.waitForSelector("[data-chart=histogram] canvas");
    await page.waitForFunction(() =>
      /Hemoglobin/.test(document.querySelector("[data-testid=chart] .chart")?.getAttribute("aria-label") ?? ""),
    );

    // SQL: a strftime month is a time axis, a constant column no axis; one value is a single number
    await page.goto(BASE + "/#/sql");
    await page.fill(
      "#sql-text",
      "SELECT 'lab' AS source, hospital_id, strftime(date_trunc('month', collected_at), '%Y-%m') AS m, count(*) AS n FROM lab_results GROUP BY ALL ORDER BY ALL",
    );
    await page.click(".run-controls button:has-text('Run')");
    await page.waitForSelector("[data-chart=line] canvas");
    await page.fill("#sql-text", "SELECT count(*) AS n FROM lab_results");
    await page.click(".run-controls button:has-text('Run')");
    await page.waitForSelector("[data-chart=number] .number");
    await screenshot(page, "charts-single-number");
    await logout(page);
  }

  // --- uploader: drag and drop a file, watch the run finish, read its rejects ---------------------
  {
    const page = await login("uploader");
    check(JSON.stringify(await navLinks(page)) === JSON.stringify(["Ingestion"]), "uploader navigation: " + (await navLinks(page)));
    await page.waitForSelector(".dropzone");
    await page.waitForSelector("caption:has-text('Ingestion runs')");
    await page.fill("input[type=month]", UPLOAD_MONTH);
    const content = readFileSync(UPLOAD_FILE, "utf8");
    const transfer = await page.evaluateHandle((text) => {
      const data = new DataTransfer();
      data.items.add(new File([text], "lab_results_upload.csv", { type: "text/csv" }));
      return data;
    }, content);
    await page.dispatchEvent(".dropzone", "drop", { dataTransfer: transfer });
    await page.waitForSelector("text=lab_results_upload.csv");
    await page.click("form.upload button[type=submit]");
    await page.waitForSelector("[data-testid=upload-status] progress");
    await page.waitForSelector("[data-testid=upload-done]", { timeout: 180_000 });
    const done = await page.textContent("[data-testid=upload-done]");
    check(/finished: succeeded/.test(done), "upload run: " + done);
    check((await page.getAttribute("[data-testid=upload-done]", "data-tone")) === "success", "a run that stored rows reads as a success");
    const fileRows = await page.textContent("[data-testid=upload-status] [data-testid=file-rows]");
    const readRows = await page.textContent("[data-testid=upload-status] [data-testid=read-rows]");
    const [file, read, filtered] = fileRows.match(/[\d,]+/g).map(count);
    const [read2, accepted, rejected] = readRows.match(/[\d,]+/g).map(count);
    check(
      file === read + filtered && read === read2 && read === accepted + rejected,
      `row accounting as the contract: ${fileRows}; ${readRows}`,
    );
    check(
      /✓/.test(readRows) && !(await page.$("[data-testid=upload-status] [data-testid=run-accounting] .error-text")),
      "no false mismatch: " + readRows,
    );
    await screenshot(page, "uploader-upload-done");
    await page.click("[data-testid=upload-done] a");
    await page.waitForSelector("text=Rejected rows by reason");
    // the upload is generated with dirty rows: each reason explained, with a fix hint, the field to
    // check and samples; rows that fit the file's header are shown under it, the failing cell marked
    await page.waitForSelector("details.reason[open]");
    await page.waitForSelector("table.reject-cells", { state: "attached" });
    const reasons = await page.$$eval("details.reason", (blocks) =>
      blocks.map((block) => ({
        code: block.querySelector("summary code").textContent,
        summary: block.querySelector("summary").textContent,
        fix: block.querySelector("[data-testid=reject-fix]").textContent,
        header: [...block.querySelectorAll("thead th")].map((th) => th.textContent),
        cells: block.querySelector("table.reject-cells") !== null,
        headerMarked: block.querySelectorAll("thead mark.failing").length,
        rows: block.querySelectorAll("tbody tr").length,
        cellsMarked: block.querySelectorAll("tbody td.failing-cell mark.failing").length,
        reasonsMarked: block.querySelectorAll("tbody mark.failing").length,
      })),
    );
    check(reasons.length >= 1, "rejects grouped by reason: " + reasons.length);
    check(
      reasons.every((reason) => /^[A-Z_]+ [\d,]+ rows?: \S/.test(reason.summary) && reason.fix.length > 10),
      "every reason explained with a fix hint: " + JSON.stringify(reasons[0]),
    );
    check(
      reasons.every(
        (reason) =>
          reason.header[0] === "Line" &&
          (reason.cells ? reason.header.at(-1) === "Reasons" : reason.header.join("|") === "Line|Reasons|Row as delivered") &&
          reason.reasonsMarked >= reason.rows,
      ),
      "samples under a header row with the reason marked: " + JSON.stringify(reasons.map((reason) => reason.header.slice(0, 3))),
    );
    const fieldReasons = ["MISSING_PATIENT_ID", "MISSING_COLLECTED_AT", "INVALID_COLLECTED_AT", "IMPLAUSIBLE_VALUE"];
    const underHeader = reasons.filter((reason) => reason.cells && fieldReasons.includes(reason.code));
    check(
      underHeader.length >= 1 && underHeader.every((reason) => reason.headerMarked === 1 && reason.cellsMarked === reason.rows),
      "rows under the file's header with the failing field marked: " + JSON.stringify(underHeader.map((reason) => reason.code)),
    );
    const href = await page.getAttribute("[data-testid=rejects-download]", "href");
    const report = await page.request.get(BASE + href);
    const reportRows = parseCsv(await report.text());
    const runId = /runs\/([^/?]+)/.exec(page.url())[1];
    const run = await (await page.request.get(BASE + "/api/v1/runs/" + runId)).json();
    check(
      report.ok() && reportRows[0].join(",") === "line_number,reason_codes,raw_line" && reportRows.length - 1 === run.rows_rejected,
      `download of all rejects: ${reportRows.length - 1} rows for ${run.rows_rejected} rejected`,
    );
    await screenshot(page, "uploader-run-rejects");

    // the same rows with an impossible birth year (INVALID_BIRTH_YEAR, a rule that is always on), for
    // a month without data: every row rejected, so the run is held, never green
    const [header, ...records] = parseCsv(content).filter((row) => row.length > 1);
    const birthYear = header.indexOf("birth_year");
    check(birthYear >= 0, "the upload has a birth_year column: " + header);
    const quote = (value) => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
    const rejectedText = [header, ...records.map((row) => row.map((value, i) => (i === birthYear ? "1800" : value)))]
      .map((row) => row.map(quote).join(","))
      .join("\n");
    await page.goto(BASE + "/#/runs");
    await page.waitForSelector(".dropzone");
    await page.fill("input[type=month]", REJECTED_MONTH);
    const allRejected = await page.evaluateHandle((text) => {
      const data = new DataTransfer();
      data.items.add(new File([text + "\n"], "lab_results_all_rejected.csv", { type: "text/csv" }));
      return data;
    }, rejectedText);
    await page.dispatchEvent(".dropzone", "drop", { dataTransfer: allRejected });
    await page.waitForSelector("text=lab_results_all_rejected.csv");
    await page.click("form.upload button[type=submit]");
    await page.waitForSelector("[data-testid=upload-done]", { timeout: 180_000 });
    const heldDone = await page.textContent("[data-testid=upload-done]");
    check(/finished: held/.test(heldDone), "a 100 % rejected upload is held: " + heldDone);
    check((await page.getAttribute("[data-testid=upload-done]", "data-tone")) === "warning", "a held upload is not a success");
    check(!(await page.$("[data-testid=upload-status] .badge-succeeded")), "a held run has no green badge");
    heldRunId = (await page.getAttribute("[data-testid=upload-done] a", "href")).split("/").pop();
    await page.waitForSelector(`[data-testid=held-runs] a:has-text('${heldRunId}')`);
    await screenshot(page, "uploader-held");
    await logout(page);
    check((await fetch(BASE + href)).status === 401, "the rejects download needs a session");
  }

  // --- admin, logged in by keyboard: users, tokens, audit log with filters, runs ------------------
  {
    const page = await login("boss", { keyboard: true });
    check((await navLinks(page)).join(",") === "Catalogue,Query builder,Predefined,Dashboards,SQL,Ingestion,Admin", "admin navigation");
    await page.goto(BASE + "/#/admin/users");
    await page.waitForSelector("caption:has-text('Users')");
    // what each role may do: a table on the page, and the chosen role's line under the role picker
    const roles = await tableRows(page, ".page-admin .roles");
    check(
      roles.map((row) => row[0]).join(",") === "admin,analyst,viewer,uploader" && roles.every((row) => row[1].length > 40),
      "roles explained: " + roles.map((row) => row[0]),
    );
    await page.selectOption("form[aria-label='Add a user'] select", "uploader");
    check(
      (await page.textContent("form[aria-label='Add a user'] .hint")).startsWith("For its one hospital only"),
      "the uploader role explained under the picker",
    );
    await screenshot(page, "admin-users");
    await page.goto(BASE + "/#/admin/tokens");
    // the token's user is picked among the existing users, not typed
    const tokenUser = "form[aria-label='Create an API token'] select";
    await page.waitForSelector(tokenUser + ":not([disabled])");
    const pickable = await page.$$eval(tokenUser + " option", (options) => options.map((option) => option.value).filter(Boolean));
    const users = await page.evaluate(async () =>
      (await (await fetch("/api/v1/users")).json()).filter((user) => user.enabled).map((user) => user.name),
    );
    check(
      pickable.length > 0 && [...pickable].sort().join(",") === [...users].sort().join(","),
      `token users are the enabled users: ${pickable} vs ${users}`,
    );
    await page.click("form[aria-label='Create an API token'] button[type=submit]");
    await page.waitForSelector("text=Choose the user the token is for.");
    await page.selectOption(tokenUser, "analyst");
    await page.fill("form[aria-label='Create an API token'] input >> nth=0", "e2e");
    await page.click("form[aria-label='Create an API token'] button[type=submit]");
    await page.waitForSelector("code.secret");
    check(/^mlk_/.test(await page.textContent("code.secret")), "token secret shown once");
    await page.waitForSelector("caption:has-text('API tokens')");
    await screenshot(page, "admin-tokens");
    await page.goto(BASE + "/#/admin/audit");
    await page.selectOption("form[aria-label='Audit filters'] select >> nth=0", "upload");
    await page.click("form[aria-label='Audit filters'] button[type=submit]");
    await page.waitForFunction(() => location.hash.includes("action=upload"));
    await page.waitForSelector("caption:has-text('Audit events')");
    // the unfiltered table stays on the page until the filtered answer arrives: wait for it to be
    // replaced (a slow machine showed the old rows), then check what it shows
    await page
      .waitForFunction(
        () => [...document.querySelectorAll(".page-admin tbody tr")].every((row) => row.cells[4]?.textContent.trim() === "upload"),
        null,
        { timeout: 15000 },
      )
      .catch(() => {});
    const audit = await tableRows(page, ".page-admin");
    check(audit.length >= 1 && audit.every((row) => row[4] === "upload"), "audit filtered by action: " + audit.map((row) => row[4]));
    check(
      audit.some((row) => row[1] === "uploader"),
      "the upload is in the audit log",
    );
    await screenshot(page, "admin-audit");
    // unfiltered, the audit log is shown 25 events a page, long details collapsed
    await page.selectOption("form[aria-label='Audit filters'] select >> nth=0", "");
    await page.click("form[aria-label='Audit filters'] button[type=submit]");
    await page.waitForFunction(() => !location.hash.includes("action="));
    await page.waitForSelector(".page-admin [data-testid=page-position]");
    const position = await page.textContent(".page-admin [data-testid=page-position]");
    const auditAll = await tableRows(page, ".page-admin");
    check(/^1–\d+ of [\d,]+$/.test(position) && auditAll.length <= 25, `audit paged: ${position}, ${auditAll.length} rows`);
    check(heldRunId !== undefined, "the uploader's held run is known");
    await page.goto(BASE + "/#/runs/" + heldRunId);
    const heldBadge = page.locator("[data-testid=run-accounting] .badge");
    await heldBadge.waitFor();
    check(
      (await heldBadge.getAttribute("class")).includes("badge-held"),
      "the held run's badge: " + (await heldBadge.getAttribute("class")),
    );
    page.once("dialog", (dialog) => void dialog.accept());
    await page.click(`[data-testid=approve-${heldRunId}]`);
    await page.waitForFunction((held) => /^#\/runs\/./.test(location.hash) && !location.hash.endsWith(held), heldRunId);
    const approvedBadge = page.locator("[data-testid=run-accounting] .badge");
    await approvedBadge.waitFor();
    const approvedText = (await approvedBadge.textContent()).trim();
    const approvedClass = await approvedBadge.getAttribute("class");
    check(
      approvedText === "succeeded, 0 rows stored" && !approvedClass.includes("badge-succeeded"),
      `an approved 100 % rejected run is not green: ${approvedText} (${approvedClass})`,
    );
    await screenshot(page, "admin-approved-empty-run");
    // the demo's lake of past data pins schedules.completeness-month to its newest month: no
    // "No delivery for <this month>" banner (issue 19, point 7)
    const missingResponse = page.waitForResponse((response) => response.url().includes("/api/v1/deliveries/missing"));
    await page.goto(BASE + "/#/runs");
    const missingDeliveries = await (await missingResponse).json();
    check(missingDeliveries.length === 0, "the demo expects its own newest month: " + JSON.stringify(missingDeliveries));
    await page.waitForSelector("caption:has-text('Ingestion runs')");
    const missingBanner = await page.textContent("[data-testid=missing-deliveries]");
    check(!missingBanner.includes("No delivery for"), "no missing-delivery banner for demo data: " + missingBanner);
    // the runs list filtered by hospital and status
    await page.selectOption("[data-testid=runs-filter-hospital]", "H001");
    const runsH001 = await tableRows(page, ".page-runs");
    check(
      runsH001.length >= 1 && runsH001.every((row) => row[1] === "H001"),
      "runs filtered by hospital: " + runsH001.map((row) => row[1]),
    );
    await page.selectOption("[data-testid=runs-filter-status]", "SUCCEEDED");
    const succeeded = await tableRows(page, ".page-runs");
    check(
      succeeded.length >= 1 && succeeded.every((row) => row[1] === "H001" && /succeeded/i.test(row[3])),
      "runs filtered by hospital and status: " + succeeded.map((row) => row[3]),
    );
    // the filters are in the URL: a reload (or a shared link) shows the same filtered list
    await page.waitForFunction(() => location.hash === "#/runs?hospital=H001&status=SUCCEEDED");
    await page.reload();
    await page.waitForSelector("caption:has-text('Ingestion runs')");
    check(
      (await page.inputValue("[data-testid=runs-filter-hospital]")) === "H001" &&
        (await page.inputValue("[data-testid=runs-filter-status]")) === "SUCCEEDED",
      "the run filters survive a reload",
    );
    const reloaded = await tableRows(page, ".page-runs");
    check(
      reloaded.length === succeeded.length && reloaded.every((row) => row[1] === "H001" && /succeeded/i.test(row[3])),
      "the reloaded list is filtered: " + reloaded.map((row) => row[1] + " " + row[3]),
    );
    await page.selectOption("[data-testid=runs-filter-hospital]", "");
    await page.selectOption("[data-testid=runs-filter-status]", "");
    await page.waitForFunction(() => location.hash === "#/runs");
    await screenshot(page, "admin-runs");
    // an API path nobody routes answers the JSON error body, not a plain-text 404
    // (with the page's session, outside the page: a 404 in the page is a console error)
    const unknownResponse = await page.request.get(BASE + "/api/v1/nope");
    const unknown = {
      status: unknownResponse.status(),
      type: unknownResponse.headers()["content-type"] ?? "",
      body: await unknownResponse.text(),
    };
    check(
      unknown.status === 404 &&
        unknown.type.startsWith("application/json") &&
        JSON.parse(unknown.body).code === "NOT_FOUND" &&
        JSON.parse(unknown.body).message === "No such endpoint: GET /api/v1/nope",
      "an unknown API path answers JSON: " + JSON.stringify(unknown),
    );
    await logout(page);
  }

  await phoneFlows();

  await dashboardFlows({ BASE, UPLOAD_FILE, UPLOAD_MONTH, login, logout, screenshot, check, navLinks, parseCsv });

  // --- logged out: the login page, and a wrong password --------------------------------------------
  {
    await context.clearCookies();
    const page = await newPage("anonymous");
    await page.goto(BASE + "/#/query?g=hospital");
    await page.waitForSelector("#login-name");
    check(page.url().includes("next="), "a deep link is kept for after the login");
    await screenshot(page, "login");
    await page.fill("#login-name", "viewer");
    await page.fill("#login-password", "not-the-password");
    await page.click("form.login button[type=submit]");
    await page.waitForSelector("form.login [role=alert]:has-text('Wrong user name or password')");
    problems.splice(
      0,
      problems.length,
      ...problems.filter(
        (problem) => !/^anonymous: console error: Failed to load resource: the server responded with a status of 401/.test(problem),
      ),
    ); // the refused login's own 401
    await page.fill("#login-password", PASSWORD);
    await page.click("form.login button[type=submit]");
    await page.waitForFunction(() => location.hash.startsWith("#/query"));
    await page.waitForSelector("[data-testid=estimate]");
    check(await page.isChecked("fieldset.checks input[value=hospital]"), "after the login the deep link's query is restored");
    await page.close();
  }
}

try {
  await main();
} catch (error) {
  problems.push(String(error instanceof Error ? (error.stack ?? error.message) : error));
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
if (problems.length > 0) {
  console.error("e2e: failed:\n  " + problems.join("\n  "));
  process.exit(1);
}
console.log(`e2e: all checks passed; ${shot} screenshots in ${SHOTS}`);
