/**
 * AssumeRoleWithSAML through @aws-sdk/client-sts (the SDK sends it unsigned) against a real SAML
 * identity provider nobody here wrote (auth0's samlp on loopback, test/helpers/saml-idp.ts): the
 * provider made from the IdP's own metadata, a person signing in and the credentials working,
 * certificate rotation, replay (also through a second node), and every attack form of issue 14
 * (test/helpers/saml-attacks.ts), each a named test refused with AWS's error code and shown to
 * have changed nothing: no session issued, and the genuine response it was made from still
 * accepted afterwards (so the refusal was for the attack, and it burned nothing).
 */
import { CreateRoleCommand, CreateSAMLProviderCommand, type IAMClient, ListRolesCommand, UpdateSAMLProviderCommand } from '@aws-sdk/client-iam';
import { AssumeRoleWithSAMLCommand, type AssumeRoleWithSAMLCommandOutput, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { queryAuditEvents } from '../../src/store/audit.js';
import {
  b64,
  billionLaughs,
  commentInDigest,
  commentInNameId,
  externalEntity,
  hiddenInExtensions,
  multipleSignedInfo,
  oversized,
  resigned,
  secondAssertion,
  unb64,
  unsignedBeside,
  withDoctype,
  XSW,
  type Forgery,
} from '../helpers/saml-attacks.js';
import { AWS_RECIPIENT, startSamlIdp, type RelyingParty, type SamlIdp, type SamlUser } from '../helpers/saml-idp.js';
import { refusal } from '../helpers/outcome.js';
import { credentialsOf, type TestService, useService } from '../helpers/service.js';

let svc: TestService;
let iam: IAMClient;
let acct: string;
useService((s) => ({ svc, iam, acct } = s));

let idp: SamlIdp;
let provider: string;
let reader: string;
let admin: string;
let subAdmin: string;
let alice: SamlUser;

async function createProvider(name: string, metadata: string, admin: IAMClient = iam): Promise<string> {
  const { SAMLProviderArn } = await admin.send(new CreateSAMLProviderCommand({ Name: name, SAMLMetadataDocument: metadata }));
  if (!SAMLProviderArn) throw new Error('no provider ARN');
  return SAMLProviderArn;
}

/** A role that `federated` may assume with SAML, as the console wizard writes it (SAML:aud is the Recipient). */
async function samlRole(name: string, federated: string, options: { condition?: Record<string, Record<string, string>>; actions?: string[]; client?: IAMClient } = {}): Promise<string> {
  const trust = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: federated },
        Action: options.actions ?? ['sts:AssumeRoleWithSAML'],
        Condition: { StringEquals: { 'SAML:aud': AWS_RECIPIENT }, ...options.condition },
      },
    ],
  };
  const client = options.client ?? iam;
  const { Role } = await client.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: JSON.stringify(trust) }));
  if (!Role?.Arn) throw new Error('no role');
  return Role.Arn;
}

beforeAll(async () => {
  idp = await startSamlIdp();
  provider = await createProvider('Corp', await idp.metadata());
  reader = await samlRole('SamlReader', provider);
  admin = await samlRole('SamlAdmin', provider);
  subAdmin = await samlRole('SamlOnlyAdmin', provider, { condition: { StringEquals: { 'SAML:aud': AWS_RECIPIENT, 'SAML:sub': 'admin' } } });
  alice = { name: 'alice', roles: [`${reader},${provider}`] };
});
afterAll(async () => {
  await idp?.close();
});

/** An unsigned client: the SDK signs nothing for AssumeRoleWithSAML. */
function anonymous(): STSClient {
  return new STSClient({ endpoint: svc.url, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'UNUSED', secretAccessKey: 'UNUSED' } });
}

function assume(roleArn: string, samlResponse: string, principalArn = provider, client = anonymous(), more: { DurationSeconds?: number } = {}): Promise<AssumeRoleWithSAMLCommandOutput> {
  return client.send(new AssumeRoleWithSAMLCommand({ RoleArn: roleArn, PrincipalArn: principalArn, SAMLAssertion: samlResponse, ...more }));
}

