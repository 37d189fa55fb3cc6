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

/** What a refused call answered on the wire: AWS's error code, its message and the HTTP status. */
export interface Refusal {
  readonly code: string;
  readonly message: string;
  readonly status: number | undefined;
}

/**
 * failure(), with the wire code instead of the SDK's name: the SDK names modeled errors after
 * their shapes (InvalidIdentityTokenException), the wire says InvalidIdentityToken.
 */
export async function refusal(call: Promise<unknown>): Promise<Refusal> {
  try {
    await call;
  } catch (err) {
    const e = err as { name: string; Code?: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { code: e.Code ?? e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('expected a refusal');
}
