// loglake's HTTP APIs, called with the dashboard session token. The token lives in sessionStorage: it
// is gone when the tab closes, is never put in a URL, and is sent only in the Authorization header.

const KEY = 'loglake.session';

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.body = body?.error ?? null;
  }
}

export const session = {
  get() {
    try {
      return JSON.parse(sessionStorage.getItem(KEY) ?? 'null');
    } catch {
      return null;
    }
  },
  set(value) {
    sessionStorage.setItem(KEY, JSON.stringify(value));
  },
  clear() {
    sessionStorage.removeItem(KEY);
  },
};

let onUnauthorized = () => {};
export function whenUnauthorized(fn) {
  onUnauthorized = fn;
}

function headers(json) {
  const s = session.get();
  return { ...(s ? { authorization: `Bearer ${s.token}` } : {}), ...(json ? { 'content-type': 'application/json' } : {}) };
}

export async function call(method, path, { query, body, signal } = {}) {
  const qs = query ? `?${new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined && v !== null && v !== ''))}` : '';
  const res = await fetch(`${path}${qs}`, { method, headers: headers(body !== undefined), body: body === undefined ? undefined : JSON.stringify(body), signal });
  const text = await res.text();
  const json = text ? JSON.parse(text) : null;
  if (res.status === 401 && path !== '/api/auth/login') onUnauthorized();
  if (!res.ok) throw new ApiError(res.status, json);
  return json;
}

/** The dashboard routes of one project. */
export function projectApi(org, project) {
  const base = `/api/orgs/${encodeURIComponent(org)}/projects/${encodeURIComponent(project)}`;
  const ph = `/api/projects/${encodeURIComponent(project)}/logs`;
  return {
    gql: (q, source, cursor, signal) => call('GET', `${base}/gql`, { query: { q, source, cursorTS: cursor?.ts, cursorID: cursor?.id }, signal }),
    autocomplete: (q, cursor, source, signal) => call('GET', `${base}/gql/autocomplete`, { query: { q, cursor, source }, signal }),
    schema: () => call('GET', `${base}/schema`),
    tailUrl: (q, source) => `${base}/gql/tail?${new URLSearchParams({ q, ...(source ? { source } : {}) })}`,
    services: (dateRange) => call('POST', `${ph}/services/`, { body: { query: { dateRange } } }),
    alerts: () => call('GET', `${ph}/alerts/`),
    createAlert: (rule) => call('POST', `${ph}/alerts/`, { body: rule }),
    views: () => call('GET', `/api/environments/${encodeURIComponent(project)}/logs/views/`),
    createView: (view) => call('POST', `/api/environments/${encodeURIComponent(project)}/logs/views/`, { body: view }),
  };
}

/**
 * Server-Sent Events over fetch: EventSource cannot send an Authorization header, and the token must
 * not go into the URL. Calls `onEvent(type, data)` until `signal` aborts.
 */
export async function stream(url, onEvent, signal) {
  const res = await fetch(url, { headers: headers(false), signal });
  if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => null));
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffered += value;
    let end;
    while ((end = buffered.indexOf('\n\n')) >= 0) {
      const block = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      let type = 'message';
      const data = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) type = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      if (data.length) onEvent(type, JSON.parse(data.join('\n')));
    }
  }
}
