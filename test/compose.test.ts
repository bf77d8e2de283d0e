import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';

const ROOT = resolve(import.meta.dirname, '..');

describe('compose.yaml', () => {
  const doc = parseDocument(readFileSync(resolve(ROOT, 'compose.yaml'), 'utf8'));
  const compose = doc.toJS() as {
    services: Record<string, Record<string, unknown>>;
    volumes: Record<string, unknown>;
    secrets: Record<string, { file: string }>;
  };
  const svc = compose.services.ddnsd ?? {};

  it('parses, and runs ddnsd hardened: read-only, no capabilities, no new privileges, restarted', () => {
    expect(doc.errors).toEqual([]);
    expect(svc.read_only).toBe(true);
    expect(svc.cap_drop).toEqual(['ALL']);
    expect(svc.security_opt).toEqual(['no-new-privileges:true']);
    expect(svc.restart).toBe('unless-stopped');
    expect(svc.user).toBe('1000:1000');
  });

  it('keeps state in a named volume, mounts the config read-only, and publishes the status port', () => {
    expect(svc.volumes).toEqual(['./config:/config:ro', 'ddnsd-data:/data']);
    expect(Object.keys(compose.volumes)).toEqual(['ddnsd-data']);
    expect(svc.ports).toEqual(['127.0.0.1:8080:8080']);
  });

  it('hands the provider token and the page token over as secrets read through token_file', () => {
    expect(svc.secrets).toEqual(['duckdns_token', 'ddnsd_token']);
    expect(compose.secrets.duckdns_token?.file).toBe('./secrets/duckdns_token');
    expect(compose.secrets.ddnsd_token?.file).toBe('./secrets/ddnsd_token');
    const text = readFileSync(resolve(ROOT, 'compose.yaml'), 'utf8');
    expect(text).toContain('token_file: /run/secrets/duckdns_token');
    expect(text).toContain('token_file: /run/secrets/ddnsd_token');
    expect(readFileSync(resolve(ROOT, 'README.md'), 'utf8')).toContain('token_file: /run/secrets/duckdns_token');
  });

  it('matches what the Dockerfile sets up: /data volume, port 8080, the config path', () => {
    const dockerfile = readFileSync(resolve(ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).toContain('VOLUME /data');
    expect(dockerfile).toContain('EXPOSE 8080');
    expect(dockerfile).toMatch(/DDNSD_CONFIG=\/config\/config\.yaml/);
    // The final stage has no RUN step, so any Node.js base image builds it.
    const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(finalStage).not.toMatch(/^RUN /m);
    expect(finalStage).toMatch(/^USER 1000:1000$/m);
    const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(finalStage).toContain(`ARG VERSION=${pkg.version}\n`);
  });
});
