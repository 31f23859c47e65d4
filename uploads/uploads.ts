// The upload surfaces as the composition root mounts them: replay and profile chunks in one file tree.
import type { FastifyInstance } from 'fastify';
import { join } from 'node:path';
import { ChunkStore } from '../storage/chunks/chunk-store.js';
import type { Limiter } from '../server/limits/limiter.js';
import type { MetaStore } from '../storage/meta/store.js';
import { profilesPlugin } from './profiles/plugin.js';
import { replayPlugin } from './replay/plugin.js';

/** Chunks live in `<dataDir>/uploads/<project>/{replay/<session>,profiles}/`. */
export function registerUploadRoutes(http: FastifyInstance, deps: { meta: MetaStore; limits: Limiter; dataDir: string }): void {
  const store = new ChunkStore(join(deps.dataDir, 'uploads'));
  http.register(replayPlugin({ meta: deps.meta, limits: deps.limits, store }));
  http.register(profilesPlugin({ meta: deps.meta, limits: deps.limits, store }));
}
