/**
 * Prometheus metrics (SPEC §11), one prom-client Registry per service instance (never the global
 * default registry: tests run several nodes in one process). The only importer of prom-client.
 *
 * Every label value comes from a finite set fixed by the code, never from the request:
 * - service: sts | iam | console | federation | other;
 * - operation: a registered operation's name, a fixed route name, or `unknown`;
 * - outcome: `ok`, an error code of src/errors.ts' table, or `other`.
 * The request path keeps its counts in plain numbers, per route and outcome (the sets are finite,
 * so are the maps), handed to prom-client when it is scraped (the counter's `collect`): a
 * prom-client counter hashes and checks its labels on every increment, even through a child
 * (0.2 µs; the histogram's observe, 0.25 µs, is prom-client's own).
 *
 * Access (`GET /metrics`, src/http/app.ts): METRICS_TOKEN (a bearer token, compared in constant
 * time over SHA-256 digests, so its length does not leak either), METRICS_PUBLIC (anyone), or
 * neither (404).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ERRORS } from './errors.js';

export type MetricsServiceLabel = 'sts' | 'iam' | 'console' | 'federation' | 'other';

/** Who may read /metrics. */
export type MetricsAccess = { readonly kind: 'off' } | { readonly kind: 'public' } | { readonly kind: 'token'; readonly token: string };

/** An operation as the metrics name it: what the pipeline's registered operations have. */
export interface NamedOperation {
  readonly name: string;
  readonly action: string;
}

/** Request latencies, from a cached GetCallerIdentity (well under a millisecond) to a slow identity provider. */
export const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** What hands out credentials besides the STS operations: a federation sign-in token, a password console session's credentials. */
export type ConsoleIssuance = 'getSigninToken' | 'GetConsoleCredentials';

export type ConsoleSignInResult = 'success' | 'mfa_required' | 'password_change_required' | 'refused' | 'throttled' | 'expired';
export type MfaResult = 'accepted' | 'invalid' | 'throttled';

/** The metrics of one (service, operation): its duration child and its request counts by outcome. */
class Route {
  readonly outcomes = new Map<string, number>();
  constructor(
    readonly service: MetricsServiceLabel,
    readonly operation: string,
    readonly duration: Histogram.Internal<'service' | 'operation'>,
  ) {}
}

/** An error code as a label: one of the table's, or `other` (a code is never taken from the request as it is). */
export function outcomeLabel(code: string | undefined): string {
  if (code === undefined) return 'ok';
  return Object.hasOwn(ERRORS, code) ? code : 'other';
}

export interface MetricsOptions {
  readonly access: MetricsAccess;
  /** For latchkey_build_info. */
  readonly version: string;
}

export class Metrics {
  readonly registry = new Registry();
  readonly access: MetricsAccess['kind'];
  /** SHA-256 of the token: what a presented token's digest is compared with. */
  readonly #tokenDigest: Buffer | undefined;
  readonly #duration: Histogram<'service' | 'operation'>;
  readonly #issued: Counter<'operation'>;
  readonly #signIns: Counter<'result'>;
  readonly #mfaCodes: Counter<'result'>;
  /** By registered operation (a finite set: the registry's). */
  readonly #byOperation = new Map<NamedOperation, Route>();
  /** By `service operation`, for the fixed route names (a finite set: the code's). */
  readonly #byName = new Map<string, Route>();

