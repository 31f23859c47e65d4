// The offline natural-language → GQL translator: deterministic, no network. It reads the prompt word by
// word against a fixed phrase book (time phrases, counting and grouping phrases, severities) and the
// project's own schema (services, event names, property names), and refuses any word it cannot place
// rather than guess what the user meant.
import { isGqlReserved, quoteString, resolveField, type FieldInfo, type Source } from '../language/index.js';
import type { AlertHints, NlProvider, NlRequest, ProjectSchema, Translation } from './provider.js';

interface Tok { text: string; lower: string; quoted: boolean }

const TOKEN = /"([^"]*)"|“([^”]*)”|(?<![\p{L}\p{N}])'([^']*)'|[\p{L}\p{N}_.$\-:=<>@/]+/gu;

function tokenize(prompt: string): Tok[] {
  const out: Tok[] = [];
  for (const m of prompt.matchAll(TOKEN)) {
    const quoted = m[1] ?? m[2] ?? m[3];
    if (quoted !== undefined) {
      if (quoted.trim()) out.push({ text: quoted.trim(), lower: quoted.trim().toLowerCase(), quoted: true });
      continue;
    }
    const text = m[0].replace(/[.:]+$/, '');
    if (text) out.push({ text, lower: text.toLowerCase(), quoted: false });
  }
  return out;
}

const SEVERITY_WORDS: Record<string, string> = {
  error: 'error', errors: 'error', errored: 'error', warn: 'warn', warns: 'warn', warning: 'warn', warnings: 'warn',
  info: 'info', infos: 'info', debug: 'debug', fatal: 'fatal', fatals: 'fatal', critical: 'fatal', trace: 'trace', traces: 'trace',
};
const OR_WORSE = [['or', 'worse'], ['or', 'higher'], ['or', 'above'], ['and', 'above'], ['and', 'up'], ['or', 'more', 'severe']];

const UNITS: Record<string, [number, string]> = {
  second: [1, 's'], seconds: [1, 's'], sec: [1, 's'], secs: [1, 's'],
  minute: [1, 'm'], minutes: [1, 'm'], min: [1, 'm'], mins: [1, 'm'],
  hour: [1, 'h'], hours: [1, 'h'], hr: [1, 'h'], hrs: [1, 'h'],
  day: [1, 'd'], days: [1, 'd'], week: [1, 'w'], weeks: [1, 'w'], month: [30, 'd'], months: [30, 'd'],
};
const SLICES: Record<string, string> = { minute: '1m', hour: '1h', day: '1d', week: '1w', hourly: '1h', daily: '1d', weekly: '1w' };
const NUMBER_WORDS: Record<string, number> = {
  a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  twelve: 12, fifteen: 15, twenty: 20, thirty: 30, fifty: 50, hundred: 100,
};
const NUMERIC_FUNCS: Record<string, string> = {
  average: 'avg', avg: 'avg', mean: 'avg', max: 'max', maximum: 'max', highest: 'max', largest: 'max', longest: 'max',
  min: 'min', minimum: 'min', lowest: 'min', smallest: 'min', shortest: 'min', sum: 'sum', total: 'sum', median: 'p50',
};
const ABOVE = [['more', 'than'], ['greater', 'than'], ['over'], ['above'], ['exceeds'], ['exceeding'], ['>']];
const BELOW = [['fewer', 'than'], ['less', 'than'], ['under'], ['below'], ['<']];
const AT_LEAST = [['at', 'least'], ['>=']];
const AT_MOST = [['at', 'most'], ['<=']];
const TEXT_LEADS = [['containing'], ['contains'], ['contain'], ['mentioning'], ['mention'], ['matching'], ['saying'], ['with', 'the', 'word'], ['with', 'text'], ['about']];
const GROUP_LEADS = [['grouped', 'by'], ['broken', 'down', 'by'], ['split', 'by'], ['for', 'each'], ['by'], ['per'], ['which']];
const SOURCE_WORDS: Record<string, Source> = {
  log: 'logs', logs: 'logs', entries: 'logs', lines: 'logs', messages: 'logs', records: 'logs',
  event: 'events', events: 'events',
};
const STOP = new Set(('show me us all the a an any some of in on for from with within during to at is are was were be been there ' +
  'that what whats what\'s when whenever where who how do does did have has had i we you my our your please can could would will ' +
  'list find get give display see view fetch return search look happened happening occurred logged recorded came recent latest ' +
  'and or also just only each every it its this these those than then as alert notify tell if occur occurs happen happens ' +
  'there\'s there are many the over by message').split(/\s+/));
