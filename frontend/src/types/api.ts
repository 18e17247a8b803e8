import { z } from 'zod';

// The backend's response shapes, with its names exactly.

export const MeSchema = z.object({
  name: z.string(),
  role: z.enum(['viewer', 'admin']),
});
export type Me = z.infer<typeof MeSchema>;

export const HealthSchema = z.object({
  status: z.string(),
  database: z.string(),
});
export type Health = z.infer<typeof HealthSchema>;

// RFC 7807: every 4xx/5xx from the API.
export const ProblemSchema = z.object({
  type: z.string().optional(),
  title: z.string(),
  status: z.number(),
  detail: z.string().optional(),
  traceId: z.string().optional(),
});
export type Problem = z.infer<typeof ProblemSchema>;
