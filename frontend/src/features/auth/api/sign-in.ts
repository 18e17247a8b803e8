import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiGet, apiSend, apiUrl, resetCsrfToken } from '@/lib/api-client';
import { MeSchema, ProvidersSchema } from '@/types/api';

export const useProviders = () =>
  useQuery(
    queryOptions({ queryKey: ['auth', 'providers'], queryFn: () => apiGet('/api/auth/providers', ProvidersSchema) }),
  );

/** Signs in with email and password; the API sets the session cookie. */
export function useSignIn() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (credentials: { email: string; password: string }) =>
      apiSend('POST', '/api/auth/sign-in', credentials, MeSchema),
    onSuccess: (me) => {
      resetCsrfToken();
      client.clear();
      client.setQueryData(['me'], me);
    },
  });
}

/** Ends this session, or with `everywhere` every session of the person, in every browser. */
export function useSignOut() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (everywhere: boolean) => apiSend('POST', everywhere ? '/api/auth/sign-out-all' : '/api/auth/sign-out'),
    onSettled: () => {
      resetCsrfToken();
      client.clear();
    },
  });
}

/** Where single sign-on starts; the provider sends the browser back to `returnUrl`. */
export const oidcUrl = (returnUrl: string) => apiUrl(`/api/auth/oidc?returnUrl=${encodeURIComponent(returnUrl)}`);
