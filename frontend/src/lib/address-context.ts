import { useQueries, type UseQueryResult } from '@tanstack/react-query';
import { AddressListSchema, type AddressInfo, type ThreatListHit } from '@/types/api';
import { apiGet } from './api-client';

// Names next to addresses: what FlowLens knows of each (GET /api/context/addresses, docs/enrichment.md).

/**
 * What is known of an address: as flows carry it, and from the context endpoints also the threat lists holding it
 * now (docs/threat-lists.md).
 */
export type AddressContext = AddressInfo & { threatLists?: ThreatListHit[] };

/** The fields whose values are single addresses; `pair` keys are two of them (`a -> b`). */
export const addressFields = new Set(['srcaddr', 'dstaddr', 'pkt-srcaddr', 'pkt-dstaddr']);

/** The separator of a multi-field key (FlowLens.Core's StatsSql.KeySeparator). */
export const keySeparator = ' -> ';

/** The addresses in a top key of field `by` (none when the field is not an address, or the key is `-`). */
export function addressesOfKey(by: string, key: string): string[] {
  if (key === '-') return [];
  if (addressFields.has(by)) return [key];
  if (by === 'pair') return key.split(keySeparator).filter((part) => part !== '-');
  return [];
}

/** The most telling name of an address: its resource, else its network, else its AWS service; null if none. */
export function addressName(info: AddressInfo | null | undefined): string | null {
  if (!info) return null;
  const resource = info.resource;
  if (resource?.resourceName) return resource.resourceName;
  if (info.network) return info.network.name;
  if (info.aws) return info.aws.service;
  if (resource) return `${resource.kind} ${resource.resourceId ?? resource.interfaceId}`;
  return null;
}

/** Where an address is on the internet, as a muted suffix: "US · AS16509"; null if unknown. */
export function addressSuffix(info: AddressInfo | null | undefined): string | null {
  if (!info) return null;
  const parts = [info.country, info.asn === null ? null : `AS${info.asn}`].filter((p): p is string => !!p);
  return parts.length ? parts.join(' · ') : null;
}

/** The threat lists holding an address, by name ("spamhaus-drop, incident-42"); null for none. */
export function addressThreatLists(info: AddressContext | null | undefined): string | null {
  const lists = info?.threatLists ?? [];
  return lists.length ? lists.map((l) => l.name).join(', ') : null;
}

/**
 * All that is known, on one line, for a tooltip: "web-1 (instance i-0abc) · prod 10.0.0.0/16 · AS16509 Amazon ·
 * threat lists: spamhaus-drop (203.0.113.0/24)".
 */
export function addressSummary(info: AddressContext | null | undefined): string | null {
  if (!info) return null;
  const r = info.resource;
  const parts = [
    r ? [r.resourceName, `(${r.kind} ${r.resourceId ?? r.interfaceId})`].filter(Boolean).join(' ') : null,
    info.network
      ? [info.network.name, info.network.cidr, info.network.role, info.network.tenant].filter(Boolean).join(' ')
      : null,
    info.aws ? `AWS ${info.aws.service} ${info.aws.region}` : null,
    info.country,
    info.asn === null ? null : [`AS${info.asn}`, info.asOrganization].filter(Boolean).join(' '),
    info.threatLists?.length
      ? `threat lists: ${info.threatLists.map((l) => `${l.name} (${l.entry})`).join(', ')}`
      : null,
  ];
  const text = parts.filter((p): p is string => !!p).join(' · ');
  return text || null;
}

/**
 * Addresses per request: the API takes up to 1,000, but a request line of more than 8 KiB is refused by Kestrel
 * and most proxies (about 500 IPv4 or 180 long IPv6 addresses).
 */
export const maxAddressesPerRequest = 150;

type Fetch = (addresses: string[], at: string | undefined) => Promise<(AddressContext | null)[]>;

const fetchAddresses: Fetch = async (addresses, at) => {
  const search = new URLSearchParams(addresses.map((a) => ['addr', a]));
  if (at) search.set('at', at);
  return (await apiGet(`/api/context/addresses?${search.toString()}`, AddressListSchema)).items;
};

/**
 * Gathers the addresses asked for within `wait` ms into one request (per instant `at`, at most
 * maxAddressesPerRequest each): the top lists and the sankey of a view, each asking for its own, cost one call together.
 */
export function createAddressLoader(fetchBatch: Fetch = fetchAddresses, wait = 10) {
  type Waiter = { resolve: (info: AddressContext | null) => void; reject: (error: unknown) => void };
  const pending = new Map<string, Map<string, Waiter[]>>();
  let timer: ReturnType<typeof setTimeout> | null = null;

  const flush = () => {
    timer = null;
    const batches = [...pending];
    pending.clear();
    for (const [at, waiting] of batches) {
      const addresses = [...waiting.keys()];
      for (let i = 0; i < addresses.length; i += maxAddressesPerRequest) {
        const chunk = addresses.slice(i, i + maxAddressesPerRequest);
        fetchBatch(chunk, at || undefined).then(
          // The answer keeps the order asked; the address as asked is the key (the API may write it otherwise).
          (items) =>
            chunk.forEach((address, j) => {
              const info = items[j] ?? null;
              for (const w of waiting.get(address)!) w.resolve(info && { ...info, address });
            }),
          (error: unknown) => chunk.forEach((address) => waiting.get(address)!.forEach((w) => w.reject(error))),
        );
      }
    }
  };

  return (address: string, at?: string) =>
    new Promise<AddressContext | null>((resolve, reject) => {
      const key = at ?? '';
      const waiting = pending.get(key) ?? new Map<string, Waiter[]>();
      pending.set(key, waiting);
      waiting.set(address, [...(waiting.get(address) ?? []), { resolve, reject }]);
      timer ??= setTimeout(flush, wait);
    });
}

const loadAddress = createAddressLoader();

/** What is known of addresses: `addressInfoQuery(a, at)` for each, answered together by the loader. */
export const addressInfoQuery = (address: string, at?: string) => ({
  queryKey: ['context', 'address', at ?? 'now', address],
  queryFn: () => loadAddress(address, at),
  staleTime: 5 * 60_000,
  // Names are an extra: an API without them, or a failure, leaves the addresses as they are.
  retry: false,
});

export type AddressInfos = ReadonlyMap<string, AddressContext>;

// A stable function, so TanStack Query keeps the same map while the answers stay the same.
const byAddress = (results: UseQueryResult<AddressContext | null>[]): AddressInfos =>
  new Map(results.flatMap((r) => (r.data ? [[r.data.address, r.data] as const] : [])));

/**
 * What FlowLens knows of each address, by address, at the instant `at` (ISO; now when left out). Addresses
 * not known yet, unknown, or whose request failed are missing from the map.
 */
export function useAddressInfos(addresses: readonly string[], at?: string, enabled = true): AddressInfos {
  const unique = [...new Set(addresses)];
  return useQueries({
    queries: unique.map((address) => ({ ...addressInfoQuery(address, at), enabled })),
    combine: byAddress,
  });
}

/** The instant to name the addresses of a range at: its end, or now for a range that reaches now. */
export const contextInstant = (range: { to: Date }, now = Date.now()): string | undefined =>
  range.to.getTime() < now ? range.to.toISOString() : undefined;
