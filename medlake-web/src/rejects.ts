import type { ApiClient } from "./api";
import { h } from "./dom";
import { formatCount } from "./format";
import { fieldColumn, splitRecord } from "./rejectcells";
import { rejectReasonHelp } from "./rejectreasons";
import type { IngestRun, RejectedRow, RejectsLayout } from "./types";
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
            reasonCodes(row, reason),
            h("td", {}, h("code", { class: "raw" }, row.raw_line)),
          ),
        ),
      ),
    ),
    `Sample rows rejected as ${reason}`,
  );
}

/** The reason codes of a row, this reason marked. */
function reasonCodes(row: RejectedRow, reason: string): HTMLElement {
  return h(
    "td",
    {},
    ...row.reason_codes.flatMap((code, index) => [
      index > 0 ? " " : "",
      code === reason ? h("mark", { class: "failing" }, code) : h("code", {}, code),
    ]),
  );
}

/**
 * Sample rows of one reason under the file's own header, one cell a column, the failing field's
 * column marked; null when a sample does not split into the header's columns (a ragged or badly
 * quoted row, or a file that is no longer there): those show as delivered.
 */
function cellsTable(reason: string, samples: RejectedRow[], layout: RejectsLayout): HTMLElement | null {
  const header = layout.header;
  if (!header || header.length === 0) {
    return null;
  }
  const split = samples.map((row) => splitRecord(row.raw_line, layout.delimiter, layout.quote));
  if (split.some((cells) => cells === null || cells.length !== header.length)) {
    return null;
  }
  const failing = fieldColumn(rejectReasonHelp(reason).field, header, layout.field_columns);
  return scrollable(
    h(
      "table",
      { class: "data reject-samples reject-cells" },
      h("caption", {}, `Sample rows rejected as ${reason}, under the file's header`),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", { scope: "col" }, "Line"),
          ...header.map((name, index) =>
            h(
              "th",
              { scope: "col", class: index === failing ? "failing-column" : undefined },
              index === failing ? h("mark", { class: "failing" }, name) : name,
            ),
          ),
          h("th", { scope: "col" }, "Reasons"),
        ),
      ),
      h(
        "tbody",
        {},
        ...samples.map((row, rowIndex) =>
          h(
            "tr",
            {},
            h("td", { class: "num line-number" }, String(row.line_number)),
            ...split[rowIndex]!.map((cell, index) =>
              h(
                "td",
                { class: index === failing ? "failing-cell" : undefined },
                index === failing
                  ? h("mark", { class: "failing", title: `${reason}: check this cell` }, cell === "" ? "(empty)" : cell)
                  : cell,
              ),
            ),
            reasonCodes(row, reason),
          ),
        ),
      ),
    ),
    `Sample rows rejected as ${reason}, under the file's header`,
  );
}

/** One reason: count, plain-language explanation, the field to check, the fix hint and sample rows. */
function reasonBlock(
  reason: string,
  count: number,
  rejects: RejectedRow[],
  open: boolean,
  layout: Promise<RejectsLayout | null>,
): HTMLElement {
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
    samplesHolder(reason, samples, layout),
  );
}

/** The samples as delivered at once; under the file's header once its layout has come, when they fit it. */
function samplesHolder(reason: string, samples: RejectedRow[], layout: Promise<RejectsLayout | null>): HTMLElement {
  if (samples.length === 0) {
    return h("p", { class: "status" }, "No sample among the lines loaded.");
  }
  const holder = h("div", { class: "reject-samples-holder" }, samplesTable(reason, samples));
  void layout.then((known) => {
    const cells = known === null ? null : cellsTable(reason, samples, known);
    if (cells !== null) {
      holder.replaceChildren(cells);
    }
  });
  return holder;
}

/** A run's rejects: the download of all of them, then each reason (most frequent first) explained with sample rows. */
export function rejectsByReason(api: ApiClient, run: IngestRun, rejects: RejectedRow[]): Node {
  const reasons = Object.entries(run.rejected_by_reason).sort((a, b) => b[1] - a[1]);
  if (reasons.length === 0) {
    return h("p", { class: "status" }, "No rows were rejected.");
  }
  // without the layout (an old server, a removed mapping) the rows show as delivered
  const layout = api.rejectsLayout(run.id).catch(() => null);
  return h(
    "div",
    { class: "rejects" },
    h(
      "p",
      { class: "meta" },
      downloadLink(api, run),
      ` Samples from the first ${formatCount(rejects.length)} rejected lines; line numbers count the header as line 1.`,
    ),
    ...reasons.map(([reason, count], index) => reasonBlock(reason, count, rejects, index === 0, layout)),
  );
}
