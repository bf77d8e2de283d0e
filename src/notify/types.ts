/** Types the notification modules share, so a sender never imports index.ts back. */
import type { Notification } from './message.js';

/** Sends one notification to one target; throws when it was not delivered. */
export type Sender = (n: Notification, signal: AbortSignal) => Promise<void>;
