import { describe, expect, it } from 'vitest';
import { machineNatsAvailable, MACHINE_NATS } from '../../test/helpers/nats.js';
import { ownBuckets, soon, tmp } from '../meta/testing.js';
import { FileCatalogBackend, SchemaCatalog, type CatalogBackend, type FileStats } from './catalog.js';
import { KvCatalogBackend } from './kv-catalog.js';

const nats = await machineNatsAvailable();
const buckets = ownBuckets('test-catalog');

const KINDS: { name: string; skip: string | null; place: () => () => CatalogBackend }[] = [
  { name: 'file', skip: null, place: () => { const dir = tmp('loglake-catalog-'); return () => new FileCatalogBackend(dir); } },
  {
    name: 'JetStream KV',
    skip: nats ? null : `no NATS with JetStream at ${MACHINE_NATS}`,
    place: () => {
      const bucket = buckets.name();
      return () => new KvCatalogBackend({ url: MACHINE_NATS, bucket, replicas: 1 });
    },
  },
];

const stats = (volume: number, example: string): FileStats => ({
  properties: [{ key: 'service', type: 'string', volume, examples: [example] }, { key: 'ms', type: 'number', volume, examples: [volume] }],
  names: [{ name: 'signup', volume }],
});

for (const kind of KINDS) {
  describe.skipIf(kind.skip !== null)(`the schema catalog on ${kind.name}${kind.skip ? ` (skipped: ${kind.skip})` : ''}`, () => {
    const pair = async () => {
      const backend = kind.place();
      const [a, b] = [buckets.closeAfter(new SchemaCatalog(backend())), buckets.closeAfter(new SchemaCatalog(backend()))];
      await Promise.all([a.open(), b.open()]);
      return [a, b];
    };

    it('shows the writer its own unsaved additions, and a reader what the writer saved, within a second', async () => {
      const [writer, reader] = await pair();
      writer.add('p', 'events', stats(3, 'api'));
      expect(writer.properties('p', 'events').map((e) => [e.key, e.volume])).toEqual([['ms', 3], ['service', 3]]);
      expect(reader.properties('p', 'events')).toEqual([]);
      await writer.save();
      await soon(() => expect(reader.names('p', 'events')).toEqual([{ name: 'signup', volume: 3 }]));
      expect(reader.properties('p', 'events').find((e) => e.key === 'service')!.examples).toEqual(['api']);
      expect(reader.projectsWithData()).toEqual(['p']);
    });

    it('sums what two writers save at once', async () => {
      const [a, b] = await pair();
      for (let i = 0; i < 5; i++) {
        a.add('p', 'events', stats(1, `a${i}`));
        b.add('p', 'events', stats(10, `b${i}`));
        await Promise.all([a.save(), b.save()]);
      }
      await soon(() => {
        for (const c of [a, b]) expect(c.names('p', 'events')).toEqual([{ name: 'signup', volume: 55 }]);
      });
      expect(a.properties('p', 'events').find((e) => e.key === 'service')!.examples).toHaveLength(5);
    });
  });
}
