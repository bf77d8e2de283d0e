/**
 * The email target: SMTP through nodemailer, with STARTTLS (port 587, the
 * default), TLS from the start (port 465) or none (a relay on the LAN).
 */
import { readFileSync } from 'node:fs';
import type { Transporter } from 'nodemailer';
import { z } from 'zod';
import { expected } from '../base/schema.js';
import { common } from './common.js';
import type { MessageKind, Sender } from './types.js';

const schema = z.strictObject({
  type: z.literal('email'),
  host: z.string({ error: expected('the SMTP server name') }).min(1),
  port: z
    .int({ error: expected('a port number') })
    .min(1)
    .max(65535)
    .optional(),
  /** starttls (port 587, the default), tls (port 465), or none (a relay on the LAN). */
  security: z.enum(['starttls', 'tls', 'none'], { error: 'expected starttls, tls or none' }).default('starttls'),
  username: z.string({ error: expected('the SMTP user name') }).optional(),
  password: z.string({ error: expected('the SMTP password') }).optional(),
  from: z.string({ error: expected('the sender address') }).min(3),
  to: z.union([z.string().min(3), z.array(z.string().min(3)).min(1)], { error: expected('an address or a list of addresses') }),
  /** A PEM file of the CA that signed the server's certificate, for an office mail server with its own certificate. */
  ca_file: z.string({ error: expected('a file path') }).optional(),
  ...common,
});

export type EmailConfig = z.output<typeof schema>;

const DEFAULT_PORT = { starttls: 587, tls: 465, none: 25 } as const;

function readCa(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`notify: the email target's ca_file ${file} cannot be read (${(error as Error).message}); give the path of a PEM certificate file`, { cause: error });
  }
}

function emailSender(config: EmailConfig): Sender {
  // Read now, so a wrong path is told at start; nodemailer itself loads at the first message.
  const ca = config.ca_file ? readCa(config.ca_file) : undefined;
  let transport: Promise<Transporter> | undefined;
  const open = async (): Promise<Transporter> => {
    const { default: nodemailer } = await import('nodemailer');
    return nodemailer.createTransport({
      host: config.host,
      port: config.port ?? DEFAULT_PORT[config.security],
      secure: config.security === 'tls',
      requireTLS: config.security === 'starttls',
      ignoreTLS: config.security === 'none',
      ...(config.username ? { auth: { user: config.username, pass: config.password ?? '' } } : {}),
      ...(ca ? { tls: { ca } } : {}),
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    });
  };
  return async (n, signal) => {
    if (signal.aborted) throw signal.reason;
    transport ??= open();
    await (
      await transport
    ).sendMail({
      from: config.from,
      to: config.to,
      subject: `[ddnsd] ${n.title}`,
      text: `${n.message}\n\n${new Date(n.at).toISOString()} · ${n.severity}`,
    });
  };
}

export const emailTarget: MessageKind<EmailConfig> = {
  kind: 'message',
  type: 'email',
  schema,
  secrets: (c) => (c.password ? [c.password] : []),
  describe: (c) => `email via ${c.host}`,
  create: (config) => emailSender(config),
};
