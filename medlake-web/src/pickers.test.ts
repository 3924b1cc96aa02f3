import { describe, expect, it } from "vitest";
import { monthStart, rowsText, searchTests, testVocabulary, type TestEntry } from "./pickers";

const entry = (code: string, name: string, rows: number, otherNames: string[] = []): TestEntry => ({ code, name, otherNames, rows });

describe("testVocabulary", () => {
  it("lists each standard code once, named by its most frequent name, with the others and the rows", () => {
    const tests = testVocabulary([
      ["2160-0", "Creatinine [Mass/volume] in Serum or Plasma", 300],
      ["2160-0", "Creatinine, serum", 120],
      ["2160-0", "KREA", 500],
      ["718-7", "Hemoglobin [Mass/volume] in Blood", 900],
      [null, "Local thing", 40],
      ["2345-7", null, 7],
      ["2345-7", "Glucose", null],
    ]);
    expect(tests).toEqual([
      { ...entry("2345-7", "Glucose", 7), rowsHidden: true },
      entry("718-7", "Hemoglobin [Mass/volume] in Blood", 900),
      entry("2160-0", "KREA", 920, ["Creatinine [Mass/volume] in Serum or Plasma", "Creatinine, serum"]),
    ]);
  });
});

describe("searchTests", () => {
  const tests = [
    entry("718-7", "Hemoglobin [Mass/volume] in Blood", 900),
    entry("2345-7", "Glucose [Mass/volume] in Serum or Plasma", 800),
    entry("4544-3", "Hematocrit [Volume Fraction] of Blood", 700),
    entry("71875-9", "Pain severity", 10),
    entry("2157-6", "Creatine kinase [Enzymatic activity/volume] in Serum or Plasma", 200),
    entry("2160-0", "Creatinine [Mass/volume] in Serum or Plasma", 600, ["KREA"]),
    entry("14682-9", "Creatinine [Moles/volume] in Serum or Plasma", 100),
  ];
  const codes = (text: string, limit?: number) => searchTests(tests, text, limit).map((test) => test.code);

  it("finds by exact code, then code prefix", () => {
    expect(codes("718-7")).toEqual(["718-7"]);
    expect(codes("718")).toEqual(["718-7", "71875-9"]);
  });

  it("puts names starting with the text first, the most used first: 'creat' is creatinine", () => {
    expect(codes("creat")[0]).toBe("2160-0");
    expect(codes("creat")).toEqual(["2160-0", "2157-6", "14682-9"]);
    expect(codes("creatine k")).toEqual(["2157-6"]);
  });

  it("then names with a word starting with the text, then names holding every word", () => {
    expect(codes("blood")).toEqual(["718-7", "4544-3"]);
    expect(codes("severity")).toEqual(["71875-9"]);
    expect(codes("blood he")).toEqual(["718-7", "4544-3"]);
    expect(codes("mass volume")).toEqual(["718-7", "2345-7", "2160-0"]);
  });

  it("matches the hospitals' other names too", () => {
    expect(codes("krea")).toEqual(["2160-0"]);
  });

  it("ignores case and blanks, and keeps to the limit", () => {
    expect(codes("GLUCOSE")).toEqual(["2345-7"]);
    expect(codes("  ")).toEqual([]);
    expect(codes("blood", 1)).toHaveLength(1);
  });
});

describe("rowsText", () => {
  it("says how many rows, and when small counts were hidden", () => {
    expect(rowsText(entry("1", "a", 1234))).toBe("1,234 rows");
    expect(rowsText(entry("1", "a", 1))).toBe("1 row");
    expect(rowsText({ ...entry("1", "a", 12), rowsHidden: true })).toBe("at least 12 rows");
    expect(rowsText({ ...entry("1", "a", 0), rowsHidden: true })).toBe("a few rows");
  });
});

describe("monthStart", () => {
  it("gives the first day of the month and of later months, across years", () => {
    expect(monthStart("2024-03")).toBe("2024-03-01");
    expect(monthStart("2024-12", 1)).toBe("2025-01-01");
  });
});
