/**
 * Responses go out together at the end of the event-loop turn that produced them.
 *
 * Under load one turn of node's event loop reads many requests at once (one per ready socket).
 * Written as each is answered, every response's write wakes the client up again: on loopback,
 * where a proxy or a sidecar usually sits, the kernel does the receiver's work in the writer's
 * system call, and a woken client costs the writer most of it. Held until the turn's check phase
 * and then written one after another, the whole turn's responses wake the client once.
 * Measured (npm run bench -- http, GetCallerIdentity with temporary credentials): the wake-ups
 * fell from about 10% of the server's time to 2.5%, and requests/s rose by about 20%.
 *
 * A lone request waits only for the rest of its own turn (microseconds); under load a response
 * waits at most for the other requests read in the same turn.
 */
let pending: Promise<void> | undefined;

function release(done: () => void): void {
  pending = undefined;
  done();
}

/** Resolves in the check phase of the current event-loop turn, once for every caller of that turn. */
export function endOfTurn(): Promise<void> {
  pending ??= new Promise<void>((done) => setImmediate(release, done));
  return pending;
}
