import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query';
import { z } from 'zod';
import { apiGet, query } from '@/lib/api-client';
import { apiShape } from '@/types/api';

const AuditEventSchema = apiShape('AuditEvent')(
  z.object({
    id: z.number(),
    at: z.string(),
    actor: z.string(),
    action: z.string(),
    target: z.string(),
    detail: z.string().nullable(),
    remoteAddress: z.string().nullable(),
  }),
);
export type AuditEvent = z.infer<typeof AuditEventSchema>;

const AuditPageSchema = apiShape('AuditPage')(
  z.object({ items: z.array(AuditEventSchema), nextBefore: z.number().nullable() }),
);

/** What the audit log is narrowed to; empty strings are no condition. `from`/`to` are ISO 8601 instants. */
export interface AuditFilter {
  action: string;
  actor: string;
  from: string;
  to: string;
}

/** Pages of audit events, newest first, through the API's `before` cursor. */
export const useAudit = (filter: AuditFilter, pageSize = 100) =>
  useInfiniteQuery(
    infiniteQueryOptions({
      queryKey: ['audit', filter, pageSize],
      queryFn: ({ pageParam }) =>
        apiGet(
          `/api/audit${query({
            action: filter.action || null,
            actor: filter.actor || null,
            from: filter.from || null,
            to: filter.to || null,
            limit: pageSize,
            before: pageParam,
          })}`,
          AuditPageSchema,
        ),
      initialPageParam: null as number | null,
      getNextPageParam: (page) => page.nextBefore,
    }),
  );
