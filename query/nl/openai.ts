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

export function openAiProvider(config: OpenAiConfig): NlProvider {
  const url = `${config.base_url.replace(/\/+$/, '')}/chat/completions`;
  return {
    name: 'openai',
    async translate(request): Promise<Translation> {
      const system = [RULES, request.mode === 'alert' ? ALERT_RULES : '', schemaText(request)].filter(Boolean).join('\n\n');
      let res: Response;
      try {
        res = await fetch(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${config.api_key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: config.model, temperature: 0, messages: [{ role: 'system', content: system }, { role: 'user', content: request.prompt }] }),
          signal: AbortSignal.timeout(config.timeout_ms),
        });
      } catch (err) {
        return { ok: false, reason: `the AI provider could not be reached: ${(err as Error).message}` };
      }
      if (!res.ok) return { ok: false, reason: `the AI provider answered ${res.status}` };
      const body = (await res.json().catch(() => null)) as { choices?: { message?: { content?: unknown } }[] } | null;
      const content = body?.choices?.[0]?.message?.content;
      if (typeof content !== 'string' || !content.trim()) return { ok: false, reason: 'the AI provider gave no answer' };
      return { ok: true, gql: gqlOfAnswer(content) };
    },
  };
}