const ENVIRONMENT_WORDS: Record<string, string> = { production: 'production', prod: 'production', staging: 'staging', development: 'development', dev: 'development' };

/** Columns a prompt may name as fields, by the words for them. */
const COLUMN_WORDS: [words: string[], field: string, source: Source | null][] = [
  [['event', 'name'], 'event', 'events'], [['event', 'names'], 'event', 'events'], [['event'], 'event', 'events'], [['events'], 'event', 'events'],
  [['distinct', 'id'], 'distinct_id', 'events'], [['users'], 'distinct_id', 'events'], [['user'], 'distinct_id', 'events'],
  [['people'], 'distinct_id', 'events'], [['persons'], 'distinct_id', 'events'], [['visitors'], 'distinct_id', 'events'],
  [['trace', 'id'], 'trace_id', 'logs'], [['service'], 'service', 'logs'], [['services'], 'service', 'logs'],
  [['severity'], 'severity', 'logs'], [['severities'], 'severity', 'logs'], [['level'], 'severity', 'logs'], [['levels'], 'severity', 'logs'],
  [['environment'], 'environment', null], [['environments'], 'environment', null], [['env'], 'environment', null],
  [['message'], 'message', 'logs'], [['messages'], 'message', 'logs'], [['action'], 'action', 'logs'], [['actions'], 'action', 'logs'],
  [['severity', 'number'], 'severity_number', 'logs'],
];
const NUMERIC_COLUMNS = new Set(['severity_number']);
/** Columns a prompt may compare with a value (`environment is staging`); the others have phrases of their own. */
const FILTERABLE_COLUMNS = new Set(['environment', 'action', 'distinct_id', 'trace_id']);

interface FieldHit { field: string; width: number; numeric: boolean; source: Source | null }

const singular = (w: string) => (w.endsWith('s') && w.length > 3 ? w.slice(0, -1) : w);
const BARE_VALUE = /^[\p{L}\p{N}_.\-@/$]+$/u;
const value = (v: string) => (BARE_VALUE.test(v) && !isGqlReserved(v) && v.toLowerCase() !== 'null' ? v : quoteString(v));
const fieldName = (key: string) => (/^[A-Za-z_$][\w.$-]*$/.test(key) && !isGqlReserved(key) ? key : null);
/** A property whose name is also a column's (`name` on events) is written with its prefix. */
const propertyField = (key: string, source: Source) => (resolveField(key, source).kind === 'property' ? key : `properties.${key}`);

class Reader {
  private i = 0;
  readonly unknown: string[] = [];
  private source: Source | null = null;
  private sourceNamed = false;
  private readonly severities = new Set<string>();
  private severityAtLeast: string | null = null;
  private readonly services = new Set<string>();
  private readonly events = new Set<string>();
  private readonly filters: string[] = [];
  private readonly texts: string[] = [];
  private time: { gql: string; minutes: number | null } | null = null;
  private agg: string | null = null;
  private readonly by: string[] = [];
  private top: number | null = null;
  private limit: number | null = null;
  private slice: string | null = null;
  private readonly alert: AlertHints = {};
  private problem: string | null = null;

  constructor(private readonly toks: Tok[], private readonly req: NlRequest) {}

  private get schema(): ProjectSchema { return this.req.schema; }

  private at(k: number): Tok | undefined { return this.toks[this.i + k]; }

  /** Whether the words `seq` come next (case-insensitive), unquoted. */
  private sees(seq: string[], from = 0): boolean {
    return seq.every((w, k) => { const t = this.at(from + k); return t !== undefined && !t.quoted && t.lower === w; });
  }

  private seesAny(seqs: string[][], from = 0): number {
    const hit = seqs.find((s) => this.sees(s, from));
    return hit ? hit.length : 0;
  }

  private number(from: number): number | null {
    const t = this.at(from);
    if (!t || t.quoted) return null;
    if (/^[0-9]+(\.[0-9]+)?$/.test(t.lower)) return Number(t.lower);
    return NUMBER_WORDS[t.lower] ?? null;
  }

