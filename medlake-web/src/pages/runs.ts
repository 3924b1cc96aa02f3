import { errorOf, parseJson, type ApiClient } from "../api";
import { errorMessage, h, loading } from "../dom";
import { openHolds, outcomeTone, rowAccounting, runEnded, statusClass, statusLabel } from "../holds";
import { formatBytes, formatCount } from "../format";
import { routeHash } from "../router";
import { missingDeliveryWarnings } from "../missing";
import { rejectsByReason } from "../rejects";
import { runFilterOf, runFilterParams, runsList, type RunFilter } from "../runlist";
import type { IngestRun, Me, MissingDelivery } from "../types";
import { dataTable, field, handleUnauthenticated, message, pageTitle, section } from "../ui";

function statusBadge(run: IngestRun): HTMLElement {
  return h("span", { class: statusClass(run) }, statusLabel(run));
}

/** An admin's button that commits a held run's file as it is; {@code approved} gets the new run. */
function approveButton(api: ApiClient, run: IngestRun, approved: (run: IngestRun) => void): HTMLElement {
  const button = h("button", { type: "button", "data-testid": "approve-" + run.id }, "Approve");
  const status = h("span", { "aria-live": "polite" });
  button.addEventListener("click", () => {
    if (
      !window.confirm(
        `Commit ${run.source_file} as it is? Its ${formatCount(run.rows_accepted)} accepted rows replace what ${run.hospital_id} holds for ${run.month}.`,
      )
    ) {
      return;
    }
    button.disabled = true;
    api.approveRun(run.id).then(approved, (error: unknown) => {
      button.disabled = false;
      if (!handleUnauthenticated(error)) {
        status.replaceChildren(errorMessage(message(error)));
      }
    });
  });
  return h("span", {}, button, " ", status);
}

/** Held runs waiting for a fixed mapping (a re-run) or an admin's approval, each with its reason. */
function heldRuns(api: ApiClient, me: Me, runs: IngestRun[], changed: () => void): Node {
  const held = openHolds(runs);
  if (held.length === 0) {
    return document.createDocumentFragment();
  }
  return h(
    "div",
    { class: "status warning held-runs", role: "alert", "data-testid": "held-runs" },
    h(
      "p",
      {},
      `${held.length} held run${held.length === 1 ? "" : "s"}: nothing of ${held.length === 1 ? "its file" : "their files"} was stored. Fix the mapping and deliver again, or approve.`,
    ),
    h(
      "ul",
      {},
      ...held.map((run) =>
        h(
          "li",
          {},
          h("a", { href: routeHash("runs", run.id) }, run.id),
          ` ${run.hospital_id}, ${run.month} `,
          me.role === "admin" ? approveButton(api, run, changed) : "",
          h("span", { class: "reason" }, run.message),
        ),
      ),
    ),
  );
}

function runsTable(runs: IngestRun[]): Node {
  if (runs.length === 0) {
    return h("p", { class: "status" }, "No ingestion runs yet.");
  }
  const newest = [...runs].sort((a, b) => b.started_at.localeCompare(a.started_at));
  return dataTable(
    "Ingestion runs, newest first",
    ["Run", "Hospital", "Month", "Status", "Read", "Accepted", "Rejected", "Filtered", "Started"],
    newest.map((run) => [
      h("a", { href: routeHash("runs", run.id) }, run.id),
      run.hospital_id,
      run.month,
      statusBadge(run),
      formatCount(run.rows_read),
      formatCount(run.rows_accepted),
      formatCount(run.rows_rejected),
      formatCount(run.rows_filtered),
      run.started_at.replace("T", " ").slice(0, 19),
    ]),
    [false, false, false, false, true, true, true, true, false],
  );
}

/** A warning banner for hospitals that have not delivered last month; nothing when all did. */
function missingBanner(missing: MissingDelivery[]): Node {
  const lines = missingDeliveryWarnings(missing);
  if (lines.length === 0) {
    return document.createDocumentFragment();
  }
  return h("div", { class: "status warning", role: "alert" }, ...lines.map((line) => h("p", {}, line)));
}

/**
 * The rows of a run as the data contract counts them, stated so a mismatch would show: the file's
 * rows are those read plus those the source's filter dropped; those read are accepted plus rejected.
 */
