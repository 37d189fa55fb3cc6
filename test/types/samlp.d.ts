/** The little of samlp 8 (auth0's SAML IdP middleware, which ships no types) that test/helpers/saml-idp.ts uses. */
declare module 'samlp' {
  /** The express-like request samlp reads. */
  export interface SamlpRequest {
    method: string;
    query: Record<string, string | undefined>;
    body: Record<string, string | undefined>;
    headers: Record<string, string | string[] | undefined>;
    protocol: string;
    originalUrl: string;
    user?: unknown;
  }
  /** The express-like response samlp writes. */
  export interface SamlpResponse {
    set(name: string, value: string): void;
    send(statusOrBody: number | string, body?: unknown): void;
  }
  export type Middleware = (req: SamlpRequest, res: SamlpResponse, next: (err?: unknown) => void) => void;
  export interface ProfileMap {
    getClaims(options: unknown): Record<string, string | string[]>;
    getNameIdentifier(options: unknown): { nameIdentifier: string; nameIdentifierFormat?: string };
  }
  export interface ProfileMapper {
    (user: unknown): ProfileMap;
    prototype: { metadata: { id: string; optional?: boolean; displayName: string; description: string }[] };
  }
  export interface AuthOptions {
    issuer: string;
    cert: string;
    key: string;
    getPostURL(audience: string | undefined, samlRequestDom: unknown, req: SamlpRequest, callback: (err: unknown, url?: string) => void): void;
    getUserFromRequest?(req: SamlpRequest): unknown;
    profileMapper?: ProfileMapper;
    audience?: string;
    recipient?: string;
    destination?: string;
    signatureAlgorithm?: 'rsa-sha256' | 'rsa-sha1';
    digestAlgorithm?: 'sha256' | 'sha1';
    signResponse?: boolean;
    signAssertion?: boolean;
    lifetimeInSeconds?: number;
    nameIdentifierFormat?: string;
    RelayState?: string;
    typedAttributes?: boolean;
  }
  export interface MetadataOptions {
    issuer: string;
    cert: string;
    profileMapper?: ProfileMapper;
    postEndpointPath?: string;
    redirectEndpointPath?: string;
  }
  const samlp: {
    auth(options: AuthOptions): Middleware;
    metadata(options: MetadataOptions): (req: SamlpRequest, res: SamlpResponse) => void;
  };
  export default samlp;
}