  private fail(reason: string): void {
    this.problem ??= reason;
  }

  private useSource(source: Source | null): void {
    if (!source) return;
    if (this.source && this.source !== source) this.fail(`the prompt mixes ${this.source} and ${source}; ask about one at a time`);
    this.source = source;
  }

  /** A field named at `from`: a column by one of its words, or a property of the project. */
  private field(from: number): FieldHit | null {
    for (const [words, field, source] of COLUMN_WORDS) {
      if (this.sees(words, from)) return { field, width: words.length, numeric: NUMERIC_COLUMNS.has(field), source };
    }
    const t = this.at(from);
    if (!t || t.quoted) return null;
    const next = this.at(from + 1);
    const candidates: [string, number][] = [[t.lower, 1], [singular(t.lower), 1]];
    if (next && !next.quoted) candidates.unshift([`${t.lower}_${next.lower}`, 2], [`${t.lower}.${next.lower}`, 2]);
    for (const source of this.sourcesToSearch()) {
      for (const [name, width] of candidates) {
        const prop = this.schema.properties[source].find((p) => p.key.toLowerCase() === name);
        if (prop && fieldName(prop.key)) return { field: propertyField(prop.key, source), width, numeric: prop.type === 'number', source: this.otherSource(source, prop) };
      }
    }
    return null;
  }

  private sourcesToSearch(): ('logs' | 'events')[] {
    return this.source === 'events' ? ['events', 'logs'] : ['logs', 'events'];
  }

  /** A property only events have makes the question one about events. */
  private otherSource(source: 'logs' | 'events', prop: FieldInfo): Source | null {
    const inLogs = this.schema.properties.logs.some((p) => p.key === prop.key);
    return source === 'events' && !inLogs ? 'events' : null;
  }

  private matchName(names: string[], from: number): { name: string; width: number } | null {
    const t = this.at(from);
    if (!t) return null;
    const next = this.at(from + 1);
    const forms: [string, number][] = [];
    if (next && !next.quoted && !t.quoted) forms.push([`${t.lower}_${next.lower}`, 2], [`${t.lower} ${next.lower}`, 2], [`${t.lower}-${next.lower}`, 2]);
    forms.push([t.lower, 1]);
    if (!t.quoted) forms.push([singular(t.lower), 1]);
    for (const [form, width] of forms) {
      const name = names.find((n) => n.toLowerCase() === form || n.toLowerCase().replace(/^\$/, '') === form);
      if (name) return { name, width };
    }
    return null;
  }

  read(): void {
    while (this.i < this.toks.length && !this.problem) {
      const n = this.step();
      if (n === 0) {
        this.unknown.push(this.toks[this.i].text);
        this.i++;
      } else {
        this.i += n;
      }
    }
  }

  /** Reads one phrase at the cursor; the number of words it took, 0 when none fits. */
  private step(): number {
    const t = this.at(0)!;
    if (t.quoted) {
      this.texts.push(t.text);
      return 1;
    }
    for (const read of [this.timePhrase, this.slicePhrase, this.countPhrase, this.numericPhrase, this.groupPhrase, this.topPhrase,
      this.thresholdPhrase, this.severityPhrase, this.namePhrase, this.propertyPhrase, this.textPhrase]) {
      const n = read.call(this);
      if (n > 0) return n;
    }
    if (SOURCE_WORDS[t.lower]) {
      this.useSource(SOURCE_WORDS[t.lower]);
      this.sourceNamed = true;
      return 1;
    }
    if (this.req.mode === 'explorer' && ['alerts', 'alert_events'].includes(t.lower)) {
      this.useSource('alert_events');
      this.sourceNamed = true;
      return 1;
    }
    return STOP.has(t.lower) ? 1 : 0;
  }

  private setTime(gql: string, minutes: number | null): void {
    if (this.time) this.fail('the prompt names two time ranges');
    this.time = { gql, minutes };
  }

