/**
 * What a server's answer to an UPDATE means: success only with NOERROR and
 * a response signature that verifies with the key; otherwise a DdnsError
 * whose message says what to fix, in named.conf, in the key or on this machine.
 */
import { DdnsError, TSIG_ERROR, type TsigCheck, type TsigKey } from '../kit/index.js';

export interface AnswerContext {
  /** The server as configured, for messages. */
  server: string;
  zone: string;
  key: TsigKey;
  /** Milliseconds since the epoch, for the clock difference of BADTIME. */
  now: number;
}

function grantHint(c: AnswerContext): string {
  return `allow-update / update-policy in named.conf must grant key ${c.key.name} the zone ${c.zone}`;
}

function clockMessage(c: AnswerContext, serverSeconds: number | undefined): string {
  const drift = serverSeconds === undefined ? '' : ` (by ${Math.abs(Math.round(c.now / 1000) - serverSeconds)} s)`;
  return `${c.server} rejected the update's time (BADTIME): this machine's clock and the server's differ by more than 5 minutes${drift}; set both clocks right (NTP)`;
}

/** The failure a TSIG error code in the answer stands for. */
function tsigFailure(error: number, otherData: Buffer, c: AnswerContext): DdnsError {
  const key = `key ${c.key.name} (${c.key.algorithm})`;
  switch (error) {
    case TSIG_ERROR.BADKEY:
      return new DdnsError(
        'auth',
        `${c.server} answered BADKEY: the server does not know key ${c.key.name} with ${c.key.algorithm}: check the key clause in named.conf (its name and algorithm) against key_name and key_algorithm`,
      );
    case TSIG_ERROR.BADSIG:
      return new DdnsError('auth', `${c.server} answered BADSIG: the signature with ${key} does not verify: key_secret differs from the secret of that key in named.conf`);
    case TSIG_ERROR.BADTIME:
      // A clock is put right without touching the config: tried again after a growing pause, not paused until the config changes.
      return new DdnsError('bad-response', clockMessage(c, otherData.length === 6 ? otherData.readUIntBE(0, 6) : undefined));
    default:
      return new DdnsError('bad-response', `${c.server} answered with TSIG error ${error} for ${key}`);
  }
}

/** The failure an RCODE other than NOERROR stands for. */
function rcodeFailure(rcode: string, c: AnswerContext): DdnsError {
  const where = `${c.server} answered ${rcode} to the update of zone ${c.zone}`;
  switch (rcode) {
    case 'REFUSED':
      return new DdnsError('auth', `${where}: ${grantHint(c)} (and updates go to the primary server, not a secondary)`);
    case 'NOTAUTH':
      return new DdnsError('auth', `${where}: the server is not authoritative for ${c.zone} or does not let this key update it; ${grantHint(c)}`);
    case 'NOTZONE':
      return new DdnsError('fatal', `${where}: a host is not in zone ${c.zone} as the server has it; check zone and hosts`);
    case 'NOTIMP':
      return new DdnsError('fatal', `${where}: the server does not accept DNS UPDATE; point server at the zone's primary`);
    case 'FORMERR':
      return new DdnsError('fatal', `${where}: the server could not read the update`);
    case 'SERVFAIL':
      return new DdnsError('transient', `${where}: the server could not apply it now (its log says why); ddnsd tries again`);
    default:
      return new DdnsError('bad-response', `${where}, which an update without prerequisites never gets`);
  }
}

/** Undefined when the update was applied and the answer is signed by the key; else the failure. */
export function judgeAnswer(rcode: string, check: TsigCheck, c: AnswerContext): DdnsError | undefined {
  if (check.verdict !== 'unsigned' && check.tsig.error !== 0) return tsigFailure(check.tsig.error, check.tsig.otherData, c);
  if (rcode !== 'NOERROR') return rcodeFailure(rcode, c);
  return judgeSignature(check, c);
}

/**
 * Undefined when an answer carries no TSIG error and its signature verifies
 * with the key; else the failure. For the signed queries that read the
 * current records: a wrong key shows before any update is due, and a forged
 * "already there" cannot hold an update back.
 */
export function judgeSignature(check: TsigCheck, c: AnswerContext): DdnsError | undefined {
  if (check.verdict !== 'unsigned' && check.tsig.error !== 0) return tsigFailure(check.tsig.error, check.tsig.otherData, c);
  switch (check.verdict) {
    case 'ok':
      return undefined;
    case 'unsigned':
      return new DdnsError('bad-response', `${c.server} answered without a TSIG signature, so the answer cannot be trusted; the update may or may not have been applied`);
    case 'bad-time':
      return new DdnsError('bad-response', clockMessage(c, check.tsig.timeSigned));
    default:
      return new DdnsError(
        'bad-response',
        `the signature on ${c.server}'s answer does not verify with key ${c.key.name}, so the answer cannot be trusted; the update may or may not have been applied`,
      );
  }
}
