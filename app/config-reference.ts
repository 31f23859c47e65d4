import { z } from 'zod';
import type { Factory } from '../collector/component.js';
import { exporterFactories, processorFactories, receiverFactories } from '../collector/registry.js';
import { configObject } from '../config/schema.js';

/**
 * The config reference, generated from the zod schemas (`npm run docs:config` writes config/REFERENCE.md),
 * so the documented keys, types and defaults are the ones loglake validates.
 */

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  enum?: unknown[];
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  minItems?: number;
  pattern?: string;
  format?: string;
}

/** zod's bound for `.int()`: not a limit anyone set. */
const SAFE_INTEGER = Number.MAX_SAFE_INTEGER;

function jsonSchema(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
}

function typeOf(s: JsonSchema): string {
  if (s.anyOf) return s.anyOf.map(typeOf).join(' \\| ');
  if (s.type === 'array') return `${s.items ? typeOf(s.items) : 'any'}[]`;
  if (s.type === 'object' && !s.properties) return 'map';
  return Array.isArray(s.type) ? s.type.join(' \\| ') : (s.type ?? 'any');
}

function rules(s: JsonSchema): string {
  const out: string[] = [];
  if (s.enum) out.push(s.enum.map((v) => `\`${String(v)}\``).join(', '));
  if (s.minimum !== undefined) out.push(`≥ ${s.minimum}`);
  if (s.exclusiveMinimum !== undefined) out.push(`> ${s.exclusiveMinimum}`);
  if (s.maximum !== undefined && s.maximum !== SAFE_INTEGER) out.push(`≤ ${s.maximum}`);
  if (s.minLength !== undefined) out.push(`length ≥ ${s.minLength}`);
  if (s.minItems !== undefined) out.push(`at least ${s.minItems}`);
  if (s.pattern) out.push(`matches \`${s.pattern.replace(/\|/g, '\\|')}\``);
  if (s.format) out.push(s.format);
  return out.join('; ');
}

function defaultOf(s: JsonSchema): string {
  if (s.default === undefined) return '';
  return `\`${JSON.stringify(s.default).replace(/\|/g, '\\|')}\``;
}

/** One row per leaf key, by dotted path; objects with known keys are opened, not listed. */
function rows(s: JsonSchema, path: string[], skip: Set<string> = new Set()): string[] {
  if (s.type === 'object' && s.properties) {
    return Object.entries(s.properties).flatMap(([key, child]) => (skip.has(key) ? [] : rows(child, [...path, key])));
  }
  const entry = s.additionalProperties;
  if (s.type === 'object' && typeof entry === 'object' && entry.properties) return rows(entry, [...path, '<name>']);
  const doc = s.description ? ` ${s.description}` : '';
  return [`| \`${path.join('.')}\` | ${typeOf(s)} | ${defaultOf(s)} | ${rules(s)}${doc} |`];
}

function table(s: JsonSchema, path: string[], skip?: Set<string>): string[] {
  const body = rows(s, path, skip);
  if (body.length === 0) return ['No keys.'];
  return ['| key | type | default | allowed |', '|---|---|---|---|', ...body];
}

function components(section: string, registry: Record<string, Factory<unknown, unknown, never>>): string[] {
  return Object.values(registry).flatMap((f) => [
    `### ${section}.${f.type}`,
    '',
    `Signals: ${f.signals.join(', ')}. README: \`collector/${section}/${f.type}/README.md\`.`,
    '',
    ...table(jsonSchema(f.configSchema), [section, f.type]),
    '',
  ]);
}

export function renderReference(): string {
  return [
    '# loglake config reference',
    '',
    '<!-- Generated from the zod schemas by `npm run docs:config`; edit the schemas, not this file. -->',
    '',
    'Every key of `loglake.yaml`, its type, its default and what it accepts. `config/loglake.example.yaml`',
    'says what each one does. A component instance may be named `type/name` (e.g. `sampling/errors`): it',
    'takes the keys of its type.',
    '',
    '## Service and storage',
    '',
    ...table(jsonSchema(configObject), [], new Set(['receivers', 'processors', 'exporters'])),
    '',
    '## Receivers',
    '',
    ...components('receivers', receiverFactories),
    '## Processors',
    '',
    ...components('processors', processorFactories),
    '## Exporters',
    '',
    ...components('exporters', exporterFactories),
  ].join('\n');
}
