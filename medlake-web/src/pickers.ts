import type { ApiClient } from "./api";
import { h } from "./dom";
import { formatCount } from "./format";
import type { Cell, Partition } from "./types";
import { checkboxes, field } from "./ui";

/** A test in the data: its standard (LOINC) code, the name most rows carry, the hospitals' other names, and its rows. */
export interface TestEntry {
  code: string;
  name: string;
  /** The other names the hospitals deliver for the code, most rows first. */
  otherNames: string[];
  rows: number;
  /** Some of its counts were hidden as small cells (a viewer's answer): {@link rows} is a lower bound. */
  rowsHidden?: boolean;
}

/** What the pickers offer: the hospitals, months and tests that are in lab_results. */
export interface Vocabulary {
  hospitals: string[];
  /** YYYY-MM, ascending. */
  months: string[];
  tests: TestEntry[];
}

/**
 * One entry per standard code from rows of (test_code, test_name, count): the name with the most
 * rows is the entry's name, the others are its secondary names; rows without a code (local codes
 * not mapped yet) are left out. A suppressed count (a small cell for a viewer) counts as 0.
 */
export function testVocabulary(rows: Cell[][]): TestEntry[] {
  const byCode = new Map<string, Map<string, number>>();
  const hidden = new Set<string>();
  for (const [code, name, count] of rows) {
    if (code === null || code === undefined || String(code) === "") {
      continue;
    }
    const names = byCode.get(String(code)) ?? new Map<string, number>();
    byCode.set(String(code), names);
    const key = name === null || name === undefined ? "" : String(name);
    names.set(key, (names.get(key) ?? 0) + (typeof count === "number" ? count : 0));
    if (typeof count !== "number") {
      hidden.add(String(code));
    }
  }
  return [...byCode]
    .map(([code, names]) => {
      const ordered = [...names]
        .filter(([name]) => name !== "")
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .map(([name]) => name);
      return {
        code,
        name: ordered[0] ?? "",
        otherNames: ordered.slice(1),
        rows: [...names.values()].reduce((sum, rows) => sum + rows, 0),
        ...(hidden.has(code) ? { rowsHidden: true } : {}),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name) || a.code.localeCompare(b.code));
}

/**
 * Tests matching a search by code or name (case-insensitive), best first: the exact code, codes
 * starting with the text, names starting with it, names with a word starting with it, then names
 * containing every word of it; within each, the test with the most rows first. So "creat" picks
 * creatinine (the common test) before creatine kinase. Every name of a test counts, not only the
 * first. At most {@code limit}.
 */
export function searchTests(tests: TestEntry[], text: string, limit = 8): TestEntry[] {
  const query = text.trim().toLowerCase().replace(/\s+/g, " ");
  if (query === "") {
    return [];
  }
  const words = query.split(" ");
  const score = (test: TestEntry): number => {
    const code = test.code.toLowerCase();
    const names = [test.name, ...test.otherNames].map((name) => name.toLowerCase());
    if (code === query) {
      return 0;
    }
    if (code.startsWith(query)) {
      return 1;
    }
    if (names.some((name) => name.startsWith(query))) {
      return 2;
    }
    if (names.some((name) => name.split(/[^a-z0-9]+/).some((_word, i, all) => all.slice(i).join(" ").startsWith(query)))) {
      return 3;
    }
    return names.some((name) => words.every((word) => name.includes(word))) || words.every((word) => code.includes(word)) ? 4 : -1;
  };
  return tests
    .map((test) => ({ test, score: score(test) }))
    .filter((entry) => entry.score >= 0)
    .sort((a, b) => a.score - b.score || b.test.rows - a.test.rows || a.test.name.localeCompare(b.test.name))
    .slice(0, limit)
    .map((entry) => entry.test);
}

/** The hospitals and months (from the partitions) and the tests (one query) of lab_results. */
export async function loadVocabulary(api: ApiClient): Promise<Vocabulary> {
  const [partitions, tests] = await Promise.all([
    api.partitions("lab_results"),
    api.run({
      kind: "structured",
      query: {
        table: "lab_results",
        group_by: [{ column: "test_code" }, { column: "test_name" }],
        aggregates: [{ function: "count" }],
        order_by: [{ column: "test_code", direction: "asc" }],
        limit: 5000,
      },
    }),
  ]);
  return {
    hospitals: [...new Set(partitions.map((partition: Partition) => partition.hospital_id))].sort(),
    months: [...new Set(partitions.map((partition: Partition) => partition.month.slice(0, 7)))].sort(),
    tests: testVocabulary(tests.result.rows),
  };
}

/**
 * The test picker: type a code or words of a name, pick from the suggestions (Enter takes the
 * first, arrow keys move through them); chosen tests are removable chips. With {@code single}
 * a pick replaces the chosen test.
 */
export function testPicker(
  all: TestEntry[],
  chosen: string[],
  changed: () => void,
  options: { single?: boolean; label?: string; legend?: string; id?: string } = {},
): { element: HTMLElement; values: () => string[] } {
  const id = options.id ?? "test-search";
  const selected = [...chosen];
  const search = h("input", {
    type: "search",
    id,
    autocomplete: "off",
    placeholder: "code or name, e.g. 718-7 or creatinine",
    "aria-controls": id + "-suggestions",
  });
  const suggestions = h("ul", { class: "suggestions", id: id + "-suggestions", "aria-label": "Matching tests" });
  const chips = h("ul", { class: "chips", "aria-label": options.single ? "Chosen test" : "Chosen tests" });
  const entryOf = (code: string) => all.find((test) => test.code === code);
  const renderChips = () => {
    chips.replaceChildren(
      ...selected.map((code) => {
        const remove = h("button", { type: "button", class: "chip-remove", "aria-label": `Remove test ${code}` }, "×");
        remove.addEventListener("click", () => {
          selected.splice(selected.indexOf(code), 1);
          renderChips();
          changed();
          search.focus();
        });
        const name = entryOf(code)?.name ?? "";
        return h("li", { class: "chip" }, h("span", { title: name }, code + (name ? " " + name : "")), remove);
      }),
    );
  };
  const pick = (code: string) => {
    if (options.single) {
      selected.splice(0, selected.length);
    }
    selected.push(code);
    search.value = "";
    suggestions.replaceChildren();
    renderChips();
    changed();
    search.focus();
  };
  const renderSuggestions = () => {
    const matches = searchTests(all, search.value).filter((test) => !selected.includes(test.code));
    suggestions.replaceChildren(
      ...matches.map((test) => {
        const secondary = [
          rowsText(test),
          ...(test.otherNames.length > 0
            ? ["also " + test.otherNames.slice(0, 3).join("; ") + (test.otherNames.length > 3 ? "; …" : "")]
            : []),
        ].join(" · ");
        const add = h(
          "button",
          { type: "button", class: "suggestion", "data-code": test.code },
          h("code", {}, test.code),
          " " + test.name,
          h("small", { class: "secondary" }, secondary),
        );
        add.addEventListener("click", () => pick(test.code));
        add.addEventListener("keydown", (event) => {
          const item = add.parentElement;
          if (event.key === "ArrowDown") {
            event.preventDefault();
            (item?.nextElementSibling?.querySelector("button") as HTMLButtonElement | null)?.focus();
          } else if (event.key === "ArrowUp") {
            event.preventDefault();
            ((item?.previousElementSibling?.querySelector("button") as HTMLButtonElement | null) ?? search).focus();
          } else if (event.key === "Escape") {
            suggestions.replaceChildren();
            search.focus();
          }
        });
        return h("li", {}, add);
      }),
    );
    if (search.value.trim() !== "" && matches.length === 0) {
      suggestions.replaceChildren(h("li", { class: "status" }, "No test matches."));
    }
  };
  search.addEventListener("input", (event) => {
    event.stopPropagation(); // typing is not a change of the form: only a pick is
    renderSuggestions();
  });
  search.addEventListener("change", (event) => event.stopPropagation());
  search.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      (suggestions.querySelector("button") as HTMLButtonElement | null)?.click();
    } else if (event.key === "ArrowDown") {
      event.preventDefault();
      (suggestions.querySelector("button") as HTMLButtonElement | null)?.focus();
    } else if (event.key === "Escape") {
      suggestions.replaceChildren();
    }
  });
  renderChips();
  return {
    element: h(
      "fieldset",
      { class: "tests" },
      h("legend", {}, options.legend ?? (options.single ? "Test" : "Tests")),
      field(
        options.label ?? (options.single ? "Search a test" : "Search tests"),
        search,
        "Type a LOINC code or the start of a name; Enter takes the first match, the arrow keys move through them.",
      ),
      suggestions,
      chips,
    ),
    values: () => [...selected],
  };
}

