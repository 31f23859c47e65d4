/**
 * The client address: the socket's peer, unless that peer is a trusted proxy, in which case the right-most
 * X-Forwarded-For entry that is not itself a trusted proxy (entries further left are client-controlled).
 */
export function clientIp(remote: string | undefined, forwardedFor: string | string[] | undefined, trusted: ReadonlySet<string>): string | undefined {
  if (!remote || !trusted.has(remote) || !forwardedFor) return normalise(remote);
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',').map((s) => s.trim()).filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    if (!trusted.has(hops[i])) return normalise(hops[i]);
  }
  return normalise(hops[0] ?? remote);
}

function normalise(ip: string | undefined): string | undefined {
  return ip?.startsWith('::ffff:') ? ip.slice(7) : ip;
}
