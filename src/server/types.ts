/** What the status server is given. Shared by index.ts, api.ts and guard.ts so none imports another's module for types. */
import type { ServerSettings } from '../config/server.js';
import type { NotRetried } from '../cycle/plan.js';
import type { Family } from '../base/address.js';
import type { Logger } from '../base/log.js';
import type { PushStore } from '../detect/push.js';
import type { Status } from '../status.js';
import type { Metrics } from './metrics.js';
import type { Sessions } from './session.js';
import type { ConnectionLimits } from './connections.js';
import type { Config, LocatedProblem } from '../config/load.js';
import type { SecretRules } from '../config/edit.js';

export interface RunNow {
  /** The cycle's id. */
  id: number;
  /** True when a cycle was already running and this request joined it. */
  joined: boolean;
  done: Promise<unknown>;
  /** Hosts this cycle does not send although asked to: they need attention, or the provider asked for a pause. */
  notRetried?: NotRetried[];
}

/** The parts of `server` in the config that decide who may read and act; absent ones take the loopback defaults. */
export type AccessSettings = Pick<ServerSettings, 'auth' | 'publicRead' | 'metricsToken' | 'basic' | 'hosts' | 'sessionKey' | 'tls'> & {
  listen: { host: string; port: number };
};

export interface ServerDeps {
  status(): Status;
  /** `server.token`; without it, POST /api/update answers 404 and the page shows no button. */
  token?: string | undefined;
  /** Who may read, Host names, TLS; by default loopback with open reads (`auth: none`). */
  access?: Partial<AccessSettings>;
  /** Starts a cycle now, or joins the one in flight. */
  runNow?: () => RunNow;
  /** Defaults to a fresh registry fed from `status`. */
  metrics?: Metrics;
  now?: () => number;
  /** How often the page refreshes itself. */
  refreshMs?: number;
  /** Failed sign-ins, refused Host names and certificate reloads are logged here. */
  log?: Logger;
  /** The machine's own addresses, accepted as Host; by default read from the network interfaces. */
  ownAddresses?: () => string[];
  /** How often the TLS files are checked for a change (default 10 s). */
  tlsCheckMs?: number;
  /** The page's sessions; by default in memory (main.ts keeps them in the state folder). */
  sessions?: Sessions | undefined;
  /** Open connections at most: overall, per client address and per IPv6 /64 (connections.ts). */
  connections?: ConnectionLimits;
  /** `server.nic_update`: the dyndns2 endpoint routers push their address to; absent: off (404). */
  nicUpdate?: NicUpdateDeps | undefined;
  /** The settings page's config file, checks and reload; absent: GET /api/config answers 403. */
  settings?: SettingsDeps | undefined;
}

/** What GET /nic/update needs (nic-update.ts): the router's credentials, the hosts it may push for, where pushes go. */
export interface NicUpdateDeps {
  /** The credential of routers not tied to a link. */
  username?: string | undefined;
  password?: string | undefined;
  /** One credential per link: its pushes are that link's addresses. */
  users?: readonly { username: string; password: string; wan?: string | undefined }[];
  /** The hostnames a router may push for: the configured hosts. */
  hosts: ReadonlySet<string>;
  push: PushStore;
  /** A push changed addresses (one call per request): start a cycle. */
  changed(changes: { family: Family; address: string }[]): void;
  /** Tells what a push was refused for (the answer code alone says little). */
  refused?(reason: string): void;
}

/** What the settings page needs: the config file, checks and reload (src/server/settings.ts). */
export interface SettingsDeps {
  /** The config file. */
  path: string;
  /** `server.editing` (true unless the config says false). */
  editing: boolean;
  /** Checks a text as `ddnsd check` would check the file: the config, or its problems. */
  check(text: string): Promise<{ config: Config } | { problems: LocatedProblem[] }>;
  /** Which keys hold secrets, for the text on disk (its providers' `secrets` lists). */
  secretRules(config: Config | undefined): Promise<SecretRules>;
  /** Applies a config just written (the daemon's reload). */
  apply(config: Config): Promise<void>;
  now(): number;
}
