/** 'ok', or the error name and HTTP status the SDK reports: one word per answer, for tallies. */
export async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    return `${(err as Error).name} ${status ?? '?'}`;
  }
}
