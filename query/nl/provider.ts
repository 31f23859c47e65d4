// The interface every natural-language → GQL provider fills, and what it knows of the project.
import type { FieldInfo } from '../language/index.js';

export type NlMode = 'explorer' | 'alert';

/** The project as a translator sees it: the discovered schema, never the rows. */
export interface ProjectSchema {
  services: string[];
  eventNames: string[];
  properties: Record<'logs' | 'events', FieldInfo[]>;
}

export interface NlRequest {
  prompt: string;
  /** `explorer`: a search or an aggregate; `alert`: a condition (one number, no window, no groups). */
  mode: NlMode;
  now: Date;
  schema: ProjectSchema;
}

/** What an `alert` prompt says beyond the condition: the rule's threshold, operator and window. */
export interface AlertHints { threshold?: number; operator?: 'above' | 'below'; window_minutes?: number }

/** A provider's answer: GQL text to be parsed and validated, or why it has none. */
export type Translation = { ok: true; gql: string; alert?: AlertHints } | { ok: false; reason: string };

export interface NlProvider {
  readonly name: string;
  translate(request: NlRequest): Promise<Translation>;
  /** A model that can hold a conversation using tools; absent offline, where chat goes through `translate`. */
  readonly assistant?: ToolAssistant;
}

/** One earlier turn of a conversation, as the model is shown it. */
export interface ChatTurn {
  role: 'user' | 'assistant';
  content: string;
}

/** What the model may do, in the caller's scope: run a GQL query (its answer, or its error, as text) and read the schema. */
export interface AssistantTools {
  runGql(q: string): Promise<string>;
  readSchema(): string;
}

export interface ToolAssistant {
  /** Prose from `facts` as `instruction` asks, the model's text only. */
  write(instruction: string, facts: unknown): Promise<{ ok: true; text: string } | { ok: false; reason: string }>;
  /** The model's final reply; its tool calls go through `tools`, at most a few rounds of them. */
  converse(history: ChatTurn[], question: string, tools: AssistantTools, now: Date): Promise<{ ok: true; reply: string } | { ok: false; reason: string }>;
}
