/** Where a hostname's zone may be. */

/** A name and its parents, longest first, down to two labels: where its zone may be. */
export function zoneCandidates(host: string): string[] {
  const labels = host.split('.');
  const out: string[] = [];
  for (let i = 0; i <= labels.length - 2; i++) out.push(labels.slice(i).join('.'));
  return out;
}

/** `host` relative to `zone`: `office` for office.example.com in example.com, `@` for the apex. */
export function relativeName(host: string, zone: string): string {
  return host === zone ? '@' : host.slice(0, -(zone.length + 1));
}
