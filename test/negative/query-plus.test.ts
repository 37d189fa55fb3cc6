/**
 * A signed GET's query string is read as SigV4 reads it: `+` is a plus, `%20` a space. Found in
 * review: the parameter reader took `+` for a space (form encoding) while the canonical query
 * took it for a plus, so a presigned URL's `%2B` could be swapped for `+` without breaking the
 * signature and the service read a space nobody signed.
 */
import { ListUserTagsCommand } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { useService, type TestService } from '../helpers/service.js';
import { presignedGet, send } from './wire.js';

let svc: TestService;
useService(({ svc: s }) => {
  svc = s;
});

const tagsOf = async (user: string) => (await svc.iam().send(new ListUserTagsCommand({ UserName: user }))).Tags;

describe('signed GET query: + is a plus', () => {
  it('a presigned URL whose %2B is swapped for + is read with the plus it signed', async () => {
    const req = await presignedGet(
      svc.url,
      [['Action', 'CreateUser'], ['Version', '2010-05-08'], ['UserName', 'plus-user'], ['Tags.member.1.Key', 'k'], ['Tags.member.1.Value', 'a+b']],
      { key: svc.root, expiresIn: 300 },
    );
    expect(req.target).toContain('a%2Bb');
    const reply = await send(svc.url, { ...req, target: req.target.replace('a%2Bb', 'a+b') });
    expect(reply.status).toBe(200);
    expect(await tagsOf('plus-user')).toEqual([{ Key: 'k', Value: 'a+b' }]);
  });

  it('a space is %20, and a + put in its place is a plus the signature did not cover', async () => {
    const req = await presignedGet(
      svc.url,
      [['Action', 'CreateUser'], ['Version', '2010-05-08'], ['UserName', 'space-user'], ['Tags.member.1.Key', 'k'], ['Tags.member.1.Value', 'a b']],
      { key: svc.root, expiresIn: 300 },
    );
    expect(req.target).toContain('a%20b');
    const swapped = await send(svc.url, { ...req, target: req.target.replace('a%20b', 'a+b') });
    expect([swapped.status, swapped.code]).toEqual([403, 'SignatureDoesNotMatch']);
    expect((await send(svc.url, req)).status).toBe(200);
    expect(await tagsOf('space-user')).toEqual([{ Key: 'k', Value: 'a b' }]);
  });
});
