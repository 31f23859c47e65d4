// The histogram over the current query and range: counts per time bucket, stacked by severity (one
// series for events), with click-and-drag to zoom into a narrower range and the counts on hover.
import uPlot from './vendor/uplot.js';
import { h, fill, count } from './dom.js';

export const SEVERITIES = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
export const COLORS = { trace: '#9aa5b1', debug: '#7b8794', info: '#3f83f8', warn: '#f0b429', error: '#e12d39', fatal: '#8a041a', count: '#3f83f8' };

/**
 * `rows`: the GQL answer of `… | count by severity | timeslice d` ({time, severity?, value}); `step` the
 * bucket in seconds; `from`/`to` the range in ms. Zero-fills the buckets the engine leaves out.
 */
export function bucketize(rows, step, from, to) {
  const start = Math.floor(from / 1000 / step) * step;
  const n = Math.max(1, Math.ceil((to / 1000 - start) / step));
  const xs = Array.from({ length: n }, (_, i) => start + i * step);
  const keys = rows.some((r) => r.severity !== undefined) ? SEVERITIES : ['count'];
  const series = Object.fromEntries(keys.map((k) => [k, new Array(n).fill(0)]));
  let total = 0;
  for (const r of rows) {
    const i = Math.round((Date.parse(r.time) / 1000 - start) / step);
    const key = r.severity ?? 'count';
    if (i < 0 || i >= n || !series[key]) continue;
    series[key][i] += r.value;
    total += r.value;
  }
  return { xs, keys: keys.filter((k) => series[k].some((v) => v > 0)), series, total };
}

/** `onZoom(fromMs, toMs)` is called when a range is dragged. */
export function histogram({ onZoom }) {
  const chart = h('div', { class: 'chart' });
  const summary = h('div', { class: 'summary', testid: 'histogram-total' });
  const el = h('section', { class: 'histogram', testid: 'histogram', 'aria-label': 'Matches over time' }, summary, chart);
  let plot = null;

  const draw = (data) => {
    plot?.destroy();
    plot = null;
    el.dataset.total = String(data.total);
    fill(summary, `${count(data.total)} matching in range`);
    if (data.keys.length === 0) {
      fill(chart, h('div', { class: 'empty' }, 'Nothing matched in this range'));
      return;
    }
    fill(chart);
    // uPlot draws bars, not stacks: each series is drawn as the running sum up to it, tallest first, so
    // the shorter sums paint over the lower part; the legend and hover show each severity's own count.
    const order = [...data.keys].reverse();
    const stacked = order.map((_, i) => data.xs.map((__, j) => order.slice(i).reduce((s, k) => s + data.series[k][j], 0)));
    const bars = uPlot.paths.bars({ size: [0.85, 40], gap: 1 });
    plot = new uPlot({
      width: Math.max(300, el.clientWidth - 16),
      height: 140,
      cursor: { drag: { x: true, y: false, setScale: false }, points: { show: false } },
      select: { show: true },
      legend: { live: true },
      scales: { x: { time: true } },
      axes: [{ stroke: '#52606d', grid: { show: false } }, { stroke: '#52606d', size: 50, grid: { stroke: '#e4e7eb' } }],
      series: [
        { value: (_u, v) => (v === null ? '' : new Date(v * 1000).toISOString().replace('T', ' ').slice(0, 19)) },
        ...order.map((k) => ({
          label: k, fill: COLORS[k], stroke: COLORS[k], width: 0, paths: bars, points: { show: false },
          value: (_u, _v, _si, idx) => (idx === null || idx === undefined ? '' : count(data.series[k][idx])),
        })),
      ],
      hooks: {
        setSelect: [(u) => {
          if (u.select.width < 3) return;
          const from = u.posToVal(u.select.left, 'x') * 1000;
          const to = u.posToVal(u.select.left + u.select.width, 'x') * 1000;
          u.setSelect({ left: 0, width: 0, top: 0, height: 0 }, false);
          onZoom(Math.floor(from), Math.ceil(to));
        }],
      },
    }, [data.xs, ...stacked], chart);
  };

  return {
    el,
    draw,
    clear(message) {
      plot?.destroy();
      plot = null;
      delete el.dataset.total;
      fill(summary);
      fill(chart, message ? h('div', { class: 'empty' }, message) : null);
    },
  };
}
