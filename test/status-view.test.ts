/** The status learns detection results from the cycle's events, as the metrics do, before any provider is called. */
import { describe, expect, it } from 'vitest';
import { createEvents } from '../src/cycle/events.js';
import { watchDetection } from '../src/status.js';

describe('the status view of detection', () => {
  it('keeps each family’s latest result: an error until detection works again, and what each source answered', () => {
    const events = createEvents();
    const view = watchDetection(events);
    expect(view).toEqual({ errors: {}, answers: {} });
    const failed = [{ source: 'ipify', error: 'timed out after 5s' }];
    events.emit({ type: 'detection-failed', family: 'ipv4', error: 'no source answered', answers: failed, at: 1 });
    expect(view.errors).toEqual({ ipv4: 'no source answered' });
    expect(view.answers.ipv4).toEqual(failed);
    const worked = [{ source: 'ipify', address: '198.51.100.7' }];
    events.emit({ type: 'detected', family: 'ipv4', address: '198.51.100.7', sources: ['ipify'], answers: worked, at: 2 });
    events.emit({ type: 'detected', family: 'ipv6', address: '2001:db8::7', sources: ['ipify'], at: 2 });
    expect(view.errors).toEqual({ ipv4: null, ipv6: null });
    expect(view.answers).toEqual({ ipv4: worked });
  });
});
