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
