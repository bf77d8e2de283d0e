/**
 * The adapter interface. A provider definition is data plus one function:
 * a zod schema for its config entry, the keys that hold secrets, and
 * `create`, which returns an object whose `update` changes DNS records.
 * Nothing here assumes HTTP: an adapter gets an HTTP client and a DNS
 * transport and uses whichever its protocol speaks.
 */
import type { z } from 'zod';
import type { Clock } from './clock.js';
import type { Family } from './address.js';
import type { DdnsError } from './errors.js';
import type { HttpClient } from './http.js';
import type { Logger } from './log.js';
import type { DnsClient } from './dns.js';

export type { Clock, Family, HttpClient, Logger };

/** One host and family that the cycle wants pointed at `address`. */
export interface HostUpdate {
  host: string;
  family: Family;
  address: string;
  /**
   * `wan_mode: all`: every address the name should have, one record each
   * (`address` holds them joined by ", "). Only adapters that keep several
   * records of a name get this; `ddnsd check` refuses the mode for others.
   */
  addresses?: string[];
}

/** What happened to one host and family. Failures are values here too. */
export type HostResult =
  /** `foreign`: records of the name left alone because they are not ddnsd's (owned: marked). */
  { host: string; family: Family; address: string; outcome: 'updated' | 'unchanged'; foreign?: number } | { host: string; family: Family; outcome: 'failed'; error: DdnsError };

export type Addresses = Partial<Record<Family, string>>;

export interface UpdateRequest {
  /** The hosts and families that are due, never empty. */
  updates: readonly HostUpdate[];
  /** Every address detected in this cycle for the families this entry updates. */
  addresses: Addresses;
  /**
   * The detected IPv6 prefix in CIDR form (`2a02:8010:1::/64`, the entry's
   * ipv6_prefix_length), for services that keep their hosts' interface ids
   * and take the prefix alone. Absent when IPv6 is not detected.
   */
  ipv6Prefix?: string;
  signal: AbortSignal;
}

/** A configured provider entry, ready to update its hosts. */
export interface Provider {
  /** What a person calls it in the status page and logs, e.g. `duckdns`. */
  readonly label: string;
  /** The entry's hostnames, fully qualified. */
  readonly hosts: readonly string[];
  /**
   * Sends what `request.updates` asks for, batching hosts where the protocol
   * allows. Returns one result per host and family it touched, or throws a
   * DdnsError when the whole request failed (the loop retries transient ones).
   */
  update(request: UpdateRequest): Promise<HostResult[]>;
  /**
   * Deletes the entry's own records of its hosts for `families` (A for ipv4,
   * AAAA for ipv6; `delete_on_stop`, when another instance takes over);
   * returns how many. Adapters that cannot leave it out, and their
   * definition does not claim `removeOnStop`.
   */
  removeRecords?(families: readonly Family[], signal: AbortSignal): Promise<number>;
}

/** What an adapter may use; each transport already carries the entry's `timeout`. */
export interface ProviderDeps {
  http: HttpClient;
  dns: DnsClient;
  clock: Clock;
  log: Logger;
}

/** The keys every provider entry accepts, whatever its type. */
export interface CommonSettings {
  type: string;
  hosts: string[];
  /** The service's URL, for adapters that speak HTTP. */
  endpoint?: string | undefined;
  ipv4?: boolean | undefined;
  ipv6?: boolean | undefined;
  /** Milliseconds one request may take, over any transport. */
  timeout: number;
}

/** Keys of an entry whose values are strings: the only ones that can hold a secret. */
export type SecretKey<Settings> = {
  [K in keyof Settings]-?: NonNullable<Settings[K]> extends string ? K : never;
}[keyof Settings] &
  string;

/**
 * What an adapter does with the records of a name beyond keeping one address
 * per family. `ddnsd check` refuses the keys of what it cannot do, and names
 * the types that can.
 */
export interface RecordAbilities {
  /** `wan_mode: all`: keeps one record per address; `update` gets `addresses`. */
  sets?: true;
  /**
   * `owned: marked`: where ddnsd's marker goes on a record (e.g. "a Cloudflare
   * comment"); the schema then takes `owned` and `comment`.
   */
  marker?: string;
  /** Why `owned: marked` cannot work here, when the API has no field for a marker. */
  noMarker?: string;
  /** `delete_on_stop`: the provider has `removeRecords`. */
  removeOnStop?: true;
}

export interface ProviderDefinition<S extends z.ZodType<CommonSettings> = z.ZodType<CommonSettings>> {
  type: string;
  /** What it can do beyond one address per name; absent: nothing more. */
  records?: RecordAbilities;
  /** Validates one `providers[]` entry; unknown keys must be errors. */
  schema: S;
  /** Keys whose values are secrets: redacted everywhere, sent only over https. */
  secrets: readonly SecretKey<z.infer<S>>[];
  /**
   * Parts of the secret values that may show up on their own, redacted too:
   * the token inside a URL template, which an answer may echo without the rest.
   */
  secretParts?(settings: z.infer<S>): string[];
  create(settings: z.infer<S>, deps: ProviderDeps): Provider;
  /** Advice about a valid entry that still deserves a change (`ddnsd check` prints it, the daemon logs it at start). */
  advice?(settings: z.infer<S>): string[];
}

/** A definition as the registry stores it, whatever its settings type. */
export interface AnyProviderDefinition {
  type: string;
  records?: RecordAbilities;
  schema: z.ZodType<CommonSettings>;
  secrets: readonly string[];
  secretParts?(settings: CommonSettings): string[];
  create(settings: CommonSettings, deps: ProviderDeps): Provider;
  advice?(settings: CommonSettings): string[];
}

/** Keeps each definition's settings type while storing them in one list. */
export function defineProvider<S extends z.ZodType<CommonSettings>>(definition: ProviderDefinition<S>): AnyProviderDefinition {
  return definition as unknown as AnyProviderDefinition;
}
