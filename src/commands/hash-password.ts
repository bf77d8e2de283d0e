/** `ddnsd hash-password`: the password from stdin (one line, or a pipe), its scrypt hash on stdout. */
import type { Command } from './types.js';
import { hashPassword } from '../password.js';

const hashPasswordCommand: Command = async (_line, io) => {
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin ?? []) chunks.push(Buffer.from(chunk));
  const password = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (password.length < 8) {
    io.stderr('ddnsd: give a password of at least 8 characters on stdin, e.g.  printf %s "$PASSWORD" | ddnsd hash-password\n');
    return 2;
  }
  io.stdout(`${await hashPassword(password)}\n`);
  io.stderr('ddnsd: put this line in the config as server.password_hash (with auth: basic and a username).\n');
  return 0;
};

export default hashPasswordCommand;
