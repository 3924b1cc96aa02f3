import { describe, expect, it } from "vitest";
import { filtersText } from "./dashfilters";

describe("filtersText", () => {
  it("says which filters apply, in the order of the form", () => {
    expect(filtersText({ hospitals: ["H001", "H002"], from_month: "2024-01", to_month: "2024-03", sex: ["F"], age_bands: ["90+"] })).toBe(
      "hospitals H001, H002 · 2024-01 to 2024-03 · sex F · ages 90+",
    );
    expect(filtersText({ tests: ["718-7"], to_month: "2024-03" })).toBe("tests 718-7 · start to 2024-03");
  });

  it("says when nothing filters", () => {
    expect(filtersText({ hospitals: [] })).toBe("no filter: all the data");
  });
});
