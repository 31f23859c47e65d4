// Labelled log lines for the pattern miner's accuracy benchmark (bench/patterns.ts): messages generated from
// known templates, so the ground truth ships with the code. Loghub's 2k samples are not used: its LICENSE
// makes the datasets "freely available for research or academic work" (with citation and the notice in all
// copies), which does not cover shipping them in an Apache-2.0 product for any use.
//
// The templates imitate the systems of the Loghub 2k set (HDFS, Hadoop, OpenSSH, Apache, Linux, Zookeeper,
// Spark, a web service) and include the hard cases: variables that are words (user names, hosts, states),
// a variable first token, templates that differ in one constant word, and messages of equal length.

/** A seeded PRNG (mulberry32), so the data set is the same on every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Slot = (r: () => number) => string;
const pick = <T>(xs: readonly T[]): ((r: () => number) => T) => (r) => xs[Math.floor(r() * xs.length)];
const int = (lo: number, hi: number): Slot => (r) => String(lo + Math.floor(r() * (hi - lo + 1)));
const hex = (n: number): Slot => (r) => Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(r() * 16)]).join('');
const ip: Slot = (r) => [10, int(0, 255)(r), int(0, 255)(r), int(1, 254)(r)].join('.');
const port: Slot = int(1024, 65535);
const uuid: Slot = (r) => `${hex(8)(r)}-${hex(4)(r)}-${hex(4)(r)}-${hex(4)(r)}-${hex(12)(r)}`;
const block: Slot = (r) => `blk_${r() < 0.5 ? '-' : ''}${int(1e9, 9e9)(r)}${int(1e8, 9e8)(r)}`;
const user = pick(['root', 'admin', 'guest', 'oracle', 'test', 'ubuntu', 'postgres', 'deploy', 'alice', 'bob', 'carol', 'nagios', 'ftpuser']);
const host = pick(['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel']);
const path = pick(['/api/orders', '/api/users', '/login', '/static/app.js', '/health', '/api/cart', '/search', '/checkout']);
const method = pick(['GET', 'POST', 'PUT', 'DELETE']);
const state = pick(['RUNNING', 'FINISHED', 'FAILED', 'KILLED', 'PENDING']);
const dur: Slot = (r) => `${int(1, 900)(r)}ms`;

/** A template: its ground-truth text, a weight (how common it is), and how to fill its variables. */
interface Spec { template: string; weight: number; slots: Slot[] }

const spec = (template: string, weight: number, ...slots: Slot[]): Spec => ({ template, weight, slots });