/** A test's rows for the secondary text: "1,234 rows", "at least 12 rows" or "a few rows" when counts were hidden. */
export function rowsText(test: TestEntry): string {
  if (test.rowsHidden && test.rows === 0) {
    return "a few rows";
  }
  return (test.rowsHidden ? "at least " : "") + formatCount(test.rows) + (test.rows === 1 ? " row" : " rows");
}

/** The hospital picker: one checkbox per hospital in the data; none ticked means all. */
export function hospitalPicker(hospitals: string[], chosen: string[]): { element: HTMLElement; values: () => string[] } {
  const unknown = chosen.filter((id) => !hospitals.includes(id));
  const picker = checkboxes(
    "Hospitals (none ticked: all)",
    [...hospitals, ...unknown].map((id) => ({ value: id, label: id })),
    chosen,
  );
  picker.element.classList.add("hospitals");
  return picker;
}

/** The first day of a month, and of the month after it: YYYY-MM -> YYYY-MM-01. */
export function monthStart(month: string, plus = 0): string {
  const [year, index] = month.split("-").map(Number) as [number, number];
  const date = new Date(Date.UTC(year, index - 1 + plus, 1));
  return date.toISOString().slice(0, 10);
}

/**
 * A month picker (a month input bounded by the months in the data) for a date bound: {@code edge}
 * "start" gives the month's first day, "end-exclusive" the first day after it, "end-inclusive" its
 * last day; empty is no bound. A date that is not such a boundary (from an older link) is kept as it
 * is until the user changes the month.
 */
