/**
 * `ddnsd doctor` (and `ddnsd check --reach`): detect once (nothing sent, no
 * state written), run every reachability check once, print the chain.
 */
import type { CliIo, Command } from './types.js';
import type { Config } from '../config/load.js';
import type { Logger, Redactor } from '../base/log.js';
import { createRuntime } from '../main.js';
import { doctorDefaults } from '../config/checks.js';
import { doctorReport } from '../reach/doctor.js';
import { withConfig } from './setup.js';

const doctorCommand: Command = (line, io) => withConfig(line, io, ({ config, log, redactor }) => doctor(config, log, redactor, io));

export default doctorCommand;

export async function doctor(config: Config, log: Logger, redactor: Redactor, io: CliIo): Promise<number> {
  // Without checks: in the config, the DNS check still runs (it needs nothing but the hosts).
  const checks = config.checks ?? doctorDefaults();
  const runtime = await createRuntime({ ...config, checks, notify: [] }, { log, redactor });
  try {
    const signal = AbortSignal.timeout(60_000);
    const detections = await Promise.all(runtime.detector.families.map((f) => runtime.detector.detect(f, signal)));
    for (const d of detections) if (d.address) runtime.state.detected[d.family] = { address: d.address, at: Date.now() };
    const results = (await runtime.reach?.check(signal)) ?? [];
    const configured = { dns: checks.dns !== undefined, port: checks.port !== undefined, forward: checks.forward !== undefined };
    const report = doctorReport({ detections, results, configured, state: runtime.state, now: Date.now() });
    io.stdout(redactor.redact(report.text));
    return report.ok ? 0 : 1;
  } finally {
    await runtime.close();
  }
}
