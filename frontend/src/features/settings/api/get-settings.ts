import { useQuery } from '@tanstack/react-query';
import { z } from 'zod';
import { apiGet } from '@/lib/api-client';
import { apiShape } from '@/types/api';

const VersionsSchema = apiShape('Versions')(
  z.object({
    flowLens: z.string(),
    runtime: z.string(),
    os: z.string(),
    postgres: z.string(),
    schema: z.string().nullable(),
    node: z.string(),
    startedAt: z.string(),
  }),
);

const SettingSchema = apiShape('Setting')(
  z.object({ key: z.string(), value: z.string().nullable(), secret: z.boolean() }),
);
export type Setting = z.infer<typeof SettingSchema>;

const SettingsSchema = apiShape('SettingsResponse')(
  z.object({ versions: VersionsSchema, settings: z.array(SettingSchema) }),
);

/** Versions and the effective settings of the node that answers (admins only; secrets as set or not). */
export const useSettings = () =>
  useQuery({ queryKey: ['settings'], queryFn: () => apiGet('/api/settings', SettingsSchema) });
