'use strict';
/**
 * node:assert as undici uses it, for the bundle only (build.mjs puts this
 * module where undici's files require `node:assert`): undici calls
 * `assert(value)` and nothing else of it, to check its own state, and Node's
 * assert module loads its diffing and call-tracking code with it, about
 * 1.5 MiB and 2 ms of every start. The failure is the same AssertionError
 * code and name; test/bundle-lazy.test.ts checks undici still calls nothing else.
 */
module.exports = function assert(value, message) {
  if (value) return;
  if (message instanceof Error) throw message;
  const error = new Error(message ?? 'The expression evaluated to a falsy value');
  error.name = 'AssertionError';
  error.code = 'ERR_ASSERTION';
  throw error;
};
