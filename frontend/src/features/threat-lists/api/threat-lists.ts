import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { apiGet, apiSend, apiSendText } from '@/lib/api-client';
import { apiShape } from '@/types/api';

const s = z.string().nullable();

export const ThreatListSchema = apiShape('ThreatListResponse')(
  z.object({
    id: z.number(),
    name: z.string(),
    description: s,
    origin: z.string(),
    url: s,
    schedule: s,
    enabled: z.boolean(),
    entryCount: z.number(),
    ipv4Count: z.number(),
    ipv6Count: z.number(),
    rejectedLines: z.number(),
    rejectedSamples: z.array(z.string()),
    lastRefreshAt: s,
    lastAttemptAt: s,
    lastError: s,
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
);
export type ThreatList = z.infer<typeof ThreatListSchema>;

export const threatListsQuery = () =>
  queryOptions({
    queryKey: ['threat-lists'],
    queryFn: () => apiGet('/api/threat-lists', z.array(ThreatListSchema)),
  });

export const useThreatLists = () => useQuery(threatListsQuery());

/** What the create and edit forms send (the API's ThreatListRequest). */
export interface ThreatListRequest {
  name: string;
  description: string | null;
  url: string | null;
  schedule: string | null;
  enabled: boolean;
}

function useThreatListMutation<T, R>(run: (input: T) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({ mutationFn: run, onSuccess: () => client.invalidateQueries({ queryKey: ['threat-lists'] }) });
}

export const useSaveThreatList = () =>
  useThreatListMutation(({ id, request }: { id: number | null; request: ThreatListRequest }) =>
    id === null
      ? apiSend('POST', '/api/threat-lists', request, ThreatListSchema)
      : apiSend('PUT', `/api/threat-lists/${id}`, request, ThreatListSchema),
  );

export const useDeleteThreatList = () =>
  useThreatListMutation((id: number) => apiSend('DELETE', `/api/threat-lists/${id}`));

/** Replaces a list's entries with a file's text. */
export const useUploadThreatList = () =>
  useThreatListMutation(({ id, text }: { id: number; text: string }) =>
    apiSendText(`/api/threat-lists/${id}/entries`, text, ThreatListSchema),
  );

/** Fetches a list's URL now; a failure comes back as the list's lastError. */
export const useRefreshThreatList = () =>
  useThreatListMutation((id: number) =>
    apiSend('POST', `/api/threat-lists/${id}/refresh`, undefined, ThreatListSchema),
  );
