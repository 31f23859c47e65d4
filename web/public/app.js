// The explorer: sign in, pick org and project, search with histogram, results and aggregates, live
// tail, services, schema, alerts and saved views. Every call goes to loglake's own APIs.
import { call, projectApi, session, whenUnauthorized } from './api.js';
import { h, fill, $ } from './dom.js';
import { queryBar } from './search.js';
import { histogram, bucketize } from './histogram.js';
import { resultsTable, gqlValue } from './results.js';
import { aggregateView } from './aggregate.js';
import { liveTail } from './tail.js';
import { alertsPanel, ask, patternsPanel, schemaPanel, servicesPanel, viewsPanel } from './panels.js';
import { structuredFilters, viewFilters, viewSearch } from './filters.js';
import { bounds, bucketFor, durationText, rangeFromUrl, rangeToUrl, scopeText } from './time.js';

const root = $('#app');
const VIEWS = ['search', 'patterns', 'services', 'schema', 'alerts', 'views'];
const state = { org: null, project: null, projects: [], source: 'logs', view: 'search' };
const api = () => projectApi(state.org, state.project);

whenUnauthorized(() => {
  session.clear();
  login('Your session ended: sign in again.');
});

// ---- sign in ---------------------------------------------------------------------------------------

function login(message) {
  const email = h('input', { type: 'email', testid: 'login-email', autocomplete: 'username', required: true, 'aria-label': 'Email' });
  const password = h('input', { type: 'password', testid: 'login-password', autocomplete: 'current-password', required: true, 'aria-label': 'Password' });
  const error = h('p', { class: 'error', role: 'alert' }, message ?? '');
  const form = h('form', {
    class: 'login',
    onsubmit: async (e) => {
      e.preventDefault();
      fill(error);
      try {
        const answer = await call('POST', '/api/auth/login', { body: { email: email.value, password: password.value } });
        session.set({ token: answer.token, user: answer.user });
        await start();
      } catch (err) {
        fill(error, err.status === 401 ? 'Wrong email or password' : err.message);
      }
    },
  }, h('h1', {}, 'loglake'), h('label', {}, 'Email', email), h('label', {}, 'Password', password),
  h('button', { type: 'submit', class: 'primary', testid: 'login-submit' }, 'Sign in'), error,
  h('p', { class: 'hint' }, 'The first start prints the admin\'s email and password and saves them in data/bootstrap.json.'));
  fill(root, form);
  email.focus();
}

// ---- URL state -------------------------------------------------------------------------------------

function readUrl() {
  const p = new URLSearchParams(location.search);
  return { org: p.get('org'), project: p.get('project'), view: VIEWS.includes(p.get('view')) ? p.get('view') : 'search', source: p.get('source') === 'events' ? 'events' : 'logs', q: p.get('q') ?? '', range: rangeFromUrl(p) };
}

function writeUrl(q, range, push) {
  const p = new URLSearchParams();
  p.set('org', state.org);
  p.set('project', state.project);
  if (state.view !== 'search') p.set('view', state.view);
  if (state.source !== 'logs') p.set('source', state.source);
  if (q) p.set('q', q);
  rangeToUrl(range, p);
  const url = `${location.pathname}?${p}`;
  if (url === `${location.pathname}${location.search}`) return;
  if (push) history.pushState(null, '', url);
  else history.replaceState(null, '', url);
}

// ---- the shell -------------------------------------------------------------------------------------

let ui = null;

async function start() {
  const s = session.get();
  if (!s) return login();
  const wanted = readUrl();
  state.org = s.user.org_ids.includes(wanted.org) ? wanted.org : s.user.org_ids[0];
  state.projects = (await call('GET', `/api/orgs/${encodeURIComponent(state.org)}/projects`)).projects;
  state.project = state.projects.some((p) => p.id === wanted.project) ? wanted.project : state.projects[0]?.id ?? null;
  state.view = wanted.view;
  state.source = wanted.source;
  shell(s.user);
  ui.bar.set(wanted.q, wanted.range);
  show(true);
}

