import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { apiGet, apiSend } from '@/lib/api-client';
import { NetworkSchema, type Network } from '@/types/api';

export const networksQuery = () =>
  queryOptions({
    queryKey: ['networks'],
    queryFn: () => apiGet('/api/networks', z.array(NetworkSchema)),
  });

export const useNetworks = () => useQuery(networksQuery());

/** What the add and edit forms send (the API's NetworkRequest). */
export type NetworkRequest = Pick<Network, 'cidr' | 'name' | 'role' | 'tenant'>;

function useNetworkMutation<T, R>(run: (input: T) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({ mutationFn: run, onSuccess: () => client.invalidateQueries({ queryKey: ['networks'] }) });
}

export const useSaveNetwork = () =>
  useNetworkMutation(({ id, request }: { id: number | null; request: NetworkRequest }) =>
    id === null
      ? apiSend('POST', '/api/networks', request, NetworkSchema)
      : apiSend('PUT', `/api/networks/${id}`, request, NetworkSchema),
  );

export const useDeleteNetwork = () => useNetworkMutation((id: number) => apiSend('DELETE', `/api/networks/${id}`));
