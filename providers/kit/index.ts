/**
 * The provider kit: everything an adapter may use, and the only module
 * under providers/ that reaches into src/. An adapter imports from here and
 * from its own folder, nothing else (test/structure.test.ts checks).
 */
export { DdnsError, type FailureKind } from '../../src/base/errors.js';
export { FAMILIES, FAMILY_LABEL } from '../../src/base/address.js';
export { formatDuration, humanDuration } from '../../src/base/duration.js';
export * from '../../src/base/provider.js';
export * from '../../src/base/dyndns2.js';
export { VERSION } from '../../src/base/version.js';
export * from './schema.js';
export * from './address.js';
export * from './results.js';
export * from '../../src/base/zones.js';
export * from './http.js';
export * from './parallel.js';
export * from '../../src/base/dns.js';
export * from './answer.js';
export * from './records.js';
export * from './reconcile.js';
export * from './aws.js';
export * from './tsig.js';
export * from '../../src/base/deadline.js';