export const TEMPLATES: readonly Spec[] = [
  // HDFS-like
  spec('Receiving block <*> src: /<*>:<*> dest: /<*>:<*>', 40, block, ip, port, ip, port),
  spec('PacketResponder <*> for block <*> terminating', 35, int(0, 2), block),
  spec('Received block <*> of size <*> from /<*>', 30, block, int(1000, 67108864), ip),
  spec('BLOCK* NameSystem.addStoredBlock: blockMap updated: <*>:<*> is added to <*> size <*>', 25, ip, port, block, int(1000, 67108864)),
  spec('Deleting block <*> file /mnt/hadoop/dfs/data/current/<*>', 10, block, (r) => `subdir${int(0, 63)(r)}/${block(r)}`),
  spec('Verification succeeded for <*>', 8, block),
  // OpenSSH-like
  spec('Failed password for <*> from <*> port <*> ssh2', 40, user, ip, port),
  spec('Failed password for invalid user <*> from <*> port <*> ssh2', 25, user, ip, port),
  spec('Accepted publickey for <*> from <*> port <*> ssh2', 15, user, ip, port),
  spec('Invalid user <*> from <*>', 20, user, ip),
  spec('pam_unix(sshd:session): session opened for user <*> by (uid=<*>)', 12, user, int(0, 1000)),
  spec('pam_unix(sshd:session): session closed for user <*>', 12, user),
  spec('Received disconnect from <*>: <*>: Bye Bye [preauth]', 18, ip, int(10, 14)),
  spec('Connection closed by <*> [preauth]', 18, ip),
  spec('reverse mapping checking getaddrinfo for <*> [<*>] failed - POSSIBLE BREAK-IN ATTEMPT!', 8, (r) => `${host(r)}.example.net`, ip),
  // Apache-like
  spec('jk2_init() Found child <*> in scoreboard slot <*>', 20, int(1000, 30000), int(0, 12)),
  spec('workerEnv.init() ok /etc/httpd/conf/workers2.properties', 15),
  spec('mod_jk child workerEnv in error state <*>', 15, int(6, 9)),
  spec('[client <*>] Directory index forbidden by rule: /var/www/html/', 10, ip),
  spec('[client <*>] File does not exist: <*>', 12, ip, path),
  // Linux-like
  spec('session opened for user <*> by (uid=<*>)', 10, user, int(0, 1000)),
  spec('session closed for user <*>', 10, user),
  spec('authentication failure; logname= uid=<*> euid=<*> tty=NODEVssh ruser= rhost=<*>', 15, int(0, 0), int(0, 0), ip),
  spec('ALERT exited abnormally with [<*>]', 6, int(1, 2)),
  spec('connection from <*> at <*>', 8, ip, (r) => `Sun Jul ${int(10, 28)(r)} 0${int(1, 9)(r)}:${int(10, 59)(r)}:${int(10, 59)(r)} 2005`),
  // Zookeeper-like
  spec('Received connection request /<*>:<*>', 20, ip, port),
  spec('Accepted socket connection from /<*>:<*>', 20, ip, port),
  spec('Closed socket connection for client /<*>:<*> which had sessionid <*>', 15, ip, port, (r) => `0x${hex(15)(r)}`),
  spec('Expiring session <*>, timeout of <*>ms exceeded', 10, (r) => `0x${hex(15)(r)}`, int(5000, 40000)),
  spec('Notification: <*> (n.leader), <*> (n.zxid), <*> (n.round), <*> (n.state), <*> (n.sid), <*> (n.peerEPoch), <*> (my state)', 8,
    int(1, 3), (r) => `0x${hex(9)(r)}`, (r) => `0x${int(1, 9)(r)}`, pick(['LOOKING', 'FOLLOWING', 'LEADING']), int(1, 3), (r) => `0x${int(1, 9)(r)}`, pick(['LOOKING', 'FOLLOWING', 'LEADING'])),
  // Spark / Hadoop-like
  spec('Finished task <*> in stage <*> (TID <*>). <*> bytes result sent to driver', 30, (r) => `${int(0, 40)(r)}.0`, (r) => `${int(0, 30)(r)}.0`, int(0, 5000), int(1000, 3000)),
  spec('Running task <*> in stage <*> (TID <*>)', 30, (r) => `${int(0, 40)(r)}.0`, (r) => `${int(0, 30)(r)}.0`, int(0, 5000)),
  spec('Found block <*> locally', 15, (r) => `rdd_${int(0, 40)(r)}_${int(0, 40)(r)}`),
  spec('Block <*> stored as bytes in memory (estimated size <*> KB, free <*> KB)', 12, (r) => `broadcast_${int(0, 40)(r)}_piece0`, (r) => `${int(1, 99)(r)}.${int(0, 9)(r)}`, (r) => `${int(100, 999)(r)}.${int(0, 9)(r)}`),
  spec('Task <*> transitioned from <*> to <*>', 12, (r) => `attempt_${int(1e12, 9e12)(r)}_${int(1, 9)(r)}_m_${int(0, 99)(r)}`, state, state),
  spec('Container <*> transitioned from <*> to <*>', 10, (r) => `container_${int(1e12, 9e12)(r)}_${int(1, 9)(r)}_01_${int(1, 99)(r)}`, state, state),
  spec('Job <*> state changed to <*>', 8, (r) => `job_${int(1e12, 9e12)(r)}_${int(1, 99)(r)}`, state),
  // A web service (the shapes loglake sees most)
  spec('<*> <*> <*> in <*>', 40, method, path, pick(['200', '201', '204', '400', '404', '500']), dur),
  spec('User <*> logged in from <*>', 20, user, ip),
  spec('User <*> logged out', 15, user),
  spec('Order <*> created for customer <*> total <*> EUR', 15, uuid, user, (r) => `${int(1, 999)(r)}.${int(10, 99)(r)}`),
  spec('Payment for order <*> failed: card declined', 8, uuid),
  spec('Payment for order <*> failed: insufficient funds', 6, uuid),
  spec('Cache miss for key <*>', 15, (r) => `session:${hex(12)(r)}`),
  spec('Cache hit for key <*>', 25, (r) => `session:${hex(12)(r)}`),
  spec('Connection to <*> opened', 10, (r) => `${host(r)}-db`),
  spec('Connection to <*> closed', 10, (r) => `${host(r)}-db`),
  spec('Retrying request to <*> (attempt <*> of <*>)', 10, (r) => `${host(r)}.svc.cluster.local`, int(1, 5), int(5, 5)),
  spec('Worker <*> started', 6, host),
  spec('Worker <*> stopped', 6, host),
  spec('Scheduler tick took <*>', 12, dur),
  spec('Health check passed', 15),
  spec('Configuration reloaded', 5),
];

export interface Labelled { message: string; template: string }

/** `n` messages, each template drawn by its weight, variables from a PRNG seeded with `seed`. */
export function labelledLogs(n = 2000, seed = 14): Labelled[] {
  const r = rng(seed);
  const total = TEMPLATES.reduce((s, t) => s + t.weight, 0);
  const out: Labelled[] = [];
  for (let i = 0; i < n; i++) {
    let x = r() * total;
    const t = TEMPLATES.find((s) => (x -= s.weight) < 0) ?? TEMPLATES[TEMPLATES.length - 1];
    let k = 0;
    const message = t.template.replace(/<\*>/g, () => t.slots[k++](r));
    out.push({ message, template: t.template });
  }
  return out;
}
