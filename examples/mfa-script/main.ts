/**
 * MFA-protected keys from a profile with `mfa_serial`, in one process: a person with an
 * authenticator app gets temporary keys for a role that only trusts MFA, exactly as they would with
 * `aws --profile prod …`. `npm run example:mfa-script`; see README.md beside this file.
 *
 * The parts, each what it would be in a real deployment:
 * - Latchkey: started here over PGlite in memory (or, with LATCHKEY_ENDPOINT, the one you started
 *   with `npm start`, administered with the root keys in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY);
 * - the administrator: creates the user `dev-NNNN` with an access key, and the role
 *   `prod-admin-NNNN` whose trust policy requires aws:MultiFactorAuthPresent;
 * - the person: creates a virtual MFA device, "scans" its QR code (written to a PNG file you can
 *   scan with a real app), enables it with two consecutive codes, and keeps a profile file with
 *   `role_arn`, `source_profile` and `mfa_serial`;
 * - the script: the AWS SDK for JavaScript's `fromIni` reads that profile and asks for the code
 *   (mfaCodeProvider), then calls AssumeRole with SerialNumber and TokenCode itself. The
 *   authenticator app is simulated here (RFC 6238 with node:crypto, as every app computes it; it
 *   hands out the next step's code rather than wait, which the ±1 step window accepts); with
 *   MFA_PROMPT=1 and a terminal, the script asks you for the code instead.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  IAMClient,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromIni } from '@aws-sdk/credential-providers';
import { latchkey } from '../latchkey.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const REGION = 'us-east-1';
const SUFFIX = Math.floor(Math.random() * 10_000).toString().padStart(4, '0');
const USER = `dev-${SUFFIX}`;
const ROLE = `prod-admin-${SUFFIX}`;

function step(who: string, text: string): void {
  console.log(`${who.padEnd(13)} ${text}`);
}

/* The authenticator app ------------------------------------------------------------------------ */

/** What a phone's authenticator computes from the seed it scanned: RFC 6238, SHA-1, 6 digits. */
class Authenticator {
  readonly #key: Buffer;
  #last = -1;

  constructor(base32Seed: string) {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
    let bits = '';
    for (const c of base32Seed) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
    this.#key = Buffer.from((bits.match(/.{8}/g) ?? []).map((b) => parseInt(b, 2)));
  }

  at(step: number): string {
    const counter = Buffer.alloc(8);
    counter.writeBigUInt64BE(BigInt(step));
    const mac = createHmac('sha1', this.#key).update(counter).digest();
    const o = (mac[mac.length - 1] ?? 0) & 0x0f;
    return ((mac.readUInt32BE(o) & 0x7fffffff) % 1_000_000).toString().padStart(6, '0');
  }

  /** Codes up to this step have been used (a code is good once). */
  used(step: number): void {
    this.#last = Math.max(this.#last, step);
  }

  /**
   * A code not used yet: the one on screen now, or, when that one was used, the next step's
   * (Latchkey accepts one step either side), waiting for the step after when both were.
   */
  async code(): Promise<string> {
    let step = Math.floor(Date.now() / 30_000);
    if (step <= this.#last) step = this.#last + 1;
    const wait = (step - 1) * 30_000 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait + 50));
    this.used(step);
    return this.at(step);
  }
}

/* The story ------------------------------------------------------------------------------------ */

