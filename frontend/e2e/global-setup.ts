import type { TestProject } from 'vitest/node';
import { startStack, type Stack } from './stack';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: Stack;
  }
}

export default async function setup(project: TestProject) {
  // While writing tests: FLOWLENS_E2E_URL (and _EMAIL, _PASSWORD, _KEY, _FLOWLOGS) point at a FlowLens already running.
  const running = process.env.FLOWLENS_E2E_URL;
  if (running) {
    const env = (name: string) => process.env[`FLOWLENS_E2E_${name}`] ?? '';
    project.provide('stack', {
      url: running,
      email: env('EMAIL'),
      password: env('PASSWORD'),
      adminKey: env('KEY'),
      flowlogs: env('FLOWLOGS'),
    });
    return;
  }
  const { stack, stop } = await startStack((line) => console.log(line));
  project.provide('stack', stack);
  return stop;
}
