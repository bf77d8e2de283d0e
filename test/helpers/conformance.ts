/**
 * What every provider's fake offers the conformance test (test/conformance.test.ts):
 * each fake module under test/fakes/ exports `conformance`, a table from provider
 * type to how to start a fake for it. A registered provider without a row fails
 * the test, so adding a provider means adding its fake's row, nothing else.
 */
import type { Family } from '../../src/base/address.js';
import type { FakeServer } from '../fakes/server.js';

export interface ConformanceFake {
  /** Fully qualified hostnames the fake serves; at least one. */
  hosts: string[];
  /** The provider entry (as the YAML would give it), pointing at this fake, with the right or a wrong credential. */
  entry(credentials: 'right' | 'wrong'): Record<string, unknown>;
  /** Every secret value the right entry holds: none may show in `check`, the logs or the status. */
  secrets: string[];
  /** Requests the fake received so far. */
  requests(): number;
  /** From now on, answer something the protocol does not allow (an HTML page, say). */
  answerGarbage(): void;
  close(): Promise<void>;
}

export interface Conformance {
  /** The families the service updates; default both. */
  families?: Family[];
  start(): Promise<ConformanceFake>;
}

export type ConformanceTable = Record<string, Conformance>;

/** The request counting and the garbage answer of a fake HTTP server. */
export function httpFake(fake: FakeServer): Pick<ConformanceFake, 'requests' | 'answerGarbage' | 'close'> {
  return {
    requests: () => fake.requests.length,
    answerGarbage: () =>
      fake.misbehaveNext(Infinity, { kind: 'answer', status: 200, headers: { 'content-type': 'text/html' }, body: '<html><body>Captive portal: please sign in</body></html>' }),
    close: () => fake.close(),
  };
}
