import { held, newLeaseOwner } from './alert-leases.js';
import { KvBucket, keyToken, type KvBucketOptions } from '../kv/bucket.js';
import { CURRENT_VERSION, emptyState, migrate } from './migrations.js';
import { StateMetaStore, type Loaded, type MetaStoreOptions, type StateBackend } from './state-store.js';
import type { State } from './state.js';

type ArraySection = Exclude<keyof State, 'version' | 'usage'>;

const global = (section: string) => () => section;
const ofProject = (section: string) => (item: { project_id: string }) => `${section}.${keyToken(item.project_id)}`;

/**
 * Which key of the bucket holds each item, so that no value outgrows one NATS message (1 MB by default):
 * the small global sections one key each, the sections of a project one key per project (usage counters
 * too: `usage.<project>`), and AI chat sessions, the largest, one key each.
 */
const KEY_OF: { [S in ArraySection]: (item: State[S][number]) => string } = {
  orgs: global('orgs'),
  projects: global('projects'),
  users: global('users'),
  revoked_sessions: global('revoked_sessions'),
  keys: ofProject('keys'),
  alerts: ofProject('alerts'),
  alert_outbox: ofProject('alert_outbox'),
  views: ofProject('views'),
  status_pages: ofProject('status_pages'),
  status_incidents: ofProject('status_incidents'),
  ai_sessions: (c) => `ai_sessions.${keyToken(c.project_id)}.${keyToken(c.id)}`,
};
const SECTIONS = Object.keys(KEY_OF) as ArraySection[];

/** The key writers take turns by; not part of the state. */
const LOCK = 'lock';
/** How long a writer holds the lock at most: a node that died holding it (on another machine) frees it then. */
const LOCK_MS = 10_000;
/** How long a write waits for the lock before failing. */
const LOCK_WAIT_MS = 15_000;

/** The state cut into the bucket's values (JSON of a part of the state, with its version), by key. */
export function split(state: State): Map<string, string> {
  const parts = new Map<string, Record<string, unknown>>();
  const part = (key: string) => {
    let p = parts.get(key);
    if (!p) parts.set(key, (p = { version: state.version }));
    return p;
  };
  for (const section of SECTIONS) {
    const keyOf = KEY_OF[section] as (item: unknown) => string;
    for (const item of state[section]) ((part(keyOf(item))[section] ??= []) as unknown[]).push(item);
  }
  for (const [project, usage] of Object.entries(state.usage)) part(`usage.${keyToken(project)}`).usage = { [project]: usage };
  return new Map([...parts].map(([key, p]) => [key, JSON.stringify(p)]));
}

type Part = Record<string, unknown>;

/**
 * The state from the bucket's values, parsed (its arrays are new, their items those of the parts); migrated
 * like a file when a part was written by an older loglake.
 */
export function join(parts: Iterable<Part>): Loaded {
  const joined = emptyState() as unknown as Record<string, unknown>;
  let oldest = CURRENT_VERSION;
  let newest = CURRENT_VERSION;
  for (const { version, ...sections } of parts) {
    oldest = Math.min(oldest, version as number);
    newest = Math.max(newest, version as number);
    for (const [section, content] of Object.entries(sections)) {
      if (Array.isArray(content)) ((joined[section] ??= []) as unknown[]).push(...(content as unknown[]));
      else Object.assign((joined[section] ??= {}) as object, content);
    }
  }
  // A part from a newer loglake is refused, as a newer file is.
  joined.version = newest > CURRENT_VERSION ? newest : oldest;
  return migrate(joined);
}

export interface KvStateOptions extends Omit<KvBucketOptions, 'onChange'> {
  /** Who holds the lock, as alert leases name owners (`host:pid:nonce`). */
  owner?: string;
}

/**
 * The state in a JetStream KV bucket (`split` says which key holds what), shared by every node. Reads come
 * from the bucket's in-memory copy, which the watcher keeps current. A write takes the bucket's lock key by
 * compare-and-set, waits until its copy holds everything written before the lock was taken, runs the
 * change, and writes the keys it changed, each also compare-and-set on its revision: so, as with the lock
 * file, writers take turns and none overwrites another. A node that dies holding the lock frees it after
 * `LOCK_MS` (at once for a dead process of this machine); a change spanning several keys whose writer dies
 * midway keeps the keys it had written.
 */
export class KvStateBackend implements StateBackend {
  private bucket: KvBucket | null = null;
  private changed = true;
  /** Changes of this process wait for each other here rather than at the lock. */
  private turn: Promise<unknown> = Promise.resolve();
  private readonly owner: string;
  /** Each key's value parsed, by revision: a read after another node's write parses only what it changed. */
  private parsed = new Map<string, { rev: number; part: Part }>();

  constructor(private readonly opts: KvStateOptions) {
    this.owner = opts.owner ?? newLeaseOwner();
  }

