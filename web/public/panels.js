// The side views: services overview, schema browser, alert rules, saved views.
import { h, fill, count } from './dom.js';
import { gqlValue } from './results.js';
import { viewSearch } from './filters.js';

const SVG = 'http://www.w3.org/2000/svg';

function sparkline(points, width = 120, height = 24) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('width', String(width));
  svg.setAttribute('height', String(height));
  svg.setAttribute('class', 'spark');
  svg.setAttribute('aria-hidden', 'true');
  if (points.length === 0) return svg;
  const max = Math.max(...points.map((p) => p.count), 1);
  const t0 = Math.min(...points.map((p) => p.t));
  const t1 = Math.max(...points.map((p) => p.t), t0 + 1);
  const line = document.createElementNS(SVG, 'polyline');
  line.setAttribute('points', points.map((p) => `${((p.t - t0) / (t1 - t0)) * (width - 2) + 1},${height - 1 - (p.count / max) * (height - 2)}`).join(' '));
  svg.append(line);
  return svg;
}

/** Volume, error rate and a sparkline per service; a click opens a search filtered to that service. */
export async function servicesPanel(api, range, openSearch) {
  const answer = await api.services(range.last ? { date_from: `-${range.last}` } : { date_from: range.from, date_to: range.to });
  const byService = new Map();
  for (const p of answer.sparkline) {
    if (!byService.has(p.service_name)) byService.set(p.service_name, []);
    byService.get(p.service_name).push({ t: Date.parse(p.time), count: p.count });
  }
  return h('section', { class: 'panel' }, h('h2', {}, 'Services'),
    h('table', { testid: 'services-table' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Service'), h('th', {}, 'Logs'), h('th', {}, 'Errors'), h('th', {}, 'Error rate'), h('th', {}, 'Volume'))),
      h('tbody', {}, answer.services.map((s) => h('tr', { testid: 'service-row' },
        h('td', {}, h('button', { type: 'button', class: 'link', onclick: () => openSearch(`service:${gqlValue(s.service_name)}`) }, s.service_name)),
        h('td', { class: 'num' }, count(s.log_count)),
        h('td', { class: 'num' }, count(s.error_count)),
        h('td', { class: 'num' }, `${(s.error_rate * 100).toFixed(1)}%`),
        h('td', {}, sparkline(byService.get(s.service_name) ?? [])))))));
}

/** Event names and property keys with their types and volumes; a click starts a query with it. */
export async function schemaPanel(api, openSearch) {
  const schema = await api.schema();
  const keyTable = (title, rows, prefix) => [h('h3', {}, title), h('table', { testid: 'schema-table' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Key'), h('th', {}, 'Type'), h('th', {}, 'Volume'), h('th', {}, 'Examples'))),
    h('tbody', {}, rows.map((p) => h('tr', {},
      h('td', {}, h('button', { type: 'button', class: 'link', onclick: () => openSearch(`${prefix}${p.key} is not null | count by ${p.key}`, prefix ? 'events' : 'logs') }, p.key)),
      h('td', {}, p.type), h('td', { class: 'num' }, count(p.volume ?? 0)), h('td', {}, (p.examples ?? []).map(String).join(', '))))))];
  const names = schema.event_names ?? [];
  return h('section', { class: 'panel' }, h('h2', {}, 'Schema'),
    h('h3', {}, 'Event names'),
    h('ul', { class: 'chips' }, names.map((e) => h('li', {}, h('button', { type: 'button', class: 'link', onclick: () => openSearch(`event:${gqlValue(e.name ?? e)}`, 'events') }, `${e.name ?? e}`, e.volume !== undefined ? ` (${count(e.volume)})` : '')))),
    keyTable('Event properties', schema.event_properties ?? [], ''),
    keyTable('Log properties', schema.log_properties ?? [], ''));
}

/** Alert rules with their state and recent state changes. */
export async function alertsPanel(api) {
  const { results } = await api.alerts();
  return h('section', { class: 'panel' }, h('h2', {}, 'Alerts'),
    results.length === 0 ? h('p', {}, 'No alert rules yet: run a search and choose "Create alert".') : null,
    h('table', { testid: 'alerts-table' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'State'), h('th', {}, 'Threshold'), h('th', {}, 'Last value'), h('th', {}, 'Timeline'))),
      h('tbody', {}, results.map((a) => h('tr', { testid: 'alert-row' },
        h('td', {}, a.name), h('td', {}, h('span', { class: `state state-${a.state}` }, a.state)),
        h('td', { class: 'num' }, `${a.threshold_operator ?? 'above'} ${a.threshold_count}`),
        h('td', { class: 'num' }, a.last_value ?? '—'),
        h('td', {}, (a.state_timeline ?? []).slice(-5).map((s) => h('div', { class: 'timeline' }, `${String(s.start ?? '').replace('T', ' ').slice(0, 19)} ${s.state}`))))))));
}

