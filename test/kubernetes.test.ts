import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadConfig } from './helpers/config.js';
import { PROVIDERS } from './helpers/providers.js';
import { tempDir } from './helpers/cli.js';

const DIR = resolve(import.meta.dirname, '../deploy/kubernetes');

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  [key: string]: unknown;
}

// Every manifest file, parsed strictly: a YAML error fails the test.
const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml'));
const manifests: Manifest[] = files.flatMap((file) =>
  parseAllDocuments(readFileSync(join(DIR, file), 'utf8')).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]?.message}`);
    return doc.toJS() as Manifest;
  }),
);
const byKind = (kind: string): Manifest => {
  const found = manifests.filter((m) => m.kind === kind);
  expect(found, `exactly one ${kind}`).toHaveLength(1);
  return found[0] as Manifest;
};

describe('deploy/kubernetes', () => {
  it('has every manifest, each with apiVersion, kind and a name, and the kustomization lists them all', () => {
    expect(manifests.map((m) => m.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'Kustomization', 'PersistentVolumeClaim', 'Secret', 'Service']);
    for (const m of manifests) expect(m.apiVersion).toBeTruthy();
    for (const m of manifests.filter((x) => x.kind !== 'Kustomization')) expect(m.metadata.name).toMatch(/^ddnsd/);
    const listed = (byKind('Kustomization') as any).resources as string[];
    expect([...listed].sort()).toEqual(files.filter((f) => f !== 'kustomization.yaml').sort());
  });

  it('runs one updater, replaced rather than rolled, non-root with a read-only root filesystem', () => {
    const d = byKind('Deployment') as any;
    expect(d.spec.replicas).toBe(1);
    expect(d.spec.strategy).toEqual({ type: 'Recreate' });
    const pod = d.spec.template.spec;
    expect(d.spec.selector.matchLabels).toEqual(d.spec.template.metadata.labels);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.containers).toHaveLength(1);
    const c = pod.containers[0];
    expect(c.securityContext).toEqual({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, privileged: false, capabilities: { drop: ['ALL'] } });
    expect(c.ports).toEqual([{ name: 'http', containerPort: 8080 }]);
    for (const probe of [c.readinessProbe, c.livenessProbe]) expect(probe.httpGet).toEqual({ path: '/healthz', port: 'http' });
  });

  it('mounts the ConfigMap at /config, the Secret read-only, and the claim at /data', () => {
    const pod = (byKind('Deployment') as any).spec.template.spec;
    const mounts = Object.fromEntries(pod.containers[0].volumeMounts.map((m: any) => [m.mountPath, m]));
    const volumes = Object.fromEntries(pod.volumes.map((v: any) => [v.name, v]));
    expect(volumes[mounts['/config'].name].configMap.name).toBe(byKind('ConfigMap').metadata.name);
    expect(mounts['/config'].readOnly).toBe(true);
    expect(volumes[mounts['/data'].name].persistentVolumeClaim.claimName).toBe(byKind('PersistentVolumeClaim').metadata.name);
    const tokens = volumes[mounts['/run/secrets/ddnsd'].name].secret;
    expect(tokens.secretName).toBe(byKind('Secret').metadata.name);
    expect(tokens.defaultMode).toBe(0o440);
    expect(mounts['/run/secrets/ddnsd'].readOnly).toBe(true);
  });

  it('exposes the status port through the Service', () => {
    const s = byKind('Service') as any;
    expect(s.spec.selector).toEqual((byKind('Deployment') as any).spec.template.metadata.labels);
    expect(s.spec.ports).toEqual([{ name: 'http', port: 8080, targetPort: 'http' }]);
  });

  it('ships a config.yaml that ddnsd accepts on 0.0.0.0, reading the provider and page tokens from the Secret', () => {
    const config = (byKind('ConfigMap') as any).data['config.yaml'] as string;
    const secret = byKind('Secret') as any;
    const dir = tempDir();
    let local = config;
    for (const [key, value] of Object.entries(secret.stringData as Record<string, string>)) {
      expect(config).toContain(`_file: /run/secrets/ddnsd/${key}`);
      writeFileSync(join(dir, key), value);
      local = local.replace(`/run/secrets/ddnsd/${key}`, join(dir, key));
    }
    writeFileSync(join(dir, 'config.yaml'), local);
    const loaded = loadConfig({ providers: PROVIDERS, env: { DDNSD_LISTEN: '0.0.0.0:8080', DDNSD_STATE: '/data/state.json' }, cwd: dir });
    expect(loaded.providers).toHaveLength(1);
    expect(loaded.server.auth).toBe('token');
    expect(loaded.server.token).toBe(secret.stringData['page-token']);
    for (const value of Object.values(secret.stringData as Record<string, string>)) expect(loaded.secrets).toContain(value);
  });
});
