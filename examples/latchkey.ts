/**
 * The Latchkey each example talks to: the one at LATCHKEY_ENDPOINT (with root's keys in
 * AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, as data/root-credentials.json has them), or one
 * started in the example's own process over PGlite in memory, with a fresh account.
 */
import { createAccount } from '../src/accounts/accounts.js';
import { createLogger } from '../src/log.js';
import { createService, listen, type ServiceOptions } from '../src/service.js';
import { openStore } from '../src/store/db.js';
import { generateKey, Keyring } from '../src/tokens/keyring.js';

export interface Admin {
  readonly endpoint: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Where it runs, for the example's first line. */
  readonly where: string;
  close(): Promise<void>;
}

/**
 * `settings`: what the in-process Latchkey is started with beyond the defaults (the example says
 * which environment variable does the same for `npm start`), and `describe` how to name them.
 */
export async function latchkey(settings: Pick<ServiceOptions, 'oidc' | 'saml'> = {}, describe = ''): Promise<Admin> {
  const endpoint = process.env.LATCHKEY_ENDPOINT;
  if (endpoint) {
    const accessKeyId = process.env.AWS_ACCESS_KEY_ID;
    const secretAccessKey = process.env.AWS_SECRET_ACCESS_KEY;
    if (!accessKeyId || !secretAccessKey) throw new Error('LATCHKEY_ENDPOINT needs the root keys in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (data/root-credentials.json)');
    return { endpoint: endpoint.replace(/\/$/, ''), credentials: { accessKeyId, secretAccessKey }, where: `the Latchkey at ${endpoint}`, close: async () => {} };
  }
  const store = await openStore({});
  await store.migrate();
  const keyring = new Keyring([generateKey(new Date())]);
  // Warnings and errors only: the access log would drown the story.
  const logger = createLogger('warn', (line) => void process.stderr.write(`${line}\n`));
  const service = createService({ store, keyring, logger, ...settings });
  const server = await listen(service, 0, '127.0.0.1');
  const root = await createAccount(store, keyring, new Date());
  return {
    endpoint: server.url,
    credentials: { accessKeyId: root.accessKeyId, secretAccessKey: root.secretAccessKey },
    where: `Latchkey in this process at ${server.url} (PGlite in memory, account ${root.accountId}${describe})`,
    async close() {
      await server.close();
      service.dispose();
      await store.close();
    },
  };
}
