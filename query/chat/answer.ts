// The offline assistant: a question becomes GQL through the configured translator, the query runs in the
// caller's scope, and the answer is the query, its figures and a few sentences said from them. Nothing is
// made up: every number in the text is one of the figures.
import type { Scope } from '../engine/engine.js';
import { executeQuery } from '../execute.js';
import type { AggregateData, GqlBody, Row, SearchData } from '../language/shape.js';
import { ApiError } from '../../core/errors.js';
import { QueryError } from '../language/index.js';
import type { ChatTurn, NlProvider, ProjectSchema, ToolAssistant } from '../nl/provider.js';
import { translate, type NlAnswer } from '../nl/translate.js';
import type { QueryEngine } from '../engine/engine.js';

export interface ChatAnswer {
  /** What the assistant says. */
  reply: string;
  gql: string;
  valid: boolean;
  reason?: string;
  /** The query's answer, at most `FIGURES` rows of it. */
  figures: (AggregateData | SearchData) | null;
  provider: string;
}

/** Rows shown with an answer: enough to read, few enough for a chat message. */
const FIGURES = 10;
/** Groups named in the text. */
const NAMED = 3;

const number = (v: unknown) => (typeof v === 'number' ? v.toLocaleString('en-US', { maximumFractionDigits: 2 }) : String(v));

function groupLabel(row: Row): string {
  return Object.entries(row).filter(([k]) => k !== 'value').map(([, v]) => (v === null ? '(none)' : String(v))).join(' / ');
}

function aggregateSummary(gql: string, data: AggregateData): string {
  if (data.results.length === 0) return `Nothing matched \`${gql}\`.`;
  const grouped = Object.keys(data.results[0]).some((k) => k !== 'value');
  if (!grouped) return `The answer is ${number(data.results[0].value)} (\`${gql}\`).`;
  const named = data.results.slice(0, NAMED).map((r) => `${groupLabel(r)} (${number(r.value)})`).join(', ');
  return `${data.total_groups.toLocaleString('en-US')} group${data.total_groups === 1 ? '' : 's'} for \`${gql}\`; first: ${named}.`;
}

function searchSummary(gql: string, data: SearchData): string {
  const what = data.table === 'events' ? 'event' : data.table === 'logs' ? 'log' : 'row';
  if (data.results.length === 0) return `No ${what}s matched \`${gql}\`.`;
  const n = data.results.length;
  const count = `${data.has_more ? `More than ${n}` : n} ${what}${n === 1 && !data.has_more ? '' : 's'} matched \`${gql}\``;
  const latest = data.results[0];
  const text = latest.message ?? latest.event ?? latest.name;
  if (typeof text !== 'string') return `${count}.`;
  const severity = typeof latest.severity === 'string' ? `[${latest.severity}] ` : '';
  return `${count}. The latest, at ${String(latest.timestamp)}: ${severity}${text.slice(0, 200)}`;
}

function unanswered(t: NlAnswer): string {
  return `I could not turn that into a query of this project's data (${t.reason ?? 'no translation'}). Try naming what to look at and when, such as "errors by service in the last hour".`;
}

export interface ChatDeps {
  engine: QueryEngine;
  provider: NlProvider;
  now: () => Date;
}

/**
 * A model with tools (`ai.provider: openai`): its queries run through the same engine and scope as any
 * other, a query error goes back to it as the tool's answer, and the figures shown are those of its last
 * query that ran.
 */
async function converse(deps: ChatDeps, assistant: ToolAssistant, scope: Scope, question: string, history: ChatTurn[], schema: ProjectSchema): Promise<ChatAnswer> {
  const now = deps.now();
  const ran: { last: { gql: string; figures: AggregateData | SearchData } | null } = { last: null };
  const tools = {
    async runGql(q: string) {
      try {
        const { data } = (await executeQuery(deps.engine, scope, { dialect: 'gql', text: q, now })).body as GqlBody;
        ran.last = { gql: q, figures: { ...data, results: data.results.slice(0, FIGURES) } };
        return JSON.stringify(ran.last.figures);
      } catch (err) {
        if (err instanceof QueryError || err instanceof ApiError) return JSON.stringify({ error: err.message });
        throw err;
      }
    },
    readSchema: () => JSON.stringify(schema),
  };
  const answer = await assistant.converse(history, question, tools, now);
  const base = { gql: ran.last?.gql ?? '', figures: ran.last?.figures ?? null, provider: deps.provider.name };
  if (!answer.ok) return { ...base, valid: false, reason: answer.reason, reply: `The AI provider could not answer: ${answer.reason}.` };
  return { ...base, valid: ran.last !== null, reply: answer.reply };
}

/**
 * `history`: the session's earlier turns, which a model reads; the offline translator takes each question
 * alone. Query failures (a parse the translator let through, a timeout) propagate for the route to render.
 */
export async function answerQuestion(deps: ChatDeps, scope: Scope, question: string, schema: ProjectSchema, history: ChatTurn[] = []): Promise<ChatAnswer> {
  if (deps.provider.assistant) return converse(deps, deps.provider.assistant, scope, question, history, schema);
  const now = deps.now();
  const t = await translate(deps.provider, { prompt: question, mode: 'explorer', now, schema });
  const base = { gql: t.gql, valid: t.valid, provider: t.provider, ...(t.reason ? { reason: t.reason } : {}) };
  if (!t.valid) return { ...base, reply: unanswered(t), figures: null };
  const result = await executeQuery(deps.engine, scope, { dialect: 'gql', text: t.gql, now });
  const { data } = result.body as GqlBody;
  const figures = { ...data, results: data.results.slice(0, FIGURES) };
  return { ...base, reply: data.mode === 'aggregate' ? aggregateSummary(t.gql, data) : searchSummary(t.gql, data), figures };
}
