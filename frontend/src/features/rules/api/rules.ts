import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { apiGet, apiSend } from '@/lib/api-client';
import { apiShape } from '@/types/api';

export const RuleSchema = apiShape('RuleResponse')(
  z.object({
    id: z.number(),
    name: z.string(),
    kind: z.string(),
    builtIn: z.boolean(),
    enabled: z.boolean(),
    severity: z.string(),
    parameters: z.record(z.string(), z.number()),
    filter: z.string().nullable(),
    searchId: z.number().nullable(),
    window: z.string(),
    groupBy: z.string().nullable(),
    metric: z.string().nullable(),
    threshold: z.number().nullable(),
    channelIds: z.array(z.number()),
    minSeverity: z.string(),
    evaluatedTo: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
);
export type Rule = z.infer<typeof RuleSchema>;

export const rulesQuery = () =>
  queryOptions({ queryKey: ['rules'], queryFn: () => apiGet('/api/rules', z.array(RuleSchema)) });

export const useRules = () => useQuery(rulesQuery());

/**
 * What POST and PUT take (the API's RuleRequest). A PUT replaces the whole rule, so edits start from the rule as it
 * is (requestOf); a built-in detector takes no filter, groupBy, metric or threshold, a threshold rule no parameters.
 */
export interface RuleRequest {
  name: string;
  kind: string;
  enabled: boolean;
  severity: string;
  window: string;
  channelIds: number[];
  minSeverity: string;
  parameters?: Record<string, number>;
  filter?: string | null;
  searchId?: number | null;
  groupBy?: string | null;
  metric?: string | null;
  threshold?: number | null;
}

export function requestOf(rule: Rule): RuleRequest {
  const common = {
    name: rule.name,
    kind: rule.kind,
    enabled: rule.enabled,
    severity: rule.severity,
    window: rule.window,
    channelIds: rule.channelIds,
    minSeverity: rule.minSeverity,
  };
  return rule.builtIn
    ? { ...common, parameters: rule.parameters }
    : {
        ...common,
        filter: rule.filter,
        searchId: rule.searchId,
        groupBy: rule.groupBy,
        metric: rule.metric,
        threshold: rule.threshold,
      };
}

function useRuleMutation<T, R>(run: (input: T) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({ mutationFn: run, onSuccess: () => client.invalidateQueries({ queryKey: ['rules'] }) });
}

export const useSaveRule = () =>
  useRuleMutation(({ id, request }: { id: number | null; request: RuleRequest }) =>
    id === null
      ? apiSend('POST', '/api/rules', request, RuleSchema)
      : apiSend('PUT', `/api/rules/${id}`, request, RuleSchema),
  );

export const useDeleteRule = () => useRuleMutation((id: number) => apiSend('DELETE', `/api/rules/${id}`));
