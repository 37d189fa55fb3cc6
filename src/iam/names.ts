/** Small helpers for IAM names and paths. */
export const DEFAULT_PATH = '/';

export function pathOr(path: string | undefined): string {
  return path ?? DEFAULT_PATH;
}
