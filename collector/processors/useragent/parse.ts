import { UAParser } from 'ua-parser-js';

export interface AgentFields {
  $browser?: string;
  $os?: string;
  $device?: string;
}

const OS_NAMES: Record<string, string> = { 'Mac OS': 'macOS' };

function major(version: string | undefined): string | undefined {
  return version?.split('.')[0];
}

function join(name: string | undefined, version: string | undefined): string | undefined {
  if (!name) return undefined;
  return version ? `${name} ${version}` : name;
}

/** `Chrome 125`, `macOS 14`, `Desktop`: the GoodLogs server-injected fields. */
export function parseAgent(header: string): AgentFields {
  const ua = new UAParser(header).getResult();
  const out: AgentFields = {};
  const browser = join(ua.browser.name, major(ua.browser.version));
  if (browser) out.$browser = browser;
  const osName = ua.os.name ? (OS_NAMES[ua.os.name] ?? ua.os.name) : undefined;
  const os = join(osName, ua.os.name === 'Mac OS' ? macMajor(ua.os.version) : ua.os.version);
  if (os) out.$os = os;
  // ua-parser leaves the type empty for desktops; a browser or OS was recognised, so it is one.
  const type = ua.device.type;
  if (type) out.$device = type[0].toUpperCase() + type.slice(1);
  else if (browser || os) out.$device = 'Desktop';
  return out;
}

/** Browsers froze the macOS version at 10.15; only a real major (11+) is worth showing. */
function macMajor(version: string | undefined): string | undefined {
  const m = major(version);
  return m === '10' ? version?.split('.').slice(0, 2).join('.') : m;
}

export class AgentCache {
  private readonly entries = new Map<string, AgentFields>();
  constructor(private readonly size: number) {}

  get(header: string): AgentFields {
    let fields = this.entries.get(header);
    if (fields) return fields;
    fields = parseAgent(header);
    if (this.size > 0) {
      if (this.entries.size >= this.size) this.entries.delete(this.entries.keys().next().value as string);
      this.entries.set(header, fields);
    }
    return fields;
  }
}