  constructor(options: MetricsOptions) {
    this.access = options.access.kind;
    this.#tokenDigest = options.access.kind === 'token' ? sha256(options.access.token) : undefined;
    const registers = [this.registry];
    const routes = [this.#byOperation, this.#byName];
    new Counter({
      name: 'latchkey_requests_total',
      help: 'Requests answered, by service, operation and outcome (ok, or the AWS error code).',
      labelNames: ['service', 'operation', 'outcome'],
      registers,
      // At scrape time: the request path's own counts.
      collect() {
        this.reset();
        for (const byKey of routes) {
          for (const route of byKey.values()) for (const [outcome, n] of route.outcomes) this.inc({ service: route.service, operation: route.operation, outcome }, n);
        }
      },
    });
    this.#duration = new Histogram({
      name: 'latchkey_request_duration_seconds',
      help: 'Time from a request being read to its answer being ready, by service and operation.',
      labelNames: ['service', 'operation'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.#issued = new Counter({
      name: 'latchkey_credentials_issued_total',
      help: 'Temporary credentials and console sign-in tokens handed out, by operation.',
      labelNames: ['operation'],
      registers,
    });
    this.#signIns = new Counter({
      name: 'latchkey_console_sign_ins_total',
      help: 'Console password sign-in attempts, by result.',
      labelNames: ['result'],
      registers,
    });
    this.#mfaCodes = new Counter({
      name: 'latchkey_console_mfa_codes_total',
      help: 'MFA codes entered at console sign-in, by result.',
      labelNames: ['result'],
      registers,
    });
    new Gauge({ name: 'latchkey_build_info', help: 'Always 1; the version of Latchkey running.', labelNames: ['version'], registers }).set({ version: options.version }, 1);
    // The process's own (CPU, memory, event loop, GC): only where someone may read them. prom-client
    // keeps an event-loop delay monitor and a GC observer for them, which it offers no way to stop;
    // neither holds the process open.
    if (options.access.kind !== 'off') collectDefaultMetrics({ register: this.registry });
  }

  /** One AWS Query request answered: `operation` undefined when the request named none this service runs. */
  request(operation: NamedOperation | undefined, code: string | undefined, seconds: number): void {
    const route = operation ? this.#routeOf(operation) : this.#named('other', 'unknown');
    this.#count(route, code, seconds);
  }

  /** One request to a fixed route (console pages, the federation endpoint); `seconds` undefined: not timed (unknown paths). */
  route(service: MetricsServiceLabel, operation: string, code: string | undefined, seconds?: number): void {
    this.#count(this.#named(service, operation), code, seconds);
  }

  /** Credentials (or a sign-in token) handed out by a registered operation, or by the console. */
  issued(operation: NamedOperation | ConsoleIssuance): void {
    this.#issued.inc({ operation: typeof operation === 'string' ? operation : operation.name });
  }

  signIn(result: ConsoleSignInResult): void {
    this.#signIns.inc({ result });
  }

  mfaCode(result: MfaResult): void {
    this.#mfaCodes.inc({ result });
  }

  /** May a request with this Authorization header read /metrics (only asked when access is not off)? */
  allows(authorization: string | undefined): boolean {
    if (this.access === 'public') return true;
    const expected = this.#tokenDigest;
    if (expected === undefined || authorization === undefined) return false;
    const match = /^Bearer +(\S+) *$/i.exec(authorization);
    // Both sides hashed: equal lengths for timingSafeEqual, and nothing about the token's length leaks.
    return match?.[1] !== undefined && timingSafeEqual(sha256(match[1]), expected);
  }

  /** The text exposition format. */
  async exposition(): Promise<{ readonly contentType: string; readonly body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  close(): void {
    this.registry.clear();
  }

  #count(route: Route, code: string | undefined, seconds: number | undefined): void {
    const outcome = outcomeLabel(code);
    route.outcomes.set(outcome, (route.outcomes.get(outcome) ?? 0) + 1);
    if (seconds !== undefined) route.duration.observe(seconds);
  }

  #routeOf(operation: NamedOperation): Route {
    let route = this.#byOperation.get(operation);
    if (!route) {
      const prefix = operation.action.slice(0, operation.action.indexOf(':'));
      const service: MetricsServiceLabel = prefix === 'sts' || prefix === 'iam' ? prefix : 'other';
      route = new Route(service, operation.name, this.#duration.labels(service, operation.name));
      this.#byOperation.set(operation, route);
    }
    return route;
  }

  #named(service: MetricsServiceLabel, operation: string): Route {
    const key = `${service} ${operation}`;
    let route = this.#byName.get(key);
    if (!route) this.#byName.set(key, (route = new Route(service, operation, this.#duration.labels(service, operation))));
    return route;
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
