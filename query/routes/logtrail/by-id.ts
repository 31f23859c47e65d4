// `GET /logs/{id}`: one log by its id.
//
// A GET by id has no time window, unlike an `id=` term in a query (spec 18: "the window still applies"
// there, because the client chose the window): a client holding an id wants that log whatever its age.
// To keep that from reading every file of the project, a UUIDv7 (what loglake assigns) carries the
// moment it was minted, at ingest: the day before it and the hour after are read first, and only a miss
// (an old backfill, a client-chosen id, an id that is not there) reads all of the project's files.
import type { Scope } from '../../engine/engine.js';
import { executeParsed } from '../../execute.js';
import { parseQuery, quoteString, type Row, type TimeRange } from '../../language/index.js';
import type { QueryRouteDeps } from '../goodlogs.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The epoch milliseconds in a UUIDv7's first 48 bits; null for other versions. */
function mintedAt(id: string): number | null {
  return id[14] === '7' ? Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16) : null;
}

/** The log with `id` (a lower-case UUID) in the scope's project and environments, as a LogEntry; null when none. */
export async function findLog(deps: QueryRouteDeps, scope: Scope, id: string): Promise<Row | null> {
  const lookup = parseQuery({ dialect: 'lcql', text: `id=${quoteString(id)}`, now: deps.now() });
  const within = async (time: TimeRange): Promise<Row | null> => {
    const result = await executeParsed(deps.engine, scope, { ...lookup, time });
    if (result.dialect !== 'lcql') throw new Error('an LCQL lookup answered by another dialect');
    return result.body[0] ?? null;
  };
  const minted = mintedAt(id);
  const near = minted === null ? null : await within({ from: new Date(minted - DAY_MS), to: new Date(minted + HOUR_MS), explicit: true });
  return near ?? within({ from: null, to: null, explicit: true });
}
