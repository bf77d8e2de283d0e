/**
 * The `forward` check: does the router (over UPnP IGD) have a port mapping
 * for the port, and does it point at this machine's current LAN address?
 * The router is asked through an injected PortMapper.
 */
import type { LanAddress } from '../state.js';
import type { PortEntry } from '../config/checks.js';
import { result, type CheckResult } from './result.js';

export interface PortMapping {
  internalClient: string;
  internalPort: number;
}

/** The router's port mappings as UPnP IGD's GetSpecificPortMappingEntry tells them. */
export interface PortMapper {
  portMapping(externalPort: number, protocol: 'TCP' | 'UDP'): Promise<PortMapping | undefined>;
}

export interface ForwardCheckOptions {
  mapper: PortMapper | undefined;
  /** This machine's LAN addresses now. */
  lan: LanAddress[];
  required: boolean;
}

export async function checkForward(entry: PortEntry, options: ForwardCheckOptions): Promise<CheckResult> {
  const subject = `${entry.host}:${entry.port}/${entry.protocol}`;
  const say = (verdict: CheckResult['verdict'], summary: string, fix: string | null = null): CheckResult => result('forward', subject, options.required, verdict, summary, fix);
  const mine = options.lan.filter((a) => a.family === 'ipv4').map((a) => a.address);
  const here = mine[0] ?? 'this machine';
  if (!options.mapper) return say('skip', 'the router cannot be asked: no UPnP client is set up');
  let mapping: PortMapping | undefined;
  try {
    mapping = await options.mapper.portMapping(entry.port, 'TCP');
  } catch (error) {
    return say(
      'warn',
      `the router did not answer over UPnP: ${(error as Error).message}`,
      "UPnP may be off in the router. Check the forward in the router's settings by hand, or turn checks.forward off.",
    );
  }
  if (!mapping) {
    return say(
      'warn',
      `the router lists no forward for ${entry.protocol.toUpperCase()} port ${entry.port} over UPnP`,
      `If remote clients cannot connect, add a port forward in the router: ${entry.protocol.toUpperCase()} ${entry.port} to ${here}. (Some routers do not list forwards made by hand over UPnP.)`,
    );
  }
  const target = `${mapping.internalClient}${mapping.internalPort === entry.port ? '' : ` port ${mapping.internalPort}`}`;
  if (mine.includes(mapping.internalClient)) return say('pass', `the router forwards ${entry.port} to ${target}, this machine`);
  return say(
    'fail',
    `the router forwards ${entry.port} to ${mapping.internalClient}, but this machine is now ${mine.join(', ') || 'without a LAN address'}`,
    `Change the router's forward of port ${entry.port} to ${here}, and give this machine a fixed LAN address (a DHCP reservation in the router) so it does not move again.`,
  );
}