/** Sessions AssumeRoleWithSAML issued in `account` so far (the issuance events of its trail). */
async function issued(account = acct): Promise<number> {
  const events = await queryAuditEvents(svc.store.db, { accountId: account, action: 'sts:AssumeRoleWithSAML', limit: 10_000 });
  return events.filter((e) => e.decision === 'allow').length;
}

/** The call is refused with `code` (and `status`), and no session was issued. */
async function refusedWith(call: () => Promise<unknown>, code: string, status: number, account = acct): Promise<string> {
  const before = await issued(account);
  const answer = await refusal(call());
  expect({ code: answer.code, status: answer.status }, answer.message).toEqual({ code, status });
  expect(await issued(account)).toBe(before);
  return answer.message;
}

/**
 * An attack made from a genuine response of `user`: refused with `code`, nothing issued, and
 * the genuine response still accepted afterwards for the role it names.
 */
async function attack(genuineXml: string, attackXml: string, expected: string, options: { code?: string; status?: number; roleArn?: string; genuineRole?: string } = {}): Promise<string> {
  const message = await refusedWith(() => assume(options.roleArn ?? admin, b64(attackXml)), options.code ?? 'InvalidIdentityToken', options.status ?? 400);
  expect(message).toBe(expected);
  const out = await assume(options.genuineRole ?? reader, b64(genuineXml));
  expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA/);
  return message;
}

/** The handler's answers (AWS's texts where known: federation-facts §1.6; the rest are this service's). */
const NOT_AUTHORIZED = 'Not authorized to perform sts:AssumeRoleWithSAML';
const BAD_SIGNATURE = 'Response signature invalid';
const ONE_ASSERTION = 'Invalid SAML response: it must contain exactly one assertion, not 2.';
/** The schema check runs first: the forms that put an element where SAML 2.0 does not allow one stop there. */
const NOT_SAML = 'Invalid SAML response: the document does not follow the SAML 2.0 schema.';
/** Which defence answers each XSW form first (the unit tests show the one-assertion check refuses every form on its own too). */
const XSW_ANSWER: Readonly<Record<string, string>> = { xsw1: NOT_SAML, xsw2: NOT_SAML, xsw3: ONE_ASSERTION, xsw4: NOT_SAML, xsw5: ONE_ASSERTION, xsw6: NOT_SAML, xsw7: NOT_SAML, xsw8: ONE_ASSERTION };
const NO_COMMENTS = 'Invalid SAML response: comments are not accepted.';
const NO_DTD = 'Invalid SAML response: a DTD is not accepted.';
const USED = 'Invalid SAML response: this assertion has already been used.';

/** What the attacker wants: admin, with the admin role. */
const forgery = (): Forgery => ({ nameId: 'admin', roles: [`${admin},${provider}`] });

