import { queryOptions, useQuery } from '@tanstack/react-query';
import { apiGet } from '@/lib/api-client';
import { MeSchema } from '@/types/api';

export const getMe = () => apiGet('/api/me', MeSchema);

export const meQueryOptions = () => queryOptions({ queryKey: ['me'], queryFn: getMe, retry: false });

export const useMe = () => useQuery(meQueryOptions());
