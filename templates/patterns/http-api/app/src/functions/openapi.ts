import { app } from '@azure/functions';
import { httpHandler } from '../http/handler.js';
import { openApiDocument } from '../http/openapi.js';

/** The API's contract, anonymous like /health: it describes the API and holds no data. */
export const openapi = httpHandler(async () => ({
  status: 200,
  headers: { 'Cache-Control': 'public, max-age=300' },
  jsonBody: openApiDocument(),
}));

app.http('openapi', { methods: ['GET', 'HEAD'], authLevel: 'anonymous', route: 'openapi.json', handler: openapi });
