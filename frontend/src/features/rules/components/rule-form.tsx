import { Alert, Autocomplete, Button, Checkbox, Group, NumberInput, Select, Stack, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useSearches } from '@/features/searches/api/searches';
import { ApiError } from '@/lib/api-client';
import { requestOf, useSaveRule, type Rule, type RuleRequest } from '../api/rules';

export const windows = ['5m', '15m', '1h', '1d'];
export const severities = ['low', 'medium', 'high', 'critical'];
export const metrics = ['records', 'flows', 'bytes', 'packets', 'distinct-dstport', 'distinct-dstaddr'];
// The usual group fields; the API takes any filter field of one stored column and names them all when one is wrong.
const groupFields = [
  'srcaddr',
  'dstaddr',
  'srcport',
  'dstport',
  'protocol',
  'action',
  'interface-id',
  'account-id',
  'vpc-id',
  'subnet-id',
  'instance-id',
  'flow-direction',
  'traffic-path',
];

/** The API's 400 errors by field, keyed in lower case (it names them in camelCase: groupBy, minSeverity). */
export function fieldErrors(error: unknown): Record<string, string> | null {
  if (!(error instanceof ApiError) || !error.problem.errors) return null;
  return Object.fromEntries(Object.entries(error.problem.errors).map(([k, v]) => [k.toLowerCase(), v.join(' ')]));
}

type Form = {
  name: string;
  filter: string;
  searchId: number | null;
  groupBy: string;
  metric: string | null;
  threshold: number | string;
  window: string | null;
  severity: string | null;
  enabled: boolean;
  parameters: Record<string, number | string>;
};

/** The request a form sends: the rule as it is (a PUT replaces all of it) with the form's fields over it. */
export function requestOfForm(rule: Rule | null, form: Form): RuleRequest {
  const base: RuleRequest = rule
    ? requestOf(rule)
    : {
        name: '',
        kind: 'threshold',
        enabled: true,
        severity: 'medium',
        window: '5m',
        channelIds: [],
        minSeverity: 'low',
      };
  const common = {
    ...base,
    name: form.name.trim(),
    enabled: form.enabled,
    severity: form.severity ?? base.severity,
    window: form.window ?? base.window,
  };
  if (rule?.builtIn) {
    return {
      ...common,
      parameters: Object.fromEntries(Object.entries(form.parameters).map(([k, v]) => [k, Number(v)])),
    };
  }
  return {
    ...common,
    // On a saved search the API takes the search's filter (and follows it).
    filter: form.searchId === null ? form.filter.trim() || null : null,
    searchId: form.searchId,
    groupBy: form.groupBy.trim() || null,
    metric: form.metric,
    threshold: form.threshold === '' ? null : Number(form.threshold),
  };
}

/**
 * Creates a threshold rule or edits a rule: a threshold rule's filter, group, metric, threshold; a built-in
 * detector's parameters; both their window, severity and whether they run. The API's 400s show by their field.
 */
export function RuleForm({
  rule,
  onSaved,
  onCancel,
}: {
  rule: Rule | null;
  onSaved: () => void;
  onCancel: () => void;
}) {
  const [form, setForm] = useState<Form>({
    name: rule?.name ?? '',
    filter: rule?.filter ?? '',
    searchId: rule?.searchId ?? null,
    groupBy: rule?.groupBy ?? 'srcaddr',
    metric: rule?.metric ?? 'flows',
    threshold: rule?.threshold ?? '',
    window: rule?.window ?? '5m',
    severity: rule?.severity ?? 'medium',
    enabled: rule?.enabled ?? true,
    parameters: rule?.parameters ?? {},
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const save = useSaveRule();
  const searches = useSearches(!(rule?.builtIn ?? false));
  const search = searches.data?.find((s) => s.id === form.searchId);
  const update = (changes: Partial<Form>) => setForm((f) => ({ ...f, ...changes }));
  const builtIn = rule?.builtIn ?? false;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setErrors({});
    save.mutate(
      { id: rule?.id ?? null, request: requestOfForm(rule, form) },
      { onSuccess: onSaved, onError: (e) => setErrors(fieldErrors(e) ?? {}) },
    );
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        <TextInput
          label="Name"
          required
          value={form.name}
          onChange={(e) => update({ name: e.currentTarget.value })}
          error={errors.name}
        />
        {builtIn ? (
          Object.entries(form.parameters).map(([name, value]) => (
            <NumberInput
              key={name}
              label={name}
              value={value}
              decimalScale={name.toLowerCase().includes('ratio') ? 2 : 0}
              step={name.toLowerCase().includes('ratio') ? 0.05 : 1}
              onChange={(v) => update({ parameters: { ...form.parameters, [name]: v } })}
            />
          ))
        ) : (
          <>
            <Select
              label="Saved search"
              description="The rule takes the search's filter and follows it when the search is edited"
              placeholder="None: a filter of its own"
              clearable
              searchable
              data={[
                ...(searches.data ?? []).map((s) => ({
                  value: String(s.id),
                  label: s.shared ? `${s.name} (team)` : s.name,
                })),
                // Someone's search that is private now: the rule still follows it.
                ...(form.searchId !== null && searches.isSuccess && !search
                  ? [{ value: String(form.searchId), label: `#${form.searchId} (not yours to see)` }]
                  : []),
              ]}
              value={form.searchId === null ? null : String(form.searchId)}
              onChange={(v) => update({ searchId: v === null ? null : Number(v) })}
              error={errors.searchid}
            />
            <TextInput
              label="Filter"
              placeholder="action = REJECT and dstport in (22, 3389)"
              description={
                form.searchId === null
                  ? 'The flows it counts (docs/filters.md); empty: every flow'
                  : "The saved search's: edit the search to change it"
              }
              styles={{ input: { fontFamily: 'monospace' } }}
              disabled={form.searchId !== null}
              value={form.searchId === null ? form.filter : (search?.filter ?? form.filter)}
              onChange={(e) => update({ filter: e.currentTarget.value })}
              error={errors.filter}
            />
            <Group grow align="flex-start">
              <Autocomplete
                label="Group by"
                data={groupFields}
                value={form.groupBy}
                onChange={(v) => update({ groupBy: v })}
                error={errors.groupby}
              />
              <Select
                label="Metric"
                data={metrics}
                value={form.metric}
                onChange={(v) => update({ metric: v })}
                error={errors.metric}
              />
              <NumberInput
                label="Threshold"
                description="Fires when greater"
                min={0}
                allowDecimal={false}
                value={form.threshold}
                onChange={(v) => update({ threshold: v })}
                error={errors.threshold}
              />
            </Group>
          </>
        )}
        {errors.parameters && (
          <Alert color="red" variant="light" role="alert">
            {errors.parameters}
          </Alert>
        )}
        <Group grow align="flex-start">
          <Select
            label="Window"
            data={windows}
            value={form.window}
            onChange={(v) => update({ window: v })}
            error={errors.window}
          />
          <Select
            label="Severity"
            data={severities}
            value={form.severity}
            onChange={(v) => update({ severity: v })}
            error={errors.severity}
          />
        </Group>
        <Checkbox
          label="Enabled"
          checked={form.enabled}
          onChange={(e) => update({ enabled: e.currentTarget.checked })}
        />
        {save.isError && !fieldErrors(save.error) && (
          <Alert color="red" role="alert" variant="light">
            {save.error.message}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={save.isPending}>
            {rule ? 'Save' : 'Create rule'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
