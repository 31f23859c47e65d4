// Runs the public conformance corpus (shared/spec/conformance) through runQuery, the path every
// endpoint uses, and compares as the corpus README prescribes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerOutcome, judge, loadCases, tally, type Case, type Outcome } from '../../test/helpers/conformance.js';
import { openFixtureDb } from '../../test/helpers/fixture-db.js';
import { QueryError, runQuery, type SqlRunner } from './index.js';

const cases = loadCases();

async function outcome(runner: SqlRunner, c: Case): Promise<Outcome | string> {
  try {
    const result = await runQuery(runner, {
      dialect: c.dialect, text: c.query, source: c.source, params: c.params, now: new Date(c.now),
    });
    const headers = 'headers' in result ? result.headers : {};
    const header = (name: string) => Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];
    return answerOutcome(c.dialect, result.body, header);
  } catch (err) {
    if (err instanceof QueryError) return { kind: 'error', type: err.type, code: err.toJSON().code };
    return `threw ${err instanceof Error ? err.message : String(err)}`;
  }
}

describe('public conformance corpus', () => {
  let db: Awaited<ReturnType<typeof openFixtureDb>>;
  const results = tally('conformance');

  beforeAll(async () => { db = await openFixtureDb(); });
  afterAll(() => {
    db?.close();
    console.log(results.line());
  });

  it.each(cases.map((c) => [c.id, c] as const))('%s', async (id, c) => {
    const o = await outcome(db.runner, c);
    const problem = typeof o === 'string' ? o : judge(c, o);
    results.record(id, problem);
    expect(problem, `${id}: ${typeof c.query === 'string' ? c.query : JSON.stringify(c.query)}`).toBeNull();
  });
});
