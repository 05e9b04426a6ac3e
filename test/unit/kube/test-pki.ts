// Certificates made with openssl for one test run: a CA, a server certificate for 127.0.0.1, one for
// the name kube.internal only, a client certificate (CN modelship-test) and a second client
// certificate, plus an unrelated CA and a server certificate for 127.0.0.1 that it signed (a rotated CA). EC P-256 keys: a few milliseconds each.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface KeyPair {
  readonly cert: string;
  readonly key: string;
  readonly certFile: string;
  readonly keyFile: string;
}

export interface TestPki {
  readonly dir: string;
  readonly ca: KeyPair;
  readonly otherCa: KeyPair;
  readonly server: KeyPair;
  readonly namedServer: KeyPair;
  readonly client: KeyPair;
  readonly otherClient: KeyPair;
  /** For 127.0.0.1, signed by otherCa. */
  readonly otherCaServer: KeyPair;
  remove(): void;
}

const KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'modelship-pki-'));
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const read = (name: string): KeyPair => ({
    cert: readFileSync(join(dir, `${name}.crt`), 'utf8'),
    key: readFileSync(join(dir, `${name}.key`), 'utf8'),
    certFile: join(dir, `${name}.crt`),
    keyFile: join(dir, `${name}.key`),
  });
  const ca = (name: string): KeyPair => {
    openssl('req', '-x509', ...KEY, '-keyout', `${name}.key`, '-out', `${name}.crt`, '-subj', `/CN=${name}`, '-days', '2',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
    return read(name);
  };
  const leaf = (name: string, cn: string, extensions: string, signer = 'ca'): KeyPair => {
    openssl('req', ...KEY, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    writeFileSync(join(dir, `${name}.ext`), extensions);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${signer}.crt`, '-CAkey', `${signer}.key`, '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`);
    return read(name);
  };
  const serverExt = (san: string) => `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=${san}\n`;
  const clientExt = 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n';
  return {
    dir,
    ca: ca('ca'),
    otherCa: ca('other-ca'),
    server: leaf('server', 'apiserver', serverExt('IP:127.0.0.1')),
    namedServer: leaf('named-server', 'apiserver', serverExt('DNS:kube.internal')),
    client: leaf('client', 'modelship-test', clientExt),
    otherClient: leaf('other-client', 'modelship-rotated', clientExt),
    otherCaServer: leaf('other-ca-server', 'apiserver', serverExt('IP:127.0.0.1'), 'other-ca'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