  private timePhrase(): number {
    const t = this.at(0)!;
    const day = (offset: number) => new Date(Date.UTC(this.req.now.getUTCFullYear(), this.req.now.getUTCMonth(), this.req.now.getUTCDate() + offset)).toISOString().slice(0, 10);
    if (t.lower === 'today') { this.setTime(`since:${day(0)}`, null); return 1; }
    if (t.lower === 'yesterday') { this.setTime(`since:${day(-1)} until:${day(0)}`, null); return 1; }
    if (/^[0-9]+[smhdw]$/.test(t.lower)) { this.setDuration(Number(t.lower.slice(0, -1)), t.lower.slice(-1)); return 1; }
    if (t.lower === 'since' && this.at(1) && /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(this.at(1)!.lower)) { this.setTime(`since:${this.at(1)!.lower}`, null); return 2; }
    if (t.lower === 'since' && ['today', 'yesterday'].includes(this.at(1)?.lower ?? '')) return 1;
    const bare = this.number(0);
    const bareUnit = bare !== null && this.at(1) && !this.at(1)!.quoted ? UNITS[this.at(1)!.lower] : undefined;
    if (bare !== null && bareUnit && Number.isInteger(bare)) { this.setDuration(bare * bareUnit[0], bareUnit[1]); return 2; }
    const lead = this.seesAny([['last'], ['past'], ['previous']]);
    if (!lead) return 0;
    const compact = this.at(1);
    if (compact && /^[0-9]+[smhdw]$/.test(compact.lower)) { this.setDuration(Number(compact.lower.slice(0, -1)), compact.lower.slice(-1)); return 2; }
    const n = this.number(1);
    const unitAt = n === null ? 1 : 2;
    const unit = this.at(unitAt) && !this.at(unitAt)!.quoted ? UNITS[this.at(unitAt)!.lower] : undefined;
    if (unit) { this.setDuration((n ?? 1) * unit[0], unit[1]); return unitAt + 1; }
    // "the last 10 errors": the newest N, not a time range.
    if (n !== null && t.lower === 'last' && Number.isInteger(n)) { this.limit = n; return 2; }
    return 0;
  }

  private setDuration(n: number, unit: string): void {
    const minutes = { s: n / 60, m: n, h: n * 60, d: n * 1440, w: n * 10080 }[unit] ?? null;
    this.setTime(`last:${n}${unit}`, minutes);
  }

  private slicePhrase(): number {
    const t = this.at(0)!;
    if (SLICES[t.lower] && ['hourly', 'daily', 'weekly'].includes(t.lower)) { this.slice = SLICES[t.lower]; return 1; }
    const lead = this.seesAny([['per'], ['each'], ['every'], ['by']]);
    const unit = lead ? this.at(lead) : undefined;
    if (unit && SLICES[unit.lower]) { this.slice = SLICES[unit.lower]; return lead + 1; }
    if (this.sees(['over', 'time'])) { this.slice = '1h'; return 2; }
    return 0;
  }

  private countPhrase(): number {
    const n = this.seesAny([['how', 'many'], ['number', 'of'], ['count', 'of'], ['count'], ['total', 'number', 'of'], ['amount', 'of']]);
    if (n) { this.agg ??= 'count'; return n; }
    const distinct = this.seesAny([['unique'], ['distinct'], ['different']]);
    if (!distinct) return 0;
    const hit = this.field(distinct);
    if (!hit) return 0;
    this.useSource(hit.source);
    this.agg = `count_distinct(${hit.field})`;
    return distinct + hit.width;
  }

  private numericPhrase(): number {
    const t = this.at(0)!;
    const pct = /^p([1-9][0-9]?)$/.exec(t.lower) ?? (/^([1-9][0-9]?)(th|st|nd|rd)$/.test(t.lower) && this.sees(['percentile'], 1) ? /^([1-9][0-9]?)/.exec(t.lower) : null);
    const func = pct ? `p${pct[1]}` : NUMERIC_FUNCS[t.lower];
    if (!func) return 0;
    let k = pct && !/^p/.test(t.lower) ? 2 : 1;
    if (this.sees(['of'], k)) k++;
    if (this.sees(['the'], k)) k++;
    const hit = this.field(k);
    if (!hit) {
      // "total number of …" is a count, read by countPhrase.
      if (t.lower === 'total') return 0;
      this.fail(`'${t.text}' needs a numeric property after it (one of: ${this.numericProperties() || 'none discovered yet'})`);
      return 1;
    }
    if (!hit.numeric) { this.fail(`'${hit.field}' holds no numbers, so it has no ${t.text}`); return 1; }
    this.useSource(hit.source);
    this.agg = `${func}(${hit.field})`;
    return k + hit.width;
  }

