// Natural language → GQL through an OpenAI-compatible chat-completions API (`ai.provider: openai`). The
// model gets the language's rules and the project's schema; what it answers is only a candidate, parsed and
// validated like the offline translator's before anyone sees it.
import type { NlProvider, NlRequest, Translation } from './provider.js';

export interface OpenAiConfig {
  base_url: string;
  model: string;
  api_key: string;
  timeout_ms: number;
}

const RULES = `You translate questions about logs and product events into GQL. Answer with one GQL query and nothing else.
GQL: filters are field:value (several values: field:a,b), field>N, field~"text", "free text"; AND is juxtaposition; "or", "not" and parentheses group.
Scope terms: last:1h (units s m h d w), since:2026-06-01, until:2026-06-02, from:logs|events|alert_events (default logs).
Stages after "|": count, count by f1, f2, count_distinct(f), sum|avg|min|max|p50|p95|p99(f) [by f], top N, sort f desc, limit N, timeslice 1h.
Log columns: timestamp, severity (trace debug info warn error fatal), message, service, action, environment, trace_id, tags. Event columns: event, distinct_id, timestamp.
Anything else is a property: write its name (properties.name when it clashes with a column).
Examples: "errors in the last hour" -> severity:error last:1h; "top 5 services by errors" -> severity:error | count by service | top 5; "daily signups" -> from:events event:signup | count | timeslice 1d.`;

const ALERT_RULES = 'The query is an alert condition: one number over a window the rule supplies, so never use last/since/until, by, timeslice, top, sort or limit.';

function schemaText(request: NlRequest): string {
  const props = (list: { key: string; type: string }[]) => list.slice(0, 50).map((p) => `${p.key} (${p.type})`).join(', ') || 'none';
  return [
    `Services: ${request.schema.services.slice(0, 50).join(', ') || 'none'}.`,
    `Event names: ${request.schema.eventNames.slice(0, 50).join(', ') || 'none'}.`,
    `Log properties: ${props(request.schema.properties.logs)}.`,
    `Event properties: ${props(request.schema.properties.events)}.`,
    `Now: ${request.now.toISOString()}.`,
  ].join('\n');
}

/** The query in a model's answer: the first line of its text, a code fence or surrounding quotes removed. */
export function gqlOfAnswer(content: string): string {
  const fenced = /```(?:[a-z]*)\n?([\s\S]*?)```/.exec(content);
  const text = (fenced ? fenced[1] : content).trim().split('\n')[0].trim();
  return text.replace(/^`([^`]*)`$/, '$1').trim();
}

const CHAT_RULES = `You answer questions about one project's logs and product events. Use the tools: read_schema to see what
the project holds, run_gql to run GQL queries over it. Every figure you give must come from a run_gql answer; say so
when the data cannot answer. Answer in a few plain sentences and name the query you ran.`;

const TOOLS = [
  {
    type: 'function',
    function: {
      name: 'run_gql',
      description: "Runs one GQL query over the project's data and returns its answer as JSON (or its error).",
      parameters: { type: 'object', properties: { q: { type: 'string', description: 'The GQL query' } }, required: ['q'] },
    },
  },
  {
    type: 'function',
    function: { name: 'read_schema', description: "The project's services, event names and property keys with their types.", parameters: { type: 'object', properties: {} } },
  },
];

/** Rounds of tool calls a conversation turn may take before the model must answer. */
const MAX_ROUNDS = 4;

interface ToolCall { id: string; function: { name: string; arguments: string } }
interface ModelMessage { content?: string | null; tool_calls?: ToolCall[] }

function parseArguments(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text);
    return value !== null && typeof value === 'object' ? value : {};
  } catch {
    return {};
  }
}

export function openAiProvider(config: OpenAiConfig): NlProvider {
  const url = `${config.base_url.replace(/\/+$/, '')}/chat/completions`;

  /** One chat-completions call: the model's message, or why there is none. */
  async function complete(messages: unknown[], tools?: unknown[]): Promise<{ ok: true; message: ModelMessage } | { ok: false; reason: string }> {
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${config.api_key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: config.model, temperature: 0, messages, ...(tools ? { tools } : {}) }),
        signal: AbortSignal.timeout(config.timeout_ms),
      });
    } catch (err) {
      return { ok: false, reason: `the AI provider could not be reached: ${(err as Error).message}` };
    }
    if (!res.ok) return { ok: false, reason: `the AI provider answered ${res.status}` };
    const body = (await res.json().catch(() => null)) as { choices?: { message?: ModelMessage }[] } | null;
    const message = body?.choices?.[0]?.message;
    return message ? { ok: true, message } : { ok: false, reason: 'the AI provider gave no answer' };
  }

  return {
    name: 'openai',
    async translate(request): Promise<Translation> {
      const system = [RULES, request.mode === 'alert' ? ALERT_RULES : '', schemaText(request)].filter(Boolean).join('\n\n');
      const answer = await complete([{ role: 'system', content: system }, { role: 'user', content: request.prompt }]);
      if (!answer.ok) return answer;
      const content = answer.message.content;
      if (typeof content !== 'string' || !content.trim()) return { ok: false, reason: 'the AI provider gave no answer' };
      return { ok: true, gql: gqlOfAnswer(content) };
    },
    assistant: {
      async write(instruction, facts) {
        const answer = await complete([{ role: 'system', content: instruction }, { role: 'user', content: JSON.stringify(facts) }]);
        if (!answer.ok) return answer;
        const content = answer.message.content;
        return typeof content === 'string' && content.trim() ? { ok: true, text: content.trim() } : { ok: false, reason: 'the AI provider gave no answer' };
      },
      async converse(history, question, tools, now) {
        const messages: unknown[] = [{ role: 'system', content: `${CHAT_RULES}\n\n${RULES}\nNow: ${now.toISOString()}.` }, ...history, { role: 'user', content: question }];
        for (let round = 0; round < MAX_ROUNDS; round++) {
          const answer = await complete(messages, TOOLS);
          if (!answer.ok) return answer;
          const calls = answer.message.tool_calls ?? [];
          if (calls.length === 0) {
            const content = answer.message.content;
            return typeof content === 'string' && content.trim() ? { ok: true, reply: content.trim() } : { ok: false, reason: 'the AI provider gave no answer' };
          }
          messages.push({ role: 'assistant', content: answer.message.content ?? null, tool_calls: calls });
          for (const call of calls) {
            const args = parseArguments(call.function?.arguments ?? '');
            const output = call.function?.name === 'run_gql' && typeof args.q === 'string' ? await tools.runGql(args.q)
              : call.function?.name === 'read_schema' ? tools.readSchema()
              : JSON.stringify({ error: `no tool ${String(call.function?.name)} (there are run_gql and read_schema)` });
            messages.push({ role: 'tool', tool_call_id: call.id, content: output });
          }
        }
        return { ok: false, reason: `the AI provider was still calling tools after ${MAX_ROUNDS} rounds` };
      },
    },
  };
}
