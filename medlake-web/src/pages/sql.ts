import type { ApiClient } from "../api";
import { h } from "../dom";
import { runFlow } from "../flow";
import { runner } from "../results";
import { SqlHistory, tokenize } from "../sqlhighlight";
import type { Me } from "../types";
import { pageTitle } from "../ui";

const EXAMPLE =
  "SELECT hospital_id, test_code, count(*) AS results\nFROM lab_results\nWHERE collected_at >= TIMESTAMP '2024-01-01'\nGROUP BY ALL\nORDER BY results DESC\nLIMIT 20";

/** A textarea over a highlighted copy of its text: the browser edits, the copy colours. */
function editor(initial: string): { element: HTMLElement; textarea: HTMLTextAreaElement } {
  const code = h("code", {});
  const pre = h("pre", { class: "sql-highlight", "aria-hidden": "true" }, code);
  const textarea = h("textarea", {
    id: "sql-text",
    class: "sql-input",
    spellcheck: "false",
    autocapitalize: "off",
    autocomplete: "off",
    rows: "10",
    "aria-describedby": "sql-hint",
  });
  textarea.value = initial;
  const paint = () => {
    code.replaceChildren(
      ...tokenize(textarea.value + "\n").map((token) =>
        token.kind === "space" ? token.text : h("span", { class: "tok-" + token.kind }, token.text),
      ),
    );
  };
  textarea.addEventListener("input", paint);
  textarea.addEventListener("scroll", () => {
    pre.scrollTop = textarea.scrollTop;
    pre.scrollLeft = textarea.scrollLeft;
  });
  paint();
  return { element: h("div", { class: "sql-editor" }, pre, textarea), textarea };
}

/** The SQL editor for analysts and admins: highlighting, estimate, run, downloads, own history. */
export function sqlPage(api: ApiClient, me: Me): HTMLElement {
  const title = pageTitle("SQL editor");
  if (me.role !== "analyst" && me.role !== "admin") {
    return h(
      "section",
      { class: "page" },
      title,
      h(
        "p",
        { class: "status error", role: "alert" },
        `Ad-hoc SQL is for analysts and admins; you are ${me.role}. Use the query builder or the predefined queries.`,
      ),
    );
  }
  const history = new SqlHistory(localStorage, me.name);
  const { element, textarea } = editor(history.list()[0] ?? EXAMPLE);
  const historyList = h("ol", { class: "history", "aria-label": "Your recent statements" });
  const renderHistory = (items: string[]) => {
    historyList.replaceChildren(
      ...items.map((sql) => {
        const use = h("button", { type: "button", class: "link history-item", title: sql }, sql.replace(/\s+/g, " ").slice(0, 140));
        use.addEventListener("click", () => {
          textarea.value = sql;
          textarea.dispatchEvent(new Event("input"));
          textarea.focus();
        });
        return h("li", {}, use);
      }),
    );
    if (items.length === 0) {
      historyList.replaceChildren(h("li", { class: "status" }, "Statements you run appear here (kept in this browser only)."));
    }
  };
  renderHistory(history.list());
  const panel = runner(
    api,
    () => (textarea.value.trim() === "" ? { error: "Write a SELECT statement first." } : { kind: "sql", sql: textarea.value }),
    (target) => {
      if (target.kind === "sql") {
        renderHistory(history.add(target.sql));
      }
      flow.onRun();
    },
  );
  // the builder's flow: on Run the results come into view with the focus, the status line stays in
  // the sticky run panel
  const flow = runFlow(panel.output);
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void panel.run();
    }
  });
  return h(
    "section",
    { class: "page page-sql" },
    title,
    h(
      "div",
      { class: "flow" },
      // the sticky panel sticks within the editor's box, never over the results below it
      h(
        "div",
        { class: "builder-layout" },
        h(
          "div",
          { class: "sql-column" },
          h(
            "div",
            { class: "card" },
            h("label", { for: "sql-text" }, "One SELECT over the catalogue tables"),
            element,
            h(
              "small",
              { class: "hint", id: "sql-hint" },
              "Ctrl+Enter runs. The server checks the statement (one SELECT, catalogue tables, allowed functions) and your scan budget.",
            ),
          ),
          h("h2", {}, "Your history"),
          h("div", { class: "card" }, historyList),
        ),
        h("div", { class: "card sticky" }, h("h2", {}, "Estimate and run"), panel.controls, flow.status),
      ),
      panel.output,
    ),
  );
}
