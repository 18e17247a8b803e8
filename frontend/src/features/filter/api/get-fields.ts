import { queryOptions, useQuery } from '@tanstack/react-query';
import { z } from 'zod';
import { apiGet, ApiError, query } from '@/lib/api-client';

/** A filter's error: the API's message and the character (1-based) it points at. */
export interface FilterProblem {
  message: string;
  position: number | null;
}

/** Checks a filter with the API (the parser FlowLens queries with): null when valid. */
export async function checkFilter(q: string): Promise<FilterProblem | null> {
  try {
    await apiGet(`/api/filter/check${query({ q })}`, z.unknown());
    return null;
  } catch (error) {
    if (error instanceof ApiError && error.status === 400) {
      return { message: error.problem.errors?.q?.[0] ?? error.message, position: error.problem.position ?? null };
    }
    throw error;
  }
}

export const useFilterCheck = (q: string) =>
  useQuery(
    queryOptions({
      queryKey: ['filter', 'check', q],
      queryFn: () => checkFilter(q),
      enabled: q.trim() !== '',
      staleTime: Infinity,
    }),
  );
