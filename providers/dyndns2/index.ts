/**
 * dyndns2 adapters: `dyndns2` for any service that speaks the protocol (the
 * endpoint is required) and `noip`, the same protocol preset for No-IP.
 * Both are a few lines of data over ./protocol.ts.
 */
import { z } from 'zod';
import { entrySchema, secret } from '../schema.js';
import { defineProvider } from '../types.js';
import { updateHosts } from './protocol.js';

const credentials = {
  username: secret('the username'),
  password: secret('the password'),
};

export const dyndns2Schema = entrySchema('dyndns2', credentials);

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
