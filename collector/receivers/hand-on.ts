import type { FastifyRequest } from 'fastify';
import type { Batch, Table } from '../../core/records.js';
import type { Consumer } from '../component.js';
import type { InFlightLimit } from './in-flight.js';

/** How a surface words the two ways a durable hand-over can fail. */
export interface HandOnErrors {
  /** Too many requests already wait on the bus: retry shortly. */
  saturated(): Error;
  /** The bus did not take the batch: nothing was stored. */
  refused(): Error;
}

/**
 * What every HTTP ingest route does once it has records: hand them to the pipeline under the in-flight
 * cap and answer only after they are durable, turning a bus failure into the surface's own error.
 */
export async function handOn<T extends Table>(
  request: FastifyRequest,
  limit: InFlightLimit,
  consumer: Consumer,
  batch: Omit<Batch<T>, 'context'>,
  receiverId: string,
  errors: HandOnErrors,
): Promise<void> {
  await limit.run(async () => {
    try {
      await consumer.consume({ ...batch, context: { receiver: receiverId, remoteAddress: request.socket.remoteAddress, headers: request.headers } } as Batch);
    } catch (err) {
      request.log.error({ err, receiver: receiverId }, 'the bus refused a batch');
      throw errors.refused();
    }
  }, errors.saturated);
}
