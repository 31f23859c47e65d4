// AI chat sessions as the metadata store keeps them: pure functions over `State`, run inside a store's write.
import type { State } from './state.js';

export interface ChatMessage {
  role: 'user' | 'assistant';
  content: string;
  at: string;
  /** The query an assistant message answered with. */
  gql?: string;
}

export interface ChatSession {
  /** Chosen by the client; unique within the project. */
  id: string;
  project_id: string;
  /** Oldest first, the last `CHAT_MESSAGES_KEPT` only. */
  messages: ChatMessage[];
  created_at: string;
  updated_at: string;
}

/** Bounds on what chat adds to the store: messages a session keeps, sessions a project keeps (least recent go). */
export const CHAT_MESSAGES_KEPT = 50;
export const CHAT_SESSIONS_KEPT = 200;

export function chatOf(s: State, projectId: string, id: string): ChatSession | undefined {
  return s.ai_sessions.find((c) => c.id === id && c.project_id === projectId);
}

export function appendChat(s: State, projectId: string, id: string, messages: ChatMessage[], at: string): ChatSession {
  let chat = chatOf(s, projectId, id);
  if (!chat) {
    chat = { id, project_id: projectId, messages: [], created_at: at, updated_at: at };
    s.ai_sessions.push(chat);
  }
  chat.messages = [...chat.messages, ...structuredClone(messages)].slice(-CHAT_MESSAGES_KEPT);
  chat.updated_at = at;
  const own = s.ai_sessions.filter((c) => c.project_id === projectId).sort((a, b) => b.updated_at.localeCompare(a.updated_at));
  const dropped = new Set(own.slice(CHAT_SESSIONS_KEPT));
  if (dropped.size > 0) s.ai_sessions = s.ai_sessions.filter((c) => !dropped.has(c));
  return structuredClone(chat);
}
