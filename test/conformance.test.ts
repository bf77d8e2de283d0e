/// <reference types="vite/client" />
/**
 * Every registered provider through the conformance suite, against the fake
 * its row in test/fakes/ starts. A provider without a row fails here.
 */
import { describe } from 'vitest';
import { PROVIDERS } from './helpers/providers.js';
import type { ConformanceTable } from './helpers/conformance.js';
import { conformanceSuite } from './helpers/conformance-suite.js';

const modules = import.meta.glob<{ conformance?: ConformanceTable }>('./fakes/*.ts', { eager: true });
const rows: ConformanceTable = Object.assign({}, ...Object.values(modules).map((m) => m.conformance ?? {}));

describe('conformance', () => {
  for (const p of PROVIDERS) conformanceSuite(p.type, rows[p.type], PROVIDERS);
});