export function monthPicker(
  label: string,
  months: string[],
  value: string,
  edge: "start" | "end-exclusive" | "end-inclusive",
  id: string,
): { element: HTMLElement; value: () => string } {
  const dateOf = (month: string) =>
    !/^\d{4}-\d{2}$/.test(month)
      ? ""
      : edge === "start"
        ? monthStart(month)
        : edge === "end-exclusive"
          ? monthStart(month, 1)
          : dayBefore(monthStart(month, 1));
  const current = value === "" ? "" : (edge === "end-exclusive" ? dayBefore(value) : value).slice(0, 7);
  const input = h("input", {
    type: "month",
    id,
    value: current,
    min: months[0],
    max: months[months.length - 1],
    placeholder: "YYYY-MM",
  });
  let exact = value !== "" && dateOf(current) !== value ? value : null;
  input.addEventListener("input", () => (exact = null));
  input.addEventListener("change", () => (exact = null));
  const range = months.length > 0 ? `Data from ${months[0]} to ${months[months.length - 1]}; empty: no bound.` : "Empty: no bound.";
  return {
    element: field(label, input, range),
    value: () => exact ?? dateOf(input.value),
  };
}

function dayBefore(date: string): string {
  return new Date(Date.parse(date + "T00:00:00Z") - 86_400_000).toISOString().slice(0, 10);
}
