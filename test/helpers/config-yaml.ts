/** Pieces of config.yaml that several tests write alike, so that a change to ddnsd's config is made once here. */

/** The `detect:` section: IPv4 from these sources (each asked at its URL with a trailing slash), `agree` of them when given, a 2 s timeout. */
export function detectYaml(sources: readonly string[], agree?: number): string {
  const list = sources.map((url) => `${url}/`).join(', ');
  return `detect:\n  ipv4: [${list}]\n${agree === undefined ? '' : `  agree: ${agree}\n`}  timeout: 2s\n`;
}

/**
 * The head of a daemon's config.yaml with its status server: an hourly cycle,
 * the state beside the file, IPv4 from these sources, and the server on a
 * free loopback port. The caller goes on with the server's other settings
 * (indented two spaces) and `providers:`.
 */
export function statusDaemonYaml(sources: readonly string[]): string {
  return `interval: 1h\nstate: ./state.json\n${detectYaml(sources)}server:\n  listen: 127.0.0.1:0\n`;
}
