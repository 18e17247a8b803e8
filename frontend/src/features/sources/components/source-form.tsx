import {
  Alert,
  Button,
  Checkbox,
  Code,
  Group,
  NumberInput,
  SegmentedControl,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { ShownOnce } from '@/components/ui/shown-once';
import { ApiError } from '@/lib/api-client';
import type { Source, SourceKind } from '@/types/api';
import { useSaveSource, type SourceRequest } from '../api/sources';

type Form = {
  name: string;
  kind: SourceKind;
  enabled: boolean;
  schedule: string;
  bucket: string;
  prefix: string;
  region: string;
  roleArn: string;
  externalId: string;
  serviceUrl: string;
  forcePathStyle: boolean;
  queueUrl: string;
  listLastDay: boolean;
  // The queue's other settings (region, role, endpoint) are set through the API; an edit keeps them.
  queue: NonNullable<Source['s3']>['sqs'];
  logGroupName: string;
  logFormat: string;
  lookbackMinutes: number;
  // Not edited here, but kept: an edit does not move where a CloudWatch source starts reading.
  startTime: string | null;
  path: string;
  // Write-only: empty keeps a firehose source's key (or, for a new one, lets FlowLens make one).
  accessKey: string;
  // Not edited here either, but kept: an edit does not turn an inventory on or off (the API's PUT replaces it).
  inventory: Source['inventory'];
};

const fromSource = (s: Source | null): Form => ({
  name: s?.name ?? '',
  kind: s?.kind ?? 's3',
  enabled: s?.enabled ?? true,
  schedule: s?.schedule ?? '*/5 * * * *',
  bucket: s?.s3?.bucket ?? '',
  prefix: s?.s3?.prefix ?? 'AWSLogs/',
  region: s?.s3?.region ?? s?.cloudWatch?.region ?? '',
  roleArn: s?.s3?.roleArn ?? s?.cloudWatch?.roleArn ?? '',
  externalId: s?.s3?.externalId ?? s?.cloudWatch?.externalId ?? '',
  serviceUrl: s?.s3?.serviceUrl ?? s?.cloudWatch?.serviceUrl ?? '',
  forcePathStyle: s?.s3?.forcePathStyle ?? false,
  queueUrl: s?.s3?.sqs?.queueUrl ?? '',
  listLastDay: s?.s3?.sqs?.listLastDay ?? false,
  queue: s?.s3?.sqs ?? null,
  logGroupName: s?.cloudWatch?.logGroupName ?? '',
  logFormat: s?.cloudWatch?.logFormat ?? s?.firehose?.logFormat ?? '',
  lookbackMinutes: s?.cloudWatch?.lookbackMinutes ?? 20,
  startTime: s?.cloudWatch?.startTime ?? null,
  path: s?.directory?.path ?? '',
  accessKey: '',
  inventory: s?.inventory ?? { enabled: true, serviceUrl: null },
});

const orNull = (text: string) => (text.trim() === '' ? null : text.trim());

function toRequest(f: Form): SourceRequest {
  const aws = {
    region: orNull(f.region),
    roleArn: orNull(f.roleArn),
    externalId: orNull(f.externalId),
    serviceUrl: orNull(f.serviceUrl),
  };
  return {
    name: f.name.trim(),
    kind: f.kind,
    enabled: f.enabled,
    schedule: f.schedule.trim(),
    s3:
      f.kind === 's3'
        ? {
            bucket: f.bucket.trim(),
            prefix: f.prefix,
            forcePathStyle: f.forcePathStyle,
            ...aws,
            sqs: orNull(f.queueUrl)
              ? {
                  ...(f.queue ?? { region: null, roleArn: null, externalId: null, serviceUrl: null }),
                  queueUrl: f.queueUrl.trim(),
                  listLastDay: f.listLastDay,
                }
              : null,
          }
        : null,
    cloudWatch:
      f.kind === 'cloudwatch'
        ? {
            logGroupName: f.logGroupName.trim(),
            logFormat: orNull(f.logFormat),
            lookbackMinutes: f.lookbackMinutes,
            startTime: f.startTime,
            ...aws,
          }
        : null,
    directory: f.kind === 'directory' ? { path: f.path.trim() } : null,
    firehose:
      f.kind === 'firehose'
        ? { logFormat: orNull(f.logFormat), accessKey: orNull(f.accessKey), accessKeyPrefix: null }
        : null,
    inventory: f.inventory,
  };
}

/** The checks the browser can make before asking the API, which checks everything again. */
function localErrors(f: Form): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!f.name.trim()) errors.name = 'A name is required.';
  if (f.kind === 's3' && !f.bucket.trim()) errors['s3.bucket'] = 'The bucket is required.';
  if (f.kind === 'cloudwatch' && !f.logGroupName.trim())
    errors['cloudwatch.loggroupname'] = 'The log group is required.';
  if (f.kind === 'directory' && !f.path.trim()) errors['directory.path'] = 'The folder is required.';
  return errors;
}

