import { z } from 'zod';
import type { components } from './openapi.gen';

// The backend's response shapes, with its names exactly. Every answer is checked against these at run time, and
// each schema against the API's OpenAPI document (openapi.json → openapi.gen.ts) when the code is type-checked.

/** The API's schemas, generated from its OpenAPI document by `npm run api:types`. */
export type ApiSchemas = components['schemas'];

// Literal unions the UI narrows a string to (a role, a source kind) compare as the string the API documents.
type Widen<T> = T extends string
  ? string
  : T extends number
    ? number
    : T extends boolean
      ? boolean
      : T extends readonly (infer U)[]
        ? Widen<U>[]
        : T extends object
          ? { [K in keyof T]: Widen<T[K]> }
          : T;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/**
 * A zod schema that compiles only when it reads exactly the API's schema `Name`: the same fields, each with the
 * same type and nullability. A renamed or retyped field in openapi.json fails `npm run typecheck` here.
 */
export const apiShape =
  <Name extends keyof ApiSchemas>(name: Name) =>
  <S extends z.ZodType>(
    schema: S &
      (Same<Widen<z.infer<S>>, Widen<ApiSchemas[Name]>> extends true
        ? unknown
        : { differsFromTheApi: Name; zod: Widen<z.infer<S>>; api: Widen<ApiSchemas[Name]> }),
  ): S => {
    void name;
    return schema;
  };

/** The accounts and VPCs a person or key may read; both empty (or null): everything. */
export const ReadScopeSchema = apiShape('ReadScope')(
  z.object({ accounts: z.array(z.string()).nullable(), vpcs: z.array(z.string()).nullable() }),
);
export type ReadScope = z.infer<typeof ReadScopeSchema>;

export const MeSchema = apiShape('Me')(
  z.object({
    name: z.string(),
    role: z.enum(['viewer', 'admin']),
    scope: ReadScopeSchema,
  }),
);
export type Me = z.infer<typeof MeSchema>;

export const ProvidersSchema = apiShape('Providers')(z.object({ local: z.boolean(), oidc: z.string().nullable() }));
export type Providers = z.infer<typeof ProvidersSchema>;

export const CsrfTokenSchema = apiShape('CsrfToken')(z.object({ token: z.string(), headerName: z.string() }));

export const HealthSchema = apiShape('Health')(
  z.object({
    status: z.string(),
    database: z.string(),
  }),
);
export type Health = z.infer<typeof HealthSchema>;

// RFC 7807: every 4xx/5xx from the API; validation problems add errors per field, filter problems a position.
export const ProblemSchema = z.object({
  type: z.string().optional(),
  title: z.string(),
  status: z.number(),
  detail: z.string().optional(),
  traceId: z.string().optional(),
  errors: z.record(z.string(), z.array(z.string())).optional(),
  position: z.number().optional(),
});
export type Problem = z.infer<typeof ProblemSchema>;

export const SummarySchema = apiShape('Summary')(
  z.object({
    flows: z.number(),
    bytes: z.number(),
    packets: z.number(),
    acceptedFlows: z.number(),
    rejectedFlows: z.number(),
    noDataRecords: z.number(),
    skipDataRecords: z.number(),
  }),
);
export type Summary = z.infer<typeof SummarySchema>;

export const TopItemSchema = apiShape('TopItem')(
  z.object({
    key: z.string(),
    flows: z.number(),
    bytes: z.number(),
    packets: z.number(),
    rejectedFlows: z.number(),
  }),
);
export type TopItem = z.infer<typeof TopItemSchema>;
export const TopResponseSchema = apiShape('TopResponse')(
  z.object({ items: z.array(TopItemSchema), approximate: z.boolean(), maxError: z.number() }),
);

export const TimeSeriesSchema = apiShape('TimeSeriesResponse')(
  z.object({
    interval: z.string(),
    series: z.array(
      z.object({
        key: z.string(),
        points: z.array(z.object({ t: z.string(), value: z.number() })),
      }),
    ),
  }),
);
export type TimeSeries = z.infer<typeof TimeSeriesSchema>;

const n = z.number().nullable();
const s = z.string().nullable();

