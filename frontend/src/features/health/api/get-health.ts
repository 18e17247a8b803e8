import { queryOptions, useQuery } from '@tanstack/react-query';
import { apiGet } from '@/lib/api-client';
import { HealthSchema } from '@/types/api';

export const getHealth = () => apiGet('/api/health', HealthSchema);

export const useHealth = () =>
  useQuery(queryOptions({ queryKey: ['health'], queryFn: getHealth, refetchInterval: 30_000, retry: false }));