/** Where Firehose delivers: this FlowLens, as the browser reaches it. */
const firehoseUrl = () => `${window.location.origin}/api/ingest/firehose`;

/** A firehose source's key as FlowLens made it: shown once, with where the stream should send its records. */
function MadeKey({ accessKey, onDone }: { accessKey: string; onDone: () => void }) {
  return (
    <Stack gap="sm">
      <ShownOnce
        title="Copy the access key now: it is not shown again"
        label="Access key"
        value={accessKey}
        testId="made-key"
      >
        <Text size="sm">In the Firehose stream's HTTP endpoint destination, set:</Text>
        <Text size="sm">
          HTTP endpoint URL <Code>{firehoseUrl()}</Code>
        </Text>
      </ShownOnce>
      <Group justify="flex-end">
        <Button onClick={onDone}>Done</Button>
      </Group>
    </Stack>
  );
}

/** Adds or edits a source: S3, CloudWatch Logs, a Firehose stream or a directory, with the API's validation shown by each field. */
export function SourceForm({
  source,
  onSaved,
  onCancel,
}: {
  source: Source | null;
  onSaved: () => void;
  onCancel: () => void;
}) {
  const [form, setForm] = useState(() => fromSource(source));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [madeKey, setMadeKey] = useState<string | null>(null);
  const save = useSaveSource();
  const set =
    <K extends keyof Form>(key: K) =>
    (value: Form[K]) =>
      setForm((f) => ({ ...f, [key]: value }));
  const text = (key: keyof Form) => ({
    value: form[key] as string,
    onChange: (e: { currentTarget: { value: string } }) => set(key)(e.currentTarget.value),
  });
  const error = (...keys: string[]) => keys.map((k) => errors[k.toLowerCase()]).find(Boolean);
  const prefix = form.kind === 'cloudwatch' ? 'cloudwatch' : 's3';
  const pulls = form.kind !== 'firehose';

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const local = localErrors(form);
    setErrors(local);
    if (Object.keys(local).length > 0) return;
    save.mutate(
      { id: source?.id ?? null, request: toRequest(form) },
      {
        onSuccess: (saved) => (saved.firehose?.accessKey ? setMadeKey(saved.firehose.accessKey) : onSaved()),
        onError: (e) => {
          const fields = e instanceof ApiError ? e.problem.errors : undefined;
          if (fields)
            setErrors(Object.fromEntries(Object.entries(fields).map(([k, v]) => [k.toLowerCase(), v.join(' ')])));
        },
      },
    );
  };

  if (madeKey) return <MadeKey accessKey={madeKey} onDone={onSaved} />;

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        <TextInput label="Name" required {...text('name')} error={error('name')} />
        <SegmentedControl
          aria-label="Kind"
          value={form.kind}
          onChange={(v) => set('kind')(v)}
          data={[
            { value: 's3', label: 'S3' },
            { value: 'cloudwatch', label: 'CloudWatch Logs' },
            { value: 'firehose', label: 'Firehose' },
            { value: 'directory', label: 'Directory' },
          ]}
        />
        {form.kind === 's3' && (
          <>
            <TextInput label="Bucket" required {...text('bucket')} error={error('s3.bucket', 's3')} />
            <TextInput
              label="Prefix"
              description="Where AWSLogs/{account}/vpcflowlogs/... starts"
              {...text('prefix')}
              error={error('s3.prefix')}
            />
            <TextInput
              label="SQS queue URL"
              description="A queue the bucket's event notifications reach (directly, through SNS or EventBridge): objects are found as they arrive instead of by listing (optional)"
              placeholder="https://sqs.eu-west-1.amazonaws.com/123456789012/flow-logs"
              {...text('queueUrl')}
              error={error('s3.sqs.queueUrl', 's3.sqs')}
            />
            {form.queueUrl.trim() !== '' && (
              <Checkbox
                label="Also list the last day on the schedule (a safety net for lost notifications)"
                checked={form.listLastDay}
                onChange={(e) => set('listLastDay')(e.currentTarget.checked)}
              />
            )}
          </>
        )}
        {form.kind === 'cloudwatch' && (
          <>
            <TextInput
              label="Log group"
              required
              placeholder="/vpc/flow-logs"
              {...text('logGroupName')}
              error={error('cloudWatch.logGroupName', 'cloudWatch')}
            />
            <TextInput
              label="Log format"
              description="The flow log's format string; empty for the default (version 2) format"
              placeholder="${version} ${account-id} ${interface-id} ..."
              {...text('logFormat')}
              error={error('cloudWatch.logFormat')}
            />
            <NumberInput
              label="Look-back (minutes)"
              description="How far before the checkpoint each run reads again, for late events"
              min={0}
              max={1440}
              value={form.lookbackMinutes}
              onChange={(v) => set('lookbackMinutes')(Number(v))}
              error={error('cloudWatch.lookbackMinutes')}
            />
          </>
        )}
        {form.kind === 'firehose' && (
          <>
            <Text size="sm" c="dimmed">
              Amazon Data Firehose delivers to <Code>{firehoseUrl()}</Code> (an HTTP endpoint destination, HTTPS on port
              443 in front of FlowLens).
            </Text>
            <TextInput
              label="Log format"
              description="The flow log's format string; empty for the default (version 2) format"
              placeholder="${version} ${account-id} ${interface-id} ..."
              {...text('logFormat')}
              error={error('firehose.logFormat', 'firehose')}
            />
            <TextInput
              label="Access key"
              description={
                source?.firehose?.accessKeyPrefix
                  ? `Empty keeps the key (${source.firehose.accessKeyPrefix}…); a new one replaces it`
                  : 'Empty: FlowLens makes one and shows it once; or at least 32 characters of your own'
              }
              autoComplete="off"
              {...text('accessKey')}
              error={error('firehose.accessKey')}
            />
          </>
        )}
        {form.kind === 'directory' && (
          <TextInput
            label="Folder"
            required
            description="An absolute path under FlowLens:Sources:DirectoryRoots"
            {...text('path')}
            error={error('directory.path', 'directory')}
          />
        )}
        {(form.kind === 's3' || form.kind === 'cloudwatch') && (
          <>
            <TextInput label="Region" placeholder="eu-west-1" {...text('region')} error={error(`${prefix}.region`)} />
            <TextInput
              label="Role ARN"
              description="Assumed to read (optional)"
              {...text('roleArn')}
              error={error(`${prefix}.roleArn`)}
            />
            <TextInput label="External ID" {...text('externalId')} error={error(`${prefix}.externalId`)} />
            <TextInput
              label="Endpoint URL"
              description="Only for S3-compatible stores or LocalStack"
              {...text('serviceUrl')}
              error={error(`${prefix}.serviceUrl`)}
            />
            {form.kind === 's3' && (
              <Checkbox
                label="Path-style addressing"
                checked={form.forcePathStyle}
                onChange={(e) => set('forcePathStyle')(e.currentTarget.checked)}
              />
            )}
          </>
        )}
        {pulls && (
          <TextInput
            label="Schedule"
            description="Cron, UTC (five fields)"
            {...text('schedule')}
            error={error('schedule')}
          />
        )}
        <Checkbox label="Enabled" checked={form.enabled} onChange={(e) => set('enabled')(e.currentTarget.checked)} />
        {save.isError && !(save.error instanceof ApiError && save.error.problem.errors) && (
          <Alert color="red" role="alert" variant="light">
            {save.error.message}
          </Alert>
        )}
        {Object.keys(errors).length > 0 && (
          <Text size="sm" c="red" role="alert">
            Some settings need fixing.
          </Text>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={save.isPending}>
            {source ? 'Save' : 'Add source'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
