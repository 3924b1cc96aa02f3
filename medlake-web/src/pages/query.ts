import type { ApiClient } from "../api";
import { errorMessage, h, loading } from "../dom";
import {
  AGE_BANDS,
  AGGREGATES,
  aggregatesFor,
  birthYears,
  collectionYears,
  FLAGS,
  fromParams,
  GROUPS,
  SEXES,
  searchTests,
  toParams,
  toStructuredQuery,
  type AggregateKey,
  type BuilderState,
  type GroupKey,
  type TestEntry,
} from "../querystate";
import { runner } from "../results";
import { routeHash } from "../router";
import type { Partition } from "../types";
import { checkboxes, field, handleUnauthenticated, message, pageTitle } from "../ui";

interface Vocabulary {
  hospitals: string[];
  years: [number, number];
  tests: TestEntry[];
}

async function loadVocabulary(api: ApiClient): Promise<Vocabulary> {
  const [partitions, tests] = await Promise.all([
    api.partitions("lab_results"),
    api.run({
      kind: "structured",
      query: {
        table: "lab_results",
        group_by: [{ column: "test_code" }, { column: "test_name" }],
        aggregates: [{ function: "count" }],
        order_by: [{ column: "test_name", direction: "asc" }],
        limit: 5000,
      },
    }),
  ]);
  const years = partitions.map((partition: Partition) => Number(partition.month.slice(0, 4)));
  const now = new Date().getUTCFullYear();
  return {
    hospitals: [...new Set(partitions.map((partition) => partition.hospital_id))].sort(),
    years: years.length > 0 ? [Math.min(...years), Math.max(...years)] : [now, now],
    tests: tests.result.rows.map((row) => ({ code: String(row[0]), name: String(row[1] ?? "") })),
  };
}

/** The tests filter: search by code or name, chosen tests as removable chips. */
function testPicker(all: TestEntry[], chosen: string[], changed: () => void): { element: HTMLElement; values: () => string[] } {
  const selected = [...chosen];
  const search = h("input", {
    type: "search",
    id: "test-search",
    autocomplete: "off",
    placeholder: "code or name, e.g. 718-7 or glucose",
    "aria-controls": "test-suggestions",
  });
  const suggestions = h("ul", { class: "suggestions", id: "test-suggestions", "aria-label": "Matching tests" });
  const chips = h("ul", { class: "chips", "aria-label": "Chosen tests" });
  const nameOf = (code: string) => all.find((test) => test.code === code)?.name ?? "";
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
        return h("li", { class: "chip" }, h("span", { title: nameOf(code) }, code + (nameOf(code) ? " " + nameOf(code) : "")), remove);
      }),
    );
  };
  const renderSuggestions = () => {
    const matches = searchTests(all, search.value).filter((test) => !selected.includes(test.code));
    suggestions.replaceChildren(
      ...matches.map((test) => {
        const add = h("button", { type: "button", class: "suggestion" }, h("code", {}, test.code), " " + test.name);
        add.addEventListener("click", () => {
          selected.push(test.code);
          search.value = "";
          suggestions.replaceChildren();
          renderChips();
          changed();
          search.focus();
        });
        return h("li", {}, add);
      }),
    );
    if (search.value.trim() !== "" && matches.length === 0) {
      suggestions.replaceChildren(h("li", { class: "status" }, "No test matches."));
    }
  };
  search.addEventListener("input", renderSuggestions);
  search.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      (suggestions.querySelector("button") as HTMLButtonElement | null)?.click();
    }
  });
  renderChips();
  return {
    element: h(
      "fieldset",
      { class: "tests" },
      h("legend", {}, "Tests"),
      field("Search tests", search, "Type a LOINC code or words of the name; Enter adds the first match."),
      suggestions,
      chips,
    ),
    values: () => [...selected],
  };
}

function select(options: { value: string; label: string }[], value: string): HTMLSelectElement {
  const element = h("select", {});
  for (const option of options) {
    element.append(h("option", { value: option.value, selected: option.value === value }, option.label));
  }
  return element;
}

/** The query builder: filters, group-by and aggregates, estimate before running, state in the URL. */
export function queryPage(api: ApiClient, params: URLSearchParams, role: string): HTMLElement {
  const body = h("div", {}, loading("Loading hospitals and tests…"));
  const page = h("section", { class: "page page-query" }, pageTitle("Query builder"), body);
  void loadVocabulary(api)
    .then((vocabulary) => body.replaceChildren(builder(api, vocabulary, fromParams(params), role)))
    .catch((error: unknown) => {
      if (!handleUnauthenticated(error)) {
        body.replaceChildren(errorMessage(message(error)));
      }
    });
  return page;
}

