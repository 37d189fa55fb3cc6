/**
 * The part of autocannon's programmatic API the HTTP bench uses (autocannon ships no types; see
 * its README, "API"). Only what bench/http-load.ts touches is declared.
 */
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  namespace autocannon {
    interface Request {
      readonly method?: string;
      readonly path?: string;
      readonly headers?: Readonly<Record<string, string>>;
      readonly body?: string | Buffer;
    }

    /** One connection's client: each may be given its own sequence of requests. */
    interface Client extends EventEmitter {
      setRequests(requests: readonly Request[]): void;
    }

    interface Options {
      readonly url: string;
      readonly connections?: number;
      /** Seconds. */
      readonly duration?: number;
      /** Requests to send in all, shared out among the connections (duration is then ignored). */
      readonly amount?: number;
      readonly requests?: readonly Request[];
      /** Seconds to wait for a response. */
      readonly timeout?: number;
      readonly setupClient?: (client: Client) => void;
    }

    interface Histogram {
      readonly average: number;
      readonly p50: number;
      readonly p99: number;
      readonly total: number;
    }

    interface Result {
      readonly requests: Histogram;
      readonly latency: Histogram;
      /** Seconds. */
      readonly duration: number;
      readonly errors: number;
      readonly timeouts: number;
      readonly non2xx: number;
      readonly '2xx': number;
      readonly statusCodeStats: Readonly<Record<string, { readonly count: number }>>;
    }

    /** The running instance: an event emitter ('response', 'done', …) that is also a promise of the result. */
    interface Instance extends EventEmitter, PromiseLike<Result> {
      stop(): void;
    }
  }

  function autocannon(options: autocannon.Options): autocannon.Instance;
  export default autocannon;
}
