// `npm run bench:patterns [-- --write] [--query]`: grouping accuracy of the pattern miner on labelled logs
// (bench/fixtures/patterns-2k.jsonl, made by bench/patterns-data.ts; `--write` regenerates it); `--query`
// adds what reading patterns costs a query (bench/patterns-query.ts).
//
// Grouping accuracy (Zhu et al., "Tools and Benchmarks for Automated Log Parsing", ICSE-SEIP 2019): a message
// is parsed correctly when the set of messages its predicted group holds is exactly the set its ground-truth
// template holds; the accuracy is the share of messages parsed correctly.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Drain, miningOrder, type DrainOptions } from '../core/patterns/drain.js';
import { templateOf } from '../core/patterns/template.js';
import { labelledLogs, type Labelled } from './patterns-data.js';

const DATA = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'patterns-2k.jsonl');

/** LogPai's grouping accuracy of `predicted` (one group key per message) against `truth`. */
export function groupingAccuracy(predicted: string[], truth: string[]): number {
  const members = (keys: string[]) => {
    const groups = new Map<string, number[]>();
    keys.forEach((k, i) => (groups.get(k) ?? groups.set(k, []).get(k)!).push(i));
    return groups;
  };
  const byPrediction = members(predicted);
  const byTruth = members(truth);
  let correct = 0;
  for (const group of byPrediction.values()) {
    const expected = byTruth.get(truth[group[0]])!;
    if (expected.length === group.length && group.every((i) => truth[i] === truth[group[0]])) correct += group.length;
  }
  return correct / truth.length;
}

/** How the lake mines: distinct masked templates with their counts, most frequent first (compaction's path). */
export function mineLikeTheLake(messages: string[], opts: Partial<DrainOptions> = {}): string[] {
  const masked = messages.map(templateOf);
  const counts = new Map<string, number>();
  for (const m of masked) counts.set(m, (counts.get(m) ?? 0) + 1);
  const drain = new Drain(opts);
  const idOf = new Map<string, string>();
  for (const { masked: m, count } of miningOrder([...counts].map(([m, count]) => ({ masked: m, count })))) idOf.set(m, drain.add(m, count).id);
  return masked.map((m) => idOf.get(m)!);
}

function load(write: boolean): Labelled[] {
  if (write) {
    mkdirSync(dirname(DATA), { recursive: true });
    writeFileSync(DATA, labelledLogs().map((l) => JSON.stringify(l)).join('\n') + '\n');
  }
  return readFileSync(DATA, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Labelled);
}

async function main(): Promise<void> {
  const data = load(process.argv.includes('--write'));
  const messages = data.map((d) => d.message);
  const truth = data.map((d) => d.template);
  const rows: [string, string[]][] = [
    ['regex masking only (template.ts)', messages.map(templateOf)],
    ['Drain, message by message', (() => { const d = new Drain(); return messages.map((m) => d.addMessage(m).id); })()],
    ['Drain as the lake runs it (distinct masked templates)', mineLikeTheLake(messages)],
    ...[0.4, 0.6, 0.7].map((s): [string, string[]] => [`  the same, similarity ${s}`, mineLikeTheLake(messages, { similarity: s })]),
    ...[3, 5].map((d): [string, string[]] => [`  the same, depth ${d}`, mineLikeTheLake(messages, { depth: d })]),
  ];
  console.log(`${data.length} messages, ${new Set(truth).size} ground-truth templates (${DATA.replace(process.cwd() + '/', '')})\n`);
  console.log('| miner | groups | grouping accuracy |\n|---|---|---|');
  for (const [name, predicted] of rows) console.log(`| ${name} | ${new Set(predicted).size} | ${groupingAccuracy(predicted, truth).toFixed(3)} |`);
  if (process.argv.includes('--query')) {
    console.log('');
    const cost = await import('./patterns-query.js');
    await cost.queryCost();
    await cost.compactionCost();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
