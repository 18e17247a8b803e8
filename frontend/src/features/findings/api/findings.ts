import { keepPreviousData, queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { apiGet, apiSend, query } from '@/lib/api-client';
import { apiShape } from '@/types/api';

const s = z.string().nullable();

export const EvidenceSchema = apiShape('Evidence')(z.object({ filter: z.string(), from: z.string(), to: z.string() }));
export type Evidence = z.infer<typeof EvidenceSchema>;

export const FindingSchema = apiShape('FindingResponse')(
  z.object({
    id: z.number(),
    ruleId: z.number(),
    ruleName: z.string(),
    ruleKind: z.string(),
    key: z.string(),
    severity: z.string(),
    status: z.string(),
    mutedUntil: s,
    assignee: s,
    firstSeen: z.string(),
    lastSeen: z.string(),
    count: z.number(),
    evidence: EvidenceSchema,
    details: z.unknown(),
    openedAt: z.string(),
    notifiedAt: s,
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
);
export type Finding = z.infer<typeof FindingSchema>;

export const FindingPageSchema = apiShape('FindingPage')(z.object({ items: z.array(FindingSchema), nextCursor: s }));

export const FindingCountsSchema = apiShape('FindingCounts')(
  z.object({
    low: z.number(),
    medium: z.number(),
    high: z.number(),
    critical: z.number(),
    open: z.number(),
    acknowledged: z.number(),
  }),
);
export type FindingCounts = z.infer<typeof FindingCountsSchema>;

/** What the list asks for: the API's filters (comma lists for status and severity) and a page's cursor. */
export interface FindingsFilter {
  status: string;
  severity: string;
  ruleId: string;
  key: string;
  cursor: string;
}

export const findingsQuery = (filter: FindingsFilter, limit = 50) =>
  queryOptions({
    queryKey: ['findings', 'list', filter, limit],
    queryFn: () => apiGet(`/api/findings${query({ ...filter, limit })}`, FindingPageSchema),
  });

export const useFindings = (filter: FindingsFilter) =>
  useQuery({ ...findingsQuery(filter), placeholderData: keepPreviousData });

export const useFinding = (id: number) =>
  useQuery({ queryKey: ['findings', 'one', id], queryFn: () => apiGet(`/api/findings/${id}`, FindingSchema) });

export const useFindingCounts = () =>
  useQuery({ queryKey: ['findings', 'counts'], queryFn: () => apiGet('/api/findings/counts', FindingCountsSchema) });

/** Triage of one finding (the API's FindingPatch): a status (muted goes with mutedUntil), an assignee ("" clears it). */
export interface FindingPatch {
  status?: string;
  mutedUntil?: string;
  assignee?: string;
}

function useFindingMutation<T, R>(run: (input: T) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({ mutationFn: run, onSuccess: () => client.invalidateQueries({ queryKey: ['findings'] }) });
}

export const usePatchFinding = () =>
  useFindingMutation(({ id, patch }: { id: number; patch: FindingPatch }) =>
    apiSend('PATCH', `/api/findings/${id}`, patch, FindingSchema),
  );

export const useBulkFindings = () =>
  useFindingMutation(({ ids, status }: { ids: number[]; status: string }) =>
    apiSend('POST', '/api/findings/bulk', { ids, status }, apiShape('BulkResponse')(z.object({ updated: z.number() }))),
  );
