import { Avatar, Menu, UnstyledButton } from '@mantine/core';
import { Link } from 'react-router';
import type { Me } from '@/types/api';
import { useSignOut } from '../api/sign-in';

/** Who is signed in, their role, their account page (password, sessions), sign-out, and sign-out in every browser. */
export function UserMenu({ me, onSignedOut }: { me: Me; onSignedOut: () => void }) {
  const signOut = useSignOut();
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <UnstyledButton aria-label={`Signed in as ${me.name}`}>
          <Avatar radius="xl" size="sm" color="blue">
            {me.name.slice(0, 1).toUpperCase()}
          </Avatar>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>
          {me.name} · {me.role}
        </Menu.Label>
        <Menu.Item component={Link} to="/account">
          Your account
        </Menu.Item>
        <Menu.Item onClick={() => signOut.mutate(false, { onSettled: onSignedOut })}>Sign out</Menu.Item>
        <Menu.Item onClick={() => signOut.mutate(true, { onSettled: onSignedOut })}>Sign out everywhere</Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
