import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetCsrfToken, setApiBaseUrl } from '@/lib/api-client';
import { renderWithProviders } from '@/testing/render';
import { readBody, sendJson, startTestServer } from '@/testing/test-server';
import { SourceForm } from './source-form';

describe('SourceForm', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  const posted: unknown[] = [];
  beforeAll(async () => {
    // Answers like FlowLens: an s3 source needs a region; a good one is created; a firehose source without a key gets one.
    server = await startTestServer(async (req, res) => {
      if (req.url === '/api/auth/csrf') return sendJson(res, 200, { token: 't', headerName: 'X-CSRF-TOKEN' });
      const body = JSON.parse(await readBody(req)) as {
        s3: { region: string | null } | null;
        firehose: { logFormat: string | null; accessKey: string | null } | null;
      };
      posted.push(body);
      if (body.s3 && !body.s3.region) {
        return sendJson(res, 400, {
          title: 'One or more validation errors occurred.',
          status: 400,
          errors: { 's3.region': ["The bucket's region is required (e.g. eu-west-1)."] },
        });
      }
      sendJson(res, 201, {
        id: 7,
        createdAt: '2026-11-25T00:00:00Z',
        status: {
          state: 'idle',
          lastRunStartedAt: null,
          lastRunFinishedAt: null,
          lastError: null,
          objectsIngested: 0,
          objectsFailed: 0,
          recordsIngested: 0,
          recordsRejected: 0,
          newestRecordAt: null,
          inventory: {
            state: 'pending',
            lastRunAt: null,
            error: null,
            counts: { interfaces: 0, addresses: 0, resources: 0 },
          },
        },
        ...body,
        firehose: body.firehose && {
          logFormat: body.firehose.logFormat,
          accessKey: body.firehose.accessKey ? null : 'flfh_made-by-flowlens-0123456789abcdefghijklmnopq',
          accessKeyPrefix: 'flfh_mad',
        },
      });
    });
    setApiBaseUrl(server.url);
  });
  afterAll(() => server.close());
  beforeEach(() => {
    posted.length = 0;
    resetCsrfToken();
  });
  afterEach(cleanup);

  const field = (label: string) => screen.getByLabelText(label, { exact: false, selector: 'input' });

  it('asks for the required settings before calling the API', async () => {
    renderWithProviders(<SourceForm source={null} onSaved={() => {}} onCancel={() => {}} />);
    fireEvent.click(screen.getByRole('button', { name: 'Add source' }));
    expect(await screen.findByText('A name is required.')).toBeTruthy();
    expect(screen.getByText('The bucket is required.')).toBeTruthy();
    expect(posted).toEqual([]);
  });

  it("shows the API's error by its field, then saves the corrected source", async () => {
    const onSaved = vi.fn();
    renderWithProviders(<SourceForm source={null} onSaved={onSaved} onCancel={() => {}} />);
    fireEvent.change(field('Name'), { target: { value: 'prod flow logs' } });
    fireEvent.change(field('Bucket'), { target: { value: 'acme-flow-logs' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add source' }));
    expect(await screen.findByText("The bucket's region is required (e.g. eu-west-1).")).toBeTruthy();
    expect(field('Region').getAttribute('aria-invalid')).toBe('true');

    fireEvent.change(field('Region'), { target: { value: 'eu-west-1' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add source' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(posted.at(-1)).toEqual({
      name: 'prod flow logs',
      kind: 's3',
      enabled: true,
      schedule: '*/5 * * * *',
      s3: {
        bucket: 'acme-flow-logs',
        prefix: 'AWSLogs/',
        forcePathStyle: false,
        region: 'eu-west-1',
        roleArn: null,
        externalId: null,
        serviceUrl: null,
        sqs: null,
      },
      cloudWatch: null,
      directory: null,
      firehose: null,
      inventory: { enabled: true, serviceUrl: null },
    });
  });

  it('adds a Firehose source and shows the key FlowLens made once, with the endpoint to give Firehose', async () => {
    const onSaved = vi.fn();
    renderWithProviders(<SourceForm source={null} onSaved={onSaved} onCancel={() => {}} />);
    fireEvent.click(screen.getByText('Firehose'));
    expect(screen.queryByLabelText('Schedule', { exact: false })).toBeNull();
    expect(screen.queryByLabelText('Region', { exact: false })).toBeNull();
    fireEvent.change(field('Name'), { target: { value: 'stream' } });
    fireEvent.change(field('Log format'), { target: { value: '${version} ${srcaddr} ${dstaddr}' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add source' }));

    expect((await screen.findByTestId('made-key')).textContent).toBe(
      'flfh_made-by-flowlens-0123456789abcdefghijklmnopq',
    );
    expect(screen.getByText(`${window.location.origin}/api/ingest/firehose`)).toBeTruthy();
    expect(onSaved).not.toHaveBeenCalled();
    expect(posted.at(-1)).toMatchObject({
      kind: 'firehose',
      s3: null,
      cloudWatch: null,
      firehose: { logFormat: '${version} ${srcaddr} ${dstaddr}', accessKey: null, accessKeyPrefix: null },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Done' }));
    expect(onSaved).toHaveBeenCalled();
  });

  it('sends the queue of an S3 source fed by event notifications, and its safety net', async () => {
    const onSaved = vi.fn();
    renderWithProviders(<SourceForm source={null} onSaved={onSaved} onCancel={() => {}} />);
    fireEvent.change(field('Name'), { target: { value: 'org bucket' } });
    fireEvent.change(field('Bucket'), { target: { value: 'org-flow-logs' } });
    fireEvent.change(field('Region'), { target: { value: 'eu-west-1' } });
    expect(screen.queryByLabelText('Also list the last day', { exact: false })).toBeNull();
    fireEvent.change(field('SQS queue URL'), {
      target: { value: 'https://sqs.eu-west-1.amazonaws.com/123456789012/flow-logs' },
    });
    fireEvent.click(field('Also list the last day'));
    fireEvent.click(screen.getByRole('button', { name: 'Add source' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect((posted.at(-1) as { s3: { sqs: unknown } }).s3.sqs).toEqual({
      queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/flow-logs',
      region: null,
      roleArn: null,
      externalId: null,
      serviceUrl: null,
      listLastDay: true,
    });
  });
});
