/**
 * postgres.js 3.4.9 writes a transaction's ROLLBACK to a connection that has just died from a
 * setImmediate, where nothing can catch the TypeError (porsager/postgres#1208, #1154; fixes
 * proposed in #1209 and #1215, not released). The request itself already failed with
 * CONNECTION_CLOSED (answered ServiceUnavailable) and the pool's other connections keep working,
 * so the composition root recognises exactly this error and keeps serving instead of exiting.
 */
export function isDeadConnectionWriteBug(err: unknown): boolean {
  return (
    err instanceof TypeError &&
    err.message === "Cannot read properties of null (reading 'write')" &&
    /[\\/]postgres[\\/](?:cjs[\\/])?src[\\/]connection\.js/.test(err.stack ?? '')
  );
}
