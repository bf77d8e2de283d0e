'use strict';
/**
 * The part of undici ddnsd uses, Agent and request(), for the bundle only
 * (build.mjs puts this module where src/ imports `undici`). undici's own
 * index loads every dispatcher, the mock agents, fetch, WebSocket and the
 * caches: about a third of a second's start-up and 10 MiB that `ddnsd once`
 * never uses. The tsc build and the tests use undici as published.
 */
const Agent = require('undici/lib/dispatcher/agent');
const Dispatcher = require('undici/lib/dispatcher/dispatcher');
const apiRequest = require('undici/lib/api/api-request');
const util = require('undici/lib/core/util');

let fallback;

/** undici's request(url, options), for callers that always give a method (src/base/http.ts does). */
function request(url, options = {}) {
  const { dispatcher = (fallback ??= new Agent()), ...rest } = options;
  const parsed = util.parseURL(url);
  return apiRequest.call(dispatcher, {
    ...rest,
    origin: parsed.origin,
    path: parsed.search ? `${parsed.pathname}${parsed.search}` : parsed.pathname,
    method: rest.method || (rest.body ? 'PUT' : 'GET'),
  });
}

module.exports = { Agent, Dispatcher, request };
