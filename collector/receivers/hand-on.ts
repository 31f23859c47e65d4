import type { FastifyRequest } from 'fastify';
import type { Batch, Table } from '../../core/records.js';
import { BusUnconfirmedError } from '../../storage/bus/bus.js';
import { ingestRequestId } from '../../server/idempotency.js';
import { requestDigest } from '../../server/json-body.js';
import type { Consumer } from '../component.js';
import type { InFlightLimit } from './in-flight.js';

/** What every surface tells a sender whose batch the bus did not confirm in time. */
export const UNCONFIRMED_MESSAGE = 'The bus did not confirm the batch in time: it may or may not have been stored; retrying this same request is safe';

/** Seconds a sender is asked to wait before retrying a saturated or unconfirmed request. */
export const RETRY_AFTER = { 'retry-after': '1' };

/** How a surface words the two ways a durable hand-over can fail; anything else is a server fault (500). */
export interface HandOnErrors {
  /** Too many requests already wait on the bus: retry shortly. */
  saturated(): Error;
  /** The bus did not confirm in time: the batch may or may not be stored, and a retry is safe. */
  unconfirmed(): Error;
}

/**
 * What every HTTP ingest route does once it has records: hand them to the pipeline under the in-flight
 * cap, named by the request (so a retry of it is stored once), and answer only after they are durable,
 * turning an unconfirmed publish into the surface's own "unavailable" error.
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
    const requestId = ingestRequestId(`${receiverId}\0${batch.table}\0${request.apiKey?.id ?? batch.projectId}`, request.headers, requestDigest(request));
    try {
      await consumer.consume({ ...batch, context: { receiver: receiverId, remoteAddress: request.socket.remoteAddress, headers: request.headers, requestId } } as Batch);
    } catch (err) {
      if (!(err instanceof BusUnconfirmedError)) throw err;
      request.log.warn({ err, receiver: receiverId }, 'the bus did not confirm a batch; the sender is told to retry');
      throw errors.unconfirmed();
    }
  }, errors.saturated);
}
