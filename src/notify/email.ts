/**
 * The email target: SMTP through nodemailer, with STARTTLS (port 587, the
 * default), TLS from the start (port 465) or none (a relay on the LAN).
 */
import { readFileSync } from 'node:fs';
import type { Transporter } from 'nodemailer';
import type { TargetConfig } from './config.js';
import type { Sender } from './types.js';

type EmailConfig = Extract<TargetConfig, { type: 'email' }>;

const DEFAULT_PORT = { starttls: 587, tls: 465, none: 25 } as const;

function readCa(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`notify: the email target's ca_file ${file} cannot be read (${(error as Error).message}); give the path of a PEM certificate file`, { cause: error });
  }
}

export function emailSender(config: EmailConfig): Sender {
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
    await (await transport).sendMail({
      from: config.from,
      to: config.to,
      subject: `[ddnsd] ${n.title}`,
      text: `${n.message}\n\n${new Date(n.at).toISOString()} · ${n.severity}`,
    });
  };
}
