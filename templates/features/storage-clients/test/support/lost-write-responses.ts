import { randomUUID } from 'node:crypto';
import { RestError, TableClient } from '@azure/data-tables';

/**
 * A table (of a fresh name) whose next insert, update or delete lands but loses its response (a timeout, a dropped
 * connection), as Azure does now and then: the SDK sends it again, and the resend meets what the first send left,
 * the row (409), its new ETag (412) or no row (404). Set `losing.next` before the write that should lose its response.
 */
export function tableLosingResponses(connectionString: string) {
  const table = TableClient.fromConnectionString(connectionString, `t${randomUUID().replace(/-/g, '').slice(0, 20)}`, {
    allowInsecureConnection: true,
    retryOptions: { retryDelayInMs: 10 },
  });
  const losing = { next: false };
  table.pipeline.addPolicy(
    {
      name: 'lose-write-response',
      async sendRequest(request, next) {
        const response = await next(request);
        if (!losing.next || !['POST', 'PUT', 'PATCH', 'DELETE'].includes(request.method)) return response;
        losing.next = false;
        throw new RestError('socket hang up', { code: 'ECONNRESET', request });
      },
    },
    { afterPhase: 'Retry' },
  );
  return { table, losing };
}