  private numericProperties(): string {
    return [...this.schema.properties.logs, ...this.schema.properties.events].filter((p) => p.type === 'number').map((p) => p.key).slice(0, 8).join(', ');
  }

  private groupPhrase(): number {
    const lead = this.seesAny(GROUP_LEADS);
    if (!lead) return 0;
    const hit = this.field(lead);
    if (!hit) return 0;
    this.useSource(hit.source);
    if (!this.by.includes(hit.field)) this.by.push(hit.field);
    this.agg ??= 'count';
    return lead + hit.width;
  }

  private topPhrase(): number {
    let k = this.seesAny([['top'], ['most', 'common'], ['most', 'frequent'], ['busiest'], ['noisiest'], ['most']]);
    if (!k) return 0;
    const n = this.number(k);
    if (n !== null) k++;
    this.top = n !== null && Number.isInteger(n) ? n : 10;
    const hit = this.field(k);
    if (hit) {
      this.useSource(hit.source);
      if (!this.by.includes(hit.field)) this.by.push(hit.field);
      k += hit.width;
    }
    this.agg ??= 'count';
    return k;
  }

  /** Alert mode: "more than 5 errors" is the rule's threshold. */
  private thresholdPhrase(): number {
    if (this.req.mode !== 'alert') return 0;
    const above = this.seesAny([...ABOVE, ...AT_LEAST]);
    const below = above ? 0 : this.seesAny([...BELOW, ...AT_MOST]);
    const lead = above || below;
    const n = lead ? this.number(lead) : null;
    if (n === null) return 0;
    this.alert.threshold = n;
    this.alert.operator = above ? 'above' : 'below';
    return lead + 1;
  }

  private severityPhrase(): number {
    const level = SEVERITY_WORDS[this.at(0)!.lower];
    if (!level) return 0;
    const worse = this.seesAny(OR_WORSE, 1);
    if (worse) { this.severityAtLeast = level; return 1 + worse; }
    this.severities.add(level);
    return 1;
  }

  private namePhrase(): number {
    const service = this.matchName(this.schema.services, 0);
    if (service) { this.services.add(service.name); this.useSource('logs'); return service.width; }
    if (this.sees(['service']) && this.at(1)) {
      const named = this.at(1)!;
      if (!STOP.has(named.lower) || named.quoted) { this.services.add(named.text); this.useSource('logs'); return 2; }
    }
    const env = ENVIRONMENT_WORDS[this.at(0)!.lower];
    if (env && !this.at(0)!.quoted) { this.addFilter('environment', ':', env); return 1; }
    const event = this.matchName(this.schema.eventNames, 0);
    if (event) { this.events.add(event.name); this.useSource('events'); return event.width; }
    return 0;
  }

  /** `plan is pro`, `plan=pro`, `status_code 500`, `duration_ms over 1000`. */
  private propertyPhrase(): number {
    const t = this.at(0)!;
    const inline = /^([^:=<>]+)(:|=|>=|<=|>|<)(.+)$/.exec(t.text);
    if (inline) {
      const key = this.propertyKey(inline[1]);
      if (!key) return 0;
      this.addFilter(key.field, inline[2] === '=' ? ':' : inline[2], inline[3]);
      return 1;
    }
    const hit = this.field(0);
    if (!hit || (COLUMN_WORDS.some(([, f]) => f === hit.field) && !FILTERABLE_COLUMNS.has(hit.field))) return 0;
    let k = hit.width;
    let op = ':';
    const cmp: [string[][], string][] = [[ABOVE, '>'], [BELOW, '<'], [AT_LEAST, '>='], [AT_MOST, '<=']];
    const found = cmp.map(([seqs, o]) => [this.seesAny(seqs, k), o] as const).find(([n]) => n > 0);
    if (found) { k += found[0]; op = found[1]; } else { k += this.seesAny([['is', 'not'], ['is'], ['equals'], ['equal', 'to'], ['of'], ['='], [':']], k); }
    const v = this.at(k);
    if (!v || (!v.quoted && (STOP.has(v.lower) || GROUP_LEADS.some((g) => g[0] === v.lower)))) {
      this.fail(`which value of '${hit.field}'? (e.g. "${hit.field} is …")`);
      return 1;
    }
    if (op !== ':' && !/^-?[0-9]+(\.[0-9]+)?$/.test(v.text)) { this.fail(`'${hit.field}' is compared with a number, not '${v.text}'`); return 1; }
    this.useSource(hit.source);
    const negated = this.sees(['is', 'not'], hit.width);
    this.addFilter(hit.field, negated ? '!=' : op, v.text);
    return k + 1;
  }

