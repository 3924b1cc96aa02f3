// Loaded on demand (a dynamic import in results.ts): ECharts stays out of the first load.
import { BarChart, LineChart } from "echarts/charts";
import { GridComponent, LegendComponent, TitleComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import type { ChartSpec } from "./chartshape";

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TitleComponent, TooltipComponent, CanvasRenderer]);

const PALETTE = ["#0b5cad", "#d9730d", "#2f8f46", "#a4262c", "#6b4fbb", "#00838f", "#8d6e00", "#c2185b"];

/** Draws a chart spec into {@code element}; returns a function that releases it. */
export function drawChart(element: HTMLElement, spec: Exclude<ChartSpec, { kind: "none" }>): () => void {
  const chart = echarts.init(element, undefined, { renderer: "canvas" });
  const line = spec.kind === "line";
  chart.setOption({
    color: PALETTE,
    animation: false,
    title: { text: spec.title, left: 0, textStyle: { fontSize: 13, fontWeight: 600 } },
    tooltip: { trigger: "axis", confine: true },
    legend: spec.series.length > 1 ? { type: "scroll", bottom: 0 } : undefined,
    grid: { left: 8, right: 16, top: 36, bottom: spec.series.length > 1 ? 36 : 8, containLabel: true },
    xAxis: { type: "category", data: spec.x, axisLabel: { hideOverlap: true }, boundaryGap: !line },
    yAxis: { type: "value", scale: spec.kind === "summary", name: "unit" in spec ? spec.unit : undefined },
    series: spec.series.map((series) => ({
      name: series.name,
      type: line ? "line" : "bar",
      data: series.values,
      connectNulls: false,
      barCategoryGap: spec.kind === "histogram" ? "2%" : undefined,
      showSymbol: line && spec.x.length < 40,
    })),
  });
  const resize = () => chart.resize();
  window.addEventListener("resize", resize);
  return () => {
    window.removeEventListener("resize", resize);
    chart.dispose();
  };
}