  async open(): Promise<void> {
    // Other nodes' turns at the lock change no state.
    this.bucket ??= await KvBucket.open({ ...this.opts, onChange: (key) => (this.changed ||= key !== LOCK) });
  }

  async close(): Promise<void> {
    await this.turn.catch(() => undefined);
    await this.bucket?.close();
    this.bucket = null;
  }

  private get kv(): KvBucket {
    if (!this.bucket) throw new Error(`metadata store: bucket ${this.opts.bucket} is not open`);
    return this.bucket;
  }

  /** The state's parts: parsed afresh for a change to work on, else shared with earlier reads. */
  private parts(fresh: boolean): Part[] {
    const parts: Part[] = [];
    const parsed = new Map<string, { rev: number; part: Part }>();
    for (const [key, value] of this.kv.values()) {
      if (key === LOCK) continue;
      const rev = this.kv.get(key)!.rev;
      const known = this.parsed.get(key);
      const part = !fresh && known?.rev === rev ? known.part : (JSON.parse(value) as Part);
      if (!fresh) parsed.set(key, { rev, part });
      parts.push(part);
    }
    if (!fresh) this.parsed = parsed;
    return parts;
  }

  poll(force = false): Loaded | null {
    if (!force && !this.changed) return null;
    this.changed = false;
    return join(this.parts(false));
  }

  exclusive<T>(change: (state: State) => T): Promise<{ result: T; state: State }> {
    const run = this.turn.then(() => this.locked(change));
    this.turn = run.catch(() => undefined);
    return run;
  }

  private async locked<T>(change: (state: State) => T): Promise<{ result: T; state: State }> {
    const lockRev = await this.lock();
    try {
      const { state } = join(this.parts(true));
      const result = change(state);
      const values = split(state);
      for (const [key, value] of values) this.kv.checkSize(key, value);
      const writes: Promise<void>[] = [];
      const write = (key: string, value: string | null, rev: number) =>
        writes.push(this.kv.write(key, value, rev).then((done) => {
          // Another writer came in: this one's lock ran out (`LOCK_MS`) while it wrote. Nothing is overwritten.
          if (done === null) throw new Error(`metadata store: key ${key} of bucket ${this.opts.bucket} was written by another node meanwhile (this write outlasted its lock)`);
        }));
      for (const [key, value] of values) {
        const known = this.kv.get(key);
        if (known?.value !== value) write(key, value, known?.rev ?? 0);
      }
      for (const [key] of this.kv.values()) if (key !== LOCK && !values.has(key)) write(key, null, this.kv.get(key)!.rev);
      await Promise.all(writes);
      return { result, state };
    } catch (err) {
      // Some keys may be written: the next read takes in the bucket as it is.
      this.changed = true;
      throw err;
    } finally {
      await this.unlock(lockRev);
    }
  }

  /** Gives the lock back, asking again for a while if JetStream does not answer (else it is free only after `LOCK_MS`). */
  private async unlock(rev: number): Promise<void> {
    for (let attempt = 1; attempt <= 5; attempt++) {
      try {
        await this.kv.write(LOCK, null, rev);
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  }

  /** Takes the lock key; its revision once this node's copy holds every write made before it. */
  private async lock(): Promise<number> {
    const deadline = Date.now() + LOCK_WAIT_MS;
    let failure: unknown = null;
    for (let attempt = 1; ; attempt++) {
      const entry = this.kv.get(LOCK);
      const holder = entry?.value ? (JSON.parse(entry.value) as { owner: string; until: string }) : null;
      if (!held(holder, Date.now())) {
        const lease = { owner: this.owner, until: new Date(Date.now() + LOCK_MS).toISOString() };
        // While a cluster elects a leader JetStream may not answer: asked again until the deadline.
        const rev = await this.kv.write(LOCK, JSON.stringify(lease), entry?.rev ?? 0).catch((err: unknown) => ((failure = err), null));
        // Refused though it looked free: this copy may be behind (its watcher's server died), so it catches up.
        if (rev === null && attempt % 5 === 0) await this.kv.sync().catch((err: unknown) => (failure = err));
        if (rev !== null) {
          try {
            await this.kv.reach(rev);
            return rev;
          } catch (err) {
            await this.unlock(rev);
            throw err;
          }
        }
      }
      if (Date.now() > deadline) {
        const why = holder ? ` (by ${holder.owner})` : failure ? `: ${(failure as Error).message}` : '';
        throw new Error(`metadata store: could not take the lock of bucket ${this.opts.bucket} within ${LOCK_WAIT_MS} ms${why}`, { cause: failure });
      }
      await new Promise((resolve) => setTimeout(resolve, 2 + Math.random() * 8));
    }
  }
}

/** Metadata shared by every node of a cluster, in JetStream KV. */
export class KvMetaStore extends StateMetaStore {
  constructor(opts: KvStateOptions & MetaStoreOptions) {
    super(new KvStateBackend(opts), opts);
  }
}
