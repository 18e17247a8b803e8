import { queryOptions, useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { z } from 'zod';
import { FieldInfoSchema, type FieldInfo } from '@/types/api';
import { apiGet } from './api-client';

/** The filter fields, with the labels of coded values: asked once, they change only with FlowLens itself. */
export const fieldsQuery = queryOptions({
  queryKey: ['filter', 'fields'],
  queryFn: () => apiGet('/api/filter/fields', z.array(FieldInfoSchema)),
  staleTime: Infinity,
});

export const useFields = () => useQuery(fieldsQuery);

/** How a field's value reads on screen, in the API's words: "TCP (6)", "Same VPC (1)", "SYN ACK (18)". */
export type ShowValue = (field: string, value: string | number | null | undefined) => string;

// tcp-flags is a bitmask: the API labels each bit.
const bitmaskFields = new Set(['tcp-flags']);

export function labeller(fields: FieldInfo[] | undefined): ShowValue {
  const byField = new Map((fields ?? []).map((f) => [f.name, new Map(f.labels.map((l) => [l.value, l.label]))]));
  return (field, value) => {
    if (value === null || value === undefined || value === '') return '-';
    const labels = byField.get(field);
    if (!labels || labels.size === 0) return String(value);
    if (bitmaskFields.has(field)) {
      const bits = Number(value);
      const names = [...labels].filter(([bit]) => (bits & Number(bit)) !== 0).map(([, label]) => label);
      return `${names.join(' ') || '-'} (${value})`;
    }
    const label = labels.get(String(value));
    return label === undefined ? String(value) : `${label} (${value})`;
  };
}

/** The labeller over the API's labels; until they arrive, values show as they are. */
export function useShowValue(): ShowValue {
  const { data } = useFields();
  return useMemo(() => labeller(data), [data]);
}
