// A notification receiver for tests: a real HTTP server on a free loopback port that records what it gets
// and answers each request with the status `respond` picks (200 unless told).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  body: any;
  headers: Record<string, string | string[] | undefined>;
  at: number;
  status: number;
}

export interface Receiver {
  url: string;
  received: Received[];
  close(): Promise<void>;
}

export async function startReceiver(respond: (n: number) => number = () => 200): Promise<Receiver> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (d) => (text += d));
    req.on('end', () => {
      const status = respond(received.length + 1);
      received.push({ body: JSON.parse(text), headers: req.headers, at: Date.now(), status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
