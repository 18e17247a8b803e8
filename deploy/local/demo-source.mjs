// Makes sure the demo's directory source exists, asks for a sync and waits for it to finish.
// Usage: node demo-source.mjs <url> <admin-key> <folder>
const [url, key, folder] = process.argv.slice(2);
const headers = { 'X-Api-Key': key, 'Content-Type': 'application/json' };
const api = async (method, path, body) => {
  const response = await fetch(url + path, { method, headers, body: body && JSON.stringify(body) });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.status === 204 ? null : response.json();
};

let source = (await api('GET', '/api/sources')).find((s) => s.name === 'demo');
source ??= await api('POST', '/api/sources', { name: 'demo', kind: 'directory', directory: { path: folder } });
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
