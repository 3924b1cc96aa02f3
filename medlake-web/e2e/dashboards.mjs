// Dashboards end to end (issue 20 point 1), called by e2e.mjs with its helpers: the demo's "Lab
// overview" draws every tile for a viewer; an analyst builds,
// saves and shares a dashboard, edits it (a second version); a viewer reloads it under its own role,
// filters it (the filters in the URL survive a reload), exports a tile as PNG, SVG and CSV and sees
// the print layout; a private dashboard stays the analyst's; an admin restores the first version
// and sees the tiles rerun only when a new snapshot lands.
import { readFileSync } from "node:fs";

const NAME = "E2E lab overview";

/** Waits until every tile of the open dashboard has run {@code runs} times (and is not running). */
async function tilesRun(page, runs) {
  await page.waitForFunction((wanted) => {
    const tiles = [...document.querySelectorAll("article.tile")];
    return tiles.length > 0 && tiles.every((tile) => Number(tile.dataset.runs) >= wanted && !tile.hasAttribute("aria-busy"));
  }, runs);
}

async function runsOf(page) {
  return page.$$eval("article.tile", (tiles) => tiles.map((tile) => Number(tile.dataset.runs)));
}

/** Adds a tile in the editor. */
async function addTile(page, { title, groups, aggregates, test, chart, width, predefined }) {
  await page.fill("#tile-title", title);
  if (predefined) {
    await page.check("#tile-source-predefined");
    await page.selectOption("#tile-predefined", predefined);
  } else {
    await page.check("#tile-source-structured");
    for (const box of await page.$$(".tile-groups input")) {
      const value = await box.getAttribute("value");
      await (groups.includes(value) ? box.check() : box.uncheck());
    }
    for (const box of await page.$$(".tile-aggregates input")) {
      const value = await box.getAttribute("value");
      await (aggregates.includes(value) ? box.check() : box.uncheck());
    }
    if (test) {
      await page.fill("#tile-tests", test);
      await page.press("#tile-tests", "Enter");
    }
  }
  await page.selectOption("#tile-chart", chart);
  await page.selectOption("#tile-width", String(width));
  await page.click("button[data-action=add-tile]");
  await page.waitForSelector(`.add-status :text("Added '${title}'")`);
}

