/**
 * Pagination over a short list read whole (an entity's tags: at most 50; a user's access keys: at
 * most 2). The list is sorted here by the same key the marker carries, so a page boundary is
 * exact whatever order (or collation) the database returned it in.
 */
import { decodeMarker, limitOf, pageOf, type Page, type PageRequest } from './pagination.js';

export function pageInMemory<T>(all: readonly T[], req: PageRequest, sortKey: (item: T) => string): Page<T> {
  const after = decodeMarker(req.marker);
  const sorted = [...all].sort((a, b) => compare(sortKey(a), sortKey(b)));
  const rest = after === undefined ? sorted : sorted.filter((item) => sortKey(item) > after);
  return pageOf(rest.slice(0, limitOf(req) + 1), req, sortKey);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
