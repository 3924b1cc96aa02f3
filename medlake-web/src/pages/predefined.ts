import type { ApiClient } from "../api";
import { h } from "../dom";
import { runFlow } from "../flow";
import { formFields, formParameters, pickerOf, type FieldSpec } from "../paramform";
import { hospitalPicker, loadVocabulary, monthPicker, testPicker, type Vocabulary } from "../pickers";
import { runner } from "../results";
import { routeHash } from "../router";
import type { PredefinedQuerySummary } from "../types";
import { pageTitle, section } from "../ui";

function gallery(queries: PredefinedQuerySummary[]): Node {
  if (queries.length === 0) {
    return h("p", { class: "status" }, "No predefined queries are installed.");
  }
  return h(
    "ul",
    { class: "gallery" },
    ...queries.map((query) =>
      h(
        "li",
        { class: "card" },
        h("h2", {}, h("a", { href: routeHash("predefined", query.name) }, query.title)),
        h("p", {}, query.description),
        h(
          "p",
          { class: "meta" },
          h("code", {}, query.name),
          ` · ${query.parameters.length} parameter${query.parameters.length === 1 ? "" : "s"}`,
        ),
      ),
    ),
  );
}

/** One parameter's control: a picker or an input, and its value as the form sends it. */
interface Control {
  element: HTMLElement;
  value: () => string;
}

function control(spec: FieldSpec, vocabulary: Vocabulary | null, changed: () => void): Control {
  const hint = h("small", { class: "hint", id: "param-" + spec.name + "-hint" }, spec.hint);
  const list = spec.value
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
  if (vocabulary !== null && spec.picker !== undefined) {
    switch (spec.picker) {
      case "hospitals": {
        const picker = hospitalPicker(vocabulary.hospitals, list);
        picker.element.dataset.param = spec.name;
        return { element: picker.element, value: () => picker.values().join(",") };
      }
      case "tests":
      case "test": {
        const single = spec.picker === "test";
        const picker = testPicker(vocabulary.tests, list, changed, { single, legend: spec.label, id: "param-" + spec.name });
        picker.element.dataset.param = spec.name;
        return { element: picker.element, value: () => picker.values().join(",") };
      }
      case "month-start":
      case "month-end-inclusive":
      case "month-end-exclusive": {
        const edge = spec.picker === "month-start" ? "start" : spec.picker === "month-end-inclusive" ? "end-inclusive" : "end-exclusive";
        const label = spec.label + (edge === "start" ? " (month)" : " (month, inclusive)");
        const picker = monthPicker(label, vocabulary.months, spec.value, edge, "param-" + spec.name);
        return { element: picker.element, value: picker.value };
      }
    }
  }
  const input = h("input", {
    id: "param-" + spec.name,
    name: spec.name,
    type: spec.input,
    value: spec.value,
    step: spec.step,
    min: spec.min,
    max: spec.max,
    "aria-describedby": hint.id,
  });
  return { element: h("div", { class: "field" }, h("label", { for: input.id }, spec.label), input, hint), value: () => input.value };
}

/** The form generated from the query's parameter schema, with pickers, estimate, run and downloads. */
function queryForm(api: ApiClient, query: PredefinedQuerySummary, params: URLSearchParams, vocabulary: Vocabulary | null): Node {
  const fields = formFields(query.parameters, params);
  const form = h("form", { class: "param-form", novalidate: true, "aria-label": query.title });
  const remember = () => {
    const checked = formParameters(query.parameters, values());
    if (!("error" in checked)) {
      history.replaceState(null, "", routeHash("predefined", query.name, new URLSearchParams(checked.parameters)));
    }
  };
  const controls = new Map<string, Control>();
  for (const spec of fields) {
    const item = control(spec, vocabulary, remember);
    controls.set(spec.name, item);
    form.append(item.element);
  }
  const values = () => Object.fromEntries([...controls].map(([name, item]) => [name, item.value()]));
  const panel = runner(
    api,
    () => {
      const checked = formParameters(query.parameters, values());
      return "error" in checked ? checked : { kind: "predefined", name: query.name, parameters: checked.parameters };
    },
    () => flow.onRun(),
  );
  const flow = runFlow(panel.output);
  form.addEventListener("change", remember);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void panel.run();
  });
  void panel.estimate();
  return h(
    "div",
    {},
    h("p", {}, query.description),
    h(
      "div",
      { class: "flow" },
      h(
        "div",
        { class: "builder-layout" },
        h("div", { class: "card" }, fields.length === 0 ? h("p", { class: "status" }, "This query takes no parameters.") : form),
        h("div", { class: "card sticky" }, panel.controls, flow.status),
      ),
      panel.output,
    ),
  );
}

/** The gallery of predefined queries, or one query's form. */
export function predefinedPage(api: ApiClient, name: string | undefined, params: URLSearchParams): HTMLElement {
  const body = h("div", {});
  const title = pageTitle(name ? "Predefined query" : "Predefined queries");
  const page = h(
    "section",
    { class: "page page-predefined" },
    h("p", { class: "crumbs" }, name ? h("a", { href: "#/predefined" }, "← All predefined queries") : null),
    title,
    body,
  );
  void section(
    body,
    async () => {
      const queries = await api.queries();
      const query = queries.find((candidate) => candidate.name === name);
      // the pickers' hospitals, months and tests, when the query's form has any
      const vocabulary =
        query && query.parameters.some((parameter) => pickerOf(parameter) !== undefined) ? await loadVocabulary(api) : null;
      return { queries, vocabulary };
    },
    ({ queries, vocabulary }) => {
      if (!name) {
        return gallery(queries);
      }
      const query = queries.find((candidate) => candidate.name === name);
      if (!query) {
        return h("p", { class: "status error", role: "alert" }, `No predefined query '${name}'.`);
      }
      title.textContent = query.title;
      document.title = query.title + " – medlake";
      return queryForm(api, query, params, vocabulary);
    },
  );
  return page;
}
