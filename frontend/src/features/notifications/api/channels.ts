import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { apiGet, apiSend } from '@/lib/api-client';
import { apiShape } from '@/types/api';

const s = z.string().nullable();

export const ChannelSchema = apiShape('ChannelResponse')(
  z.object({
    id: z.number(),
    name: z.string(),
    kind: z.string(),
    enabled: z.boolean(),
    secretSet: z.boolean(),
    webhook: apiShape('WebhookSettings')(
      z.object({ format: z.string(), urlSet: z.boolean(), signingSecretSet: z.boolean() }),
    ).nullable(),
    slack: apiShape('SlackSettings')(z.object({ urlSet: z.boolean() })).nullable(),
    email: apiShape('EmailSettings')(
      z.object({
        host: z.string(),
        port: z.number(),
        security: z.string(),
        username: s,
        passwordSet: z.boolean(),
        from: z.string(),
        to: z.array(z.string()),
      }),
    ).nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
);
export type Channel = z.infer<typeof ChannelSchema>;

export const DeliverySchema = apiShape('DeliveryResponse')(
  z.object({
    id: z.number(),
    deliveryId: z.string(),
    findingId: z.number(),
    channelId: z.number(),
    channelName: z.string(),
    channelKind: z.string(),
    event: z.string(),
    attempt: z.number(),
    status: z.string(),
    createdAt: z.string(),
    nextAttemptAt: z.string(),
    attemptedAt: s,
    finishedAt: s,
    reply: s,
    error: s,
  }),
);
export type Delivery = z.infer<typeof DeliverySchema>;

/** What the form sends (the API's ChannelRequest): a secret left null keeps the stored one. */
export type ChannelRequest = {
  name: string;
  kind: string;
  enabled: boolean;
  webhook?: { url: string | null; signingSecret: string | null; format: string };
  slack?: { url: string | null };
  email?: {
    host: string;
    port: number | null;
    security: string;
    username: string | null;
    password: string | null;
    from: string;
    to: string[];
  };
};

export const channelsQuery = () =>
  queryOptions({ queryKey: ['channels'], queryFn: () => apiGet('/api/channels', z.array(ChannelSchema)) });

export const useChannels = () => useQuery(channelsQuery());

/** The delivery log of a finding (0: the channels' tests). */
export const useDeliveries = (findingId: number) =>
  useQuery({
    queryKey: ['deliveries', findingId],
    queryFn: () => apiGet(`/api/deliveries?findingId=${findingId}`, z.array(DeliverySchema)),
  });

function useChannelMutation<T, R>(run: (input: T) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: run,
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ['channels'] });
      await client.invalidateQueries({ queryKey: ['deliveries'] });
    },
  });
}

export const useSaveChannel = () =>
  useChannelMutation(({ id, request }: { id: number | null; request: ChannelRequest }) =>
    id === null
      ? apiSend('POST', '/api/channels', request, ChannelSchema)
      : apiSend('PUT', `/api/channels/${id}`, request, ChannelSchema),
  );

export const useDeleteChannel = () => useChannelMutation((id: number) => apiSend('DELETE', `/api/channels/${id}`));

export const useTestChannel = () =>
  useChannelMutation((id: number) => apiSend('POST', `/api/channels/${id}/test`, undefined, DeliverySchema));

/** A channel's stored settings as a request that keeps its secrets (for enable/disable). */
export function keepSecrets(channel: Channel, enabled: boolean): ChannelRequest {
  const request: ChannelRequest = { name: channel.name, kind: channel.kind, enabled };
  if (channel.webhook) request.webhook = { url: null, signingSecret: null, format: channel.webhook.format };
  if (channel.slack) request.slack = { url: null };
  if (channel.email) {
    const { host, port, security, username, from, to } = channel.email;
    request.email = { host, port, security, username, password: null, from, to };
  }
  return request;
}
