import { promisify } from 'node:util';
import { gunzip, inflate, type ZlibOptions } from 'node:zlib';
import { ApiError } from '../../../core/errors.js';

type Inflate = (body: Buffer, options: ZlibOptions) => Promise<Buffer>;

const INFLATERS = new Map<string, Inflate>([
  ['gzip', promisify(gunzip)],
  ['x-gzip', promisify(gunzip)],
  ['deflate', promisify(inflate)],
]);

/**
 * The body as the sender encoded it, decompressed. `maxOutputLength` makes zlib stop at the limit rather
 * than inflate a small gzip bomb into memory.
 */
export async function decompress(body: Buffer, contentEncoding: string | undefined, limit: number): Promise<Buffer> {
  const name = (contentEncoding ?? '').trim().toLowerCase();
  if (name === '' || name === 'identity') return body;
  const inflater = INFLATERS.get(name);
  if (!inflater) throw new ApiError(415, 'INVALID_ARGUMENT', `Unsupported Content-Encoding "${name}": send gzip, deflate or none`);
  try {
    return await inflater(body, { maxOutputLength: limit });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new ApiError(413, 'RESOURCE_EXHAUSTED', `The request decompresses to more than ${limit} bytes`);
    }
    throw new ApiError(400, 'INVALID_ARGUMENT', `The body is not valid ${name} data: ${(err as Error).message}`);
  }
}
