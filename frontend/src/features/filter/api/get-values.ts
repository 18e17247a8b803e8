import { queryOptions, useQuery } from '@tanstack/react-query';
import { z } from 'zod';
import { apiGet, query } from '@/lib/api-client';
import { apiShape } from '@/types/api';
import type { FieldValues } from '../lib/complete';

const FilterValuesSchema = apiShape('FilterValues')(z.object({ field: z.string(), values: z.array(z.string()) }));

/** The values of a context field that start with `prefix` (countries, networks, instance names, ...). */
export const fieldValuesQuery = (field: string, prefix: string, limit = 20) =>
  queryOptions({
    queryKey: ['filter', 'values', field, prefix, limit],
    queryFn: async (): Promise<FieldValues> => {
      const answer = await apiGet(`/api/filter/values${query({ field, prefix, limit })}`, FilterValuesSchema);
      return { field, prefix, values: answer.values.map((value) => ({ value })) };
    },
    staleTime: 60_000,
    // Completion falls back to the field's examples: no retries to wait for.
    retry: false,
  });

/** The values of the context field at the cursor, when there is one (`asked`, debounced by the caller). */
export const useFieldValues = (asked: { field: string; prefix: string } | null) =>
  useQuery({
    ...fieldValuesQuery(asked?.field ?? '', asked?.prefix ?? ''),
    enabled: asked !== null,
    // The values of the previous prefix while the next are asked for (complete() uses them only if they cover it).
    placeholderData: (previous) => previous,
  });
