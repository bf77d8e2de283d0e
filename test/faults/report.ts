/**
 * Each fault scenario records a row: what was injected, what ddnsd should do,
 * what it did, and how many requests the fakes counted. `npm run test:faults
 * -- --report` turns the rows into docs/reliability.md.
 */
import { appendFileSync } from 'node:fs';
import { expect } from 'vitest';

export type Area = 'Sources' | 'Providers' | 'Process' | 'Config' | 'Status server' | 'LAN exposure' | 'Links' | 'Long run';

export interface Row {
  area: Area;
  fault: string;
  expected: string;
  observed: string;
  requests: string;
  /** Bad inputs (configs, requests) tried in this scenario; a fault counts as 1. */
  inputs?: number;
  /** Everything the scenario saw ddnsd print or answer, searched for secrets. */
  outputs: string[];
  secrets: string[];
}

/** Asserts no secret appears in any output, then records the row. */
export function record(row: Row): void {
  const hits = row.secrets.reduce((n, secret) => n + row.outputs.filter((o) => o.includes(secret)).length, 0);
  expect(hits, `a secret appeared in the output of "${row.fault}"`).toBe(0);
  const file = process.env.DDNSD_FAULTS_ROWS;
  if (!file) return;
  const { outputs, secrets: _secrets, ...rest } = row;
  appendFileSync(file, `${JSON.stringify({ ...rest, secretHits: hits, outputsSearched: outputs.length })}\n`);
}
