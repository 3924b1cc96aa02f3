// Loaded on demand (a dynamic import in results.ts): ECharts stays out of the first load.
import { BarChart, BoxplotChart, LineChart } from "echarts/charts";
import { GridComponent, LegendComponent, TitleComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer, SVGRenderer } from "echarts/renderers";
import type { ChartSpec } from "./chartshape";
import { measureTitle, TITLE_LINE, titleLines } from "./titlefit";

echarts.use([
  BarChart,
  BoxplotChart,
  LineChart,
  GridComponent,
  LegendComponent,
  TitleComponent,
  TooltipComponent,
  CanvasRenderer,
  SVGRenderer,
]);

const PALETTE = ["#0b5cad", "#d9730d", "#2f8f46", "#a4262c", "#6b4fbb", "#00838f", "#8d6e00", "#c2185b"];

type Drawable = Exclude<ChartSpec, { kind: "none" | "number" }>;

/** The ECharts option of a chart spec. */
function option(spec: Drawable): echarts.EChartsCoreOption {
  const title = {
    text: spec.title,
    left: 0,
    textStyle: { fontSize: 13, fontWeight: 600, width: 0, overflow: "break", lineHeight: TITLE_LINE },
  };
  if (spec.kind === "box") {
    return {
      color: PALETTE,
      animation: false,
      title: { ...title, subtext: spec.note, subtextStyle: { fontSize: 11 } },
      tooltip: { trigger: "item", confine: true },
      grid: { left: 8, right: 16, top: 52, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: spec.x, axisLabel: { hideOverlap: true } },
      yAxis: { type: "value", scale: true, name: spec.unit },
      series: [{ name: spec.note, type: "boxplot", data: spec.boxes.map((box) => box ?? []) }],
    };
  }
  const line = spec.kind === "line";
  return {
    color: PALETTE,
    animation: false,
    title,
    tooltip: { trigger: "axis", confine: true },
    legend: spec.series.length > 1 ? { type: "scroll", bottom: 0 } : undefined,
    grid: { left: 8, right: 16, top: spec.unit ? 52 : 36, bottom: spec.series.length > 1 ? 36 : 8, containLabel: true },
    xAxis: { type: "category", data: spec.x, axisLabel: { hideOverlap: true }, boundaryGap: !line },
    yAxis: { type: "value", name: spec.unit },
    series: spec.series.map((series) => ({
      name: series.name,
      type: line ? "line" : "bar",
      data: series.values,
      connectNulls: false,
      barCategoryGap: spec.kind === "histogram" ? "2%" : undefined,
      showSymbol: line && spec.x.length < 40,
    })),
  };
}

/** A drawn chart: release it, or export it as a PNG or SVG file. */
export interface DrawnChart {
  dispose: () => void;
  png: () => Blob;
  svg: () => Blob;
}

/** Draws a chart spec into {@code element}. */
export function drawChart(element: HTMLElement, spec: Drawable): DrawnChart {
  const chart = echarts.init(element, undefined, { renderer: "canvas" });
  const drawn = option(spec);
  // titles fit the width: wrapped onto more lines (never cut), the plot moved down by the lines added
  const top = (drawn.grid as { top: number }).top;
  const fit = () => {
    const room = Math.max(120, element.clientWidth - 16);
    const more = titleLines(spec.title, room, measureTitle) - 1;
    element.dataset.titleLines = String(more + 1);
    chart.setOption({ title: { textStyle: { width: room } }, grid: { top: top + more * TITLE_LINE } });
  };
  chart.setOption(drawn);
  fit();
  const resize = () => {
    chart.resize();
    fit();
  };
  window.addEventListener("resize", resize);
  return {
    dispose: () => {
      window.removeEventListener("resize", resize);
      chart.dispose();
    },
    png: () => {
      // decoded here: the Content Security Policy forbids fetching data: URLs
      const url = chart.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#fff" });
      const bytes = atob(url.slice(url.indexOf(",") + 1));
      return new Blob([Uint8Array.from(bytes, (char) => char.charCodeAt(0))], { type: "image/png" });
    },
    svg: () => {
      const width = Math.max(320, element.clientWidth);
      const height = Math.max(240, element.clientHeight);
      const off = echarts.init(null, undefined, { renderer: "svg", ssr: true, width, height });
      off.setOption({ ...drawn, backgroundColor: "#fff" });
      const more = titleLines(spec.title, width - 16, measureTitle) - 1;
      off.setOption({ title: { textStyle: { width: width - 16 } }, grid: { top: top + more * TITLE_LINE } });
      const text = off.renderToSVGString();
      off.dispose();
      return new Blob([text], { type: "image/svg+xml" });
    },
  };
}
