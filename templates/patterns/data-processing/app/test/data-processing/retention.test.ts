import { randomUUID } from 'node:crypto';
import { InvocationContext, type Timer } from '@azure/functions';
import { afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { DATA_CONFIG } from '../../src/data-processing/config.js';
import { RETENTION_SETTING, retentionDays } from '../../src/data-processing/retention.js';
import { purgeDataRecords } from '../../src/functions/purgeDataRecords.js';
import { tableClient } from '../../src/shared/storage-clients.js';
import { azuriteEnvironment } from './support/storage.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const timer: Timer = { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: '', next: '', lastUpdated: '' } };

describe('retentionDays', () => {
  it('reads whole days from the app setting and refuses anything else', () => {
    expect(retentionDays({ [RETENTION_SETTING]: '30' })).toBe(30);
    expect(retentionDays({ [RETENTION_SETTING]: ' 7 ' })).toBe(7);
    // Number() reads these as 30 and 1000: a setting meant as something else, taken silently.
    for (const value of [undefined, '', '0', '-1', '1.5', 'thirty', '0x1E', '1e3']) {
      expect(() => retentionDays({ [RETENTION_SETTING]: value })).toThrow(`${RETENTION_SETTING} must be a whole number of days`);
    }
  });
});

describe('purgeDataRecords (Azurite)', () => {
  let storage: Awaited<ReturnType<typeof azuriteEnvironment>>;
  beforeAll(async () => {
    storage = await azuriteEnvironment(inject('azuriteConnectionString'));
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  /** The pipeline's tables under names of this test's own: other test files use the real ones at the same time. */
  function isolatedEnvironment() {
    const suffix = randomUUID().replace(/-/g, '').slice(0, 12);
    const table = (name: string) => tableClient(`${name}${suffix}`, DATA_CONFIG.storageConnection, storage.settings);
    return { ...storage.environment, table };
  }

  async function rowKeys(environment: ReturnType<typeof isolatedEnvironment>, name: string) {
    const keys = [];
    for await (const row of environment.table(name).listEntities()) keys.push(row.rowKey);
    return keys;
  }

  it('deletes the status and quarantine rows last written more than the retention ago, in transactions per partition', async () => {
    vi.stubEnv(RETENTION_SETTING, '30');
    const environment = isolatedEnvironment();
    const status = environment.table(DATA_CONFIG.statusTable);
    const quarantine = environment.table(DATA_CONFIG.quarantineTable);
    await status.createTable();
    await quarantine.createTable();
    for (let index = 0; index < 105; index++) await status.createEntity({ partitionKey: 'blob', rowKey: `input-${index}` });
    await status.createEntity({ partitionKey: 'queue', rowKey: 'message-1' });
    await quarantine.createEntity({ partitionKey: 'input-1', rowKey: '000001' });
    const lines: string[] = [];
    const context = new InvocationContext({ functionName: 'purgeDataRecords', logHandler: (_level, ...args) => lines.push(args.join(' ')) });

    await purgeDataRecords(timer, context, environment, new Date(Date.now() + 29 * DAY_MS));
    expect(await rowKeys(environment, DATA_CONFIG.statusTable)).toHaveLength(106);
    expect(await rowKeys(environment, DATA_CONFIG.quarantineTable)).toEqual(['000001']);

    const transactions = vi.spyOn(status, 'submitTransaction');
    const later = new Date(Date.now() + 31 * DAY_MS);
    await purgeDataRecords(timer, context, environment, later);

    expect(await rowKeys(environment, DATA_CONFIG.statusTable)).toEqual([]);
    expect(await rowKeys(environment, DATA_CONFIG.quarantineTable)).toEqual([]);
    expect(transactions.mock.calls.map(([actions]) => [actions[0]![1].partitionKey, actions.length])).toEqual([['blob', 100], ['blob', 5], ['queue', 1]]);
    const cutoff = new Date(later.getTime() - 30 * DAY_MS).toISOString();
    expect(lines.slice(-2)).toEqual([
      `Purged 106 row(s) of the ${DATA_CONFIG.statusTable} table last written before ${cutoff}`,
      `Purged 1 row(s) of the ${DATA_CONFIG.quarantineTable} table last written before ${cutoff}`,
    ]);
  });

  it('fails without purging when the retention setting is missing', async () => {
    vi.stubEnv(RETENTION_SETTING, undefined);
    const context = new InvocationContext({ functionName: 'purgeDataRecords' });
    await expect(purgeDataRecords(timer, context, isolatedEnvironment())).rejects.toThrow(RETENTION_SETTING);
  });
});
