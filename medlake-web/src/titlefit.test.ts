import { describe, expect, it } from "vitest";
import { titleLines } from "./titlefit";

const tenPerChar = (text: string) => text.length * 10;

describe("titleLines", () => {
  it("keeps a short title on one line", () => {
    expect(titleLines("Mean value", 200, tenPerChar)).toBe(1);
  });
  it("wraps a long title at word boundaries", () => {
    // "aaaa bbbb" fits in 90, "cccc dddd" on the second line
    expect(titleLines("aaaa bbbb cccc dddd", 90, tenPerChar)).toBe(2);
  });
  it("gives a word longer than the room its own line", () => {
    expect(titleLines("a verylongword b", 50, tenPerChar)).toBe(3);
  });
});
