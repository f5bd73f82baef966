/**
 * The cluster's credentials, made at first start in its 0700 state dir: a CA
 * and a serving certificate it signs (SANs 127.0.0.1, ::1, localhost and the
 * served address), with the `openssl` CLI (called through execa with argument
 * arrays: no shell, no user input in a command string), and a random bearer
 * token. A later start reuses them, so a kubeconfig stays valid. Also writes
 * the kubeconfig (0600). Public (through harness/server/index.ts).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';
import { stringify } from 'yaml';

export interface Credentials {
  caCert: string;
  cert: string;
  key: string;
  token: string;
}

const FILES = { caKey: 'ca.key', caCert: 'ca.crt', key: 'server.key', csr: 'server.csr', cert: 'server.crt', token: 'token', ext: 'server.ext' } as const;

async function openssl(dir: string, args: string[]): Promise<void> {
  const r = await execa('openssl', args, { cwd: dir, reject: false, stdin: 'ignore' });
  if (r.exitCode !== 0) throw new Error(`openssl ${args[0]} failed (exit ${r.exitCode}): ${r.stderr.trim().split('\n').slice(-3).join(' ')}`);
}

/** The credentials in `dir` (a private directory), made when absent; `address` joins the SANs. */
export async function ensureCredentials(dir: string, address = '127.0.0.1'): Promise<Credentials> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const p = (f: string) => join(dir, f);
  if (!existsSync(p(FILES.cert)) || !existsSync(p(FILES.token)) || !existsSync(p(FILES.caCert)) || !existsSync(p(FILES.key))) {
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    await openssl(dir, ['req', '-x509', ...ec, '-keyout', FILES.caKey, '-out', FILES.caCert, '-days', '3650', '-subj', '/CN=vmconform-ca', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    const sans = new Set(['IP:127.0.0.1', 'IP:::1', 'DNS:localhost', isIP(address) ? `IP:${address}` : `DNS:${address}`]);
    await writeFile(p(FILES.ext), `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=${[...sans].join(',')}\n`, { mode: 0o600 });
    await openssl(dir, ['req', ...ec, '-keyout', FILES.key, '-out', FILES.csr, '-subj', '/CN=vmconform-apiserver']);
    await openssl(dir, ['x509', '-req', '-in', FILES.csr, '-CA', FILES.caCert, '-CAkey', FILES.caKey, '-CAcreateserial', '-out', FILES.cert, '-days', '825', '-extfile', FILES.ext]);
    await rm(p(FILES.csr), { force: true });
    await writeFile(p(FILES.token), randomBytes(32).toString('hex'), { mode: 0o600 });
    for (const f of [FILES.caKey, FILES.key]) await chmod(p(f), 0o600);
  }
  const [caCert, cert, key, token] = await Promise.all([FILES.caCert, FILES.cert, FILES.key, FILES.token].map((f) => readFile(p(f), 'utf8')));
  return { caCert: caCert!, cert: cert!, key: key!, token: token!.trim() };
}

/** A kubeconfig for the cluster at `server` (context `vmconform`, namespace default). */
export function kubeconfig(server: string, creds: Credentials): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'vmconform', cluster: { server, 'certificate-authority-data': Buffer.from(creds.caCert).toString('base64') } }],
    users: [{ name: 'vmconform', user: { token: creds.token } }],
    contexts: [{ name: 'vmconform', context: { cluster: 'vmconform', user: 'vmconform', namespace: 'default' } }],
    'current-context': 'vmconform',
    preferences: {},
  });
}

export async function writeKubeconfig(path: string, server: string, creds: Credentials): Promise<void> {
  await writeFile(path, kubeconfig(server, creds), { mode: 0o600 });
  await chmod(path, 0o600);
}
