import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { vi } from 'vitest';

/** Azurite's account and public key: what the clients sign with, and what a storage endpoint expects. */
const DEV_ACCOUNT = 'AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/**
 * A storage endpoint that takes every request and never answers, as a hung connection leaves a client waiting.
 * `connectionString` points the table, blob and queue endpoints at it. With `bodyStart`, it answers a download's
 * headers and the start of its body, and the connection hangs there.
 */
export async function hangingEndpoint({ bodyStart }: { bodyStart?: string } = {}) {
  const waiting: ((request: IncomingMessage) => void)[] = [];
  const server = createServer((request, response) => {
    request.resume();
    if (bodyStart !== undefined) {
      response.writeHead(200, { 'Content-Length': bodyStart.length + 1_000, ETag: '"0x1"', 'x-ms-blob-type': 'BlockBlob' });
      response.write(bodyStart);
    }
    waiting.shift()?.(request);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/devstoreaccount1`;
  return {
    connectionString: `DefaultEndpointsProtocol=http;${DEV_ACCOUNT};TableEndpoint=${url};BlobEndpoint=${url};QueueEndpoint=${url};`,
    /**
     * Starts `send` and resolves once its request reaches the endpoint, with its outcome still to come (wrapped, or
     * awaiting this would await the outcome too).
     */
    holding: async <T>(send: () => Promise<T>): Promise<{ outcome: Promise<T> }> => {
      const received = new Promise<IncomingMessage>((resolve) => waiting.push(resolve));
      const outcome = send();
      await received;
      return { outcome };
    },
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

/**
 * Runs `test` against a hanging endpoint with the clock in its hands: it moves time on with vi.advanceTimersByTime
 * to a request timeout instead of waiting for it. Only setTimeout is faked: the sockets' own events still happen.
 */
export async function withHangingEndpoint(
  test: (endpoint: Awaited<ReturnType<typeof hangingEndpoint>>) => Promise<void>,
  options?: Parameters<typeof hangingEndpoint>[0],
): Promise<void> {
  const endpoint = await hangingEndpoint(options);
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  try {
    await test(endpoint);
  } finally {
    vi.useRealTimers();
    endpoint.close();
  }
}
