import { describe, expect, it } from "vitest";
import { SqlHistory, tokenize } from "./sqlhighlight";

describe("tokenize", () => {
  it("classifies keywords, functions, strings, numbers, comments and identifiers", () => {
    const tokens = tokenize("SELECT count(*) AS n FROM lab_results WHERE test_code = '718-7' AND value_numeric > 1.5e2 -- note\n/* x */");
    const kinds = tokens.filter((token) => token.kind !== "space").map((token) => [token.kind, token.text]);
    expect(kinds).toEqual([
      ["keyword", "SELECT"],
      ["function", "count"],
      ["operator", "("],
      ["operator", "*"],
      ["operator", ")"],
      ["keyword", "AS"],
      ["identifier", "n"],
      ["keyword", "FROM"],
      ["identifier", "lab_results"],
      ["keyword", "WHERE"],
      ["identifier", "test_code"],
      ["operator", "="],
      ["string", "'718-7'"],
      ["keyword", "AND"],
      ["identifier", "value_numeric"],
      ["operator", ">"],
      ["number", "1.5e2"],
      ["comment", "-- note"],
      ["comment", "/* x */"],
    ]);
  });

  it("loses no character, even in unterminated strings and odd input", () => {
    for (const sql of ["select 'it''s", 'select "a b" from t', "select # ` from", "", "x /* open"]) {
      expect(
        tokenize(sql)
          .map((token) => token.text)
          .join(""),
      ).toBe(sql);
    }
  });
});

describe("SqlHistory", () => {
  function memory(): Pick<Storage, "getItem" | "setItem"> & { data: Map<string, string> } {
    const data = new Map<string, string>();
    return { data, getItem: (key) => data.get(key) ?? null, setItem: (key, value) => void data.set(key, value) };
  }

  it("keeps each user's statements newest first, without duplicates, bounded", () => {
    const storage = memory();
    const ada = new SqlHistory(storage, "ada");
    ada.add("select 1");
    ada.add("select 2 ");
    expect(ada.add("select 1")).toEqual(["select 1", "select 2"]);
    expect(new SqlHistory(storage, "bob").list()).toEqual([]);
    for (let i = 0; i < 60; i++) {
      ada.add(`select ${i}`);
    }
    expect(ada.list()).toHaveLength(SqlHistory.MAX);
    expect(ada.list()[0]).toBe("select 59");
  });

  it("survives corrupt storage", () => {
    const storage = memory();
    storage.setItem("medlake.sql-history.ada", "{not json");
    expect(new SqlHistory(storage, "ada").list()).toEqual([]);
  });
});
