/** Chart titles at any width: wrapped onto more lines rather than cut, the plot moved down to match. */

/** The chart title's font (charts.ts). */
export const TITLE_FONT = "600 13px sans-serif";
/** The height one more title line takes, in pixels. */
export const TITLE_LINE = 17;

/** How many lines {@code title} takes in {@code room} pixels, words wrapped as ECharts' "break" does. */
export function titleLines(title: string, room: number, measure: (text: string) => number): number {
  let lines = 1;
  let line = "";
  for (const word of title.split(/\s+/).filter((part) => part !== "")) {
    const candidate = line === "" ? word : line + " " + word;
    if (line !== "" && measure(candidate) > room) {
      lines++;
      line = word;
    } else {
      line = candidate;
    }
  }
  return lines;
}

/** The text width of {@code text} in the title font, from a canvas (0 where there is none). */
export function measureTitle(text: string): number {
  const context = document.createElement("canvas").getContext("2d");
  if (!context) {
    return 0;
  }
  context.font = TITLE_FONT;
  return context.measureText(text).width;
}
