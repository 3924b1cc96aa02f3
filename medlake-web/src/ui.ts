import { ApiError } from "./api";
import { errorMessage, h, loading } from "./dom";
import { startLoad } from "./latest";

export function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A 401 means the session ended: back to the login page, which returns here afterwards. */
export function handleUnauthenticated(error: unknown): boolean {
  if (error instanceof ApiError && error.status === 401) {
    location.hash = "#/login?next=" + encodeURIComponent(location.hash);
    return true;
  }
  return false;
}

/** Runs {@code load} showing a loading state in {@code target}, then the rendered result or the error. */
export async function section<T>(target: HTMLElement, load: () => Promise<T>, render: (value: T) => Node): Promise<T | undefined> {
  // a later load into the same place (a filter applied before the first answer came) wins
  const current = startLoad(target);
  target.setAttribute("aria-busy", "true");
  target.replaceChildren(loading());
  try {
    const value = await load();
    if (!current()) {
      return undefined;
    }
    target.replaceChildren(render(value));
    return value;
  } catch (error) {
    if (current() && !handleUnauthenticated(error)) {
      target.replaceChildren(errorMessage(message(error)));
    }
    return undefined;
  } finally {
    if (current()) {
      target.removeAttribute("aria-busy");
    }
  }
}

/** A focusable region so keyboard users can scroll wide tables on narrow screens. */
export function scrollable(table: HTMLTableElement, label: string): HTMLElement {
  return h("div", { class: "scroll", tabindex: "0", role: "region", "aria-label": label }, table);
}

/** A data table from a header and rows of cells; numeric columns are right-aligned. */
export function dataTable(caption: string, headers: string[], rows: (Node | string)[][], numeric: boolean[] = []): HTMLElement {
  const body = h("tbody");
  for (const row of rows) {
    body.append(h("tr", {}, ...row.map((cell, index) => h("td", { class: numeric[index] ? "num" : undefined }, cell))));
  }
  return scrollable(
    h(
      "table",
      { class: "data" },
      h("caption", {}, caption),
      h(
        "thead",
        {},
        h("tr", {}, ...headers.map((header, index) => h("th", { scope: "col", class: numeric[index] ? "num" : undefined }, header))),
      ),
      body,
    ),
    caption,
  );
}

let fieldCounter = 0;

/** A labelled form field around {@code control} (which gets an id when it has none). */
export function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  if (!control.id) {
    control.id = "field-" + ++fieldCounter;
  }
  const hintElement = hint ? h("small", { class: "hint", id: control.id + "-hint" }, hint) : null;
  if (hintElement) {
    control.setAttribute("aria-describedby", hintElement.id);
  }
  return h("div", { class: "field" }, h("label", { for: control.id }, label), control, hintElement);
}

/** A group of checkboxes in a fieldset; returns the element and a reader of the checked values. */
export function checkboxes(
  legend: string,
  options: { value: string; label: string }[],
  checked: string[],
): { element: HTMLElement; values: () => string[] } {
  const inputs = options.map((option) => {
    const input = h("input", { type: "checkbox", value: option.value, checked: checked.includes(option.value) });
    return { input, element: h("label", { class: "check" }, input, " " + option.label) };
  });
  return {
    element: h("fieldset", { class: "checks" }, h("legend", {}, legend), ...inputs.map((item) => item.element)),
    values: () => inputs.filter((item) => item.input.checked).map((item) => item.input.value),
  };
}

/** Saves a blob as a file through a temporary object URL. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: filename, class: "visually-hidden" });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function pageTitle(title: string): HTMLElement {
  document.title = title + " – medlake";
  return h("h1", {}, title);
}
