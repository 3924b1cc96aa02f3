import { describe, expect, it } from "vitest";
import { formFields, formParameters, pickerOf } from "./paramform";
import type { QueryParameter } from "./types";

const p = (name: string, type: QueryParameter["type"], extra: Partial<QueryParameter> = {}): QueryParameter => ({
  name,
  type,
  description: name + " description",
  default: null,
  min: null,
  max: null,
  ...extra,
});

const SCHEMA: QueryParameter[] = [
  p("hospitals", "string-list", { description: "Hospital ids, comma-separated; empty for all", default: "" }),
  p("from", "date", { default: "2000-01-01", min: "1990-01-01", max: "2100-01-01" }),
  p("min_count", "int", { min: "1", max: "1000" }),
  p("threshold", "double"),
  p("unit", "string"),
];

describe("formFields", () => {
  it("maps each parameter type to an input with its bounds and default", () => {
    const fields = formFields(SCHEMA, new URLSearchParams(""));
    expect(fields.map((field) => [field.name, field.input, field.step, field.value])).toEqual([
      ["hospitals", "text", undefined, ""],
      ["from", "date", undefined, "2000-01-01"],
      ["min_count", "number", "1", ""],
      ["threshold", "number", "any", ""],
      ["unit", "text", undefined, ""],
    ]);
    expect(fields[1]).toMatchObject({ label: "From", min: "1990-01-01", max: "2100-01-01" });
    expect(fields[2]!.label).toBe("Min count");
    expect(fields[0]!.hint).toBe("None ticked: all hospitals.");
    expect(fields[0]!.picker).toBe("hospitals");
    expect(fields[1]!.picker).toBeUndefined(); // bounded: a date input keeps the bounds
    expect(formFields([p("codes", "string-list")], new URLSearchParams())[0]!.hint).toBe("codes description (comma-separated)");
  });

  it("takes values from the URL over defaults", () => {
    expect(formFields(SCHEMA, new URLSearchParams("from=2024-01-01"))[1]!.value).toBe("2024-01-01");
  });
});

describe("formParameters", () => {
  it("sends only values that differ from the defaults, lists tidied", () => {
    expect(formParameters(SCHEMA, { hospitals: " H001, ,H002 ", from: "2000-01-01", min_count: "5", threshold: "2.5", unit: "" })).toEqual({
      parameters: { hospitals: "H001,H002", min_count: "5", threshold: "2.5" },
    });
  });

  it("names the parameter and the value of the first problem", () => {
    expect(formParameters(SCHEMA, { min_count: "2.5" })).toEqual({ error: "'min_count' must be a whole number, got '2.5'" });
    expect(formParameters(SCHEMA, { min_count: "0" })).toEqual({ error: "'min_count' must be at least 1, got 0" });
    expect(formParameters(SCHEMA, { from: "1980-05-01" })).toEqual({ error: "'from' must be at least 1990-01-01, got 1980-05-01" });
    expect(formParameters(SCHEMA, { from: "soon" })).toEqual({ error: "'from' must be a date YYYY-MM-DD, got 'soon'" });
    expect(formParameters(SCHEMA, { threshold: "abc" })).toEqual({ error: "'threshold' must be a number, got 'abc'" });
  });
});

describe("pickerOf", () => {
  it("gives the shared parameters pickers: hospitals, tests, one test, and months for the date bounds", () => {
    expect(pickerOf(p("hospitals", "string-list"))).toBe("hospitals");
    expect(pickerOf(p("tests", "string-list"))).toBe("tests");
    expect(pickerOf(p("test", "string"))).toBe("test");
    expect(pickerOf(p("from", "date"))).toBe("month-start");
    expect(pickerOf(p("to", "date", { description: "Last day (exclusive); empty for no bound" }))).toBe("month-end-exclusive");
    expect(pickerOf(p("to", "date", { description: "Last day" }))).toBe("month-end-inclusive");
    expect(pickerOf(p("hospitals", "string"))).toBeUndefined();
    expect(pickerOf(p("unit", "string"))).toBeUndefined();
  });
});
