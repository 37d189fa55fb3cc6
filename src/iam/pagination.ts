/**
 * `MaxItems` / `Marker` pagination as IAM does it: at most MaxItems results (default 100), and
 * when more remain `IsTruncated=true` with an opaque Marker to continue from. Our marker is the
 * sort key of the last item returned, base64url-encoded; a marker we did not issue is refused.
 */
import { AwsError } from '../errors.js';

export const DEFAULT_MAX_ITEMS = 100;

export interface PageRequest {
  readonly marker?: string | undefined;
  readonly maxItems?: number | undefined;
}

export interface Page<T> {
  readonly items: T[];
  readonly isTruncated: boolean;
  readonly marker: string | undefined;
}

const PREFIX = 'lk1:';

export function encodeMarker(sortKey: string): string {
  return Buffer.from(PREFIX + sortKey, 'utf8').toString('base64url');
}

/** The sort key to continue after, or undefined for the first page. */
export function decodeMarker(marker: string | undefined): string | undefined {
  if (marker === undefined) return undefined;
  const text = /^[A-Za-z0-9_-]+$/.test(marker) ? Buffer.from(marker, 'base64url').toString('utf8') : '';
  if (!text.startsWith(PREFIX)) throw new AwsError('InvalidInput', 'Invalid Marker.');
  return text.slice(PREFIX.length);
}

export function limitOf(req: PageRequest): number {
  return req.maxItems ?? DEFAULT_MAX_ITEMS;
}

/**
 * Cut a page from rows fetched with `limit + 1` (the extra row says whether more remain), sorted
 * by `sortKey` and starting after the marker.
 */
export function pageOf<T>(rows: readonly T[], req: PageRequest, sortKey: (row: T) => string): Page<T> {
  const limit = limitOf(req);
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  const isTruncated = rows.length > limit && last !== undefined;
  return { items, isTruncated, marker: isTruncated ? encodeMarker(sortKey(last)) : undefined };
}

/** The wire fields of a page: `{ [listName]: items, isTruncated, marker }`. */
export function pageResult<T, K extends string>(listName: K, page: Page<T>): Record<K, T[]> & { isTruncated: boolean; marker?: string } {
  return { [listName]: page.items, isTruncated: page.isTruncated, ...(page.marker ? { marker: page.marker } : {}) } as Record<K, T[]> & {
    isTruncated: boolean;
    marker?: string;
  };
}
