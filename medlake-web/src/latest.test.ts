import { describe, expect, it } from "vitest";
import { startLoad } from "./latest";

describe("startLoad", () => {
  it("lets only the load started last show its answer", () => {
    const target = {};
    const first = startLoad(target);
    expect(first()).toBe(true);
    const second = startLoad(target);
    // the first answer arriving after the second load began is stale, whenever it arrives
    expect(first()).toBe(false);
    expect(second()).toBe(true);
  });

  it("keeps loads into different places apart", () => {
    const one = {};
    const other = {};
    const a = startLoad(one);
    const b = startLoad(other);
    expect(a()).toBe(true);
    expect(b()).toBe(true);
  });

  it("drops a late first answer when two loads overlap", async () => {
    const target = { shown: "" };
    const load = async (answer: string, delay: number) => {
      const current = startLoad(target);
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (current()) {
        target.shown = answer;
      }
    };
    await Promise.all([load("unfiltered", 30), load("filtered", 5)]);
    expect(target.shown).toBe("filtered");
  });
});
