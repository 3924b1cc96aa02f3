import { describe, expect, it } from "vitest";
import { missingDeliveryWarnings } from "./missing";

describe("missing-delivery warnings", () => {
  it("are none when every hospital delivered", () => {
    expect(missingDeliveryWarnings([])).toEqual([]);
  });

  it("name each hospital and its source, one line per month, newest month first", () => {
    expect(
      missingDeliveryWarnings([
        { source_id: "h003", hospital_id: "H003", month: "2026-10" },
        { source_id: "h001", hospital_id: "H001", month: "2026-10" },
        { source_id: "h002", hospital_id: "H002", month: "2026-09" },
      ]),
    ).toEqual(["No delivery for 2026-10 from H001 (source h001), H003 (source h003).", "No delivery for 2026-09 from H002 (source h002)."]);
  });
});
