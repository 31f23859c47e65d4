// A Drain-style miner of log templates (He et al., "Drain: An Online Log Parsing Approach with Fixed Depth
// Tree", ICWS 2017). Messages are masked first (template.ts: numbers, ids, IPs, uuids, hex become `<*>`),
// then split into tokens; a fixed-depth tree routes a message by its token count and its first tokens to a
// leaf of clusters, and it joins the most similar one (positions with equal tokens over the length) when that
// similarity reaches the threshold, turning the positions that differ into `<*>`; otherwise it starts a cluster.
//
// The lake mines masked templates, not messages: compaction reads each partition's distinct masked templates
// with their counts (SQL), and one masked template always belongs to one pattern. A pattern's id is a hash of
// the masked template that started it, so it never changes as the pattern's template generalises, and a masked
// template no miner has seen yet has, at query time, the id it would get if it started a pattern
// (`patternIdSql`): the same in JavaScript and DuckDB.
import { createHash } from 'node:crypto';
import { templateOf, VARIABLE } from './template.js';

export interface DrainOptions {
  /** Tree depth counting the root and the token-count level: `depth - 2` leading tokens route a message. */
  depth: number;
  /** The share of positions whose tokens must be equal for a message to join a cluster. */
  similarity: number;
  /** Children per inner node; past it, further tokens go down the `<*>` branch. */
  maxChildren: number;
}

export const DRAIN_DEFAULTS: DrainOptions = { depth: 4, similarity: 0.5, maxChildren: 100 };

export interface Cluster {
  /** patternId() of the masked template that started the cluster. */
  id: string;
  tokens: string[];
  /** Messages (or masked templates, weighted by their counts) that joined it. */
  count: number;
  /** The template as shown: the starting masked template verbatim until the cluster generalises. */
  template: string;
}

interface Node {
  children: Map<string, Node>;
  clusters: Cluster[];
}

const ID_LENGTH = 16;

/** A pattern's id: the first 16 hex digits of the MD5 of the masked template that started it. */
export function patternId(masked: string): string {
  return createHash('md5').update(masked).digest('hex').slice(0, ID_LENGTH);
}

/** patternId() of the SQL text expression `expr`, in DuckDB. */
export function patternIdSql(expr: string): string {
  return `substr(md5(${expr}), 1, ${ID_LENGTH})`;
}

export function tokenize(masked: string): string[] {
  return masked.split(/\s+/).filter((t) => t.length > 0);
}

const hasDigit = (t: string) => /[0-9]/.test(t);

export class Drain {
  private readonly root: Node = { children: new Map(), clusters: [] };
  private readonly byId = new Map<string, Cluster>();
  private readonly opts: DrainOptions;

  constructor(opts: Partial<DrainOptions> = {}, existing: readonly Pick<Cluster, 'id' | 'template' | 'count'>[] = []) {
    this.opts = { ...DRAIN_DEFAULTS, ...opts };
    // Restored in their saved order, so the tree routes as it did when they were mined.
    for (const c of existing) {
      const cluster: Cluster = { id: c.id, template: c.template, tokens: tokenize(c.template), count: c.count };
      this.leaf(cluster.tokens, true)!.clusters.push(cluster);
      this.byId.set(cluster.id, cluster);
    }
  }

  /** Every cluster, in the order they were started. */
  clusters(): Cluster[] {
    return [...this.byId.values()];
  }

  get(id: string): Cluster | undefined {
    return this.byId.get(id);
  }

  /** Masks a raw message and adds it. */
  addMessage(message: string): Cluster {
    return this.add(templateOf(message));
  }

  /** Adds a masked template (`weight` messages of it); returns the cluster it joined or started. */
  add(masked: string, weight = 1): Cluster {
    const tokens = tokenize(masked);
    const leaf = this.leaf(tokens, true)!;
    const found = this.best(leaf.clusters, tokens);
    if (found) {
      found.count += weight;
      let changed = false;
      for (let i = 0; i < tokens.length; i++) {
        if (found.tokens[i] !== tokens[i] && found.tokens[i] !== VARIABLE) {
          found.tokens[i] = VARIABLE;
          changed = true;
        }
      }
      if (changed) found.template = found.tokens.join(' ');
      return found;
    }
    const cluster: Cluster = { id: patternId(masked), tokens, count: weight, template: masked };
    // Two masked templates differing only in whitespace tokenize alike and would match above; a clash here
    // is a hash collision, which keeps the first.
    if (this.byId.has(cluster.id)) return this.byId.get(cluster.id)!;
    leaf.clusters.push(cluster);
    this.byId.set(cluster.id, cluster);
    return cluster;
  }

  /** The cluster a masked template would join, without changing anything. */
  match(masked: string): Cluster | null {
    const tokens = tokenize(masked);
    const leaf = this.leaf(tokens, false);
    return leaf ? this.best(leaf.clusters, tokens) : null;
  }

  private leaf(tokens: string[], create: boolean): Node | null {
    const lengthKey = String(tokens.length);
    let node: Node | undefined = this.root.children.get(lengthKey);
    if (!node) {
      if (!create) return null;
      node = { children: new Map(), clusters: [] } satisfies Node;
      this.root.children.set(lengthKey, node);
    }
    const levels = Math.min(this.opts.depth - 2, tokens.length);
    for (let i = 0; i < levels; i++) {
      // A token holding a variable or a digit is likely a value: it never picks a branch of its own.
      const token = tokens[i].includes(VARIABLE) || hasDigit(tokens[i]) ? VARIABLE : tokens[i];
      let next: Node | undefined = node.children.get(token);
      if (!next && token !== VARIABLE) {
        if (create && node.children.size < this.opts.maxChildren - (node.children.has(VARIABLE) ? 0 : 1)) {
          next = { children: new Map(), clusters: [] };
          node.children.set(token, next);
        } else {
          next = node.children.get(VARIABLE);
        }
      }
      if (!next) {
        if (!create) return null;
        next = { children: new Map(), clusters: [] };
        node.children.set(VARIABLE, next);
      }
      node = next;
    }
    return node;
  }

  /** The most similar cluster at or over the threshold; ties go to the one with more variables, then the older. */
  private best(clusters: Cluster[], tokens: string[]): Cluster | null {
    let best: Cluster | null = null;
    let bestSim = -1;
    let bestVars = -1;
    for (const c of clusters) {
      let same = 0;
      let vars = 0;
      for (let i = 0; i < tokens.length; i++) {
        if (c.tokens[i] === tokens[i]) same++;
        else if (c.tokens[i] === VARIABLE) vars++;
      }
      // As in Drain, a variable position of the template is no evidence either way (masked `<*>` in both is).
      const sim = tokens.length === 0 ? 1 : same / tokens.length;
      if (sim > bestSim || (sim === bestSim && vars > bestVars)) {
        best = c;
        bestSim = sim;
        bestVars = vars;
      }
    }
    return best && bestSim >= this.opts.similarity ? best : null;
  }
}

/** Distinct masked templates in the order a miner takes them: most frequent first, then by text. */
export function miningOrder<T extends { masked: string; count: number }>(items: T[]): T[] {
  return [...items].sort((a, b) => b.count - a.count || (a.masked < b.masked ? -1 : a.masked > b.masked ? 1 : 0));
}
