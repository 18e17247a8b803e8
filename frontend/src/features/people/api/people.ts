import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { apiGet, apiSend } from '@/lib/api-client';
import { apiShape, ReadScopeSchema, type ReadScope } from '@/types/api';

const PersonSchema = apiShape('UserResponse')(
  z.object({
    id: z.number(),
    email: z.string(),
    role: z.string(),
    createdAt: z.string(),
    lockedOutUntil: z.string().nullable(),
    scope: ReadScopeSchema,
    sessions: z.number(),
    lastSeenAt: z.string().nullable(),
  }),
);
export type Person = z.infer<typeof PersonSchema>;

/** What the forms send (the API's UserRequest): on a change, a null password keeps the old one. */
export interface PersonRequest {
  email: string | null;
  role: 'viewer' | 'admin';
  password: string | null;
  scope: ReadScope;
}

export const peopleQuery = () =>
  queryOptions({ queryKey: ['people'], queryFn: () => apiGet('/api/users', z.array(PersonSchema)) });

export const usePeople = () => useQuery(peopleQuery());

function usePeopleMutation<T, R>(run: (input: T) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({ mutationFn: run, onSuccess: () => client.invalidateQueries({ queryKey: ['people'] }) });
}

export const useSavePerson = () =>
  usePeopleMutation(({ id, request }: { id: number | null; request: PersonRequest }) =>
    id === null
      ? apiSend('POST', '/api/users', request, PersonSchema)
      : apiSend('PUT', `/api/users/${id}`, request, PersonSchema),
  );

export const useRemovePerson = () => usePeopleMutation((id: number) => apiSend('DELETE', `/api/users/${id}`));

/** Ends every session of a person (a lost laptop, someone leaving); they may sign in again. */
export const useSignOutPerson = () => usePeopleMutation((id: number) => apiSend('POST', `/api/users/${id}/sign-out`));
