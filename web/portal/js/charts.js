// Bar charts drawn with the vendored Chart.js (UMD build, web/portal/vendor/), loaded only
// when a page draws a chart: most staff never open one, and the library is ~200 KB.
//
// The script is added as <script src> on this origin, which `script-src 'self'` allows;
// Chart.js 4 uses no eval and sizes its canvas through the CSSOM, which `style-src 'self'`
// allows (only style attributes written in markup are refused). A chart is never the only
// way to read its numbers: every chart on the portal has a data table next to it, and the
// canvas itself is one image whose label says so.
//
// Suppressed values (null from the API) are never given to Chart.js: a category whose value
// is suppressed is left out of the chart, so no bar, tooltip or scale can reveal it.

import { h } from "../../shared/dom.js";

const CHART_SCRIPT = new URL("../vendor/chart.js-4.6.1/chart.umd.min.js", import.meta.url).href;
const BAR_COLOUR = "#1d70b8";
const TEXT_COLOUR = "#0b0c0c";
const GRID_COLOUR = "#b1b4b6";

let loading = null;

/** Chart.js, loaded once (rejects when the script cannot be loaded). */
export function loadChartLibrary() {
  if (window.Chart) return Promise.resolve(window.Chart);
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = CHART_SCRIPT;
      script.async = true;
      script.addEventListener("load", () => {
        if (!window.Chart) {
          reject(new Error("Chart.js did not load"));
          return;
        }
        applyDefaults(window.Chart);
        resolve(window.Chart);
      });
      script.addEventListener("error", () => {
        loading = null;
        script.remove();
        reject(new Error("Chart.js could not be loaded"));
      });
      document.head.append(script);
    });
  }
  return loading;
}

/** A height class for a chart of `bars` horizontal bars (no inline styles: CSP). */
function sizeClass(bars) {
  if (bars <= 3) return "chart--s";
  if (bars <= 8) return "chart--m";
  if (bars <= 16) return "chart--l";
  return "chart--xl";
}

/** The portal's look for every chart: its system fonts and text colour, at a readable size. */
function applyDefaults(Chart) {
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.font.size = 14;
  Chart.defaults.color = TEXT_COLOUR;
}

/**
 * A figure to hold a chart of `bars` horizontal bars, drawn with `drawBarChart` once it is in
 * the document. `name` is the chart's hook
 * (`canvas[data-chart=name]`); `description` labels the image for screen readers.
 */
export function barChartFigure({ name, description, bars }) {
  const canvas = h("canvas", {
    role: "img",
    "aria-label": `${description} Bar chart; the table below gives the same numbers.`,
    dataset: { chart: name },
  });
  const figure = h(
    "figure",
    { class: "chart-figure" },
    h("div", { class: `chart ${sizeClass(bars)}` }, canvas),
  );
  return { figure, canvas };
}

/** Draw a horizontal bar chart on `canvas` of the published `values` only. */
export async function drawBarChart(canvas, values, { axisTitle = "Reports" } = {}) {
  const published = values.filter((value) => value.count !== null && value.count !== undefined);
  const Chart = await loadChartLibrary();
  if (!canvas.isConnected) return null;
  const existing = Chart.getChart(canvas);
  if (existing) existing.destroy();
  return new Chart(canvas, {
    type: "bar",
    data: {
      labels: published.map((value) => value.label),
      datasets: [
        {
          label: axisTitle,
          data: published.map((value) => value.count),
          backgroundColor: BAR_COLOUR,
          borderWidth: 0,
          maxBarThickness: 28,
        },
      ],
    },
    options: {
      indexAxis: "y",
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { display: false }, tooltip: { enabled: true } },
      scales: {
        x: {
          beginAtZero: true,
          ticks: { precision: 0, color: TEXT_COLOUR },
          grid: { color: GRID_COLOUR },
          title: { display: true, text: axisTitle, color: TEXT_COLOUR },
        },
        y: { ticks: { color: TEXT_COLOUR, autoSkip: false }, grid: { display: false } },
      },
    },
  });
}
