// End-to-end test of the web app in Debian's Chromium (playwright-core, no downloaded browser)
// against a real `medlake serve` on demo data; started by e2e/run.sh. Fails on any console error
// or page error, saves a screenshot of every page into $MEDLAKE_E2E_SCREENSHOTS.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const BASE = required("MEDLAKE_E2E_URL");
const PASSWORD = required("MEDLAKE_E2E_PASSWORD");
const UPLOAD_FILE = required("MEDLAKE_E2E_UPLOAD_FILE");
const UPLOAD_MONTH = required("MEDLAKE_E2E_UPLOAD_MONTH");
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
  const csrf = await page.evaluate(() => sessionStorage.getItem("medlake.csrf"));
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

async function main() {
  // --- viewer: catalogue, query builder (URL state, estimate, numbers, chart, CSV), no SQL -------
  {
    const page = await login("viewer");
    check(
      JSON.stringify(await navLinks(page)) === JSON.stringify(["Catalogue", "Query builder", "Predefined"]),
      "viewer navigation: " + (await navLinks(page)),
    );
    await page.waitForSelector("table.coverage");
    await page.waitForSelector("text=Snapshots of");
    await page.waitForSelector("caption:has-text('Snapshots of lab_results')");
    // snapshot ids exceed 2^53: the page must show them digit for digit (read from the raw JSON here)
    const raw = await (await page.request.get(BASE + "/api/v1/tables/lab_results/snapshots")).text();
    const ids = [...raw.matchAll(/"snapshot_id":(\d+)/g)].map((match) => match[1]);
    const shownIds = await page.$$eval("caption:has-text('Snapshots of') ~ tbody tr td:first-child code", (cells) =>
      cells.map((cell) => cell.textContent),
    );
    check(ids.length > 0 && ids.every((id) => shownIds.includes(id)), `snapshot ids exact: ${ids[0]} in ${shownIds.slice(0, 2)}`);
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
    const rows = await tableRows(page, "[data-testid=results]");
    const answer = await api(page, "/api/v1/sql", {
      sql: "SELECT hospital_id, count(*) AS results FROM lab_results GROUP BY hospital_id ORDER BY hospital_id",
    });
    check(answer.status === 200 && rows.length === answer.body.result.rows.length, "SQL rows match the API");
    answer.body.result.rows.forEach((row, i) => check(rows[i][0] === row[0] && count(rows[i][1]) === row[1], `SQL row ${i}`));
    await page.waitForSelector(".history li button:has-text('SELECT hospital_id')");
    await screenshot(page, "analyst-sql");

    await page.goto(BASE + "/#/predefined");
    await page.waitForSelector(".gallery li");
    await screenshot(page, "analyst-predefined-gallery");
    await page.click(".gallery a:has-text('Test summary')");
    await page.waitForSelector("form.param-form input[name=hospitals]");
    await page.fill("form.param-form input[name=hospitals]", "H001");
    await page.click(".run-controls button:has-text('Estimate')");
    await page.waitForSelector("[data-testid=estimate]");
    await page.click(".run-controls button:has-text('Run')");
    await page.waitForSelector("[data-testid=results] table");
    await page.waitForFunction(() => location.hash.includes("hospitals=H001"));
    await screenshot(page, "analyst-predefined-run");
    await logout(page);
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
    const accounting = await page.textContent("[data-testid=upload-status] [data-testid=run-accounting]");
    check(/read = .* accepted \+ .* rejected \+ .* filtered ✓/.test(accounting), "row accounting adds up: " + accounting);
    await screenshot(page, "uploader-upload-done");
    await page.click("[data-testid=upload-done] a");
    await page.waitForSelector("text=Rejected rows by reason");
    await page.waitForSelector("details.reason, p:has-text('No rows were rejected.')");
    const first = await page.$("details.reason summary");
    if (first) {
      await first.click();
    }
    await screenshot(page, "uploader-run-rejects");
    await logout(page);
  }

  // --- admin, logged in by keyboard: users, tokens, audit log with filters, runs ------------------
  {
    const page = await login("boss", { keyboard: true });
    check((await navLinks(page)).join(",") === "Catalogue,Query builder,Predefined,SQL,Ingestion,Admin", "admin navigation");
    await page.goto(BASE + "/#/admin/users");
    await page.waitForSelector("caption:has-text('Users')");
    await screenshot(page, "admin-users");
    await page.goto(BASE + "/#/admin/tokens");
    await page.fill("form[aria-label='Create an API token'] input >> nth=0", "analyst");
    await page.fill("form[aria-label='Create an API token'] input >> nth=1", "e2e");
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
    await page.goto(BASE + "/#/runs");
    await page.waitForSelector("caption:has-text('Ingestion runs')");
    await screenshot(page, "admin-runs");
    await logout(page);
  }

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
