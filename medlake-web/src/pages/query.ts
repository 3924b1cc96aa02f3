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
  toParams,
  toStructuredQuery,
  type AggregateKey,
  type BuilderState,
  type GroupKey,
} from "../querystate";
import { runFlow } from "../flow";
import { runner } from "../results";
import { routeHash } from "../router";
import { hospitalPicker, loadVocabulary, monthPicker, testPicker, type Vocabulary } from "../pickers";
import { checkboxes, field, handleUnauthenticated, message, pageTitle } from "../ui";

/** The first and last year with data (this year when there is none). */
function yearRange(months: string[]): [number, number] {
  const years = months.map((month) => Number(month.slice(0, 4)));
  const now = new Date().getUTCFullYear();
  return years.length > 0 ? [Math.min(...years), Math.max(...years)] : [now, now];
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
  const hospitals = hospitalPicker(vocabulary.hospitals, initial.hospitals);
  const tests = testPicker(vocabulary.tests, initial.tests, changed);
  const from = monthPicker("Collected from (month)", vocabulary.months, initial.from, "start", "collected-from");
  const to = monthPicker("Collected to (month, inclusive)", vocabulary.months, initial.to, "end-inclusive", "collected-to");
  const years = yearRange(vocabulary.months);
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
    from: from.value(),
    to: to.value(),
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
    const born = birthYears(state.ageBand, collectionYears(state, years));
    return born
      ? `Age at collection; filtered as birth years ${born[0]}–${born[1]} (exact when the dates lie within one year).`
      : "Age at collection.";
  };
  ageHint.textContent = ageText(initial);

  const panel = runner(
    api,
    () => {
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
      return { kind: "structured", query: toStructuredQuery(state, years) };
    },
    () => flow.onRun(),
  );
  const flow = runFlow(panel.output);

  const form = h(
    "form",
    { class: "builder", "aria-label": "Query", novalidate: true },
    h("div", { class: "grid" }, hospitals.element, tests.element),
    h(
      "fieldset",
      { class: "grid-fields" },
      h("legend", {}, "Dates, patients and values"),
      from.element,
      to.element,
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
    { class: "flow" },
    // the sticky panel sticks within the form's box, never over the results below it
    h(
      "div",
      { class: "builder-layout" },
      h("div", { class: "card" }, form),
      h("div", { class: "card sticky" }, h("h2", {}, "Estimate and run"), panel.controls, flow.status, share),
    ),
    panel.output,
  );
}
