import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { apiGet, apiSend } from '@/lib/api-client';
import { apiShape } from '@/types/api';

export const SavedSearchSchema = apiShape('SearchResponse')(
  z.object({
    id: z.number(),
    name: z.string(),
    filter: z.string(),
    from: z.string(),
    to: z.string(),
    view: z.string(),
    viewState: z.record(z.string(), z.string()).nullable(),
    shared: z.boolean(),
    createdBy: z.string(),
    mine: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
);
export type SavedSearch = z.infer<typeof SavedSearchSchema>;

/** What the API stores (its SearchRequest): the current view's state, a name and whether the team sees it. */
export type SearchRequest = Pick<SavedSearch, 'name' | 'filter' | 'from' | 'to' | 'view' | 'viewState' | 'shared'>;

export const searchesQuery = () =>
  queryOptions({
    queryKey: ['searches'],
    queryFn: () => apiGet('/api/searches', z.array(SavedSearchSchema)),
  });

export const useSearches = (enabled = true) => useQuery({ ...searchesQuery(), enabled });

function useSearchMutation<T, R>(run: (input: T) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({ mutationFn: run, onSuccess: () => client.invalidateQueries({ queryKey: ['searches'] }) });
}

export const useSaveSearch = () =>
  useSearchMutation(({ id, request }: { id: number | null; request: SearchRequest }) =>
    id === null
      ? apiSend('POST', '/api/searches', request, SavedSearchSchema)
      : apiSend('PUT', `/api/searches/${id}`, request, SavedSearchSchema),
  );

export const useDeleteSearch = () => useSearchMutation((id: number) => apiSend('DELETE', `/api/searches/${id}`));