/** Saved views; opening one restores its query, source and range. */
export async function viewsPanel(api, openView) {
  const { results } = await api.views();
  return h('section', { class: 'panel' }, h('h2', {}, 'Saved views'),
    results.length === 0 ? h('p', {}, 'No saved views yet: run a search and choose "Save view".') : null,
    h('ul', { class: 'views', testid: 'views-list' }, results.map((v) => h('li', {},
      h('button', { type: 'button', class: 'link', testid: 'open-view', onclick: () => openView(v) }, v.name),
      ` ${viewSearch(v.filters, { last: '1h' }).q}`, v.pinned ? ' (pinned)' : ''))));
}

/** A small modal form: `fields` [{name, label, type, value}], resolves the values or null. */
export function ask(title, fields, submitLabel, testid) {
  return new Promise((resolve) => {
    const inputs = fields.map((f) => h('input', { name: f.name, type: f.type ?? 'text', value: f.value ?? '', required: true, testid: f.testid, 'aria-label': f.label }));
    const done = (value) => {
      dialog.close();
      dialog.remove();
      resolve(value);
    };
    const form = h('form', {
      method: 'dialog',
      onsubmit: (e) => {
        e.preventDefault();
        done(Object.fromEntries(inputs.map((i) => [i.name, i.type === 'number' ? Number(i.value) : i.value])));
      },
    }, h('h2', {}, title), fields.map((f, i) => h('label', {}, f.label, inputs[i])),
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary', testid }, submitLabel), h('button', { type: 'button', onclick: () => done(null) }, 'Cancel')));
    const dialog = h('dialog', {}, form);
    dialog.addEventListener('cancel', () => done(null));
    document.body.append(dialog);
    dialog.showModal();
    fill(dialog, form);
    inputs[0]?.focus();
  });
}

/**
 * The logs' patterns (GQL `| patterns`) over the picked range, narrowed by the search's filters: template,
 * count, first and last seen, a sample; a click opens a search for the pattern's logs.
 */
export async function patternsPanel(api, filter, scope, openSearch) {
  const q = `${filter ? `${filter} | ` : ''}patterns | ${scope}`;
  const { data } = await api.gql(q, 'logs');
  const time = (iso) => (iso ? new Date(iso).toLocaleString() : '');
  return h('section', { class: 'panel' }, h('h2', {}, 'Patterns'),
    h('p', { class: 'hint' }, filter ? `Logs matching ${filter}, grouped by message pattern.` : 'Logs grouped by message pattern: variables such as numbers, ids and addresses are <*>.'),
    data.results.length === 0 ? h('p', { class: 'empty' }, 'No logs in this range') : h('table', { testid: 'patterns-table' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Pattern'), h('th', {}, 'Logs'), h('th', {}, 'First seen'), h('th', {}, 'Last seen'), h('th', {}, 'Sample'))),
      h('tbody', {}, data.results.map((p) => h('tr', { testid: 'pattern-row', dataset: { patternId: p.pattern_id } },
        h('td', {}, h('button', { type: 'button', class: 'link mono', onclick: () => openSearch(`pattern_id:${gqlValue(p.pattern_id)}`) }, p.template)),
        h('td', { class: 'num' }, count(p.count)),
        h('td', {}, time(p.first_seen)),
        h('td', {}, time(p.last_seen)),
        h('td', { class: 'mono' }, p.sample ?? ''))))));
}