export async function dashboardFlows({ BASE, UPLOAD_FILE, UPLOAD_MONTH, login, logout, screenshot, check, navLinks, parseCsv }) {
  let id;
  // --- analyst: build, save and share; edit (version 2); a private one ---------------------------
  {
    const page = await login("analyst");
    check((await navLinks(page)).includes("Dashboards"), "analyst navigation has Dashboards: " + (await navLinks(page)));
    await page.goto(BASE + "/#/dashboards");
    await page.click("a:has-text('New dashboard')");
    await page.waitForSelector("#tile-title");
    await page.fill("#dashboard-name", NAME);
    await page.fill("#dashboard-description", "Volumes and a test over time, for every role");
    await page.check("#sharing-roles");
    await page.check(".share-roles input[value=viewer]");
    await addTile(page, { title: "Volumes per hospital", groups: ["hospital"], aggregates: ["count"], chart: "bar", width: 1 });
    await addTile(page, { title: "Creatinine by month", groups: ["month"], aggregates: ["avg"], test: "2160-0", chart: "line", width: 2 });
    await addTile(page, { title: "Results", groups: [], aggregates: ["count"], chart: "number", width: 1 });
    await addTile(page, { title: "Monthly volume", predefined: "monthly-volume", chart: "table", width: 2 });
    check((await page.$$(".tile-list li[data-tile]")).length === 4, "four tiles in the editor");
    await screenshot(page, "dashboard-editor");
    await page.click("form.dashboard-editor button[type=submit]");
    await page.waitForFunction(() => /^#\/dashboards\/\d+$/.test(location.hash));
    id = Number(/dashboards\/(\d+)/.exec(page.url())[1]);
    await tilesRun(page, 1);
    await page.waitForSelector("[data-tile=volumes-per-hospital] [data-chart=bar] canvas");
    await page.waitForSelector("[data-tile=creatinine-by-month] [data-chart=line] canvas");
    await page.waitForSelector("[data-tile=results] [data-chart=number]");
    await page.waitForSelector("[data-tile=monthly-volume] table.data tbody tr");
    const wide = await page.$eval("[data-tile=creatinine-by-month]", (tile) => tile.classList.contains("tile-wide"));
    check(wide, "a width-2 tile spans the grid");
    check((await page.textContent("[data-dashboard] .meta")).includes("shared with viewer"), "the dashboard says whom it is shared with");
    await screenshot(page, "dashboard-analyst");

    // edit: the number tile becomes a bar chart; the save is version 2
    await page.click(".dashboard-actions a:has-text('Edit')");
    await page.waitForSelector("#edit-tile-results-chart");
    await page.selectOption("#edit-tile-results-chart", "bar");
    await page.click("form.dashboard-editor button[type=submit]");
    await page.waitForFunction(() => /^#\/dashboards\/\d+$/.test(location.hash));
    await page.waitForSelector("[data-dashboard][data-version='2']");
    await tilesRun(page, 1);
    await page.waitForSelector("[data-tile=results] [data-chart=bar] canvas");

    // a private dashboard: the viewer will not see it
    await page.goto(BASE + "/#/dashboards/new");
    await page.waitForSelector("#tile-title");
    await page.fill("#dashboard-name", "E2E private notes");
    await page.check("#sharing-private");
    await addTile(page, { title: "Volumes", groups: ["month"], aggregates: ["count"], chart: "line", width: 1 });
    await page.click("form.dashboard-editor button[type=submit]");
    await page.waitForFunction(() => /^#\/dashboards\/\d+$/.test(location.hash));
    await tilesRun(page, 1);
    await page.goto(BASE + "/#/dashboards");
    await page.waitForSelector(`caption:has-text('Dashboards you may open')`);
    const mine = await page.$$eval("table.data tbody tr td:first-child", (cells) => cells.map((cell) => cell.textContent));
    check(mine.includes(NAME) && mine.includes("E2E private notes"), "the analyst lists both dashboards: " + mine);
    await screenshot(page, "dashboards-list");
    await logout(page);
  }

  // --- viewer: reload as another role, filter, export, print -------------------------------------
  {
    const page = await login("viewer");
    check((await navLinks(page)).includes("Dashboards"), "viewer navigation has Dashboards");
    await page.goto(BASE + "/#/dashboards");
    await page.waitForSelector(`caption:has-text('Dashboards you may open')`);
    const listed = await page.$$eval("table.data tbody tr td:first-child", (cells) => cells.map((cell) => cell.textContent));
    check(listed.includes(NAME) && !listed.includes("E2E private notes"), "the viewer sees the shared dashboard only: " + listed);
    check(!(await page.$("a:has-text('New dashboard')")), "a viewer builds no dashboards");

    // the demo's dashboard (`medlake demo`): every tile drawn as saved, none refused
    check(listed.includes("Lab overview"), "the demo dashboard is listed: " + listed);
    await page.click("a:text-is('Lab overview')");
    await tilesRun(page, 1);
    const refused = await page.$$eval("article.tile [role=alert]", (alerts) => alerts.map((alert) => alert.textContent));
    check(refused.length === 0, "the demo dashboard's tiles run for a viewer: " + refused.join("; "));
    for (const [tile, chart] of [
      ["volumes", "line"],
      ["top-tests", "bar"],
      ["distribution", "histogram"],
      ["abnormal", "bar"],
    ]) {
      await page.waitForSelector(`[data-tile=${tile}] [data-chart=${chart}] canvas`);
    }
    await screenshot(page, "dashboard-demo-viewer");
    await page.goto(BASE + "/#/dashboards");
    await page.waitForSelector(`caption:has-text('Dashboards you may open')`);
    await page.click(`a:has-text('${NAME}')`);
    await tilesRun(page, 1);
    check(!(await page.$(".dashboard-actions a:has-text('Edit')")), "a viewer cannot edit");

    // filter: one hospital; the URL holds it, a reload keeps it, the tiles get it
    await page.check(".dashboard-filters fieldset.hospitals input[value=H001]");
    await page.click("form[aria-label='Dashboard filters'] button[type=submit]");
    await page.waitForFunction(() => location.hash.includes("f=1") && location.hash.includes("h=H001"));
    await tilesRun(page, 1);
    await page.reload();
    await tilesRun(page, 1);
    check(
      (await page.textContent("[data-testid=filters-applied]")).includes("hospitals H001"),
      "the filter survives a reload: " + (await page.textContent("[data-testid=filters-applied]")),
    );
    const [csv] = await Promise.all([
      page.waitForEvent("download"),
      page.click("[data-tile=volumes-per-hospital] button[data-export=csv]"),
    ]);
    check(csv.suggestedFilename() === "volumes-per-hospital.csv", "CSV name: " + csv.suggestedFilename());
    const rows = parseCsv(readFileSync(await csv.path(), "utf8"));
    // (a viewer's answer also has the patient count the small-cell rule is checked on)
    check(rows[0].slice(0, 2).join(",") === "hospital_id,count", "CSV header: " + rows[0]);
    check(rows.length === 2 && rows[1][0] === "H001", "the filtered tile has hospital H001 only: " + JSON.stringify(rows));
    const [png] = await Promise.all([
      page.waitForEvent("download"),
      page.click("[data-tile=volumes-per-hospital] button[data-export=png]"),
    ]);
    const pngBytes = readFileSync(await png.path());
    check(png.suggestedFilename() === "volumes-per-hospital.png" && pngBytes.subarray(1, 4).toString() === "PNG", "PNG export");
    const [svg] = await Promise.all([page.waitForEvent("download"), page.click("[data-tile=creatinine-by-month] button[data-export=svg]")]);
    check(readFileSync(await svg.path(), "utf8").includes("<svg"), "SVG export");
    await screenshot(page, "dashboard-viewer-filtered");

    // print: no navigation, filters or buttons; every tile
    await page.emulateMedia({ media: "print" });
    const printed = await page.evaluate(() => ({
      header: getComputedStyle(document.querySelector("header.top")).display,
      filters: getComputedStyle(document.querySelector("form[aria-label='Dashboard filters']")).display,
      tiles: [...document.querySelectorAll("article.tile")].filter((tile) => getComputedStyle(tile).display !== "none").length,
    }));
    check(printed.header === "none" && printed.filters === "none" && printed.tiles === 4, "print layout: " + JSON.stringify(printed));
    await page.screenshot({ path: `${process.env.MEDLAKE_E2E_SCREENSHOTS}/dashboard-print.png`, fullPage: true });
    await page.emulateMedia({ media: "screen" });

    // history: readable, but no restore for a viewer
    await page.click(".dashboard-actions a:has-text('History')");
    await page.waitForSelector("caption:has-text('Versions, newest first')");
    check(!(await page.$("button[data-restore]")), "a viewer restores nothing");
    await logout(page);
  }

  // --- admin: restore version 1; tiles rerun only when a new snapshot lands ------------------------
  {
    const page = await login("boss");
    await page.goto(`${BASE}/#/dashboards/${id}?mode=history`);
    await page.waitForSelector("caption:has-text('Versions, newest first')");
    const versions = await page.$$eval("table.data tbody tr td:first-child", (cells) => cells.map((cell) => cell.textContent));
    check(versions.join(",") === "2,1", "two versions, newest first: " + versions);
    await page.click("button[data-version='1']");
    await page.waitForSelector(".version-preview :text('Version 1')");
    await screenshot(page, "dashboard-history");
    await page.click("button[data-restore='1']");
    await page.waitForSelector("[data-dashboard][data-version='3']");
    await tilesRun(page, 1);
    await page.waitForSelector("[data-tile=results] [data-chart=number]"); // version 1's chart is back

    await page.waitForSelector("[data-testid=refresh-status]:has-text('Checked for new data')");
    await page.click("button[data-action=check]");
    await page.waitForSelector("[data-testid=refresh-status]:has-text('none')");
    const before = await runsOf(page);
    check(
      before.every((runs) => runs === 1),
      "no new snapshot: the tiles did not rerun: " + before,
    );
    // a new snapshot: the admin delivers hospital H001's month again with one row more (a smaller
    // delivery would be held, the same file a duplicate)
    const lines = readFileSync(UPLOAD_FILE, "utf8").trimEnd().split("\n");
    const csrf = await page.evaluate(() => localStorage.getItem("medlake.csrf"));
    const upload = await page.request.post(`${BASE}/api/v1/uploads?month=${UPLOAD_MONTH}&hospital=H001`, {
      data: Buffer.from([...lines, lines.at(-1)].join("\n") + "\n"),
      headers: { "X-CSRF-Token": csrf, "Content-Type": "application/octet-stream" },
    });
    check(upload.status() === 202, "the admin's upload is queued: " + upload.status());
    const { id: runId } = await upload.json();
    let state = "";
    for (let polls = 0; polls < 360 && !/^(SUCCEEDED|FAILED|DUPLICATE|HELD)/.test(state); polls++) {
      await new Promise((resolve) => setTimeout(resolve, 500)); // the run is asynchronous: poll its status
      const now = await (await page.request.get(`${BASE}/api/v1/runs/${runId}`)).json();
      state = `${now.status}: ${now.message ?? ""}`;
    }
    check(/SUCCEEDED/.test(state), "the admin's upload succeeded: " + state);
    await page.click("button[data-action=check]");
    await page.waitForSelector("[data-testid=refresh-status]:has-text('New data')");
    await tilesRun(page, 2);
    await screenshot(page, "dashboard-admin-refreshed");
    await logout(page);
  }
}
