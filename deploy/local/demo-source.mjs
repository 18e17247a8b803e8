// Makes sure a demo source exists (created once, by name), asks for a sync, waits for it and prints what was
// ingested; exits 1 when the run failed. Used by run.sh (a directory source) and docker-compose.yml (S3 in MinIO).
// Usage: FLOWLENS_ADMIN_KEY=... node demo-source.mjs <url> '<source JSON, as POST /api/sources takes it>'
const [url, json] = process.argv.slice(2);
const wanted = JSON.parse(json);
const headers = { 'X-Api-Key': process.env.FLOWLENS_ADMIN_KEY, 'Content-Type': 'application/json' };
const api = async (method, path, body) => {
  const response = await fetch(url + path, { method, headers, body: body && JSON.stringify(body) });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.status === 204 ? null : response.json();
};

let source = (await api('GET', '/api/sources')).find((s) => s.name === wanted.name);
source ??= await api('POST', '/api/sources', wanted);
const startedAfter = new Date();
await api('POST', `/api/sources/${source.id}/sync`);
for (let i = 0; i < 600; i++) {
  await new Promise((r) => setTimeout(r, 1000));
  source = await api('GET', `/api/sources/${source.id}`);
  const finished = source.status.lastRunFinishedAt && new Date(source.status.lastRunFinishedAt) >= startedAfter;
  if (source.status.state !== 'running' && finished) break;
}
const s = source.status;
console.log(`  Demo source '${source.name}': ${s.objectsIngested} objects, ${s.recordsIngested.toLocaleString('en')} records ingested (${s.state})`);
if (s.state === 'failed') {
  console.error(`The last run failed: ${s.lastError}`);
  process.exit(1);
}
