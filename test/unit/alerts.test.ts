import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { baseAlerts } from '../../src/base.js';
import { TEMPLATES_DIR } from '../../src/templates-dir.js';
import { kqlProblems } from '../support/kql.js';
import { buildPlan } from '../../src/engine/plan.js';
import { defaultPlan, everyResource, PATTERN_SUBSETS, subsetName } from '../support/subsets.js';

// Every log alert of every pattern combination, and every query shipped in infra/queries (the workbook
// reads them too), is analysed by the real Kusto language service against the workspace tables' schema:
// a misspelt table or column fails here instead of as a silent, never-firing alert in Azure.

const alertsBySubset = [
  ...PATTERN_SUBSETS.map((patterns) => ({ name: subsetName(patterns), alerts: defaultPlan(patterns).contribution.alerts })),
  // The alerts only non-default options add (the Event Hubs lag, Entra ID's), checked too.
  { name: 'every resource', alerts: buildPlan({ name: 'subset-app', location: 'eastus', patterns: everyResource }, '/tmp/csa-plan').contribution.alerts },
];
const queriesDir = join(TEMPLATES_DIR, 'base/infra/queries');
const shippedQueries = readdirSync(queriesDir).filter((file) => file.endsWith('.kql'));
// The scheduled-tasks pattern ships its own queries, which its workbook shows.
const jobQueriesDir = join(TEMPLATES_DIR, 'patterns/scheduled-tasks/app/monitoring/scheduled-tasks');
const shippedJobQueries = readdirSync(jobQueriesDir).filter((file) => file.endsWith('.kql'));

