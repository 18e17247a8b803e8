import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { apiGet, apiSend, query } from '@/lib/api-client';
import { AcceptedSchema, ObjectPageSchema, SourceSchema, type Source } from '@/types/api';

export const sourcesQuery = () =>
  queryOptions({
    queryKey: ['sources'],
    queryFn: () => apiGet('/api/sources', z.array(SourceSchema)),
    refetchInterval: 15_000,
  });

export const useSources = () => useQuery(sourcesQuery());

export const useSource = (id: number) =>
  useQuery(
    queryOptions({
      queryKey: ['sources', id],
      queryFn: () => apiGet(`/api/sources/${id}`, SourceSchema),
      refetchInterval: 5_000,
    }),
  );

export const useObjects = (id: number, state: string | null) =>
  useQuery(
    queryOptions({
      queryKey: ['sources', id, 'objects', state],
      queryFn: () => apiGet(`/api/sources/${id}/objects${query({ state, limit: 200 })}`, ObjectPageSchema),
      refetchInterval: 5_000,
    }),
  );

/** What the add and edit forms send (the API's SourceRequest). */
export type SourceRequest = Pick<
  Source,
  'name' | 'kind' | 'enabled' | 'schedule' | 's3' | 'directory' | 'cloudWatch' | 'firehose' | 'inventory'
>;

function useSourceMutation<T, R>(run: (input: T) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({ mutationFn: run, onSuccess: () => client.invalidateQueries({ queryKey: ['sources'] }) });
}

export const useSaveSource = () =>
  useSourceMutation(({ id, request }: { id: number | null; request: SourceRequest }) =>
    id === null
      ? apiSend('POST', '/api/sources', request, SourceSchema)
      : apiSend('PUT', `/api/sources/${id}`, request, SourceSchema),
  );

export const useDeleteSource = () => useSourceMutation((id: number) => apiSend('DELETE', `/api/sources/${id}`));

export const useSyncSource = () =>
  useSourceMutation((id: number) => apiSend('POST', `/api/sources/${id}/sync`, undefined, AcceptedSchema));

export const useRetryFailed = () =>
  useSourceMutation((id: number) => apiSend('POST', `/api/sources/${id}/objects/retry`, undefined, AcceptedSchema));
