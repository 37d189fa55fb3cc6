/**
 * An MFA code is accepted at most once across nodes that share only the database: two nodes, each
 * with its own connection pool, receive the same fresh code at the same moment, again and again;
 * exactly one of each pair issues credentials (the conditional UPDATE of last_time_step), the other
 * gets AWS's invalid-code answer. PostgreSQL only (PGlite is one process).
 */
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { describe, expect, test } from 'vitest';
import type { NewAccount } from '../../src/accounts/accounts.js';
import { MFA_INVALID_CODE } from '../../src/sts/mfa.js';
import { generateKey, Keyring } from '../../src/tokens/keyring.js';
import { backend } from '../helpers/store.js';
import { enrolledDevice } from '../helpers/mfa.js';
import { pgOnly, useTwoNodes, type Node } from './nodes.js';

let a: Node;
let b: Node;
let account: NewAccount;
const keyring = new Keyring([generateKey(new Date())]);
const clients: { destroy(): void }[] = [];

useTwoNodes(keyring, clients, (nodes) => {
  ({ a, b, account } = nodes);
});

function client<C extends IAMClient | STSClient>(make: new (config: object) => C, n: Node, credentials: { accessKeyId: string; secretAccessKey: string }): C {
  const c = new make({ endpoint: n.server.url, region: 'us-east-1', credentials, maxAttempts: 1 });
  clients.push(c);
  return c;
}

describe(`MFA codes across nodes (${backend})`, () => {
  test.skipIf(backend === 'pglite')(pgOnly('the same code sent to two nodes at once is accepted by exactly one, every time'), async () => {
    const root = { accessKeyId: account.accessKeyId, secretAccessKey: account.secretAccessKey };
    const iam = client(IAMClient, a, root);
    await iam.send(new CreateUserCommand({ UserName: 'racer' }));
    const { AccessKey: k } = await iam.send(new CreateAccessKeyCommand({ UserName: 'racer' }));
    const creds = { accessKeyId: k?.AccessKeyId ?? '', secretAccessKey: k?.SecretAccessKey ?? '' };
    const [onA, onB] = [client(STSClient, a, creds), client(STSClient, b, creds)];
    // The nodes run on the real clock: each round uses a fresh device, whose first code is the next step's.
    for (let round = 0; round < 5; round++) {
      const device = await enrolledDevice({ clockOffset: 0 }, iam, 'racer', `racer-${round}`);
      const code = device.code();
      const send = (sts: STSClient) => sts.send(new GetSessionTokenCommand({ SerialNumber: device.serial, TokenCode: code }));
      const results = await Promise.allSettled([send(onA), send(onB)]);
      expect(results.filter((r) => r.status === 'fulfilled'), `round ${round}`).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ name: 'AccessDenied', message: MFA_INVALID_CODE });
    }
  });
});
