import { defaultFrom, defaultTo } from '@/lib/time-range';
import type { SavedSearch, SearchRequest } from '../api/searches';

/** The dashboard views a search can open: the API's view names and their routes. */
export const searchViews = [
  { view: 'overview', path: '/', label: 'Overview' },
  { view: 'rejections', path: '/rejections', label: 'Rejections' },
  { view: 'explorer', path: '/explorer', label: 'Explorer' },
  { view: 'traffic-paths', path: '/traffic-paths', label: 'Traffic paths' },
] as const;

// The search's own fields, and the refresh instant, which is never worth saving.
const ownParams = new Set(['from', 'to', 'q', 'at']);
const stateName = /^[a-z][a-z0-9_-]{0,39}$/;

/** The view at a route, or null where there is nothing to save (sources, networks). */
export const viewOfPath = (pathname: string) => searchViews.find((v) => v.path === pathname)?.view ?? null;

export const labelOfView = (view: string) => searchViews.find((v) => v.view === view)?.label ?? view;

/** What "Save" stores from the current URL: filter, range, view and the view's other parameters (columns, grouping). */
export function searchOfLocation(
  pathname: string,
  params: URLSearchParams,
): Omit<SearchRequest, 'name' | 'shared'> | null {
  const view = viewOfPath(pathname);
  if (!view) return null;
  const state: Record<string, string> = {};
  for (const [name, value] of params) {
    if (!ownParams.has(name) && stateName.test(name) && value) state[name] = value;
  }
  return {
    view,
    filter: params.get('q') ?? '',
    from: params.get('from') ?? defaultFrom,
    to: params.get('to') ?? defaultTo,
    viewState: Object.keys(state).length > 0 ? state : null,
  };
}

/** The dashboard address that opens a saved search: its view, with its filter, range and view state in the URL. */
export function urlOfSearch(search: Pick<SavedSearch, 'view' | 'filter' | 'from' | 'to' | 'viewState'>): string {
  const path = searchViews.find((v) => v.view === search.view)?.path ?? '/explorer';
  const params = new URLSearchParams();
  // Always explicit: the search opens on its own range even where the view's default differs.
  params.set('from', search.from);
  if (search.to !== defaultTo) params.set('to', search.to);
  if (search.filter) params.set('q', search.filter);
  for (const [name, value] of Object.entries(search.viewState ?? {})) params.set(name, value);
  return `${path}?${params.toString()}`;
}
