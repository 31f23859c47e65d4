// The results table: the newest matching rows, more through the keyset cursor as the end scrolls into
// view, rows that expand to every field and property with filter-for / exclude actions.
import { h, fill } from './dom.js';

const COLUMNS = {
  logs: [['timestamp', 'Time'], ['severity', 'Severity'], ['service', 'Service'], ['message', 'Message']],
  events: [['timestamp', 'Time'], ['event', 'Event'], ['distinct_id', 'Distinct id'], ['properties', 'Properties']],
  alert_events: [['timestamp', 'Time'], ['alert_name', 'Alert'], ['state', 'State'], ['value', 'Value']],
};

/** A value as GQL text: bare when it is a plain word, else a double-quoted string. */
export function gqlValue(v) {
  const text = String(v);
  return /^[A-Za-z0-9_.\-/@$]+$/.test(text) && !/^(and|or|not|in|is|null)$/i.test(text) ? text : JSON.stringify(text);
}

/** The field name a query uses for a row member: properties and resource by their dot path. */
const fieldName = (group, key) => (group === 'properties' ? `properties.${key}` : group === 'resource' ? `resource.${key}` : key);

function cellText(row, key) {
  const v = row[key];
  if (key === 'timestamp') return String(v).replace('T', ' ').replace('Z', '');
  if (key === 'properties') return Object.entries(v ?? {}).slice(0, 4).map(([k, x]) => `${k}=${x}`).join(' ');
  return v === null || v === undefined ? '' : String(v);
}

/**
 * `opts`: {onFilter(field, value, exclude), loadMore(): Promise<rows[] | null>}. `show(rows, source,
 * hasMore)` starts over; `prepend(rows)` adds live rows at the top.
 */
export function resultsTable(opts) {
  let source = 'logs';
  let hasMore = false;
  let loading = false;
  const head = h('thead');
  const body = h('tbody');
  const status = h('div', { class: 'status' });
  const sentinel = h('div', { class: 'sentinel', 'aria-hidden': 'true' });
  const scroller = h('div', { class: 'results', testid: 'results' }, h('table', {}, head, body), sentinel, status);

  const expanded = (row) => {
    const entries = [];
    for (const [k, v] of Object.entries(row)) {
      if (k === 'properties' || k === 'resource') {
        for (const [pk, pv] of Object.entries(v ?? {})) entries.push([fieldName(k, pk), pv]);
      } else if (v !== null && !(Array.isArray(v) && v.length === 0)) entries.push([k, Array.isArray(v) ? v.join(', ') : v]);
    }
    return h('tr', { class: 'expanded', testid: 'result-row-expanded' }, h('td', { colspan: COLUMNS[source].length },
      h('dl', {}, entries.map(([k, v]) => h('div', { class: 'field' },
        h('dt', {}, k), h('dd', {}, String(v)),
        h('span', { class: 'actions' },
          k === 'id' || k === 'timestamp' || k === 'observed_timestamp' ? null : [
            h('button', { type: 'button', class: 'mini', testid: 'filter-for', title: `Filter for ${k} = this value`, onclick: () => opts.onFilter(k, v, false) }, '+ filter'),
            h('button', { type: 'button', class: 'mini', testid: 'filter-out', title: `Exclude ${k} = this value`, onclick: () => opts.onFilter(k, v, true) }, '− exclude'),
          ]))))));
  };

  const rowEl = (row, fresh) => {
    const tr = h('tr', {
      testid: 'result-row', tabindex: '0', class: `${fresh ? 'fresh ' : ''}sev-${row.severity ?? ''}`, 'aria-expanded': 'false', dataset: { id: row.id },
    }, COLUMNS[source].map(([key]) => h('td', { class: `col-${key}` }, cellText(row, key))));
    const toggle = () => {
      const next = tr.nextElementSibling;
      if (next?.classList.contains('expanded')) {
        next.remove();
        tr.setAttribute('aria-expanded', 'false');
      } else {
        tr.after(expanded(row));
        tr.setAttribute('aria-expanded', 'true');
      }
    };
    tr.addEventListener('click', toggle);
    tr.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        toggle();
      }
    });
    return tr;
  };

  const more = async () => {
    if (!hasMore || loading) return;
    loading = true;
    fill(status, 'Loading more…');
    try {
      const page = await opts.loadMore();
      if (page) {
        body.append(...page.rows.map((r) => rowEl(r, false)));
        hasMore = page.hasMore;
      }
      fill(status, hasMore ? '' : 'End of results');
    } catch (err) {
      fill(status, `Could not load more: ${err.message}`);
    } finally {
      loading = false;
    }
  };
  new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting)) void more();
  }, { root: scroller, rootMargin: '200px' }).observe(sentinel);

  return {
    el: scroller,
    show(rows, src, more_) {
      source = src;
      hasMore = more_;
      fill(head, h('tr', {}, COLUMNS[source].map(([, title]) => h('th', {}, title))));
      fill(body, rows.map((r) => rowEl(r, false)));
      fill(status, rows.length === 0 ? 'No matching rows' : hasMore ? '' : 'End of results');
      scroller.scrollTop = 0;
    },
    prepend(rows) {
      body.prepend(...rows.map((r) => rowEl(r, true)));
      if (rows.length) fill(status, '');
    },
    /** Live rows wait while the reader is scrolled away from the top. */
    atTop: () => scroller.scrollTop < 4,
    scroller,
  };
}
