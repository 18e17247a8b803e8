// One-shot of docker-compose.yml (node image): makes sure FlowLens has an S3 source for the demo bucket in MinIO,
// asks for a sync and waits for it, printing what was ingested. Creating is skipped when the source exists.
// Settings come from the environment: FLOWLENS_URL, FLOWLENS_ADMIN_KEY, DEMO_BUCKET.
const { FLOWLENS_URL: url, FLOWLENS_ADMIN_KEY: key, DEMO_BUCKET: bucket } = process.env;
const headers = { 'X-Api-Key': key, 'Content-Type': 'application/json' };
const api = async (method, path, body) => {
  const response = await fetch(url + path, { method, headers, body: body && JSON.stringify(body) });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.status === 204 ? null : response.json();
};

const name = 'demo-minio';
let source = (await api('GET', '/api/sources')).find((s) => s.name === name);
source ??= await api('POST', '/api/sources', {
  name,
  kind: 's3',
  // MinIO answers on the compose network; path-style URLs, since "flow-logs.minio" is no host name there.
  // Credentials are FlowLens's own AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (docker-compose.yml).
  s3: { bucket, prefix: 'AWSLogs/', region: 'us-east-1', serviceUrl: 'http://minio:9000', forcePathStyle: true },
});
const startedAfter = new Date();
await api('POST', `/api/sources/${source.id}/sync`);
for (let i = 0; i < 600; i++) {
  await new Promise((r) => setTimeout(r, 1000));
  source = await api('GET', `/api/sources/${source.id}`);
  const finished = source.status.lastRunFinishedAt && new Date(source.status.lastRunFinishedAt) >= startedAfter;
  if (source.status.state !== 'running' && finished) break;
}
const s = source.status;
console.log(`Source '${source.name}': ${s.objectsIngested} objects, ${s.recordsIngested.toLocaleString('en')} records ingested (${s.state})`);
if (s.state === 'failed') {
  console.error(`The last run failed: ${s.lastError}`);
  process.exit(1);
}