export const InventoryContextSchema = apiShape('InventoryContext')(
  z.object({
    interfaceId: z.string(),
    addressKind: s,
    accountId: s,
    region: z.string(),
    kind: z.string(),
    resourceId: s,
    resourceName: s,
    resourceType: s,
    resourceState: s,
    interfaceType: s,
    description: s,
    instanceId: s,
    vpcId: s,
    vpcName: s,
    subnetId: s,
    subnetName: s,
    availabilityZone: s,
    securityGroups: z.array(z.object({ id: z.string(), groupName: s, name: s })),
  }),
);
export type InventoryContext = z.infer<typeof InventoryContextSchema>;

export const AddressInfoSchema = apiShape('AddressInfo')(
  z.object({
    address: z.string(),
    network: z.object({ id: z.number(), cidr: z.string(), name: z.string(), role: s, tenant: s }).nullable(),
    aws: z.object({ prefix: z.string(), service: z.string(), region: z.string(), networkBorderGroup: s }).nullable(),
    country: s,
    asn: n,
    asOrganization: s,
    resource: InventoryContextSchema.nullable(),
  }),
);
export type AddressInfo = z.infer<typeof AddressInfoSchema>;
export const ThreatListHitSchema = apiShape('ThreatListHit')(
  z.object({ id: z.number(), name: z.string(), entry: z.string() }),
);
export type ThreatListHit = z.infer<typeof ThreatListHitSchema>;
// The context endpoints add the threat lists holding the address now (flow items' src/dst do not have them).
export const AddressDetailSchema = apiShape('AddressDetail')(
  AddressInfoSchema.extend({ threatLists: z.array(ThreatListHitSchema) }),
);
export type AddressDetail = z.infer<typeof AddressDetailSchema>;
export const AddressListSchema = apiShape('AddressList')(z.object({ items: z.array(AddressDetailSchema) }));

export const FlowItemSchema = apiShape('FlowItem')(
  z.object({
    version: n,
    accountId: s,
    interfaceId: s,
    srcAddr: s,
    dstAddr: s,
    srcPort: n,
    dstPort: n,
    protocol: n,
    packets: n,
    bytes: n,
    start: s,
    end: s,
    action: s,
    logStatus: s,
    vpcId: s,
    subnetId: s,
    instanceId: s,
    tcpFlags: n,
    type: s,
    pktSrcAddr: s,
    pktDstAddr: s,
    region: s,
    azId: s,
    sublocationType: s,
    sublocationId: s,
    pktSrcAwsService: s,
    pktDstAwsService: s,
    flowDirection: s,
    trafficPath: n,
    rejectReason: s,
    ecsClusterArn: s,
    ecsClusterName: s,
    ecsContainerInstanceArn: s,
    ecsContainerInstanceId: s,
    ecsContainerId: s,
    ecsSecondContainerId: s,
    ecsServiceName: s,
    ecsTaskDefinitionArn: s,
    ecsTaskArn: s,
    ecsTaskId: s,
    resourceType: s,
    tgwId: s,
    tgwAttachmentId: s,
    tgwSrcVpcAccountId: s,
    tgwDstVpcAccountId: s,
    tgwSrcVpcId: s,
    tgwDstVpcId: s,
    tgwSrcSubnetId: s,
    tgwDstSubnetId: s,
    tgwSrcEni: s,
    tgwDstEni: s,
    tgwSrcAzId: s,
    tgwDstAzId: s,
    tgwPairAttachmentId: s,
    packetsLostNoRoute: n,
    packetsLostBlackhole: n,
    packetsLostMtuExceeded: n,
    packetsLostTtlExpired: n,
    sourceId: z.number(),
    objectId: z.number(),
    line: z.number(),
    extras: z.record(z.string(), z.string().nullable()).nullable(),
    src: AddressInfoSchema.nullable(),
    dst: AddressInfoSchema.nullable(),
    interface: InventoryContextSchema.nullable(),
  }),
);
export type FlowItem = z.infer<typeof FlowItemSchema>;
export const FlowPageSchema = apiShape('FlowPage')(
  z.object({ items: z.array(FlowItemSchema), nextCursor: z.string().nullable() }),
);
export type FlowPage = z.infer<typeof FlowPageSchema>;

export const ValueLabelSchema = apiShape('ValueLabel')(
  z.object({ value: z.string(), label: z.string(), description: z.string().nullable() }),
);
export type ValueLabel = z.infer<typeof ValueLabelSchema>;

