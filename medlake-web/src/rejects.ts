import type { ApiClient } from "./api";
import { h } from "./dom";
import { formatCount } from "./format";
import { rejectReasonHelp } from "./rejectreasons";
import type { IngestRun, RejectedRow } from "./types";
import { scrollable } from "./ui";

/** How many sample rows each reason shows. */
const SAMPLES_PER_REASON = 3;

/** The link that downloads every rejected row of the run as CSV (admins and the run's hospital only: the server checks). */
function downloadLink(api: ApiClient, run: IngestRun): HTMLElement {
  return h(
    "a",
    { href: api.rejectsReportUrl(run.id), download: `${run.id}.rejects.csv`, class: "download-link", "data-testid": "rejects-download" },
    `Download all ${formatCount(run.rows_rejected)} rejected row${run.rows_rejected === 1 ? "" : "s"} (CSV)`,
  );
}

/** Sample rows of one reason: a header row, then line number, every reason of the row (this one marked) and the row as delivered. */
function samplesTable(reason: string, samples: RejectedRow[]): HTMLElement {
  return scrollable(
    h(
      "table",
      { class: "data reject-samples" },
      h("caption", {}, `Sample rows rejected as ${reason}`),
      h(
        "thead",
        {},
        h("tr", {}, h("th", { scope: "col" }, "Line"), h("th", { scope: "col" }, "Reasons"), h("th", { scope: "col" }, "Row as delivered")),
      ),
      h(
        "tbody",
        {},
        ...samples.map((row) =>
          h(
            "tr",
            {},
            h("td", { class: "num line-number" }, String(row.line_number)),
            h(
              "td",
              {},
              ...row.reason_codes.flatMap((code, index) => [
                index > 0 ? " " : "",
                code === reason ? h("mark", { class: "failing" }, code) : h("code", {}, code),
              ]),
            ),
            h("td", {}, h("code", { class: "raw" }, row.raw_line)),
          ),
        ),
      ),
    ),
    `Sample rows rejected as ${reason}`,
  );
}

/** One reason: count, plain-language explanation, the field to check, the fix hint and sample rows. */
function reasonBlock(reason: string, count: number, rejects: RejectedRow[], open: boolean): HTMLElement {
  const help = rejectReasonHelp(reason);
  const samples = rejects.filter((row) => row.reason_codes.includes(reason)).slice(0, SAMPLES_PER_REASON);
  return h(
    "details",
    { class: "reason", open, "data-testid": "reject-reason-" + reason },
    h("summary", {}, h("code", {}, reason), ` ${formatCount(count)} row${count === 1 ? "" : "s"}: ${help.explanation}`),
    h(
      "dl",
      { class: "facts reason-help" },
      h("dt", {}, "Field to check"),
      h("dd", {}, help.field === "" ? "the whole row" : h("mark", { class: "failing" }, h("code", {}, help.field))),
      h("dt", {}, "How to fix it"),
      h("dd", { "data-testid": "reject-fix" }, help.fix),
    ),
    samples.length === 0 ? h("p", { class: "status" }, "No sample among the lines loaded.") : samplesTable(reason, samples),
  );
}

/** A run's rejects: the download of all of them, then each reason (most frequent first) explained with sample rows. */
export function rejectsByReason(api: ApiClient, run: IngestRun, rejects: RejectedRow[]): Node {
  const reasons = Object.entries(run.rejected_by_reason).sort((a, b) => b[1] - a[1]);
  if (reasons.length === 0) {
    return h("p", { class: "status" }, "No rows were rejected.");
  }
  return h(
    "div",
    { class: "rejects" },
    h(
      "p",
      { class: "meta" },
      downloadLink(api, run),
      ` Samples from the first ${formatCount(rejects.length)} rejected lines; line numbers count the header as line 1.`,
    ),
    ...reasons.map(([reason, count], index) => reasonBlock(reason, count, rejects, index === 0)),
  );
}
