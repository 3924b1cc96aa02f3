import { describe, expect, it } from "vitest";
import {
  answerCsv,
  compactFilters,
  draftOf,
  draftProblem,
  filtersFromParams,
  filtersToParams,
  mayEdit,
  moveTile,
  neutralise,
  sameFilters,
  snapshotState,
  tileId,
} from "./dashboard";
import type { Dashboard, DashboardDraft, DashboardTile } from "./types";

const TILE: DashboardTile = {
  id: "volumes",
  title: "Volumes",
  query: { table: "lab_results", group_by: [{ column: "hospital_id" }], aggregates: [{ function: "count" }], limit: 100 },
  chart: { type: "bar" },
  width: 1,
};

function draft(changes: Partial<DashboardDraft> = {}): DashboardDraft {
  return { name: "Lab overview", sharing: { visibility: "private", roles: [] }, filters: {}, tiles: [TILE], ...changes };
}

describe("dashboard filters in the URL", () => {
  it("round-trips every filter", () => {
    const filters = {
      hospitals: ["H001", "H002"],
      tests: ["718-7"],
      from_month: "2024-01",
      to_month: "2024-03",
      sex: ["F"],
      age_bands: ["18-29", "90+"],
    };
    const params = filtersToParams(filters);
    expect(params.toString()).toBe("f=1&h=H001%2CH002&t=718-7&from=2024-01&to=2024-03&sex=F&age=18-29%2C90%2B");
    expect(filtersFromParams(new URLSearchParams(params.toString()))).toEqual(filters);
  });

  it("without f=1 the URL chooses nothing: the saved filters apply", () => {
    expect(filtersFromParams(new URLSearchParams("h=H001"))).toBeNull();
  });

  it("f=1 alone is the choice of no filter (a cleared saved filter stays cleared)", () => {
    expect(filtersFromParams(new URLSearchParams("f=1"))).toEqual({});
  });

  it("drops malformed months, unknown sexes and age bands", () => {
    expect(filtersFromParams(new URLSearchParams("f=1&from=2024-1&to=x&sex=F,Q&age=18-29,12-13"))).toEqual({
      sex: ["F"],
      age_bands: ["18-29"],
    });
  });

  it("compares filters by what they filter", () => {
    expect(sameFilters({ hospitals: [], tests: ["1"] }, { tests: ["1"] })).toBe(true);
    expect(sameFilters({ tests: ["1"] }, { tests: ["2"] })).toBe(false);
    expect(compactFilters({ hospitals: [], from_month: "" })).toEqual({});
  });
});

describe("tiles", () => {
  it("gets an id from its title, unique within the dashboard", () => {
    expect(tileId("Volumes per hospital & month", [])).toBe("volumes-per-hospital-month");
    expect(tileId("Volumes", ["volumes", "volumes-2"])).toBe("volumes-3");
    expect(tileId("!!!", [])).toBe("tile");
    expect(tileId("x".repeat(80), [])).toMatch(/^[a-z0-9-]{1,40}$/);
  });

  it("moves up and down, not past the ends", () => {
    const a = { ...TILE, id: "a" };
    const b = { ...TILE, id: "b" };
    expect(moveTile([a, b], 1, -1).map((tile) => tile.id)).toEqual(["b", "a"]);
    expect(moveTile([a, b], 0, -1)).toEqual([a, b]);
    expect(moveTile([a, b], 1, 1)).toEqual([a, b]);
  });
});

