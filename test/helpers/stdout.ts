import { vi } from 'vitest';

/** What `work` writes to stdout (a CLI command's report), and how it failed, if it did. */
export async function captureStdout(work: () => Promise<unknown>): Promise<{ out: string; error: unknown }> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  try {
    await work();
    return { out, error: undefined };
  } catch (error) {
    return { out, error };
  } finally {
    spy.mockRestore();
  }
}

/** What `work` writes to stdout; rejects as `work` does. */
export async function stdoutOf(work: () => Promise<unknown>): Promise<string> {
  const { out, error } = await captureStdout(work);
  if (error) throw error;
  return out;
}
