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

/** The SDK's error name, message and HTTP status of a call that must fail (a success fails the test). */
export async function failure(call: Promise<unknown>): Promise<{ name: string; message: string; status: number | undefined }> {
  const err = (await call.then(
    () => {
      throw new Error('the call succeeded');
    },
    (e: unknown) => e,
  )) as Error & { $metadata?: { httpStatusCode?: number } };
  return { name: err.name, message: err.message, status: err.$metadata?.httpStatusCode };
}
