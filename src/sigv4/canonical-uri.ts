import { uriEncode } from './uri-encode.js';

/**
 * CanonicalURI for every service but S3: the raw path with dot segments and empty segments
 * removed (the suite's get-relative, get-slashes…), then URI-encoded once more, keeping '/'.
 * The raw path is already encoded once by the client, so '%20' on the wire becomes '%2520' here:
 * that is AWS's "encode twice" counted from the unencoded path, and what SDK signers compute.
 */
export function canonicalUri(rawPath: string): string {
  if (rawPath === '/') return '/'; // every Query API request
  const segments: string[] = [];
  for (const segment of rawPath.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const trailing = segments.length > 0 && rawPath.endsWith('/') ? '/' : '';
  return uriEncode('/' + segments.join('/') + trailing, true);
}
