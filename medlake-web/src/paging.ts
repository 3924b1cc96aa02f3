import { h } from "./dom";
import { formatCount } from "./format";

/** One page of a list: its items and where it lies in the whole. */
export interface Page<T> {
  items: T[];
  /** 0-based page number, clamped to the pages there are. */
  page: number;
  pages: number;
  /** 1-based position of the first and last item shown (0, 0 for an empty list). */
  first: number;
  last: number;
  total: number;
}

/** Page {@code page} (0-based; clamped) of {@code items}, {@code size} items a page. */
export function pageOf<T>(items: readonly T[], page: number, size: number): Page<T> {
  if (size < 1) {
    throw new Error("A page holds at least one item");
  }
  const pages = Math.max(1, Math.ceil(items.length / size));
  const clamped = Math.min(Math.max(0, Math.floor(page)), pages - 1);
  const start = clamped * size;
  const shown = items.slice(start, start + size);
  return {
    items: shown,
    page: clamped,
    pages,
    first: shown.length === 0 ? 0 : start + 1,
    last: start + shown.length,
    total: items.length,
  };
}

/**
 * A list shown a page at a time: {@code render} draws the items of the page, and Previous/Next
 * buttons with "1–10 of 60" move through the pages (the buttons keep focus while paging).
 */
export function paged<T>(items: readonly T[], size: number, label: string, render: (items: T[]) => Node): HTMLElement {
  const view = h("div", { class: "paged-view" });
  const position = h("span", { class: "meta", "aria-live": "polite", "data-testid": "page-position" });
  const previous = h("button", { type: "button", class: "secondary small" }, "Previous");
  const next = h("button", { type: "button", class: "secondary small" }, "Next");
  let current = 0;
  const show = (page: number): void => {
    const shown = pageOf(items, page, size);
    current = shown.page;
    view.replaceChildren(render(shown.items));
    position.textContent = `${formatCount(shown.first)}–${formatCount(shown.last)} of ${formatCount(shown.total)}`;
    previous.disabled = shown.page === 0;
    next.disabled = shown.page >= shown.pages - 1;
  };
  previous.addEventListener("click", () => show(current - 1));
  next.addEventListener("click", () => show(current + 1));
  show(0);
  const pager =
    items.length > size ? h("div", { class: "pager", role: "group", "aria-label": label }, previous, " ", position, " ", next) : position;
  return h("div", { class: "paged" }, view, pager);
}
