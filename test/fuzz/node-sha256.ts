/**
 * SHA-256 and HMAC-SHA256 from node:crypto in the shape the AWS SDK's signer takes
 * (`new SignatureV4({ sha256 })`): `npm run fuzz` signs hundreds of thousands of requests, and the
 * pure-JS hash the negative suites use would cost the load generator a core.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';

type Data = string | ArrayBuffer | ArrayBufferView;

function bytes(data: Data): Buffer | string {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

export class NodeSha256 {
  readonly #secret: Buffer | string | undefined;
  #hash: Hash | Hmac;

  constructor(secret?: Data) {
    this.#secret = secret === undefined ? undefined : bytes(secret);
    this.#hash = this.#fresh();
  }

  #fresh(): Hash | Hmac {
    return this.#secret === undefined ? createHash('sha256') : createHmac('sha256', this.#secret);
  }

  update(data: Data): void {
    this.#hash.update(bytes(data));
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.#hash.digest()));
  }

  reset(): void {
    this.#hash = this.#fresh();
  }
}
