import { promisify } from 'node:util';
import { gunzip, inflate, type ZlibOptions } from 'node:zlib';

type Inflate = (body: Buffer, options: ZlibOptions) => Promise<Buffer>;

const INFLATERS = new Map<string, Inflate>([
  ['gzip', promisify(gunzip)],
  ['x-gzip', promisify(gunzip)],
  ['deflate', promisify(inflate)],
]);

/** How a surface words each way a compressed body can fail. */
export interface DecompressErrors {
  /** A Content-Encoding loglake does not read (415). */
  unsupportedEncoding(name: string): Error;
  /** The body inflates past the limit (413): a decompression bomb stops here. */
  tooLarge(limit: number): Error;
  /** The body is not what its Content-Encoding says (400). */
  corrupt(name: string, reason: string): Error;
}

/**
 * The body as the sender encoded it, decompressed. `maxOutputLength` makes zlib stop at the limit rather
 * than inflate a small gzip bomb into memory.
 */
export async function decompress(body: Buffer, contentEncoding: string | undefined, limit: number, errors: DecompressErrors): Promise<Buffer> {
  const name = (contentEncoding ?? '').trim().toLowerCase();
  if (name === '' || name === 'identity') return body;
  const inflater = INFLATERS.get(name);
  if (!inflater) throw errors.unsupportedEncoding(name);
  try {
    return await inflater(body, { maxOutputLength: limit });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw errors.tooLarge(limit);
    throw errors.corrupt(name, (err as Error).message);
  }
}