describe('the real IdP', () => {
  test("a person signs in; the IdP's auto-POST response buys credentials that work", async () => {
    const saml = await idp.signIn(alice);
    const out = await assume(reader, saml);
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA/);
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${acct}:assumed-role/SamlReader/alice`);
    expect(out.Subject).toBe('alice');
    expect(out.SubjectType).toBe('persistent');
    expect(out.Issuer).toBe(idp.entityId);
    expect(out.Audience).toBe(AWS_RECIPIENT);
    const me = await svc.sts(credentialsOf(out.Credentials)).send(new GetCallerIdentityCommand({}));
    expect(me.Arn).toBe(`arn:aws:sts::${acct}:assumed-role/SamlReader/alice`);
    expect(me.Account).toBe(acct);
  });

  test('a response signed as a whole (Response signature, assertion unsigned) is accepted too', async () => {
    const saml = await idp.signIn(alice, { signResponse: true, signAssertion: false });
    await expect(assume(reader, saml)).resolves.toMatchObject({ Subject: 'alice' });
  });

  test('the trust policy is applied: a role the Role attribute names but whose trust refuses the subject is AccessDenied', async () => {
    const saml = await idp.signIn({ name: 'mallory', roles: [`${subAdmin},${provider}`] });
    const message = await refusedWith(() => assume(subAdmin, saml), 'AccessDenied', 403);
    expect(message).toBe(NOT_AUTHORIZED);
  });

  test('credentials from one role do not reach another: the session can call what the role allows', async () => {
    const out = await assume(reader, await idp.signIn(alice));
    const session = credentialsOf(out.Credentials);
    expect((await refusal(svc.iam(session).send(new ListRolesCommand({})))).code).toBe('AccessDenied');
  });
});

describe('certificate rotation', () => {
  let rotating: SamlIdp;
  let arn: string;
  let role: string;
  let user: SamlUser;
  beforeAll(async () => {
    rotating = await startSamlIdp({ key: 'idp-a' });
    arn = await createProvider('Rotating', await rotating.metadata());
    role = await samlRole('SamlRotating', arn);
    user = { name: 'rita', roles: [`${role},${arn}`] };
  });
  afterAll(async () => {
    await rotating?.close();
  });

  test('the next key is refused until published; with both certificates in the metadata, both verify; then the old one is retired', async () => {
    rotating.signWith('idp-b');
    expect(await refusedWith(async () => assume(role, await rotating.signIn(user), arn), 'InvalidIdentityToken', 400)).toBe(BAD_SIGNATURE);

    rotating.publish(['idp-a', 'idp-b']);
    await iam.send(new UpdateSAMLProviderCommand({ SAMLProviderArn: arn, SAMLMetadataDocument: await rotating.metadata() }));
    rotating.signWith('idp-a');
    await expect(assume(role, await rotating.signIn(user), arn)).resolves.toMatchObject({ Subject: 'rita' });
    rotating.signWith('idp-b');
    await expect(assume(role, await rotating.signIn(user), arn)).resolves.toMatchObject({ Subject: 'rita' });

    rotating.publish(['idp-b']);
    await iam.send(new UpdateSAMLProviderCommand({ SAMLProviderArn: arn, SAMLMetadataDocument: await rotating.metadata() }));
    rotating.signWith('idp-a');
    expect(await refusedWith(async () => assume(role, await rotating.signIn(user), arn), 'InvalidIdentityToken', 400)).toBe(BAD_SIGNATURE);
  });
});

describe('replay', () => {
  test('an assertion is accepted once', async () => {
    const saml = await idp.signIn(alice);
    await assume(reader, saml);
    expect(await refusedWith(() => assume(reader, saml), 'InvalidIdentityToken', 400)).toBe(USED);
  });

  test('an assertion used on one node is refused on another', async () => {
    const other = await svc.node({});
    const saml = await idp.signIn(alice);
    await assume(reader, saml);
    expect(await refusedWith(() => assume(reader, saml, provider, other.sts()), 'InvalidIdentityToken', 400)).toBe(USED);
  });

  test('used on the second node first, refused on the first', async () => {
    const other = await svc.node({});
    const saml = await idp.signIn(alice);
    await assume(reader, saml, provider, other.sts());
    expect(await refusedWith(() => assume(reader, saml), 'InvalidIdentityToken', 400)).toBe(USED);
  });
});

describe('XML signature wrapping (Somorovsky et al. 2012)', () => {
  for (const [name, generate] of Object.entries(XSW)) {
    const responseForm = name === 'xsw1' || name === 'xsw2';
    test(`${name.toUpperCase()}${responseForm ? ' (Response signed)' : ' (Assertion signed)'}`, async () => {
      const rp: RelyingParty = responseForm ? { signResponse: true, signAssertion: false } : {};
      const genuine = await idp.signInXml(alice, rp);
      await attack(genuine, generate(genuine, forgery()), XSW_ANSWER[name] ?? 'every form has its answer');
    });
  }
});

describe('other wrapping forms', () => {
  test('the signed assertion hidden in samlp:Extensions, an evil one in its place', async () => {
    const genuine = await idp.signInXml(alice);
    await attack(genuine, hiddenInExtensions(genuine, forgery()), ONE_ASSERTION);
  });

  test('an unsigned assertion beside the signed one', async () => {
    const genuine = await idp.signInXml(alice);
    await attack(genuine, unsignedBeside(genuine, forgery()), ONE_ASSERTION);
  });

  test('a second assertion, also genuinely signed (another user’s, naming the admin role), in either order', async () => {
    for (const adminFirst of [false, true]) {
      const genuine = await idp.signInXml(alice);
      const other = await idp.signInXml({ name: 'root-ops', roles: [`${admin},${provider}`] });
      await attack(genuine, adminFirst ? secondAssertion(other, genuine) : secondAssertion(genuine, other), ONE_ASSERTION);
      // The admin's own response was not burned either.
      await expect(assume(admin, b64(other))).resolves.toMatchObject({ Subject: 'root-ops' });
    }
  });

  test('CVE-2025-29774: a second SignedInfo carrying the digest of the rewritten assertion', async () => {
    const genuine = await idp.signInXml(alice);
    // ds:SignedInfo occurs once in the XML-DSig schema, so the schema check answers first.
    await attack(genuine, multipleSignedInfo(genuine, forgery()), NOT_SAML);
  });

  test('CVE-2025-29775: the digest of the rewritten assertion in a comment inside DigestValue', async () => {
    const genuine = await idp.signInXml(alice);
    await attack(genuine, commentInDigest(genuine, forgery()), NO_COMMENTS);
  });
});

describe('comment truncation (2018)', () => {
  test('admin<!---->.evil: a comment in the signed NameID is refused outright; without it, admin.evil is not admin to the trust policy', async () => {
    const user: SamlUser = { name: 'admin.evil', roles: [`${subAdmin},${provider}`] };
    const genuine = await idp.signInXml(user);
    const message = await refusedWith(() => assume(subAdmin, b64(commentInNameId(genuine, 'admin'))), 'InvalidIdentityToken', 400);
    expect(message).toBe(NO_COMMENTS);
    // The genuine admin.evil is judged on its whole NameID: the trust policy for admin refuses it…
    expect(await refusedWith(() => assume(subAdmin, b64(genuine)), 'AccessDenied', 403)).toBe(NOT_AUTHORIZED);
    // …and lets the real admin in: the condition is what refused.
    await expect(assume(subAdmin, await idp.signIn({ name: 'admin', roles: [`${subAdmin},${provider}`] }))).resolves.toMatchObject({ Subject: 'admin' });
  });
});

describe('keys and algorithms', () => {
  test('a signature by a key the provider does not list (KeyInfo naming the provider certificate)', async () => {
    const genuine = await idp.signInXml(alice);
    await attack(genuine, resigned(genuine, { key: 'stranger', keyInfo: 'idp-a' }, forgery()), BAD_SIGNATURE);
  });

  test('a certificate only in KeyInfo (the stranger signs and carries its own certificate)', async () => {
    const genuine = await idp.signInXml(alice);
    await attack(genuine, resigned(genuine, { key: 'stranger', keyInfo: 'stranger' }, forgery()), BAD_SIGNATURE);
  });

  test('a signature by the stranger with no KeyInfo at all', async () => {
    const genuine = await idp.signInXml(alice);
    await attack(genuine, resigned(genuine, { key: 'stranger', keyInfo: null }, forgery()), BAD_SIGNATURE);
  });

  test('unsigned: every signature removed', async () => {
    const genuine = await idp.signInXml(alice);
    const stripped = genuine.replace(/<Signature[\s\S]*?<\/Signature>/g, '');
    expect(stripped).not.toContain('SignatureValue');
    await attack(genuine, stripped, BAD_SIGNATURE, { roleArn: reader });
  });

  test('RSA-SHA1 with SHA-1 digests, signed by the IdP itself, when the provider has not opted in', async () => {
    const sha1 = await idp.signIn(alice, { signatureAlgorithm: 'rsa-sha1', digestAlgorithm: 'sha1' });
    expect(await refusedWith(() => assume(reader, sha1), 'InvalidIdentityToken', 400)).toBe('Invalid SAML response: signature algorithm http://www.w3.org/2000/09/xmldsig#rsa-sha1 is not accepted.');
  });
});

describe('what the IdP says, genuinely signed', () => {
  test('expired: past NotOnOrAfter and the skew', async () => {
    const saml = await idp.signIn(alice, { lifetimeSeconds: 60 });
    svc.clockOffset = 10 * 60 * 1000;
    try {
      expect(await refusedWith(() => assume(reader, saml), 'ExpiredTokenException', 400)).toBe('Token is expired.');
    } finally {
      svc.clockOffset = 0;
    }
  });

  test('not yet valid: NotBefore beyond the skew', async () => {
    const saml = await idp.signIn(alice);
    svc.clockOffset = -10 * 60 * 1000;
    try {
      expect(await refusedWith(() => assume(reader, saml), 'InvalidIdentityToken', 400)).toBe('Invalid SAML response: the assertion is not valid yet.');
    } finally {
      svc.clockOffset = 0;
    }
    await expect(assume(reader, saml)).resolves.toMatchObject({ Subject: 'alice' });
  });

  test('wrong Recipient (SubjectConfirmationData, signed), the Response posted to us', async () => {
    const saml = await idp.signIn(alice, { recipient: 'https://evil.example/acs', destination: AWS_RECIPIENT });
    expect(await refusedWith(() => assume(reader, saml), 'InvalidIdentityToken', 400)).toBe('Invalid SAML response: the SubjectConfirmationData Recipient is not this service.');
  });

  test('wrong Destination (the whole Response meant for another service)', async () => {
    const saml = await idp.signIn(alice, { recipient: 'https://evil.example/acs' });
    expect(await refusedWith(() => assume(reader, saml), 'InvalidIdentityToken', 400)).toBe('Invalid SAML response: the Response Destination is not this service.');
  });

  test('wrong Audience', async () => {
    const saml = await idp.signIn(alice, { audience: 'https://evil.example/sp' });
    expect(await refusedWith(() => assume(reader, saml), 'InvalidIdentityToken', 400)).toBe('Invalid SAML response: the assertion is not addressed to this service (AudienceRestriction).');
  });

  test('wrong Issuer (signed with the provider key, claiming another entity)', async () => {
    const message = await refusedWith(async () => assume(reader, await idp.signIn(alice, { issuer: 'https://evil.example/idp' })), 'InvalidIdentityToken', 400);
    expect(message).toBe('Issuer not present in specified provider');
  });

  test('the role requested is not among the Role attribute pairs', async () => {
    const saml = await idp.signIn(alice);
    expect(await refusedWith(() => assume(admin, saml), 'InvalidIdentityToken', 400)).toBe('Invalid SAML response: the Role attribute does not name the requested role and provider.');
  });

  test("a Role attribute naming another account's role", async () => {
    const other = await svc.newAccount();
    const otherIam = svc.iam({ accessKeyId: other.accessKeyId, secretAccessKey: other.secretAccessKey });
    // The other account trusts its own provider, made from the very same IdP metadata.
    const theirProvider = await createProvider('Corp', await idp.metadata(), otherIam);
    const theirRole = await samlRole('SamlReader', theirProvider, { client: otherIam });
    // Our IdP user asserts their role with our provider: the provider does not belong to the role's account.
    const saml = await idp.signIn({ name: 'alice', roles: [`${theirRole},${provider}`] });
    const before = await issued(other.accountId);
    const answer = await refusal(assume(theirRole, saml, provider));
    expect(answer).toEqual({ code: 'AccessDenied', message: NOT_AUTHORIZED, status: 403 });
    expect(await issued(other.accountId)).toBe(before);
  });
});

describe('parser attacks', () => {
  test('billion laughs (entity expansion)', async () => {
    const genuine = await idp.signInXml(alice);
    await attack(genuine, billionLaughs(genuine), NO_DTD, { roleArn: reader });
  });

  test('an external entity (SYSTEM file:///etc/passwd)', async () => {
    const genuine = await idp.signInXml(alice);
    await attack(genuine, externalEntity(genuine), NO_DTD, { roleArn: reader });
  });

  test('a DOCTYPE alone', async () => {
    const genuine = await idp.signInXml(alice);
    await attack(genuine, withDoctype(genuine), NO_DTD, { roleArn: reader });
  });

  test('an oversized document (base64 over 100,000 characters): ValidationError', async () => {
    const genuine = await idp.signInXml(alice);
    const big = oversized(genuine);
    expect(b64(big).length).toBeGreaterThan(100_000);
    await attack(genuine, big, "1 validation error detected: Value at 'sAMLAssertion' failed to satisfy constraint: Member must have length less than or equal to 100000", { roleArn: reader, code: 'ValidationError' });
  });

  test('not base64, not XML, not SAML: InvalidIdentityToken, never a 500', async () => {
    for (const junk of ['!!!!not base64!!!!', b64('<not-closed'), b64('<r/>'), b64(unb64(await idp.signIn(alice)).slice(0, 200))]) {
      await refusedWith(() => assume(reader, junk), 'InvalidIdentityToken', 400);
    }
  });
});
