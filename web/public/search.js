// The query bar: GQL input with autocomplete from the engine, the time-range picker, and query errors
// shown at the position the engine reports.
import { h, fill } from './dom.js';
import { PRESETS, label } from './time.js';

const DEBOUNCE_MS = 120;

/**
 * `opts`: {api, getSource, onRun(q, range)}; returns {el, set(q, range), showError(err, q), clearError()}.
 */
export function queryBar(opts) {
  let range = { last: '1h' };
  let suggestions = [];
  let replace = null;
  let active = -1;
  let timer = null;
  let inflight = null;

  const input = h('input', {
    type: 'text', testid: 'query-input', class: 'query', spellcheck: 'false', autocomplete: 'off', role: 'combobox',
    'aria-autocomplete': 'list', 'aria-controls': 'suggestions', 'aria-expanded': 'false',
    placeholder: 'severity:error service:checkout   ·   count by service   ·   p95(duration_ms) by route',
  });
  const list = h('ul', { id: 'suggestions', class: 'suggestions', role: 'listbox', hidden: true });
  const rangeSelect = h('select', { testid: 'time-range', 'aria-label': 'Time range' });
  const fromInput = h('input', { type: 'datetime-local', step: '1', 'aria-label': 'From (UTC)', testid: 'time-from' });
  const toInput = h('input', { type: 'datetime-local', step: '1', 'aria-label': 'To (UTC)', testid: 'time-to' });
  const absolute = h('span', { class: 'absolute', hidden: true }, fromInput, '→', toInput);
  const runButton = h('button', { type: 'button', testid: 'run-query', class: 'primary', onclick: () => run() }, 'Run');
  const error = h('div', { testid: 'query-error', class: 'query-error', role: 'alert', hidden: true });

  const fillRanges = () => {
    fill(rangeSelect,
      PRESETS.map((p) => h('option', { value: p, selected: range.last === p }, `Last ${p}`)),
      h('option', { value: 'absolute', selected: !range.last }, range.last ? 'Absolute…' : label(range)));
    absolute.hidden = Boolean(range.last);
  };
  const local = (iso) => iso.slice(0, 19);
  rangeSelect.addEventListener('change', () => {
    if (rangeSelect.value === 'absolute') {
      const to = new Date();
      const from = new Date(to.getTime() - 3600_000);
      range = { from: from.toISOString(), to: to.toISOString() };
      fromInput.value = local(range.from);
      toInput.value = local(range.to);
    } else range = { last: rangeSelect.value };
    fillRanges();
    run();
  });
  const absoluteChanged = () => {
    const from = Date.parse(`${fromInput.value}Z`);
    const to = Date.parse(`${toInput.value}Z`);
    if (Number.isNaN(from) || Number.isNaN(to)) return;
    range = { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
    run();
  };
  fromInput.addEventListener('change', absoluteChanged);
  toInput.addEventListener('change', absoluteChanged);

  const close = () => {
    // A completion still on its way would reopen the list it was asked for before Escape or Enter.
    clearTimeout(timer);
    inflight?.abort();
    suggestions = [];
    active = -1;
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
  };
  const render = () => {
    fill(list, suggestions.map((s, i) => h('li', {
      role: 'option', id: `suggestion-${i}`, class: i === active ? 'active' : '', 'aria-selected': String(i === active), testid: 'suggestion',
      onmousedown: (e) => {
        e.preventDefault();
        apply(i);
      },
    }, h('span', { class: 'text' }, s.text), h('span', { class: 'desc' }, s.description ?? ''))));
    list.hidden = suggestions.length === 0;
    input.setAttribute('aria-expanded', String(!list.hidden));
    if (active >= 0) input.setAttribute('aria-activedescendant', `suggestion-${active}`);
    else input.removeAttribute('aria-activedescendant');
  };
  const apply = (i) => {
    const s = suggestions[i];
    if (!s || !replace) return;
    const v = input.value;
    const tail = v.slice(replace.end);
    const text = s.text + (tail.startsWith(' ') || s.kind === 'operator' ? '' : ' ');
    input.value = v.slice(0, replace.start) + text + tail;
    const caret = replace.start + text.length;
    input.setSelectionRange(caret, caret);
    close();
    complete();
  };
  const complete = () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      inflight?.abort();
      inflight = new AbortController();
      try {
        const answer = await opts.api().autocomplete(input.value, input.selectionStart ?? input.value.length, opts.getSource(), inflight.signal);
        if (document.activeElement !== input) return;
        suggestions = answer.suggestions.slice(0, 12);
        replace = answer.context?.replace ?? null;
        active = -1;
        render();
      } catch (err) {
        if (err.name !== 'AbortError') close();
      }
    }, DEBOUNCE_MS);
  };
  input.addEventListener('input', complete);
  // Suggestions open when the reader comes to the box, not when an error puts the caret there.
  let placing = false;
  input.addEventListener('focus', () => placing || complete());
  input.addEventListener('blur', () => setTimeout(close, 100));
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' && suggestions.length) {
      e.preventDefault();
      active = (active + 1) % suggestions.length;
      render();
    } else if (e.key === 'ArrowUp' && suggestions.length) {
      e.preventDefault();
      active = (active - 1 + suggestions.length) % suggestions.length;
      render();
    } else if ((e.key === 'Tab' || e.key === 'Enter') && active >= 0) {
      e.preventDefault();
      apply(active);
    } else if (e.key === 'Escape') close();
    else if (e.key === 'Enter') {
      e.preventDefault();
      close();
      run();
    }
  });

  const run = () => opts.onRun(input.value.trim(), range);

  fillRanges();
  return {
    el: h('div', { class: 'query-bar' },
      h('div', { class: 'query-wrap' }, input, list),
      rangeSelect, absolute, runButton, error),
    get query() {
      return input.value.trim();
    },
    get range() {
      return range;
    },
    set(q, r) {
      input.value = q;
      range = r;
      if (!r.last) {
        fromInput.value = local(r.from);
        toInput.value = local(r.to);
      }
      fillRanges();
    },
    focus: () => input.focus(),
    /** The engine's error with the offending part of the query marked; past the text's end = at its end. */
    showError(err, q) {
      const at = Math.min(err.position ?? q.length, q.length);
      const end = Math.max(at, Math.min(err.end ?? at, q.length));
      // Past the typed text is the range the page appended: to the reader that is the end of the query.
      const message = (err.message ?? 'The query failed').replace(/at position (\d+)/, (m, n) => (Number(n) >= q.length ? 'at the end of the query' : m));
      fill(error,
        h('div', { class: 'message' }, message),
        err.position === null || err.position === undefined ? null : h('pre', { class: 'where' },
          q.slice(0, at), h('mark', {}, q.slice(at, end) || ' '), q.slice(end)));
      error.hidden = false;
      if (err.position !== null && err.position !== undefined) {
        placing = true;
        input.focus();
        placing = false;
        input.setSelectionRange(at, end);
      }
    },
    clearError() {
      error.hidden = true;
      fill(error);
    },
  };
}
