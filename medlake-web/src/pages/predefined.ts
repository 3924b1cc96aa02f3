import type { ApiClient } from "../api";
import { h } from "../dom";
import { formFields, formParameters } from "../paramform";
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

/** The form generated from the query's parameter schema, with estimate, run and downloads. */
function queryForm(api: ApiClient, query: PredefinedQuerySummary, params: URLSearchParams): Node {
  const fields = formFields(query.parameters, params);
  const inputs = new Map<string, HTMLInputElement>();
  const form = h("form", { class: "param-form", novalidate: true, "aria-label": query.title });
  for (const spec of fields) {
    const input = h("input", {
      id: "param-" + spec.name,
      name: spec.name,
      type: spec.input,
      value: spec.value,
      step: spec.step,
      min: spec.min,
      max: spec.max,
      "aria-describedby": "param-" + spec.name + "-hint",
    });
    inputs.set(spec.name, input);
    form.append(
      h(
        "div",
        { class: "field" },
        h("label", { for: input.id }, spec.label),
        input,
        h("small", { class: "hint", id: "param-" + spec.name + "-hint" }, spec.hint),
      ),
    );
  }
  const values = () => Object.fromEntries([...inputs].map(([name, input]) => [name, input.value]));
  const panel = runner(api, () => {
    const checked = formParameters(query.parameters, values());
    return "error" in checked ? checked : { kind: "predefined", name: query.name, parameters: checked.parameters };
  });
  const remember = () => {
    const checked = formParameters(query.parameters, values());
    if (!("error" in checked)) {
      history.replaceState(null, "", routeHash("predefined", query.name, new URLSearchParams(checked.parameters)));
    }
  };
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
      { class: "builder-layout" },
      h("div", { class: "card" }, fields.length === 0 ? h("p", { class: "status" }, "This query takes no parameters.") : form),
      h("div", { class: "card" }, panel.controls),
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
    () => api.queries(),
    (queries) => {
      if (!name) {
        return gallery(queries);
      }
      const query = queries.find((candidate) => candidate.name === name);
      if (!query) {
        return h("p", { class: "status error", role: "alert" }, `No predefined query '${name}'.`);
      }
      title.textContent = query.title;
      document.title = query.title + " – medlake";
      return queryForm(api, query, params);
    },
  );
  return page;
}
