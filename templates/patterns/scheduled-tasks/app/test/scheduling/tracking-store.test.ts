import { randomUUID } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import { describe, expect, inject, it, vi } from 'vitest';
import { tableClient } from '../../src/shared/storage-clients.js';
import { TableCheckpointStore, TableRunStore, type RunRecord } from '../../src/scheduling/tracking-store.js';
import { tableLosingResponses } from '../support/lost-write-responses.js';

// Integration tests against the Azurite the global setup started: real Table storage semantics.
const settings = { AzureWebJobsStorage: inject('azuriteConnectionString') };
const freshTable = () => tableClient(`t${randomUUID().replace(/-/g, '').slice(0, 20)}`, 'AzureWebJobsStorage', settings);

function record(overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    job: 'nightly-report',
    scheduledTime: new Date('2026-05-04T02:30:00Z'),
    attempt: 0,
    startedAt: new Date('2026-05-04T02:30:00.120Z'),
    outcome: 'running',
    isPastDue: false,
    invocationId: 'inv-1',
    ...overrides,
  };
}

describe('TableRunStore against Azurite', () => {
  it('stores a run from start to outcome with every field', async () => {
    const store = new TableRunStore(freshTable());
    const version = await store.start(record());
    expect(version).toEqual(expect.any(String));
    const finished = record({ outcome: 'failed', endedAt: new Date('2026-05-04T02:30:04.120Z'), durationMs: 4000, error: 'Error: boom' });
    expect(await store.finish(finished, version!)).toBe(true);

    expect(await store.get('nightly-report', finished.scheduledTime, 0)).toEqual(finished);
    expect(await store.list('nightly-report')).toEqual([finished]);
  });

  it('refuses a second start of the same occurrence and attempt, but not of the next attempt', async () => {
    const store = new TableRunStore(freshTable());
    expect(await store.start(record())).toEqual(expect.any(String));
    expect(await store.start(record({ invocationId: 'inv-2' }))).toBeUndefined();
    expect(await store.start(record({ attempt: 1, invocationId: 'inv-3' }))).toEqual(expect.any(String));
    expect((await store.get('nightly-report', record().scheduledTime, 0))?.invocationId).toBe('inv-1');
  });

  it('lists the attempts of one occurrence only, with the heartbeat of the running one', async () => {
    const store = new TableRunStore(freshTable());
    const occurrence = record().scheduledTime;
    await store.start(record({ scheduledTime: new Date(occurrence.getTime() - 1) }));
    await store.start(record({ outcome: 'failed' }));
    const running = await store.start(record({ attempt: 1, invocationId: 'inv-2' }));
    await store.start(record({ scheduledTime: new Date(occurrence.getTime() + 1) }));
    expect(await store.heartbeat(record({ attempt: 1 }), new Date('2026-05-04T02:35:00Z'), running!)).toEqual(expect.any(String));

    const attempts = await store.attempts('nightly-report', occurrence);
    expect(attempts.map(({ attempt, outcome, heartbeatAt }) => ({ attempt, outcome, heartbeatAt }))).toEqual([
      { attempt: 0, outcome: 'failed', heartbeatAt: undefined },
      { attempt: 1, outcome: 'running', heartbeatAt: new Date('2026-05-04T02:35:00Z') },
    ]);
  });

  it('claims an occurrence for one of two executions that read it alike, closing the dead run in the same write', async () => {
    const store = new TableRunStore(freshTable());
    const dead = record();
    await store.start(dead);
    const seen = await store.attempts('nightly-report', dead.scheduledTime);
    const closedBy = (invocationId: string) => record({ outcome: 'failed', error: `abandoned; taken over by ${invocationId}` });

    const claims = await Promise.all([
      store.claim(record({ attempt: 1, invocationId: 'inv-2' }), seen, [closedBy('inv-2')]),
      store.claim(record({ attempt: 2, invocationId: 'inv-3' }), seen, [closedBy('inv-3')]),
    ]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    const winner = claims[0] ? 'inv-2' : 'inv-3';
    const attempts = await store.attempts('nightly-report', dead.scheduledTime);
    expect(attempts.map(({ outcome, invocationId, error }) => ({ outcome, invocationId, error }))).toEqual([
      { outcome: 'failed', invocationId: 'inv-1', error: `abandoned; taken over by ${winner}` },
      { outcome: 'running', invocationId: winner, error: undefined },
    ]);
    // The claim's version is the one its heartbeats and outcome are written on.
    expect(await store.heartbeat(attempts[1]!, new Date('2026-05-04T02:31:00Z'), (claims[0] ?? claims[1])!)).toEqual(expect.any(String));
  });

  it('refuses a claim when another execution claimed the occurrence between its read and its write', async () => {
    const table = freshTable();
    const store = new TableRunStore(table);
    const failed = record({ outcome: 'failed' });
    await store.start(failed);
    const seen = await store.attempts('nightly-report', failed.scheduledTime);
    // Both find the occurrence free (its first attempt failed) and claim their own attempts, which are different rows:
    // only the first attempt's record, written by both transactions, keeps the second from landing.
    const submit = table.submitTransaction.bind(table);
    vi.spyOn(table, 'submitTransaction').mockImplementationOnce(async (actions) => {
      const otherExecution = new TableRunStore(TableClient.fromConnectionString(settings.AzureWebJobsStorage, table.tableName, { allowInsecureConnection: true }));
      expect(await otherExecution.claim(record({ attempt: 2, invocationId: 'inv-3' }), seen, [])).toEqual(expect.any(String));
      return submit(actions);
    });

    expect(await store.claim(record({ attempt: 1, invocationId: 'inv-2' }), seen, [])).toBeUndefined();
    expect((await store.attempts('nightly-report', failed.scheduledTime)).map(({ attempt }) => attempt)).toEqual([0, 2]);
  });

  it('claims its own attempt over the record a failed execution of it left', async () => {
    const store = new TableRunStore(freshTable());
    await store.start(record({ outcome: 'failed', invocationId: 'inv-1' }));
    const seen = await store.attempts('nightly-report', record().scheduledTime);
    expect(await store.claim(record({ invocationId: 'inv-2' }), seen, [])).toEqual(expect.any(String));
    expect(await store.get('nightly-report', record().scheduledTime, 0)).toEqual(record({ invocationId: 'inv-2' }));
  });

  it('replaces a record only while it is unchanged, so of two concurrent takeovers exactly one wins', async () => {
    const store = new TableRunStore(freshTable());
    const dead = record();
    await store.start(dead);
    const closedBy = (invocationId: string) => record({ outcome: 'failed', invocationId, error: `taken over by ${invocationId}` });

    const wins = await Promise.all([store.replace(dead, closedBy('inv-2')), store.replace(dead, closedBy('inv-3'))]);
    expect(wins.filter(Boolean)).toHaveLength(1);
    expect((await store.get('nightly-report', dead.scheduledTime, 0))?.invocationId).toBe(wins[0] ? 'inv-2' : 'inv-3');
    // Once it changed (here: a heartbeat), a replace decided on the old version is refused.
    const current = (await store.get('nightly-report', dead.scheduledTime, 0))!;
    await store.heartbeat(current, new Date('2026-05-04T02:31:00Z'), (wins[0] ?? wins[1])!);
    expect(await store.replace(current, closedBy('inv-4'))).toBeUndefined();
    expect(await store.replace(record({ attempt: 7 }), closedBy('inv-5'))).toBeUndefined();
  });

  it('refuses a replace when another execution wrote the record between its read and its write (If-Match)', async () => {
    const table = freshTable();
    const store = new TableRunStore(table);
    const dead = record();
    await store.start(dead);
    const read = table.getEntity.bind(table);
    vi.spyOn(table, 'getEntity').mockImplementationOnce(async (...args: Parameters<typeof table.getEntity>) => {
      const entity = await read(...args);
      expect(await store.replace(dead, record({ outcome: 'failed', invocationId: 'inv-2' }))).toEqual(expect.any(String));
      return entity;
    });

    expect(await store.replace(dead, record({ outcome: 'failed', invocationId: 'inv-3' }))).toBeUndefined();
    expect((await store.get('nightly-report', dead.scheduledTime, 0))?.invocationId).toBe('inv-2');
  });

  it('writes a heartbeat or an outcome only over the version this execution last wrote, never over a takeover', async () => {
    const store = new TableRunStore(freshTable());
    const paused = record();
    const version = (await store.start(paused))!;
    const heartbeat = (await store.heartbeat(paused, new Date('2026-05-04T02:31:00Z'), version))!;
    expect(heartbeat).not.toBe(version);
    // Another execution judged it dead and took its record over.
    const current = (await store.get('nightly-report', paused.scheduledTime, 0))!;
    const takeover = record({ invocationId: 'inv-2', startedAt: new Date('2026-05-04T02:40:00Z') });
    expect(await store.replace(current, takeover)).toEqual(expect.any(String));

    expect(await store.heartbeat(paused, new Date('2026-05-04T02:41:00Z'), heartbeat)).toBeUndefined();
    expect(await store.finish({ ...paused, outcome: 'succeeded' }, heartbeat)).toBe(false);
    expect(await store.get('nightly-report', paused.scheduledTime, 0)).toEqual(takeover);
  });

  it('keeps a start, a heartbeat and an outcome whose response was lost, which the SDK resent and the table refused', async () => {
    const { table, losing } = tableLosingResponses(settings.AzureWebJobsStorage);
    const store = new TableRunStore(table);
    const run = record();
    // Creates the table first, so the lost response is the start's.
    expect(await store.get('nightly-report', run.scheduledTime, 0)).toBeUndefined();
    losing.next = true;
    const version = (await store.start(run))!;
    expect(version).toEqual(expect.any(String));
    losing.next = true;
    const heartbeat = await store.heartbeat(run, new Date('2026-05-04T02:31:00Z'), version);
    expect(heartbeat).toEqual(expect.any(String));
    losing.next = true;
    expect(await store.finish({ ...run, outcome: 'succeeded' }, heartbeat!)).toBe(true);
    expect(losing.next).toBe(false);
    expect((await store.get('nightly-report', run.scheduledTime, 0))?.outcome).toBe('succeeded');
  });

  it('finds the oldest day and deletes a whole day, across more rows than one transaction holds', async () => {
    const store = new TableRunStore(freshTable());
    const base = Date.parse('2026-05-04T00:00:00Z');
    for (let minute = 0; minute < 150; minute++) await store.start(record({ scheduledTime: new Date(base + minute * 60_000), outcome: 'succeeded' }));
    await store.start(record({ scheduledTime: new Date('2026-05-05T00:00:00Z'), outcome: 'succeeded' }));
    await store.start(record({ job: 'other-job', scheduledTime: new Date('2026-05-03T00:00:00Z'), outcome: 'succeeded' }));

    expect(await store.earliestDay('nightly-report')).toBe('2026-05-04');
    expect(await store.deleteDay('nightly-report', '2026-05-04')).toBe(150);
    expect((await store.list('nightly-report')).map((run) => run.scheduledTime.toISOString())).toEqual(['2026-05-05T00:00:00.000Z']);
    expect(await store.earliestDay('other-job')).toBe('2026-05-03');
    expect(await store.earliestDay('never-ran')).toBeUndefined();
  });

  it('reads on past an empty page the service sends with a continuation to find the oldest day', async () => {
    const table = freshTable();
    const store = new TableRunStore(table);
    await store.start(record({ outcome: 'succeeded' }));
    // Table storage may answer a query with no rows and a continuation (its five-second limit, a partition boundary).
    const listEntities = table.listEntities.bind(table);
    vi.spyOn(table, 'listEntities').mockImplementation((options) => {
      const listed = listEntities(options);
      return {
        ...listed,
        byPage: (settings) =>
          (async function* () {
            yield Object.assign([], { continuationToken: 'more' });
            yield* listed.byPage(settings);
          })(),
      } as typeof listed;
    });

    expect(await store.earliestDay('nightly-report')).toBe('2026-05-04');
  });
});

describe('TableCheckpointStore against Azurite', () => {
  it('has no position before the first unit, moves with each write and hands the last one to the next claim', async () => {
    const store = new TableCheckpointStore(freshTable());
    const first = await store.claim('nightly-report', 'inv-1');
    expect(first.position).toBeUndefined();
    const written = await store.write('nightly-report', 'inv-1', '2026-05-01', first.version);
    expect(await store.write('nightly-report', 'inv-1', '2026-05-02', written!)).toEqual(expect.any(String));

    expect((await store.claim('nightly-report', 'inv-2')).position).toBe('2026-05-02');
    expect((await store.claim('other-job', 'inv-2')).position).toBeUndefined();
  });

  it('keeps a move whose response was lost, which the SDK resent and the checkpoint refused, but not after a claim', async () => {
    const { table, losing } = tableLosingResponses(settings.AzureWebJobsStorage);
    const store = new TableCheckpointStore(table);
    const claim = await store.claim('nightly-report', 'inv-1');
    losing.next = true;
    const moved = await store.write('nightly-report', 'inv-1', '2026-05-01', claim.version);
    expect(moved).toEqual(expect.any(String));
    expect(losing.next).toBe(false);
    expect(await store.write('nightly-report', 'inv-1', '2026-05-02', moved!)).toEqual(expect.any(String));
    // Another execution claims it, and the position read back is the same: still not this owner's move.
    const takeover = await store.claim('nightly-report', 'inv-2');
    expect(await store.write('nightly-report', 'inv-1', '2026-05-02', moved!)).toBeUndefined();
    expect(takeover.position).toBe('2026-05-02');
  });

  it('refuses the writes of an execution once another has claimed the checkpoint, whatever it wrote before', async () => {
    const store = new TableCheckpointStore(freshTable());
    const paused = await store.claim('nightly-report', 'paused');
    const pausedVersion = await store.write('nightly-report', 'paused', '3', paused.version);
    const takeover = await store.claim('nightly-report', 'takeover');
    expect(takeover.position).toBe('3');
    await store.write('nightly-report', 'takeover', '7', takeover.version);

    expect(await store.write('nightly-report', 'paused', '4', pausedVersion!)).toBeUndefined();
    expect(await store.write('nightly-report', 'paused', '4', paused.version)).toBeUndefined();
    expect((await store.claim('nightly-report', 'next')).position).toBe('7');
  });

  it('lets concurrent first claims both through, the checkpoint then belonging to exactly one of them', async () => {
    const table = freshTable();
    const store = new TableCheckpointStore(table);
    const owners = ['a', 'b', 'c'];
    const claims = await Promise.all(owners.map((owner) => store.claim('nightly-report', owner)));
    const writes = await Promise.all(claims.map(({ version }, i) => store.write('nightly-report', owners[i]!, `unit-${i}`, version)));

    expect(writes.filter((version) => version !== undefined)).toHaveLength(1);
    const winner = writes.findIndex((version) => version !== undefined);
    const row = await table.getEntity<{ owner: string; position: string }>('checkpoint', 'nightly-report');
    expect(row).toMatchObject({ owner: owners[winner], position: `unit-${winner}` });
  });
});