export function accounting(run: IngestRun): HTMLElement {
  const { fileRows, readAddsUp, partsOfRead } = rowAccounting(run);
  return h(
    "div",
    { "data-testid": "run-accounting" },
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, "Status"),
      h("dd", {}, statusBadge(run), run.message ? " " + run.message : ""),
      h("dt", {}, "Hospital, month"),
      h("dd", {}, `${run.hospital_id}, ${run.month}`),
      h("dt", {}, "File"),
      h("dd", {}, h("code", {}, run.source_file), ` (${formatBytes(run.bytes_in)} in, ${formatBytes(run.bytes_out)} Parquet out)`),
      h("dt", {}, "Rows in the file"),
      h(
        "dd",
        { "data-testid": "file-rows" },
        `${formatCount(fileRows)} = ${formatCount(run.rows_read)} read + ${formatCount(run.rows_filtered)} filtered out by the source's filter`,
      ),
      h("dt", {}, "Rows read"),
      h(
        "dd",
        { "data-testid": "read-rows" },
        `${formatCount(run.rows_read)} = ${formatCount(run.rows_accepted)} accepted + ${formatCount(run.rows_rejected)} rejected`,
        readAddsUp ? " ✓" : h("strong", { class: "error-text" }, ` (accepted + rejected add up to ${formatCount(partsOfRead)})`),
      ),
      h("dt", {}, "Duration"),
      h("dd", {}, `${formatCount(run.duration_ms)} ms`),
      h("dt", {}, "Snapshot"),
      h("dd", {}, run.snapshot_id === null ? "none" : String(run.snapshot_id)),
    ),
  );
}

function runDetail(api: ApiClient, me: Me, id: string): HTMLElement {
  const summary = h("div", { class: "card" });
  const rejects = h("div", { class: "card" });
  void section(summary, () => api.ingestRun(id), accounting).then((run) => {
    if (run && me.role === "admin" && openHolds([run]).length === 1) {
      summary.append(approveButton(api, run, (approved) => (location.hash = routeHash("runs", approved.id))));
    }
    if (run) {
      void section(
        rejects,
        () => api.rejects(id, 500),
        (rows) => rejectsByReason(api, run, rows),
      );
    } else {
      rejects.replaceChildren();
    }
  });
  return h(
    "div",
    {},
    h("p", { class: "crumbs" }, h("a", { href: "#/runs" }, "← All runs")),
    h("h2", {}, "Run ", h("code", {}, id)),
    summary,
    h("h2", {}, "Rejected rows by reason"),
    rejects,
  );
}

