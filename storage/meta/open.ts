import { join, resolve } from 'node:path';
import type { Config } from '../../config/schema.js';
import { kvPlaceOf } from '../kv/bucket.js';
import { bucketName } from '../kv/names.js';
import { FileMetaStore } from './file-store.js';
import { KvMetaStore } from './kv-store.js';
import type { MetaStoreOptions } from './state-store.js';
import type { MetaStore } from './store.js';

/**
 * The metadata store a process uses: with the JetStream bus, the cluster's KV bucket `<stream>-meta`
 * (`loglake-meta` by default), shared by every node (opening it waits for NATS, telling `onWaiting`); with
 * the embedded bus, `<data_dir>/meta/meta.json`.
 */
export function metaStoreOf(config: Config, opts: MetaStoreOptions & { onWaiting?: (reason: string) => void } = {}): MetaStore {
  const kv = kvPlaceOf(config);
  if (kv) return new KvMetaStore({ url: kv.url, replicas: kv.replicas, bucket: bucketName(kv.stream, 'meta'), ...opts });
  return new FileMetaStore(join(resolve(config.storage.data_dir), 'meta'), opts);
}
