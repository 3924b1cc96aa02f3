import { describe, expect, it } from "vitest";
import { fieldColumn, splitRecord } from "./rejectcells";

describe("splitRecord", () => {
  it("splits on the delimiter, keeping empty cells", () => {
    expect(splitRecord(",E1,2345-7,,95", ",", '"')).toEqual(["", "E1", "2345-7", "", "95"]);
    expect(splitRecord("a;b", ";", '"')).toEqual(["a", "b"]);
  });

  it("keeps the delimiter and doubled quotes inside quoted cells", () => {
    expect(splitRecord('P1,"Glucose, fasting","say ""hi"""', ",", '"')).toEqual(["P1", "Glucose, fasting", 'say "hi"']);
  });

  it("is null for malformed quoting", () => {
    expect(splitRecord('P1,"open', ",", '"')).toBeNull();
    expect(splitRecord('P1,"a"b', ",", '"')).toBeNull();
  });
});

describe("fieldColumn", () => {
  const header = ["pid", "loinc", "value"];
  it("finds the header column a field is read from", () => {
    expect(fieldColumn("result", header, { "patient-id": "pid", result: "value" })).toBe(2);
  });
  it("is -1 for the whole row or a field not read from a column", () => {
    expect(fieldColumn("", header, { "patient-id": "pid" })).toBe(-1);
    expect(fieldColumn("patient-sex", header, { "patient-id": "pid" })).toBe(-1);
  });
});
