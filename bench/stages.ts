/**
 * `npm run bench:stages`: each stage of each surface's ingest alone, in this process, in records per
 * CPU-second of one core (`ceilings.ts`); one JSON object per surface.
 *
 *   npm run bench:stages -- [--surfaces all|id,id…] [--batches 200] [--rounds 5] [--bus embedded|jetstream]
 *
 * `--bus jetstream` also measures JetStream's publish, on a `nats-server -js` of the benchmark's own.
 */
import { parseArgs } from 'node:util';
import { startOwnNats } from '../test/helpers/nats.js';
import { measureCeilings } from './ceilings.js';
import { surfacesOf } from './surfaces.js';

const { values } = parseArgs({
  options: {
    surfaces: { type: 'string', default: 'all' },
    batches: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '5' },
    bus: { type: 'string', default: 'embedded' },
  },
});

const nats = values.bus === 'jetstream' ? await startOwnNats() : undefined;
try {
  for (const surface of surfacesOf(values.surfaces)) {
    const ceilings = await measureCeilings(surface, { batches: Number(values.batches), rounds: Number(values.rounds), nats });
    console.log(JSON.stringify({ batches: Number(values.batches), rounds: Number(values.rounds), ...ceilings }, null, 2));
  }
} finally {
  await nats?.stop();
}
