import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Azurite's account and public key: what the clients sign with, and what a storage endpoint expects. */
const DEV_ACCOUNT = 'AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/**
 * A storage endpoint that takes every request and never answers, as a hung connection leaves a client waiting.
 * `connectionString` points the table, blob and queue endpoints at it; `received()` resolves at its next request.
 */
export async function hangingEndpoint() {
  const waiting: ((request: IncomingMessage) => void)[] = [];
  const server = createServer((request) => {
    request.resume();
    waiting.shift()?.(request);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/devstoreaccount1`;
  return {
    connectionString: `DefaultEndpointsProtocol=http;${DEV_ACCOUNT};TableEndpoint=${url};BlobEndpoint=${url};QueueEndpoint=${url};`,
    received: () => new Promise<IncomingMessage>((resolve) => waiting.push(resolve)),
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}