async function main(): Promise<void> {
  const admin = await latchkey();
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-mfa-script-'));
  const clients: { destroy(): void }[] = [];
  try {
    step('latchkey', admin.where);
    const iam = new IAMClient({ endpoint: admin.endpoint, region: REGION, credentials: admin.credentials });
    clients.push(iam);
    const account = (await new STSClient({ endpoint: admin.endpoint, region: REGION, credentials: admin.credentials }).send(new GetCallerIdentityCommand({}))).Account ?? '';

    // The administrator: a user who may assume roles, and a role that only trusts MFA.
    await iam.send(new CreateUserCommand({ UserName: USER }));
    await iam.send(new PutUserPolicyCommand({ UserName: USER, PolicyName: 'assume', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] }) }));
    const { AccessKey: key } = await iam.send(new CreateAccessKeyCommand({ UserName: USER }));
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'sts:AssumeRole', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }] };
    await iam.send(new CreateRoleCommand({ RoleName: ROLE, AssumeRolePolicyDocument: JSON.stringify(trust) }));
    await iam.send(new PutRolePolicyCommand({ RoleName: ROLE, PolicyName: 'read', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:List*', Resource: '*' }] }) }));
    step('admin', `user ${USER} (sts:AssumeRole), role ${ROLE} whose trust policy requires aws:MultiFactorAuthPresent`);

    // The person enrols a device (with their own keys it would be the same calls, given the usual
    // "manage your own MFA device" policy; the administrator does it here for brevity).
    const { VirtualMFADevice: device } = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: USER }));
    const serial = device?.SerialNumber ?? '';
    const png = join(dir, 'qr.png');
    writeFileSync(png, device?.QRCodePNG ?? new Uint8Array());
    const phone = new Authenticator(new TextDecoder().decode(device?.Base32StringSeed));
    const now = Math.floor(Date.now() / 30_000);
    await iam.send(new EnableMFADeviceCommand({ UserName: USER, SerialNumber: serial, AuthenticationCode1: phone.at(now - 1), AuthenticationCode2: phone.at(now) }));
    phone.used(now); // enrolment codes are spent
    step('person', `enrolled ${serial} (QR code in ${png}) with two consecutive codes`);

    // Their profile files, as `aws configure` would keep them.
    const config = join(dir, 'config');
    const credentials = join(dir, 'credentials');
    writeFileSync(credentials, `[dev]\naws_access_key_id = ${key?.AccessKeyId ?? ''}\naws_secret_access_key = ${key?.SecretAccessKey ?? ''}\n`);
    writeFileSync(config, `[profile prod]\nrole_arn = arn:aws:iam::${account}:role/${ROLE}\nsource_profile = dev\nmfa_serial = ${serial}\nregion = ${REGION}\n\n[profile prod-no-mfa]\nrole_arn = arn:aws:iam::${account}:role/${ROLE}\nsource_profile = dev\nregion = ${REGION}\n`);
    step('person', `profile prod: role_arn, source_profile = dev, mfa_serial = ${serial}`);

    // The script: the SDK's profile provider asks for the code, then calls AssumeRole with it.
    const mfaCodeProvider = async (forSerial: string): Promise<string> => {
      if (process.env.MFA_PROMPT === '1' && process.stdin.isTTY) {
        const rl = createInterface({ input: process.stdin, output: process.stdout });
        try {
          return (await rl.question(`MFA code for ${forSerial}: `)).trim();
        } finally {
          rl.close();
        }
      }
      const code = await phone.code();
      step('script', `asked for the code of ${forSerial}: the authenticator shows one`);
      return code;
    };
    const profile = (name: string) =>
      fromIni({ profile: name, filepath: credentials, configFilepath: config, mfaCodeProvider, clientConfig: { endpoint: admin.endpoint, region: REGION } });
    const keys = await profile('prod')();
    step('script', `MFA-protected keys: ${keys.accessKeyId}, expiring ${keys.expiration?.toISOString() ?? '?'}`);
    const sts = new STSClient({ endpoint: admin.endpoint, region: REGION, credentials: keys });
    clients.push(sts);
    step('script', `GetCallerIdentity: ${(await sts.send(new GetCallerIdentityCommand({}))).Arn ?? '?'}`);
    // What to paste into a shell (the secret and token shortened here).
    step('script', `export AWS_ACCESS_KEY_ID=${keys.accessKeyId} AWS_SECRET_ACCESS_KEY=${keys.secretAccessKey.slice(0, 4)}… AWS_SESSION_TOKEN=${(keys.sessionToken ?? '').slice(0, 8)}…`);

    // Without MFA the role is not for this person.
    try {
      await profile('prod-no-mfa')();
      throw new Error('the role was assumed without MFA');
    } catch (err) {
      const name = (err as { name?: string }).name;
      if (name !== 'AccessDenied') throw err;
      step('script', `without mfa_serial: ${name}, as the trust policy wants MFA`);
    }
    step('done', 'MFA-protected keys from a profile with mfa_serial');
  } finally {
    for (const c of clients) c.destroy();
    rmSync(dir, { recursive: true, force: true });
    await admin.close();
  }
}

await main();
