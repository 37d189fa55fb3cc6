import { DeleteAccountPasswordPolicyCommand, GetAccountPasswordPolicyCommand, UpdateAccountPasswordPolicyCommand, type IAMClient } from '@aws-sdk/client-iam';
import { describe, expect, test } from 'vitest';
import { refusal } from '../helpers/outcome.js';
import { useService } from '../helpers/service.js';

let iam: IAMClient;
let acct: string;
useService((s) => ({ iam, acct } = s));

describe('account password policy', () => {
  test('none set: Get and Delete answer NoSuchEntity in AWS words', async () => {
    const none = { code: 'NoSuchEntity', message: `The Password Policy with domain name ${acct} cannot be found.`, status: 404 };
    expect(await refusal(iam.send(new GetAccountPasswordPolicyCommand({})))).toEqual(none);
    expect(await refusal(iam.send(new DeleteAccountPasswordPolicyCommand({})))).toEqual(none);
  });

  test('Update sets every setting, Get returns them with ExpirePasswords; no partial updates', async () => {
    await iam.send(
      new UpdateAccountPasswordPolicyCommand({
        MinimumPasswordLength: 14,
        RequireSymbols: true,
        RequireNumbers: true,
        RequireUppercaseCharacters: true,
        RequireLowercaseCharacters: true,
        AllowUsersToChangePassword: true,
        MaxPasswordAge: 90,
        PasswordReusePrevention: 24,
        HardExpiry: true,
      }),
    );
    expect((await iam.send(new GetAccountPasswordPolicyCommand({}))).PasswordPolicy).toEqual({
      MinimumPasswordLength: 14,
      RequireSymbols: true,
      RequireNumbers: true,
      RequireUppercaseCharacters: true,
      RequireLowercaseCharacters: true,
      AllowUsersToChangePassword: true,
      ExpirePasswords: true,
      MaxPasswordAge: 90,
      PasswordReusePrevention: 24,
      HardExpiry: true,
    });
    // "This operation does not support partial updates": what is left out goes back to its default.
    await iam.send(new UpdateAccountPasswordPolicyCommand({ RequireNumbers: true }));
    expect((await iam.send(new GetAccountPasswordPolicyCommand({}))).PasswordPolicy).toEqual({
      MinimumPasswordLength: 6,
      RequireSymbols: false,
      RequireNumbers: true,
      RequireUppercaseCharacters: false,
      RequireLowercaseCharacters: false,
      AllowUsersToChangePassword: false,
      ExpirePasswords: false,
    });
    await iam.send(new DeleteAccountPasswordPolicyCommand({}));
    expect(await refusal(iam.send(new GetAccountPasswordPolicyCommand({})))).toMatchObject({ code: 'NoSuchEntity' });
  });

  test.each([
    ['MinimumPasswordLength below 6', { MinimumPasswordLength: 5 }],
    ['MinimumPasswordLength above 128', { MinimumPasswordLength: 129 }],
    ['MaxPasswordAge 0', { MaxPasswordAge: 0 }],
    ['MaxPasswordAge above 1095', { MaxPasswordAge: 1096 }],
    ['PasswordReusePrevention 0', { PasswordReusePrevention: 0 }],
    ['PasswordReusePrevention above 24', { PasswordReusePrevention: 25 }],
    ['a negative length', { MinimumPasswordLength: -8 }],
  ])('hostile input: %s is a ValidationError', async (_what, input) => {
    expect(await refusal(iam.send(new UpdateAccountPasswordPolicyCommand(input)))).toMatchObject({ code: 'ValidationError', status: 400 });
  });
});