function builder(api: ApiClient, vocabulary: Vocabulary, initial: BuilderState, role: string): HTMLElement {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const changed = () => {
    clearTimeout(timer);
    const state = read();
    history.replaceState(null, "", routeHash("query", undefined, toParams(state)));
    ageHint.textContent = ageText(state);
    timer = setTimeout(() => void panel.estimate(), 400);
  };
  const hospitals = checkboxes(
    "Hospitals (none ticked: all)",
    vocabulary.hospitals.map((id) => ({ value: id, label: id })),
    initial.hospitals,
  );
  const tests = testPicker(vocabulary.tests, initial.tests, changed);
  const from = h("input", { type: "date", value: initial.from });
  const to = h("input", { type: "date", value: initial.to });
  const sexes = checkboxes(
    "Sex",
    SEXES.map((sex) => ({ value: sex, label: { F: "female", M: "male", U: "unknown" }[sex] })),
    initial.sexes,
  );
  const age = select(
    [{ value: "", label: "any age" }, ...Object.keys(AGE_BANDS).map((band) => ({ value: band, label: band }))],
    initial.ageBand,
  );
  const ageHint = h("small", { class: "hint", id: "age-hint" });
  age.setAttribute("aria-describedby", "age-hint");
  const valueMin = h("input", { type: "number", step: "any", value: initial.valueMin, inputmode: "decimal" });
  const valueMax = h("input", { type: "number", step: "any", value: initial.valueMax, inputmode: "decimal" });
  const flags = checkboxes(
    "Abnormal flag",
    FLAGS.map((flag) => ({ value: flag, label: flag })),
    initial.flags,
  );
  const groups = checkboxes(
    "Group by",
    Object.entries(GROUPS).map(([key, group]) => ({ value: key, label: group.label })),
    initial.groupBy,
  );
  const aggregates = checkboxes(
    "Aggregates",
    aggregatesFor(role).map((key) => ({ value: key, label: AGGREGATES[key].label })),
    initial.aggregates,
  );
  const limit = h("input", { type: "number", min: "1", max: "100000", step: "1", value: String(initial.limit) });

  const read = (): BuilderState => ({
    hospitals: hospitals.values(),
    tests: tests.values(),
    from: from.value,
    to: to.value,
    sexes: sexes.values(),
    ageBand: age.value,
    valueMin: valueMin.value,
    valueMax: valueMax.value,
    flags: flags.values(),
    groupBy: groups.values() as GroupKey[],
    aggregates: aggregates.values() as AggregateKey[],
    limit: Number(limit.value) || 1000,
  });
  const ageText = (state: BuilderState) => {
    const born = birthYears(state.ageBand, collectionYears(state, vocabulary.years));
    return born
      ? `Age at collection; filtered as birth years ${born[0]}–${born[1]} (exact when the dates lie within one year).`
      : "Age at collection.";
  };
  ageHint.textContent = ageText(initial);

  const panel = runner(api, () => {
    const state = read();
    if (state.aggregates.length === 0) {
      return { error: "Choose at least one aggregate." };
    }
    if (state.from && state.to && state.from > state.to) {
      return { error: `The date range is reversed: ${state.from} is after ${state.to}.` };
    }
    if (state.valueMin !== "" && state.valueMax !== "" && Number(state.valueMin) > Number(state.valueMax)) {
      return { error: `The value range is reversed: ${state.valueMin} is above ${state.valueMax}.` };
    }
    return { kind: "structured", query: toStructuredQuery(state, vocabulary.years) };
  });

  const form = h(
    "form",
    { class: "builder", "aria-label": "Query", novalidate: true },
    h("div", { class: "grid" }, hospitals.element, tests.element),
    h(
      "fieldset",
      { class: "grid-fields" },
      h("legend", {}, "Dates, patients and values"),
      field("Collected from", from),
      field("Collected to", to),
      h("div", { class: "field" }, h("label", { for: (age.id = "age-band") }, "Age band"), age, ageHint),
      field("Value at least (canonical unit)", valueMin),
      field("Value at most (canonical unit)", valueMax),
    ),
    h("div", { class: "grid" }, sexes.element, flags.element),
    h("div", { class: "grid" }, groups.element, aggregates.element),
    field("Row limit", limit),
  );
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void panel.run();
  });
  const share = h("p", { class: "hint" }, "The address bar holds this query: bookmark or share it.");
  void panel.estimate();
  return h(
    "div",
    { class: "builder-layout" },
    h("div", { class: "card" }, form),
    h("div", { class: "card sticky" }, h("h2", {}, "Estimate and run"), panel.controls, share),
    panel.output,
  );
}
