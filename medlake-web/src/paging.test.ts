import { describe, expect, it } from "vitest";
import { pageOf } from "./paging";

describe("pageOf", () => {
  const items = Array.from({ length: 23 }, (_, index) => index + 1);

  it("gives the items of a page and where they lie", () => {
    expect(pageOf(items, 0, 10)).toEqual({ items: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], page: 0, pages: 3, first: 1, last: 10, total: 23 });
    expect(pageOf(items, 2, 10)).toMatchObject({ items: [21, 22, 23], page: 2, first: 21, last: 23 });
  });

  it("clamps a page outside the list", () => {
    expect(pageOf(items, 7, 10).page).toBe(2);
    expect(pageOf(items, -1, 10).page).toBe(0);
  });

  it("has one empty page for an empty list", () => {
    expect(pageOf([], 0, 10)).toEqual({ items: [], page: 0, pages: 1, first: 0, last: 0, total: 0 });
  });

  it("refuses pages of no items", () => {
    expect(() => pageOf(items, 0, 0)).toThrow("at least one item");
  });
});
