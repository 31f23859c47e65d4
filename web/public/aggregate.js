// Aggregate answers: the table of groups and a chart, a line per group over time when the query has a
// timeslice, else one bar per group.
import uPlot from './vendor/uplot.js';
import { h, fill, count } from './dom.js';

const PALETTE = ['#3f83f8', '#e12d39', '#f0b429', '#27ab83', '#9446ed', '#f35627', '#0bb5c9', '#7b8794'];
const MAX_LINES = 8;

const groupKeys = (rows) => Object.keys(rows[0] ?? {}).filter((k) => k !== 'value' && k !== 'time');
const groupLabel = (row, keys) => (keys.length ? keys.map((k) => String(row[k] ?? '(none)')).join(' · ') : 'value');

function timeSeries(rows, keys) {
  const times = [...new Set(rows.map((r) => Date.parse(r.time) / 1000))].sort((a, b) => a - b);
  const at = new Map(times.map((t, i) => [t, i]));
  const totals = new Map();
  for (const r of rows) totals.set(groupLabel(r, keys), (totals.get(groupLabel(r, keys)) ?? 0) + r.value);
  const groups = [...totals.entries()].sort((a, b) => b[1] - a[1]).slice(0, MAX_LINES).map(([g]) => g);
  const series = groups.map(() => new Array(times.length).fill(null));
  for (const r of rows) {
    const g = groups.indexOf(groupLabel(r, keys));
    if (g >= 0) series[g][at.get(Date.parse(r.time) / 1000)] = r.value;
  }
  return { times, groups, series };
}

export function aggregateView() {
  const chart = h('div', { class: 'chart', testid: 'aggregate-chart' });
  const table = h('table', { testid: 'aggregate-table' });
  const el = h('section', { class: 'aggregate' }, chart, h('div', { class: 'results' }, table));
  let plot = null;

  return {
    el,
    show(data) {
      plot?.destroy();
      plot = null;
      const rows = data.results;
      const keys = groupKeys(rows);
      const hasTime = rows.some((r) => r.time !== undefined);
      const columns = [...(hasTime ? ['time'] : []), ...keys, 'value'];
      fill(table,
        h('thead', {}, h('tr', {}, columns.map((c) => h('th', {}, c)))),
        h('tbody', {}, rows.map((r) => h('tr', { testid: 'aggregate-row' }, columns.map((c) => h('td', { class: c === 'value' ? 'num' : '' }, c === 'value' ? count(r[c] ?? 0) : String(r[c] ?? '(none)')))))));
      fill(chart);
      if (rows.length === 0) {
        fill(chart, h('div', { class: 'empty' }, 'No groups'));
        return;
      }
      const width = Math.max(300, el.clientWidth - 16);
      if (hasTime) {
        const ts = timeSeries(rows, keys);
        chart.dataset.kind = 'line';
        plot = new uPlot({
          width, height: 220, scales: { x: { time: true } },
          series: [{}, ...ts.groups.map((g, i) => ({ label: g, stroke: PALETTE[i % PALETTE.length], width: 2, spanGaps: false }))],
        }, [ts.times, ...ts.series], chart);
        return;
      }
      const shown = rows.slice(0, 50);
      const labels = shown.map((r) => groupLabel(r, keys));
      chart.dataset.kind = 'bar';
      plot = new uPlot({
        width, height: 220,
        scales: { x: { time: false, range: [-0.5, shown.length - 0.5] } },
        axes: [{ values: (_u, splits) => splits.map((i) => (Number.isInteger(i) ? (labels[i] ?? '').slice(0, 18) : '')), incrs: [1], grid: { show: false } }, { size: 60 }],
        series: [
          { value: (_u, i) => (i === null ? '' : labels[i] ?? '') },
          { label: 'value', fill: PALETTE[0], stroke: PALETTE[0], paths: uPlot.paths.bars({ size: [0.7, 60] }), points: { show: false } },
        ],
      }, [shown.map((_, i) => i), shown.map((r) => r.value)], chart);
    },
    clear() {
      plot?.destroy();
      plot = null;
      fill(chart);
      fill(table);
    },
  };
}