  private propertyKey(written: string): FieldHit | null {
    const lower = written.toLowerCase();
    for (const source of this.sourcesToSearch()) {
      const prop = this.schema.properties[source].find((p) => p.key.toLowerCase() === lower);
      if (prop && fieldName(prop.key)) return { field: propertyField(prop.key, source), width: 1, numeric: prop.type === 'number', source: null };
    }
    return null;
  }

  private addFilter(field: string, op: string, v: string): void {
    this.filters.push(`${field}${op}${op === ':' || op === '!=' ? value(v) : v}`);
  }

  private textPhrase(): number {
    const lead = this.seesAny(TEXT_LEADS);
    const word = lead ? this.at(lead) : undefined;
    if (!word) return 0;
    this.texts.push(word.text);
    return lead + 1;
  }

  /** The GQL for what was read, or why there is none. */
  result(): Translation {
    if (this.problem) return { ok: false, reason: this.problem };
    if (this.unknown.length > 0) {
      return {
        ok: false,
        reason: `could not place ${this.unknown.map((w) => `'${w}'`).join(', ')}: the offline translator knows severities, this project's services, ` +
          'event names and property names, time phrases (last hour, yesterday, past 7 days), counting and grouping (how many, by service, top 10) ' +
          'and quoted text; rephrase, or configure an AI provider',
      };
    }
    const source = this.source ?? 'logs';
    const filters: string[] = [];
    if (this.severityAtLeast) filters.push(`severity>=${this.severityAtLeast}`);
    else if (this.severities.size) filters.push(`severity:${[...this.severities].join(',')}`);
    if (this.services.size) filters.push(`service:${[...this.services].map(value).join(',')}`);
    if (this.events.size) filters.push(`event:${[...this.events].map(value).join(',')}`);
    filters.push(...this.filters, ...this.texts.map(quoteString));
    if (source === 'alert_events' && filters.length) return { ok: false, reason: 'alert history is searched by time only offline' };
    const alert = this.req.mode === 'alert';
    if (alert) {
      if (this.by.length || this.slice || this.top !== null || this.limit !== null) {
        return { ok: false, reason: 'an alert condition is one number: it cannot group (by, per, top) or keep the newest N' };
      }
      if (this.time) {
        if (this.time.minutes === null || !Number.isInteger(this.time.minutes) || this.time.minutes < 1) {
          return { ok: false, reason: 'an alert counts over a window of whole minutes ending now (e.g. "in 5 minutes"), not a calendar day' };
        }
        this.alert.window_minutes = this.time.minutes;
      }
    }
    const first = [...filters, ...(this.time && !alert ? [this.time.gql] : []), ...(source !== 'logs' || (this.sourceNamed && !filters.length && !this.agg) ? [`from:${source}`] : [])];
    const stages: string[] = [];
    if (first.length) stages.push(first.join(' '));
    if (this.agg) stages.push(this.by.length ? `${this.agg} by ${this.by.join(', ')}` : this.agg);
    if (this.slice) {
      if (this.top !== null) return { ok: false, reason: 'a count over time (per hour, daily) cannot also keep the top N' };
      stages.push(`timeslice ${this.slice}`);
    }
    if (this.top !== null) stages.push(`top ${this.top}`);
    if (this.limit !== null) stages.push(`limit ${this.limit}`);
    if (!stages.length) return { ok: false, reason: 'nothing in the prompt says what to look for: name a severity, a service, an event, a property or a time range' };
    return { ok: true, gql: stages.join(' | '), ...(alert && Object.keys(this.alert).length ? { alert: this.alert } : {}) };
  }
}

export const offlineProvider: NlProvider = {
  name: 'offline',
  async translate(request) {
    const reader = new Reader(tokenize(request.prompt), request);
    reader.read();
    return reader.result();
  },
};