export const FieldInfoSchema = apiShape('FieldInfo')(
  z.object({
    name: z.string(),
    type: z.string(),
    operators: z.array(z.string()),
    examples: z.array(z.string()),
    labels: z.array(ValueLabelSchema),
  }),
);
export type FieldInfo = z.infer<typeof FieldInfoSchema>;

export const InventoryStatusSchema = apiShape('InventoryStatus')(
  z.object({
    state: z.string(),
    lastRunAt: s,
    error: s,
    counts: apiShape('InventoryCounts')(
      z.object({ interfaces: z.number(), addresses: z.number(), resources: z.number() }),
    ),
  }),
);

export const SourceStatusSchema = apiShape('SourceStatus')(
  z.object({
    state: z.string(),
    lastRunStartedAt: s,
    lastRunFinishedAt: s,
    lastError: s,
    objectsIngested: z.number(),
    objectsFailed: z.number(),
    recordsIngested: z.number(),
    recordsRejected: z.number(),
    newestRecordAt: s,
    inventory: InventoryStatusSchema,
  }),
);

export const S3SettingsSchema = apiShape('S3Settings')(
  z.object({
    bucket: z.string(),
    prefix: z.string(),
    region: s,
    roleArn: s,
    // externalId and serviceUrl: null for viewers, only admins read them.
    externalId: s,
    serviceUrl: s,
    forcePathStyle: z.boolean(),
    sqs: z
      .object({
        queueUrl: z.string(),
        region: s,
        roleArn: s,
        // externalId and serviceUrl: null for viewers here too.
        externalId: s,
        serviceUrl: s,
        listLastDay: z.boolean(),
      })
      .nullable(),
  }),
);
export const DirectorySettingsSchema = apiShape('DirectorySettings')(z.object({ path: z.string() }));
export const CloudWatchSettingsSchema = apiShape('CloudWatchSettings')(
  z.object({
    logGroupName: z.string(),
    region: s,
    logFormat: s,
    startTime: s,
    lookbackMinutes: z.number(),
    roleArn: s,
    externalId: s,
    serviceUrl: s,
  }),
);

// accessKey: only in the response that made it (write-only otherwise).
export const FirehoseSettingsSchema = apiShape('FirehoseSettings')(
  z.object({ logFormat: s, accessKey: s, accessKeyPrefix: s }),
);

// serviceUrl: null for viewers, only admins read it.
export const InventorySettingsSchema = apiShape('InventorySettings')(z.object({ enabled: z.boolean(), serviceUrl: s }));

export const SourceSchema = apiShape('SourceResponse')(
  z.object({
    id: z.number(),
    name: z.string(),
    kind: z.enum(['s3', 'directory', 'cloudwatch', 'firehose']),
    enabled: z.boolean(),
    schedule: z.string(),
    s3: S3SettingsSchema.nullable(),
    directory: DirectorySettingsSchema.nullable(),
    cloudWatch: CloudWatchSettingsSchema.nullable(),
    firehose: FirehoseSettingsSchema.nullable(),
    inventory: InventorySettingsSchema,
    createdAt: z.string(),
    status: SourceStatusSchema,
  }),
);
export type Source = z.infer<typeof SourceSchema>;
export type SourceKind = Source['kind'];

export const ObjectPageSchema = apiShape('ObjectPage')(
  z.object({
    items: z.array(
      z.object({
        id: z.number(),
        key: z.string(),
        eTag: z.string(),
        size: z.number(),
        state: z.string(),
        records: z.number(),
        rejectedLines: z.number(),
        error: s,
        attempts: z.number(),
        discoveredAt: z.string(),
        ingestedAt: s,
        sampleErrors: z.array(
          z.object({ line: z.number(), column: z.number(), field: s, reason: z.string(), text: z.string() }),
        ),
      }),
    ),
    nextCursor: s,
  }),
);
export type ObjectPage = z.infer<typeof ObjectPageSchema>;
export type LedgerObject = ObjectPage['items'][number];

export const AcceptedSchema = apiShape('Accepted')(z.object({ message: z.string(), objects: z.number() }));

export const NetworkSchema = apiShape('NetworkResponse')(
  z.object({
    id: z.number(),
    cidr: z.string(),
    name: z.string(),
    role: s,
    tenant: s,
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
);
export type Network = z.infer<typeof NetworkSchema>;
