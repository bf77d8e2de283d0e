/**
 * The cases every adapter that claims `sets` and `removeOnStop` meets through
 * a real cycle, written once: under wan_mode: all one record per healthy
 * link (two echo sources as the links fiber and lte), a failed link's record
 * deleted and written again when the link is back, each step with the
 * requests the service receives; and delete_on_stop deleting, when ddnsd
 * stops, exactly the entry's hosts' records of the families it updates.
 * A provider's test file calls `setProviderCases` with its fake.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RecordType } from '../../providers/kit/index.js';
import { createLogger, createRedactor } from '../../src/base/log.js';
import { startDaemon } from '../../src/main.js';
import { startEcho, type EchoServer } from '../fakes/echo.js';
import type { FakeServer } from '../fakes/server.js';
import { tempDir } from './cli.js';
import { fakeClock } from './clock.js';
import { loadConfig } from './config.js';
import { PROVIDERS } from './providers.js';
import { testRuntime, type TestRuntime } from './runtime.js';
import { until } from './wait.js';

export const FIBER = '81.2.69.160';
export const LTE = '81.2.69.192';
const OTHER = '81.2.69.200';
const OTHER_V6 = '2a02:8010:9::1';

/** A service's fake as the cases drive it. Its account holds the zone example.com. */
export interface SetFake {
  server: FakeServer;
  /** The entry (secrets written literally, no hosts) that updates this fake. */
  entry(): Record<string, unknown>;
  /** The addresses the service holds for a name and type, in any order. */
  addresses(host: string, type: RecordType): string[];
  /** Adds a record that the entry's updates must leave alone. */
  add(host: string, type: RecordType, address: string): void;
  /** `METHOD path` of each request received so far. */
  calls(): string[];
}

export interface SetCaseSpec {
  type: string;
  start(): Promise<SetFake>;
  /**
   * The requests each step sends for portal.example.com: the first cycle with
   * both links (zone lookups included), the cycle after fiber failed, the
   * cycle after it is back, and the deletion when ddnsd stops.
   */
  requests: { both: string[]; fiberDown: string[]; fiberBack: string[]; stop: string[] };
}

const sorted = (list: string[]): string[] => [...list].sort();

export function setProviderCases(spec: SetCaseSpec): void {
  describe(`${spec.type}: wan_mode: all and delete_on_stop`, () => {
    let fiber: EchoServer;
    let lte: EchoServer;
    let fake: SetFake;
    let rt: TestRuntime | undefined;
    beforeEach(async () => {
      [fiber, lte, fake] = await Promise.all([startEcho(FIBER), startEcho(LTE), spec.start()]);
    });
    afterEach(async () => {
      await rt?.close();
      rt = undefined;
      await Promise.all([fiber.close(), lte.close(), fake.server.close()]);
    });

    it("keeps one record per healthy link, deletes a failed link's record and writes it again when the link is back", async () => {
      const entry = { ...fake.entry(), hosts: ['portal.example.com'], wan: ['fiber', 'lte'], wan_mode: 'all' };
      rt = await testRuntime(
        `detect:\n  timeout: 2s\nwans:\n  fiber:\n    ipv4: ["${fiber.url}/"]\n  lte:\n    ipv4: ["${lte.url}/"]\nproviders:\n  - ${JSON.stringify(entry)}\n`,
        fakeClock(),
      );
      expect((await rt.run()).ok).toBe(true);
      expect(sorted(fake.addresses('portal.example.com', 'A'))).toEqual([FIBER, LTE]);
      expect(rt.status().hosts[0]).toMatchObject({ address: `${FIBER}, ${LTE}`, status: 'ok', wan: 'fiber, lte' });
      expect(fake.calls()).toEqual(spec.requests.both);

      let sent = fake.calls().length;
      await rt.run();
      expect(fake.calls()).toHaveLength(sent); // the same two addresses: nothing sent

      fiber.answer = '127.0.0.1'; // not an external address: fiber is not healthy
      await rt.run();
      expect(fake.addresses('portal.example.com', 'A')).toEqual([LTE]);
      expect(fake.calls().slice(sent)).toEqual(spec.requests.fiberDown);

      sent = fake.calls().length;
      fiber.answer = FIBER;
      await rt.run();
      expect(sorted(fake.addresses('portal.example.com', 'A'))).toEqual([FIBER, LTE]);
      expect(fake.calls().slice(sent)).toEqual(spec.requests.fiberBack);
    });

    it("deletes, when ddnsd stops, the entry's hosts' records of the families it updates, and nothing else", async () => {
      fake.add('portal.example.com', 'AAAA', OTHER_V6); // a family the entry does not update
      fake.add('other.example.com', 'A', OTHER); // a name the entry does not hold
      const dir = tempDir();
      const entry = { ...fake.entry(), hosts: ['portal.example.com'], delete_on_stop: true };
      writeFileSync(
        join(dir, 'config.yaml'),
        `state: ./state.json\nserver:\n  listen: 127.0.0.1:0\ndetect:\n  ipv4: ["${fiber.url}/"]\n  agree: 1\nproviders:\n  - ${JSON.stringify(entry)}\n`,
      );
      const config = loadConfig({ providers: PROVIDERS, env: {}, cwd: dir });
      const redactor = createRedactor();
      const daemon = await startDaemon(config, { log: createLogger({ format: 'json', level: 'error', redactor, write: () => {} }), redactor, lan: () => [] });
      await until(() => fake.addresses('portal.example.com', 'A').length === 1, 10_000, 'the record created');
      const sent = fake.calls().length;
      await daemon.stop();
      expect(fake.calls().slice(sent)).toEqual(spec.requests.stop);
      expect(fake.addresses('portal.example.com', 'A')).toEqual([]);
      expect(fake.addresses('portal.example.com', 'AAAA')).toEqual([OTHER_V6]);
      expect(fake.addresses('other.example.com', 'A')).toEqual([OTHER]);
      expect(daemon.runtime.state.hosts).toEqual({});
    });
  });
}
