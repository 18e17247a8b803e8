import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { apiGet, apiSend } from '@/lib/api-client';
import { apiShape } from '@/types/api';

const SessionSchema = apiShape('SessionItem')(
  z.object({
    handle: z.string(),
    current: z.boolean(),
    createdAt: z.string(),
    lastSeenAt: z.string(),
    expiresAt: z.string(),
    userAgent: z.string().nullable(),
    remoteAddress: z.string().nullable(),
  }),
);
export type SessionItem = z.infer<typeof SessionSchema>;

export const sessionsQuery = () =>
  queryOptions({ queryKey: ['sessions'], queryFn: () => apiGet('/api/auth/sessions', z.array(SessionSchema)) });

/** The signed-in person's browsers: each signed in as them, this one marked current. */
export const useSessions = () => useQuery(sessionsQuery());

/** Ends one of the person's sessions (by its handle, never its id), on every node. */
export function useEndSession() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (handle: string) => apiSend('DELETE', `/api/auth/sessions/${encodeURIComponent(handle)}`),
    onSuccess: () => client.invalidateQueries({ queryKey: ['sessions'] }),
  });
}

/** Changes the person's own password; the API ends their other sessions. */
export function useChangePassword() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (request: { currentPassword: string; newPassword: string }) =>
      apiSend('POST', '/api/auth/password', request),
    onSuccess: () => client.invalidateQueries({ queryKey: ['sessions'] }),
  });
}
