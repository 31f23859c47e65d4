import type { FastifyPluginAsync } from 'fastify';
import type { ComponentCounters, CounterSample } from '../collector/counters.js';

const METRIC = 'loglake_component_records_total';

/** A label value in the exposition format: backslash, double quote and newline escaped. */
function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function line(s: CounterSample): string {
  const reason = s.reason ? `,reason="${label(s.reason)}"` : '';
  return `${METRIC}{component="${label(s.component)}",signal="${s.signal}",outcome="${s.outcome}"${reason}} ${s.value}`;
}

/** The component counters in the Prometheus text exposition format (version 0.0.4). */
export function renderMetrics(counters: ComponentCounters): string {
  return [
    `# HELP ${METRIC} Records each collector component accepted, refused (the sender was told) or dropped, by reason.`,
    `# TYPE ${METRIC} counter`,
    ...counters.snapshot().map(line),
    '',
  ].join('\n');
}

/** `GET /metrics`, unauthenticated like health: it shows counts, never data. */
export const metricsPlugin: FastifyPluginAsync<{ counters: ComponentCounters }> = async (app, { counters }) => {
  app.get('/metrics', async (_request, reply) => {
    reply.type('text/plain; version=0.0.4; charset=utf-8');
    return renderMetrics(counters);
  });
};
