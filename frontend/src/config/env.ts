import { z } from 'zod';

// Build-time settings, checked once: a wrong value fails loudly at start, not deep in a request.
const EnvSchema = z.object({
  API_BASE_URL: z.string().default(''),
});

export const env = EnvSchema.parse({
  API_BASE_URL: import.meta.env.VITE_API_BASE_URL,
});
