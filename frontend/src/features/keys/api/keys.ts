import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { apiGet, apiSend } from '@/lib/api-client';
import { apiShape, ReadScopeSchema, type ReadScope } from '@/types/api';

const KeySchema = apiShape('KeyResponse')(
  z.object({
    id: z.number(),
    name: z.string(),
    role: z.string(),
    prefix: z.string(),
    createdAt: z.string(),
    expiresAt: z.string().nullable(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
    createdBy: z.string().nullable(),
    createdByUserId: z.number().nullable(),
    scope: ReadScopeSchema,
  }),
);
export type ApiKey = z.infer<typeof KeySchema>;

const CreatedKeySchema = apiShape('CreatedKey')(
  z.object({
    id: z.number(),
    name: z.string(),
    role: z.string(),
    prefix: z.string(),
    createdAt: z.string(),
    expiresAt: z.string().nullable(),
    scope: ReadScopeSchema,
    secret: z.string(),
  }),
);
export type CreatedKey = z.infer<typeof CreatedKeySchema>;

/** What the form sends (the API's KeyRequest). */
export interface KeyRequest {
  name: string;
  role: 'viewer' | 'admin';
  expiresAt: string | null;
  scope: ReadScope;
}

export const keysQuery = () =>
  queryOptions({ queryKey: ['keys'], queryFn: () => apiGet('/api/keys', z.array(KeySchema)) });

export const useKeys = () => useQuery(keysQuery());

function useKeyMutation<T, R>(run: (input: T) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({ mutationFn: run, onSuccess: () => client.invalidateQueries({ queryKey: ['keys'] }) });
}

export const useCreateKey = () =>
  useKeyMutation((request: KeyRequest) => apiSend('POST', '/api/keys', request, CreatedKeySchema));

export const useRevokeKey = () => useKeyMutation((id: number) => apiSend('DELETE', `/api/keys/${id}`));
