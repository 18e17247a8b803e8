import { Text } from '@mantine/core';
import { Fragment } from 'react';
import {
  addressFields,
  addressName,
  addressSuffix,
  addressSummary,
  addressThreatLists,
  keySeparator,
  type AddressContext,
  type AddressInfos,
} from '@/lib/address-context';

/**
 * An address and, when FlowLens knows it, its name ("web-1", "prod", "S3"), where it is ("US · AS16509") and the
 * threat lists holding it, in red.
 */
export function AddressLabel({ address, info }: { address: string; info: AddressContext | null | undefined }) {
  const name = addressName(info);
  const suffix = addressSuffix(info);
  const threatLists = addressThreatLists(info);
  return (
    <span title={addressSummary(info) ?? undefined}>
      <Text span ff="monospace" fz="inherit">
        {address}
      </Text>
      {name && (
        <>
          {' '}
          <Text span ff="text" fz="inherit" fw={500} data-address-name>
            {name}
          </Text>
        </>
      )}
      {suffix && (
        <>
          {' '}
          <Text span ff="text" fz="xs" c="dimmed">
            {suffix}
          </Text>
        </>
      )}
      {threatLists && (
        <>
          {' '}
          <Text span ff="text" fz="xs" c="red" fw={500} data-threat-lists>
            on {threatLists}
          </Text>
        </>
      )}
    </span>
  );
}

/**
 * A top key of field `by` as it reads: `shown` (the key, labelled), with names next to its addresses when it is
 * made of addresses (`srcaddr`, `pair`: `10.0.0.5 web-1 -> 10.0.0.9 db-1`).
 */
export function KeyLabel({
  by,
  value,
  shown,
  infos,
}: {
  by: string;
  value: string;
  shown: string;
  infos: AddressInfos;
}) {
  const parts = addressFields.has(by) ? [value] : by === 'pair' ? value.split(keySeparator) : null;
  if (!parts || value === '-') return <>{shown}</>;
  return (
    <>
      {parts.map((part, i) => (
        <Fragment key={i}>
          {i > 0 && keySeparator}
          {part === '-' ? part : <AddressLabel address={part} info={infos.get(part)} />}
        </Fragment>
      ))}
    </>
  );
}
