import { open, rename } from 'node:fs/promises';

/** `data` under a fresh temp name beside `path`, fsynced: the caller links or renames it into place. */
export async function writeTemp(path: string, data: Buffer | string | Uint8Array): Promise<string> {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  const file = await open(tmp, 'w', 0o600);
  try {
    await file.writeFile(data);
    await file.sync();
  } finally {
    await file.close();
  }
  return tmp;
}

/** Replaces `path` whole: a crash leaves the old content or the new, never part of either. */
export async function writeDurably(path: string, data: Buffer | string | Uint8Array): Promise<void> {
  await rename(await writeTemp(path, data), path);
}

/** Makes the names created or renamed in `dir` survive a crash, as the files' own fsync does their bytes. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** `work`'s result, or `absent` when what it reads does not exist. */
export async function unlessMissing<T>(work: Promise<T>, absent: T): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return absent;
    throw err;
  }
}