describe('log alerts', () => {
  it.each(alertsBySubset)('$name: every alert query is valid KQL over the workspace tables', ({ alerts }) => {
    expect(alerts.length).toBeGreaterThan(0);
    const problems = alerts.flatMap((alert) => kqlProblems(alert.query).map((problem) => `${alert.id}: ${problem}`));
    expect(problems).toEqual([]);
  });

  it.each(alertsBySubset)('$name: alerts are named, described and scheduled consistently', ({ alerts }) => {
    for (const alert of alerts) {
      expect(alert.id, 'kebab-case id (the Azure name is alert-<app>-<id>)').toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
      expect(alert.description, `${alert.id}: one sentence, capitalised, ending with a full stop`).toMatch(/^[A-Z].*\.$/);
      expect(Number.isInteger(alert.threshold), `${alert.id}: thresholds are integers`).toBe(true);
      expect(alert.windowMinutes, `${alert.id}: the window covers at least one evaluation`).toBeGreaterThanOrEqual(alert.frequencyMinutes);
      // A measured column must be what the query produces, or the rule fails when Azure creates it.
      if (alert.metricColumn) expect(alert.query, alert.id).toMatch(new RegExp(`\\b${alert.metricColumn}\\b`));
    }
  });

  it.each(alertsBySubset)('$name: alerts that count or add up sampled log lines weight each by its ItemCount', ({ alerts }) => {
    // The host samples AppTraces under load; a kept line stands for ItemCount lines. Requests are never sampled.
    for (const alert of alerts.filter((a) => a.query.startsWith('AppTraces') && /\b(count|sum|sumif)\(/.test(a.query))) {
      expect(alert.query, alert.id).not.toMatch(/\bcount\(\)/);
      for (const [aggregate] of alert.query.matchAll(/\bsum(?:if)?\([^)]*\)/g)) expect(aggregate, alert.id).toContain('ItemCount');
    }
  });

  // A summarize without `by` over no rows still returns one row; min(), max(), avg() and percentile() are null in it
  // (count and sum are 0). How a log alert compares a null measure is undocumented, so a query with nothing to judge
  // must return no row, as the ones that need a minimum of executions already do.
  it.each(alertsBySubset)('$name: an alert measured by min, max, avg or percentile returns no row when nothing was measured', ({ alerts }) => {
    for (const alert of alerts.filter((a) => /\b(min|max|avg|percentile)\(/.test(lastSummarize(a.query)) && !/\bby\b/.test(lastSummarize(a.query)))) {
      const after = alert.query.slice(alert.query.lastIndexOf('| summarize'));
      expect(after, alert.id).toMatch(new RegExp(`\\| where (isnotnull\\(${alert.metricColumn}\\)|\\w+ >= [1-9]\\d*)(\\n|$)`));
    }
  });

  // A line reaches the workspace minutes after its TimeGenerated: with a window no longer than the frequency, a line
  // ingested after the evaluation covering its time falls in no later window, and an alert that pages on one line
  // misses it (MicrosoftDocs/azure-docs#21635, "Log alert didn't fire when Period = Frequency"). Stateful rules notify
  // once however many evaluations see it, so an overlap costs nothing.
  it.each(alertsBySubset)('$name: an alert that pages on one occurrence looks back over more than one evaluation period', ({ alerts }) => {
    for (const alert of alerts.filter((a) => a.operator === 'GreaterThan' && a.threshold === 0)) {
      expect(alert.windowMinutes, alert.id).toBeGreaterThan(alert.frequencyMinutes);
    }
  });

  it('dependency-failures does not count the 409 and 412 answers the Functions host shares work between instances with', () => {
    // Instances claim Event Hubs partitions, blob trigger receipts and singleton leases with conditional writes: the
    // loser of a race gets 409 (taken) or 412 (changed since read), and Application Insights records each as a failed
    // dependency (Azure/azure-functions-host#4853), so the alert paged whenever the app scaled out.
    const alert = baseAlerts([]).find((candidate) => candidate.id === 'dependency-failures');
    expect(alert?.query).toMatch(/\| where Success == false and ResultCode !in \("409", "412"\)\n/);
  });

  // Found by QA: the base alert's 10 s over every execution paged for a data-processing app importing 10 files of a
  // minute each in half an hour, whose own latency alert allows 5 minutes; an API over 10 s paged twice.
  it('duration-p95 leaves out the functions whose duration an alert of their pattern watches, and only those', () => {
    const plan = defaultPlan(['http-api', 'event-processing', 'scheduled-tasks', 'data-processing']);
    const alert = plan.contribution.alerts.find((candidate) => candidate.id === 'duration-p95')!;
    const left = /\| where Name !in \(([^)]*)\)\n/.exec(alert.query)?.[1]?.split(', ').map((name) => JSON.parse(name) as string);
    expect(left).toEqual(expect.arrayContaining(['items-list', 'openapi', 'run-report', 'processBlob']));
    expect(left).not.toContain('health');
    expect(left!.filter((name) => /^(eventGrid|serviceBus|eventHub|storageQueue)/.test(name))).toEqual([]);
    expect(alert.description).toMatch(/leaving out functions whose own pattern alerts on their duration\.$/);
    // With no such function, the alert is over every execution, as before.
    expect(defaultPlan(['event-processing']).contribution.alerts.find((candidate) => candidate.id === 'duration-p95')!.query).not.toContain('Name !in');
  });

  it('the KQL check catches a misspelt column and a misspelt table', () => {
    expect(kqlProblems('AppRequests\n| where Sucess == false\n| summarize FailedCount = count()')).toEqual([
      expect.stringContaining("The name 'Sucess' does not refer to any known column"),
    ]);
    expect(kqlProblems('AppRequest\n| count')).toEqual([expect.stringContaining("The name 'AppRequest' does not refer to any known table")]);
  });
});

describe('shipped KQL queries', () => {
  it('exist', () => {
    expect(shippedQueries.length).toBeGreaterThanOrEqual(5);
  });

  it.each(shippedQueries)('%s is valid KQL over the workspace tables', (file) => {
    expect(kqlProblems(readFileSync(join(queriesDir, file), 'utf8'))).toEqual([]);
  });

  it.each(shippedJobQueries)('scheduled-tasks %s is valid KQL over the workspace tables', (file) => {
    expect(kqlProblems(readFileSync(join(jobQueriesDir, file), 'utf8'))).toEqual([]);
  });
});

function lastSummarize(query: string): string {
  return query.slice(query.lastIndexOf('| summarize')).split('\n| ')[0]!;
}
