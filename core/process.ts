/**
 * Whether a process of this machine is running. EPERM means it exists but belongs to another user, so it
 * is alive: treating it as dead would let two processes own one lock or one bus directory.
 */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