describe("draftProblem", () => {
  it("accepts a good draft", () => {
    expect(draftProblem(draft())).toBeNull();
  });

  it("names what the server would refuse", () => {
    expect(draftProblem(draft({ name: " " }))).toBe("The dashboard needs a name.");
    expect(draftProblem(draft({ name: "n".repeat(121) }))).toBe("The name has 121 characters; at most 120.");
    expect(draftProblem(draft({ tiles: Array.from({ length: 25 }, (_, i) => ({ ...TILE, id: "t" + i })) }))).toBe(
      "The dashboard has 25 tiles; at most 24.",
    );
    expect(draftProblem(draft({ sharing: { visibility: "roles", roles: [] } }))).toMatch(/no role is ticked/);
    expect(draftProblem(draft({ tiles: [TILE, TILE] }))).toBe("Tile 2: id 'volumes' is used twice.");
    expect(draftProblem(draft({ tiles: [{ ...TILE, id: "Bad Id" }] }))).toMatch(/^Tile 1: id 'Bad Id'/);
    expect(draftProblem(draft({ tiles: [{ ...TILE, predefined: { name: "x" } }] }))).toMatch(/exactly one/);
    expect(draftProblem(draft({ filters: { from_month: "2024-05", to_month: "2024-01" } }))).toBe(
      "The period is reversed: 2024-05 is after 2024-01.",
    );
  });
});

describe("draftOf", () => {
  it("keeps the fields and starts from the current version, without sharing state with the dashboard", () => {
    const dashboard: Dashboard = {
      id: 7,
      name: "Lab overview",
      description: "d",
      owner: "ada",
      version: 3,
      sharing: { visibility: "roles", roles: ["viewer"] },
      filters: { hospitals: ["H001"], tests: [] },
      tiles: [TILE],
      updated_at: "2026-01-01T00:00:00Z",
      updated_by: "ada",
    };
    const copy = draftOf(dashboard);
    expect(copy).toEqual({
      name: "Lab overview",
      description: "d",
      sharing: { visibility: "roles", roles: ["viewer"] },
      filters: { hospitals: ["H001"] },
      tiles: [TILE],
      base_version: 3,
    });
    copy.tiles[0]!.title = "changed";
    copy.sharing.roles.push("admin");
    expect(dashboard.tiles[0]!.title).toBe("Volumes");
    expect(dashboard.sharing.roles).toEqual(["viewer"]);
  });
});

describe("mayEdit", () => {
  it("the owner (an analyst) and admins; not a viewer, not another analyst", () => {
    expect(mayEdit({ owner: "ada" }, { name: "ada", role: "analyst" })).toBe(true);
    expect(mayEdit({ owner: "ada" }, { name: "root", role: "admin" })).toBe(true);
    expect(mayEdit({ owner: "ada" }, { name: "bob", role: "analyst" })).toBe(false);
    expect(mayEdit({ owner: "ada" }, { name: "ada", role: "viewer" })).toBe(false);
  });
});

describe("snapshotState", () => {
  it("changes only when a table's current snapshot changes, whatever the order", () => {
    const before = snapshotState([
      { name: "lab_results", current_snapshot_id: 1 },
      { name: "other", current_snapshot_id: null },
    ]);
    expect(
      snapshotState([
        { name: "other", current_snapshot_id: null },
        { name: "lab_results", current_snapshot_id: 1 },
      ]),
    ).toBe(before);
    expect(snapshotState([{ name: "lab_results", current_snapshot_id: "9007199254740993" }])).not.toBe(before);
  });
});

describe("answerCsv", () => {
  it("writes RFC 4180 with the header, empty fields for null (suppressed) cells, quoted text", () => {
    const csv = answerCsv(
      [
        { name: "hospital_id", type: "VARCHAR" },
        { name: "test_name", type: "VARCHAR" },
        { name: "count", type: "BIGINT" },
      ],
      [
        ["H001", 'Hb "total", blood', 12],
        ["H002", "x", null],
      ],
    );
    expect(csv).toBe('hospital_id,test_name,count\r\nH001,"Hb ""total"", blood",12\r\nH002,x,\r\n');
  });

  it("neutralises formula text cells as the server's CSV files do, not negative numbers", () => {
    expect(neutralise("=HYPERLINK()")).toBe("'=HYPERLINK()");
    expect(neutralise("  @SUM(1)")).toBe("'  @SUM(1)");
    expect(neutralise("718-7")).toBe("718-7");
    expect(answerCsv([{ name: "v", type: "DOUBLE" }], [[-1.5], ["-x"]])).toBe("v\r\n-1.5\r\n'-x\r\n");
  });
});
