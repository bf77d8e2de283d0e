/**
 * dyndns2 adapters: `dyndns2` for any service that speaks the protocol (the
 * endpoint is required) and `noip`, the same protocol preset for No-IP.
 * Both are a few lines of data over ./protocol.ts.
 */
import { z } from 'zod';
import { endpointProblem, entrySchema, secret } from '../schema.js';
import { defineProvider } from '../types.js';
import { updateHosts } from './protocol.js';

const credentials = {
  username: secret('the username'),
  password: secret('the password'),
};

/** The generic type has no default server; `…/nic/update` is accepted and trimmed. */
const serverUrl = z
  .string({
    error: (issue) =>
      issue.input === undefined ? 'missing: the URL of the dyndns2 server, e.g. https://members.example-dns.net' : 'expected a URL',
  })
  .superRefine((value, ctx) => {
    const problem = endpointProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .transform((url) => url.replace(/\/+$/, '').replace(/\/nic\/update$/, ''));

export const dyndns2Schema = entrySchema('dyndns2', { ...credentials, endpoint: serverUrl });

export const noipSchema = entrySchema('noip', credentials, { endpoint: 'https://dynupdate.no-ip.com' });

export const dyndns2 = defineProvider({
  type: 'dyndns2',
  schema: dyndns2Schema,
  secrets: ['password'],
  create(settings: z.infer<typeof dyndns2Schema>, deps) {
    const target = { service: 'the dyndns2 server', ...settings };
    return { label: 'dyndns2', hosts: settings.hosts, update: (request) => updateHosts(target, deps, request) };
  },
});

export const noip = defineProvider({
  type: 'noip',
  schema: noipSchema,
  secrets: ['password'],
  create(settings: z.infer<typeof noipSchema>, deps) {
    const target = { service: 'No-IP', ...settings };
    return { label: 'noip', hosts: settings.hosts, update: (request) => updateHosts(target, deps, request) };
  },
});
