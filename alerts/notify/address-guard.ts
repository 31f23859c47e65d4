// Alert destinations are URLs that users type and loglake then calls from inside its own network: left
// unchecked, a rule could make loglake fetch a cloud metadata service or an internal admin page (server-side
// request forgery). The addresses a destination resolves to are checked when a rule is saved, and again at
// the moment each notification connects, since DNS can answer differently later.
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

export interface DestinationRules {
  /**
   * Whether loopback and private addresses (10/8, 172.16/12, 192.168/16, 100.64/10, 127/8, fc00::/7, ::1)
   * may receive notifications. Link-local addresses (169.254/16, fe80::/10, where cloud metadata lives)
   * never may.
   */
  allowPrivate: boolean;
}

function blockList(ranges: [string, number, 'ipv4' | 'ipv6'][]): BlockList {
  const list = new BlockList();
  for (const [net, prefix, type] of ranges) list.addSubnet(net, prefix, type);
  return list;
}

const LINK_LOCAL = blockList([['169.254.0.0', 16, 'ipv4'], ['fe80::', 10, 'ipv6'], ['fd00:ec2::254', 128, 'ipv6']]);
const PRIVATE = blockList([
  ['0.0.0.0', 8, 'ipv4'], ['10.0.0.0', 8, 'ipv4'], ['100.64.0.0', 10, 'ipv4'], ['127.0.0.0', 8, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'], ['192.168.0.0', 16, 'ipv4'], ['::', 128, 'ipv6'], ['::1', 128, 'ipv6'], ['fc00::', 7, 'ipv6'],
]);

/** An IPv4 address written as IPv6 (`::ffff:169.254.169.254`) is that IPv4 address. */
function plain(address: string): { address: string; type: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return { address: mapped[1], type: 'ipv4' };
  return { address, type: isIP(address) === 6 ? 'ipv6' : 'ipv4' };
}

/** Why no notification may go to `address` ("a link-local address"), or null when one may. */
export function refusal(address: string, rules: DestinationRules): string | null {
  const ip = plain(address);
  if (LINK_LOCAL.check(ip.address, ip.type)) return 'a link-local address';
  if (!rules.allowPrivate && PRIVATE.check(ip.address, ip.type)) return 'a loopback or private address (alerts.destinations.allow_private is false)';
  return null;
}

/** The first of `addresses` that is refused, said as `host` resolving to it; null when none is. */
function refusedAmong(host: string, addresses: readonly string[], rules: DestinationRules): string | null {
  for (const address of addresses) {
    const why = refusal(address, rules);
    if (why) return address === host ? `${host} is ${why}` : `${host} resolves to ${address}, ${why}`;
  }
  return null;
}

/** IPv6 hosts come bracketed in URLs. */
const bareHost = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, '$1');

const ALL: LookupAllOptions = { all: true };

function resolveAll(host: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) => dnsLookup(host, ALL, (err, addresses) => (err ? reject(err) : resolve(addresses))));
}

/**
 * Why a rule may not name this destination, or null. A host that does not resolve now is allowed: DNS may
 * be down for a moment, and every send checks again.
 */
export async function destinationRefusal(url: string, rules: DestinationRules): Promise<string | null> {
  const host = bareHost(new URL(url));
  if (isIP(host)) return refusedAmong(host, [host], rules);
  const addresses = await resolveAll(host).catch((): LookupAddress[] => []);
  return refusedAmong(host, addresses.map((a) => a.address), rules);
}

/** Why a notification may not connect to this URL's literal IP host, or null (also for a host name). */
export function literalRefusal(url: URL, rules: DestinationRules): string | null {
  const host = bareHost(url);
  return isIP(host) ? refusedAmong(host, [host], rules) : null;
}

export class RefusedDestination extends Error {}

/**
 * A `lookup` for http.request that refuses the connection when any address the host resolves to is refused,
 * so what is checked is what is connected to. (An IP literal is never looked up: callers check it first.)
 */
export function guardedLookup(rules: DestinationRules): LookupFunction {
  return (host, options, callback) => {
    dnsLookup(host, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const why = refusedAmong(host, addresses.map((a) => a.address), rules);
      if (why) return callback(new RefusedDestination(why), '', 0);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}
