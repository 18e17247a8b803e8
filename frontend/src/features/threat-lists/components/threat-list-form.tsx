import { Alert, Button, Checkbox, Group, Stack, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useFormFields } from '@/lib/form-fields';
import { ApiError } from '@/lib/api-client';
import { useSaveThreatList, type ThreatList, type ThreatListRequest } from '../api/threat-lists';

type Form = { name: string; description: string; url: string; schedule: string };

const orNull = (text: string) => (text.trim() === '' ? null : text.trim());

/** Creates or edits a threat list, with the API's validation (a bad name, a refused URL) shown by its field. */
export function ThreatListForm({
  list,
  onSaved,
  onCancel,
}: {
  list: ThreatList | null;
  onSaved: () => void;
  onCancel: () => void;
}) {
  const {
    form,
    setErrors,
    bind: text,
  } = useFormFields<Form>({
    name: list?.name ?? '',
    description: list?.description ?? '',
    url: list?.url ?? '',
    schedule: list?.schedule ?? '',
  });
  const [enabled, setEnabled] = useState(list?.enabled ?? true);
  const save = useSaveThreatList();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(form.name.trim())) {
      setErrors({ name: "A name of 1 to 64 letters, digits, '.', '_' or '-' is required." });
      return;
    }
    setErrors({});
    const request: ThreatListRequest = {
      name: form.name.trim(),
      description: orNull(form.description),
      url: orNull(form.url),
      schedule: orNull(form.schedule),
      enabled,
    };
    save.mutate(
      { id: list?.id ?? null, request },
      {
        onSuccess: onSaved,
        onError: (e) => {
          const fields = e instanceof ApiError ? e.problem.errors : undefined;
          if (fields)
            setErrors(Object.fromEntries(Object.entries(fields).map(([k, v]) => [k.toLowerCase(), v.join(' ')])));
        },
      },
    );
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        <TextInput
          label="Name"
          required
          placeholder="spamhaus-drop"
          description="What filters name: threat-list = spamhaus-drop"
          {...text('name')}
        />
        <TextInput label="Description" placeholder="Spamhaus Don't Route Or Peer" {...text('description')} />
        <TextInput
          label="URL"
          placeholder="https://www.spamhaus.org/drop/drop.txt"
          description="Fetched on a schedule (https, public hosts only); leave empty to upload the list yourself"
          {...text('url')}
        />
        <TextInput
          label="Schedule"
          placeholder="daily (default)"
          description="Cron, UTC, e.g. 0 */6 * * *"
          {...text('schedule')}
        />
        <Checkbox
          label="Enabled (a disabled list matches nothing)"
          checked={enabled}
          onChange={(e) => setEnabled(e.currentTarget.checked)}
        />
        {save.isError && !(save.error instanceof ApiError && save.error.problem.errors) && (
          <Alert color="red" role="alert" variant="light">
            {save.error.message}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={save.isPending}>
            {list ? 'Save' : 'Create list'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
