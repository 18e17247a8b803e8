import { Select, TextInput } from '@mantine/core';

/** A role, and the accounts and VPCs (typed separated by commas) a viewer may read. */
export interface RoleScope {
  role: 'viewer' | 'admin';
  accounts: string;
  vpcs: string;
}

/** The API's names of a person's or key's fields (`scope.accounts`, `expiresAt`...) as the forms name them. */
export const formFieldOf = (key: string) =>
  ({ 'scope.accounts': 'accounts', 'scope.vpcs': 'vpcs', scope: 'accounts', expiresat: 'expires' })[
    key.toLowerCase()
  ] ?? key.toLowerCase();

/** The role of a person or key, and what a viewer may read (an admin reads everything: no scope). */
export function RoleScopeFields({
  value,
  onChange,
  errors,
  who,
}: {
  value: RoleScope;
  onChange: (change: Partial<RoleScope>) => void;
  errors: Record<string, string>;
  who: 'it' | 'they';
}) {
  return (
    <>
      <Select
        label="Role"
        data={[
          { value: 'viewer', label: 'viewer: reads' },
          { value: 'admin', label: 'admin: reads and changes everything' },
        ]}
        value={value.role}
        onChange={(role) => onChange({ role: role === 'admin' ? 'admin' : 'viewer' })}
        allowDeselect={false}
        error={errors.role}
      />
      <TextInput
        label={`Accounts ${who} may read`}
        description="AWS account ids, separated by commas; with no VPCs either: everything"
        placeholder="111122223333, 444455556666"
        disabled={value.role === 'admin'}
        value={value.accounts}
        onChange={(e) => onChange({ accounts: e.currentTarget.value })}
        error={errors.accounts}
      />
      <TextInput
        label={`VPCs ${who} may read`}
        description="VPC ids: records of these VPCs too (their vpc-id field)"
        placeholder="vpc-0a1b2c3d4e5f60708"
        disabled={value.role === 'admin'}
        value={value.vpcs}
        onChange={(e) => onChange({ vpcs: e.currentTarget.value })}
        error={errors.vpcs}
      />
    </>
  );
}