function shell(user) {
  const orgSelect = h('select', { 'aria-label': 'Organization', testid: 'org-select' }, user.org_ids.map((o) => h('option', { value: o, selected: o === state.org }, o)));
  const projectSelect = h('select', { 'aria-label': 'Project', testid: 'project-select' }, state.projects.map((p) => h('option', { value: p.id, selected: p.id === state.project }, p.name)));
  const sourceSelect = h('select', { 'aria-label': 'Source', testid: 'source-select' }, ['logs', 'events'].map((s) => h('option', { value: s, selected: s === state.source }, s)));
  orgSelect.addEventListener('change', async () => {
    state.org = orgSelect.value;
    state.projects = (await call('GET', `/api/orgs/${encodeURIComponent(state.org)}/projects`)).projects;
    state.project = state.projects[0]?.id ?? null;
    fill(projectSelect, state.projects.map((p) => h('option', { value: p.id }, p.name)));
    show(true);
  });
  projectSelect.addEventListener('change', () => {
    state.project = projectSelect.value;
    show(true);
  });
  sourceSelect.addEventListener('change', () => {
    state.source = sourceSelect.value;
    ui.bar.set('', ui.bar.range);
    show(true);
  });
  const nav = h('nav', {}, VIEWS.map((v) => h('button', {
    type: 'button', class: 'tab', testid: `nav-${v}`, dataset: { view: v },
    onclick: () => {
      state.view = v;
      show(true);
    },
  }, v[0].toUpperCase() + v.slice(1))));
  const signOut = h('button', {
    type: 'button', testid: 'sign-out',
    onclick: () => {
      ui?.tail.stop();
      session.clear();
      history.replaceState(null, '', location.pathname);
      login();
    },
  }, 'Sign out');

  const bar = queryBar({ api, getSource: () => state.source, onRun: (q, range) => runSearch(q, range, true) });
  const hist = histogram({ onZoom: (from, to) => runSearch(bar.query, { from: new Date(from).toISOString(), to: new Date(to).toISOString() }, true) });
  const table = resultsTable({ onFilter: (field, value, exclude) => addFilter(field, value, exclude), loadMore: () => loadMore() });
  const agg = aggregateView();
  const tail = liveTail({ url: () => api().tailUrl(bar.query, state.source), table, onError: (err) => bar.showError(err.body ?? { message: err.message }, bar.query) });
  const quick = h('span', { class: 'quick' });
  const tools = h('div', { class: 'tools' }, tail.el,
    h('button', { type: 'button', testid: 'save-view', onclick: () => saveView() }, 'Save view'),
    h('button', { type: 'button', testid: 'create-alert', onclick: () => createAlert() }, 'Create alert'), quick);
  const searchView = h('div', { class: 'search-view' }, bar.el, tools, hist.el, table.el, agg.el);
  const panel = h('div', { class: 'panel-view' });
  const who = h('span', { class: 'who' }, user.email);
  fill(root, h('header', {}, h('strong', { class: 'brand' }, 'loglake'), orgSelect, projectSelect, sourceSelect, nav, who, signOut), searchView, panel);
  ui = { bar, hist, table, agg, tail, searchView, panel, nav, quick, sourceSelect, page: null, run: 0 };
}

async function show(push) {
  for (const b of ui.nav.children) b.setAttribute('aria-current', String(b.dataset.view === state.view));
  ui.sourceSelect.value = state.source;
  fill(ui.quick, state.source === 'events' ? [
    h('button', { type: 'button', onclick: () => runSearch('count by event', ui.bar.range, true) }, 'count by event'),
    h('button', { type: 'button', onclick: () => runSearch('count_distinct(distinct_id)', ui.bar.range, true) }, 'distinct users'),
  ] : []);
  ui.searchView.hidden = state.view !== 'search';
  ui.panel.hidden = state.view === 'search';
  if (state.view === 'search') return runSearch(ui.bar.query, ui.bar.range, push);
  ui.tail.stop();
  writeUrl(ui.bar.query, ui.bar.range, push);
  fill(ui.panel, h('p', {}, 'Loading…'));
  const openSearch = (q, source) => {
    state.view = 'search';
    if (source) state.source = source;
    ui.bar.set(q, ui.bar.range);
    show(true);
  };
  try {
    const panels = {
      patterns: () => patternsPanel(api(), searchFilter(ui.bar.query), scopeText(ui.bar.range), (q) => openSearch(q, 'logs')),
      services: () => servicesPanel(api(), ui.bar.range, openSearch),
      schema: () => schemaPanel(api(), openSearch),
      alerts: () => alertsPanel(api()),
      views: () => viewsPanel(api(), openView),
    };
    fill(ui.panel, await panels[state.view]());
  } catch (err) {
    fill(ui.panel, h('p', { class: 'error', role: 'alert' }, err.status === 404 ? 'This loglake does not offer that API yet.' : err.message));
  }
}

// ---- search ----------------------------------------------------------------------------------------

/** The filter part of a search (its first segment when no stage follows it), for the patterns panel. */
const searchFilter = (q) => (q.includes('|') ? q.slice(0, q.indexOf('|')).trim() : q.trim());

/** The query text bounded by the picked range (the range is appended as scope terms). */
const bounded = (q, range) => (q ? `${q} | ${scopeText(range)}` : scopeText(range));

