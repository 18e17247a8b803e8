import { queryOptions, useQuery } from '@tanstack/react-query';
import { z } from 'zod';
import { apiGet, query } from '@/lib/api-client';
import type { FieldValues } from '../lib/complete';

// TODO(#22): the API's schema (apiShape) once its document has GET /api/filter/values; until then either a list
// of values or `{ values }`, each a string or `{ value, label }`.
const ValueSchema = z.union([
  z.string().transform((value) => ({ value, label: null })),
  z.object({ value: z.string(), label: z.string().nullish() }),
]);
const ValuesSchema = z.union([
  z.array(ValueSchema),
  z.object({ values: z.array(ValueSchema) }).transform((answer) => answer.values),
]);

/** The values of a context field that start with `prefix` (countries, networks, instance names, ...). */
export const fieldValuesQuery = (field: string, prefix: string, limit = 20) =>
  queryOptions({
    queryKey: ['filter', 'values', field, prefix, limit],
    queryFn: async (): Promise<FieldValues> => ({
      field,
      prefix,
      values: await apiGet(`/api/filter/values${query({ field, prefix, limit })}`, ValuesSchema),
    }),
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
