// @vitest-environment node
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// openapi.json is the API's document, kept equal to the served one by the backend's OpenApiTests; the types the
// frontend compiles against must be what openapi-typescript makes of it now.
describe('openapi.gen.ts', () => {
  it('is generated from openapi.json as it is (npm run api:types)', () => {
    const dir = fileURLToPath(new URL('.', import.meta.url));
    const cli = fileURLToPath(new URL('../../node_modules/openapi-typescript/bin/cli.js', import.meta.url));
    const generated = execFileSync(process.execPath, [cli, `${dir}openapi.json`], { encoding: 'utf8' });
    expect(readFileSync(`${dir}openapi.gen.ts`, 'utf8')).toBe(generated);
  });
});

// What a client generator (NSwag, Kiota, openapi-generator) needs (#26): Redocly's recommended rules, no error, and
// every operation with a stable operationId, its 4xx answers, and every tag described.
describe('openapi.json', () => {
  it("passes Redocly's recommended lint: no errors, and no missing operationId, 4xx answer or tag description", () => {
    const dir = fileURLToPath(new URL('.', import.meta.url));
    const cli = fileURLToPath(new URL('../../node_modules/@redocly/cli/bin/cli.js', import.meta.url));
    let output: string;
    try {
      output = execFileSync(process.execPath, [cli, 'lint', `${dir}openapi.json`, '--format=json'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
    } catch (failed) {
      output = (failed as { stdout: string }).stdout; // exit code 1 on errors: the report says which
    }
    const report = JSON.parse(output) as {
      totals: { errors: number };
      problems: { ruleId: string; severity: string; message: string; location: { pointer: string }[] }[];
    };
    const held = ['operation-operationId', 'operation-4xx-response', 'tag-description'];
    const problems = report.problems
      .filter((p) => p.severity === 'error' || held.includes(p.ruleId))
      .map((p) => `${p.ruleId} at ${p.location[0]?.pointer}: ${p.message}`);
    expect(problems).toEqual([]);
    expect(report.totals.errors).toBe(0);
  }, 60_000);

  it('names every operation once, verb first', () => {
    const doc = JSON.parse(readFileSync(new URL('openapi.json', import.meta.url), 'utf8')) as {
      paths: Record<string, Record<string, { operationId?: string }>>;
    };
    const ids = Object.values(doc.paths).flatMap((operations) => Object.values(operations).map((o) => o.operationId));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids)
      expect(id).toMatch(
        /^(get|list|search|count|check|create|update|delete|revoke|end|sign|change|start|receive|upload|refresh|sync|retry|test)[A-Z]/,
      );
  });
});
