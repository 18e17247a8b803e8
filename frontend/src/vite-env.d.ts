/// <reference types="vite/client" />

// The build-time settings src/config/env.ts reads.
interface ImportMetaEnv {
  readonly VITE_API_BASE_URL?: string;
}
