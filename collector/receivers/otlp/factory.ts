import type { AddressInfo } from 'node:net';
import type { Factory, Receiver, ReceiverContext } from '../../component.js';
import { otlpConfig, type OtlpConfig } from './config.js';
import { otlpGrpcServer } from './grpc.js';
import { otlpHttpServer } from './http.js';
import { logsIngest } from './ingest.js';

/** How long shutdown lets gRPC calls in progress finish before cutting them. */
const GRPC_SHUTDOWN_GRACE_MS = 10_000;

export interface OtlpReceiver extends Receiver {
  /** The bound ports once started: the configured ones, or those picked for port 0. */
  ports(): { http: number; grpc: number };
}

/** OTLP logs over HTTP (4318) and gRPC (4317), each on a listener of its own. */
export const otlpReceiverFactory: Factory<OtlpConfig, OtlpReceiver, ReceiverContext<'logs'>> = {
  type: 'otlp',
  signals: ['logs'],
  configSchema: otlpConfig,
  create(config, { id, host, consumers }) {
    const consumer = consumers.logs;
    const deps = { config, logger: host.logger, meta: host.meta, limits: host.limits, ingest: logsIngest(config, consumer, host.logger), receiverId: id };
    const http = otlpHttpServer(deps);
    const grpc = otlpGrpcServer(deps);
    let ports = { http: config.http.port, grpc: config.grpc.port };
    let stopping: Promise<void> | null = null;
    return {
      async start() {
        await http.listen({ host: config.http.host, port: config.http.port });
        let grpcPort: number;
        try {
          grpcPort = await grpc.listen();
        } catch (err) {
          await http.close();
          throw err;
        }
        ports = { http: (http.server.address() as AddressInfo).port, grpc: grpcPort };
        host.logger.info(`${id}: OTLP/HTTP on ${config.http.host}:${ports.http}, OTLP/gRPC on ${config.grpc.host}:${ports.grpc}`);
      },
      shutdown() {
        stopping ??= Promise.all([http.close(), grpc.close(GRPC_SHUTDOWN_GRACE_MS)]).then(() => undefined);
        return stopping;
      },
      ports: () => ports,
    };
  },
};
