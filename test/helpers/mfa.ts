/**
 * Virtual MFA devices for tests: create one through IAM, enable it for a user with two codes, and
 * hand out fresh codes (each for a later time step than the last, moving the test server's clock
 * forward when the next step is not yet in the window), computed from the seed as an
 * authenticator app would.
 */
import { CreateVirtualMFADeviceCommand, EnableMFADeviceCommand, type IAMClient } from '@aws-sdk/client-iam';
import { codeAt, STEP_SECONDS, stepAt } from '../../src/auth/totp.js';
import type { TestService } from './service.js';

/** The server's time step now (its clock runs `clockOffset` ms from ours). */
export function serverStep(svc: Pick<TestService, 'clockOffset'>): number {
  return stepAt(new Date(Date.now() + svc.clockOffset));
}

export class TestDevice {
  /** The last step a code was handed out for. */
  last: number;

  constructor(
    readonly svc: Pick<TestService, 'clockOffset'>,
    readonly serial: string,
    readonly seed: string,
    last = -1,
  ) {
    this.last = last;
  }

  /** The code for `step`, as the device shows it. */
  at(step: number): string {
    return codeAt(this.seed, step);
  }

  /** A code no earlier code beat: for the server's step now, or the next one (moving the server's clock when needed). */
  code(): string {
    const now = serverStep(this.svc);
    const step = Math.max(now, this.last + 1);
    if (step > now + 1) this.svc.clockOffset += (step - now - 1) * STEP_SECONDS * 1000;
    this.last = step;
    return this.at(step);
  }
}

/** A new virtual MFA device (not enabled): its serial and seed. */
export async function createDevice(svc: Pick<TestService, 'clockOffset'>, iam: IAMClient, name: string, path?: string): Promise<TestDevice> {
  const { VirtualMFADevice: d } = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: name, ...(path ? { Path: path } : {}) }));
  if (!d?.SerialNumber || !d.Base32StringSeed) throw new Error('CreateVirtualMFADevice returned no serial or seed');
  return new TestDevice(svc, d.SerialNumber, new TextDecoder().decode(d.Base32StringSeed));
}

/**
 * A device enabled for `userName` with the codes of the server's previous and current steps, so
 * the next step's code is at once usable in STS.
 */
export async function enrolledDevice(svc: Pick<TestService, 'clockOffset'>, iam: IAMClient, userName: string, name = `${userName}-device`): Promise<TestDevice> {
  const device = await createDevice(svc, iam, name);
  const now = serverStep(svc);
  await iam.send(new EnableMFADeviceCommand({ UserName: userName, SerialNumber: device.serial, AuthenticationCode1: device.at(now - 1), AuthenticationCode2: device.at(now) }));
  device.last = now;
  return device;
}