async function runSearch(q, range, push) {
  ui.bar.set(q, range);
  writeUrl(q, range, push);
  ui.bar.clearError();
  const run = ++ui.run;
  // Lets tests (and scripts driving the page) wait for the search they started.
  root.dataset.search = 'running';
  const text = bounded(q, range);
  const step = bucketFor(range);
  const histogramText = state.source === 'events' ? `${text} | timeslice ${durationText(step)}` : bounded(q ? `${q} | count by severity | timeslice ${durationText(step)}` : `count by severity | timeslice ${durationText(step)}`, range);
  const [main, hist] = await Promise.allSettled([api().gql(text, state.source), api().gql(histogramText, state.source)]);
  if (run !== ui.run) return;
  // From both answers to a drawn page: the explorer's own share of a search's time.
  const answered = performance.now();
  if (main.status === 'rejected') {
    ui.bar.showError(main.reason.body ?? { message: main.reason.message }, q);
    ui.hist.clear();
    ui.table.show([], state.source, false);
    ui.agg.clear();
    ui.agg.el.hidden = true;
    root.dataset.search = 'done';
    return;
  }
  const { data } = main.value;
  ui.page = { text, cursor: data.next_cursor ?? null };
  if (data.mode === 'aggregate') {
    ui.tail.stop();
    ui.hist.el.hidden = true;
    ui.table.el.hidden = true;
    ui.agg.el.hidden = false;
    ui.agg.show(data);
  } else {
    ui.agg.el.hidden = true;
    ui.hist.el.hidden = false;
    ui.table.el.hidden = false;
    ui.table.show(data.results, data.table, data.has_more);
    const { from, to } = bounds(range, Date.parse(main.value.query.time_range?.to ?? new Date().toISOString()));
    if (hist.status === 'fulfilled') ui.hist.draw(bucketize(hist.value.data.results, step, from, to));
    else ui.hist.clear('No histogram for this query');
    ui.tail.restart();
  }
  root.dataset.renderMs = String(Math.round(performance.now() - answered));
  root.dataset.search = 'done';
}

async function loadMore() {
  const page = ui.page;
  if (!page?.cursor) return null;
  const run = ui.run;
  const { data } = await api().gql(page.text, state.source, page.cursor);
  if (run !== ui.run) return null;
  page.cursor = data.next_cursor ?? null;
  return { rows: data.results, hasMore: data.has_more };
}

function addFilter(field, value, exclude) {
  const term = `${field}${exclude ? '!=' : ':'}${gqlValue(value)}`;
  const q = ui.bar.query;
  // A filter belongs before the first stage: filters there read source rows (spec 6.3) either way, and
  // the text stays readable.
  const pipe = q.indexOf('|');
  const next = !q ? term : pipe < 0 ? `${q} ${term}` : `${q.slice(0, pipe).trim()} ${term} ${q.slice(pipe)}`.trim();
  runSearch(next, ui.bar.range, true);
}

// ---- views and alerts ------------------------------------------------------------------------------

async function saveView() {
  const q = ui.bar.query;
  const range = ui.bar.range;
  let echo;
  try {
    echo = (await api().gql(bounded(q, range), state.source)).query;
  } catch (err) {
    return ui.bar.showError(err.body ?? { message: err.message }, q);
  }
  const answer = await ask('Save view', [{ name: 'name', label: 'Name', testid: 'view-name' }], 'Save', 'view-submit');
  if (!answer) return;
  try {
    await api().createView({ name: answer.name, filters: viewFilters(echo, q, state.source, range), pinned: false });
    state.view = 'views';
    show(true);
  } catch (err) {
    ui.bar.showError({ message: `Could not save the view: ${err.message}` }, q);
  }
}

function openView(view) {
  const { q, source, range } = viewSearch(view.filters, ui.bar.range);
  state.view = 'search';
  state.source = source;
  ui.bar.set(q, range);
  show(true);
}

async function createAlert() {
  const q = ui.bar.query;
  let echo;
  try {
    echo = (await api().gql(bounded(q, ui.bar.range), 'logs')).query;
  } catch (err) {
    return ui.bar.showError(err.body ?? { message: err.message }, q);
  }
  const filters = echo.mode === 'search' ? structuredFilters(echo) : null;
  if (!filters) return ui.bar.showError({ message: 'An alert counts logs matching a search of ANDed filters: this query has an aggregate, or, not or a glob.' }, q);
  const answer = await ask('Create alert', [
    { name: 'name', label: 'Name', value: q || 'All logs', testid: 'alert-name' },
    { name: 'threshold', label: 'Fire above this many matches', type: 'number', value: '10', testid: 'alert-threshold' },
    { name: 'window', label: 'Window (minutes)', type: 'number', value: '5' },
  ], 'Create', 'alert-submit');
  if (!answer) return;
  try {
    await api().createAlert({ name: answer.name, filters, threshold_count: answer.threshold, threshold_operator: 'above', window_minutes: answer.window });
    state.view = 'alerts';
    show(true);
  } catch (err) {
    ui.bar.showError({ message: `Could not create the alert: ${err.message}` }, q);
  }
}

window.addEventListener('popstate', () => {
  if (!ui || !session.get()) return;
  const wanted = readUrl();
  state.view = wanted.view;
  state.source = wanted.source;
  ui.bar.set(wanted.q, wanted.range);
  show(false);
});

start().catch((err) => login(err.message));