/** Drag-and-drop (or choose) a .csv/.csv.gz for a hospital and month; shows upload progress, then the run. */
function uploader(api: ApiClient, me: Me, uploaded: () => void): HTMLElement {
  const now = new Date();
  const month = h("input", {
    type: "month",
    required: true,
    value: `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, "0")}`,
  });
  const hospital = h("input", { type: "text", required: me.role === "admin", placeholder: "H001" });
  const file = h("input", { type: "file", accept: ".csv,.gz,.csv.gz,text/csv,application/gzip", id: "upload-file" });
  const zone = h(
    "label",
    { class: "dropzone", for: "upload-file" },
    "Drop a .csv or .csv.gz file here, or ",
    h("span", { class: "like-link" }, "choose one"),
    ".",
  );
  const chosen = h("p", { class: "meta", "aria-live": "polite" }, "No file chosen.");
  const status = h("div", { class: "upload-status", "aria-live": "polite", "data-testid": "upload-status" });
  const submit = h("button", { type: "submit" }, "Upload and ingest");
  let selected: File | null = null;
  const choose = (chosenFile: File | null) => {
    selected = chosenFile;
    chosen.textContent = chosenFile ? `${chosenFile.name} (${formatBytes(chosenFile.size)})` : "No file chosen.";
  };
  file.addEventListener("change", () => choose(file.files?.[0] ?? null));
  for (const type of ["dragenter", "dragover"]) {
    zone.addEventListener(type, (event) => {
      event.preventDefault();
      zone.classList.add("over");
    });
  }
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    choose(event.dataTransfer?.files[0] ?? null);
  });
  const form = h(
    "form",
    { class: "upload", novalidate: true, "aria-label": "Upload a monthly file" },
    me.role === "uploader" ? h("p", {}, `You upload for hospital ${me.hospital_id}.`) : field("Hospital", hospital),
    field("Month of the results", month),
    h("div", { class: "field" }, zone, file, chosen),
    submit,
    status,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!selected) {
      status.replaceChildren(errorMessage("Choose a file first."));
      return;
    }
    if (!/^\d{4}-\d{2}$/.test(month.value)) {
      status.replaceChildren(errorMessage("Enter the month as YYYY-MM."));
      return;
    }
    if (me.role === "admin" && hospital.value.trim() === "") {
      status.replaceChildren(errorMessage("Enter the hospital id."));
      return;
    }
    const { url, headers } = api.uploadRequest(month.value, me.role === "admin" ? hospital.value.trim() : undefined);
    const request = new XMLHttpRequest();
    request.open("POST", url);
    for (const [name, value] of Object.entries(headers)) {
      request.setRequestHeader(name, value);
    }
    const progress = h("progress", { max: "100", value: "0", "aria-label": "Upload progress" });
    const phase = h("p", { class: "status loading", role: "status" }, "Uploading…");
    status.replaceChildren(phase, progress);
    submit.disabled = true;
    const started = Date.now();
    let ticker: ReturnType<typeof setInterval> | undefined;
    request.upload.addEventListener("progress", (progressEvent) => {
      if (progressEvent.lengthComputable) {
        progress.value = Math.round((100 * progressEvent.loaded) / progressEvent.total);
      }
    });
    request.upload.addEventListener("load", () => {
      progress.value = 100;
      phase.textContent = "Uploaded; queuing the run…";
    });
    const finished = (run: IngestRun): void => {
      clearInterval(ticker);
      submit.disabled = false;
      uploaded();
      if (run.status === "FAILED") {
        status.replaceChildren(
          errorMessage(`Run ${run.id} failed: ${run.message}`),
          h("p", {}, h("a", { href: routeHash("runs", run.id) }, "See the failed run")),
        );
        return;
      }
      const tone = outcomeTone(run);
      status.replaceChildren(
        h(
          "p",
          { class: tone === "neutral" ? "status" : "status " + tone, role: "status", "data-testid": "upload-done", "data-tone": tone },
          `Run ${run.id} finished: ${statusLabel(run)}. `,
          h("a", { href: routeHash("runs", run.id) }, "See its rejects"),
        ),
        accounting(run),
      );
    };
    /** The run is ingested on the server's queue: its status is read until it ends. */
    const follow = (queued: IngestRun): void => {
      uploaded();
      const link = h("a", { href: routeHash("runs", queued.id) }, queued.id);
      const shown = h("span", {}, "queued");
      phase.replaceChildren("Run ", link, ": ", shown, "…");
      ticker = setInterval(() => {
        api.ingestRun(queued.id).then(
          (run) => {
            if (!runEnded(run)) {
              shown.textContent = `${run.status === "RUNNING" ? "ingesting (validating, pseudonymizing, writing Parquet, committing)" : "queued"}, ${Math.round((Date.now() - started) / 1000)} s`;
              return;
            }
            finished(run);
          },
          (error: unknown) => {
            clearInterval(ticker);
            submit.disabled = false;
            if (!handleUnauthenticated(error)) {
              status.replaceChildren(
                errorMessage(message(error)),
                h("p", {}, h("a", { href: routeHash("runs", queued.id) }, "See the run")),
              );
            }
          },
        );
      }, 1000);
    };
    request.addEventListener("loadend", async () => {
      const response = new Response(request.status === 0 ? null : request.responseText, {
        status: request.status === 0 ? 599 : request.status,
        statusText: request.statusText,
      });
      if (request.status === 202) {
        follow(parseJson(request.responseText) as IngestRun);
        return;
      }
      submit.disabled = false;
      const error = request.status === 0 ? new Error("The upload failed: the server cannot be reached") : await errorOf(response);
      if (!handleUnauthenticated(error)) {
        status.replaceChildren(errorMessage(message(error)));
      }
    });
    request.send(selected);
  });
  return form;
}

/** Ingestion runs (admins: all; uploaders: their hospital), and the upload form. */
export function runsPage(api: ApiClient, me: Me, id: string | undefined, params: URLSearchParams): HTMLElement {
  const title = pageTitle(id ? "Ingestion run" : "Ingestion runs");
  if (me.role !== "admin" && me.role !== "uploader") {
    return h(
      "section",
      { class: "page" },
      title,
      h("p", { class: "status error", role: "alert" }, `Ingestion runs are for admins and uploaders; you are ${me.role}.`),
    );
  }
  if (id) {
    return h("section", { class: "page page-runs" }, title, runDetail(api, me, id));
  }
  const list = h("div", { class: "card" }, loading());
  const held = h("div", { "data-testid": "held" });
  // the filters live in the URL (a link shares them, a reload keeps them) and survive a refresh
  let filter: RunFilter = runFilterOf(params);
  const filtered = (next: RunFilter): void => {
    filter = next;
    history.replaceState(null, "", routeHash("runs", undefined, runFilterParams(next)));
  };
  const refresh = (): void =>
    void section(
      list,
      () => api.runs(),
      (runs) => {
        held.replaceChildren(heldRuns(api, me, runs, refresh));
        return runsList(runs, runsTable, filter, filtered);
      },
    );
  refresh();
  const warnings = h("div", { "data-testid": "missing-deliveries" });
  void section(warnings, () => api.missingDeliveries(), missingBanner);
  return h(
    "section",
    { class: "page page-runs" },
    title,
    warnings,
    held,
    h("h2", {}, "Upload a monthly file"),
    h("div", { class: "card" }, uploader(api, me, refresh)),
    h("h2", {}, "Runs"),
    list,
  );
}
