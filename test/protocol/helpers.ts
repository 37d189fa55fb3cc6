import { AwsError } from '../../src/errors.js';
import { loadServices, type Operation, type Param } from '../../src/protocol/index.js';

export const services = loadServices();

export function op(version: string, name: string): Operation {
  const found = services.byVersion.get(version)?.operations.get(name);
  if (!found) throw new Error(`no ${name} in ${version}`);
  return found;
}

export const sts = (name: string): Operation => op('2011-06-15', name);
export const iam = (name: string): Operation => op('2010-05-08', name);

/** Parameters from a query string written for readability (no percent-encoding needed). */
export function params(query: string): Param[] {
  return query === '' ? [] : query.split('&').map((p) => {
    const eq = p.indexOf('=');
    return [p.slice(0, eq), p.slice(eq + 1)] as const;
  });
}

/** The AwsError `fn` throws (fails the test if it returns or throws anything else). */
export function awsError(fn: () => unknown): AwsError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AwsError) return err;
    throw err;
  }
  throw new Error('expected an AwsError');
}
