/** What loglake keeps in key-value buckets beside its stream. */
export const BUCKET_PURPOSES = ['meta', 'catalog', 'manifest', 'imports'] as const;

export type BucketPurpose = (typeof BUCKET_PURPOSES)[number];

/**
 * `loglake-meta`, `loglake-catalog`, `loglake-manifest`, `loglake-imports` for the default stream `LOGLAKE`:
 * named after the stream, so clusters (and tests) with their own stream share no state.
 */
export const bucketName = (stream: string, purpose: BucketPurpose) => `${stream.toLowerCase()}-${purpose}`;
