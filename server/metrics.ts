import type { FastifyPluginAsync } from 'fastify';

/** One counter as the collector's host keeps it; the kernel only renders, so it names the shape, not the host. */
export interface CounterSample {
  component: string;
  signal: string;
  outcome: string;
  /** Why records were refused or dropped; empty for accepted ones. */
  reason: string;
  value: number;
}

export interface CounterSource {
  snapshot(): readonly CounterSample[];
}

const METRIC = 'loglake_component_records_total';

/** A label value in the exposition format: backslash, double quote and newline escaped. */
function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function line(s: CounterSample): string {
  const reason = s.reason ? `,reason="${label(s.reason)}"` : '';
  return `${METRIC}{component="${label(s.component)}",signal="${s.signal}",outcome="${s.outcome}"${reason}} ${s.value}`;
}

/** A value read when scraped (bus lag, writer backlog), without labels. */
export interface Gauge {
  name: string;
  help: string;
  value: number;
}

/** The component counters and gauges in the Prometheus text exposition format (version 0.0.4). */
export function renderMetrics(counters: CounterSource, gauges: readonly Gauge[] = []): string {
  return [
    `# HELP ${METRIC} Records each collector component accepted, refused (the sender was told) or dropped, by reason.`,
    `# TYPE ${METRIC} counter`,
    ...counters.snapshot().map(line),
    ...gauges.flatMap((g) => [`# HELP ${g.name} ${g.help}`, `# TYPE ${g.name} gauge`, `${g.name} ${g.value}`]),
    '',
  ].join('\n');
}

/** `GET /metrics`, unauthenticated like health: it shows counts, never data. */
export const metricsPlugin: FastifyPluginAsync<{ counters: CounterSource; gauges?: () => Promise<Gauge[]> }> = async (app, { counters, gauges }) => {
  app.get('/metrics', async (_request, reply) => {
    reply.type('text/plain; version=0.0.4; charset=utf-8');
    return renderMetrics(counters, gauges ? await gauges() : []);
  });
};
