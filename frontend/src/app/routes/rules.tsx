import { Button, Group, Modal, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { Panel } from '@/components/ui/panel';
import type { Rule } from '@/features/rules/api/rules';
import { RuleForm } from '@/features/rules/components/rule-form';
import { RuleTable } from '@/features/rules/components/rule-table';
import { useSignedIn } from './layout';

/** Detection rules: the built-in detectors and the admins' threshold rules; admins tune, enable and write them. */
export function RulesRoute() {
  const me = useSignedIn();
  const isAdmin = me.role === 'admin';
  const [editing, setEditing] = useState<Rule | null | 'new'>(null);
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Rules</Title>
        {isAdmin && <Button onClick={() => setEditing('new')}>Create threshold rule</Button>}
      </Group>
      <Text size="sm" c="dimmed">
        Rules are judged on the flows&apos; own time, window by window, once the data is in (docs/detections.md). A
        threshold rule fires for each group whose metric in a window is greater than its threshold.{' '}
        {!isAdmin && 'Only admins change rules.'}
      </Text>
      <Panel title="Rules">
        <RuleTable isAdmin={isAdmin} onEdit={setEditing} />
      </Panel>
      <Modal
        opened={editing !== null}
        onClose={() => setEditing(null)}
        title={editing === 'new' ? 'Create a threshold rule' : 'Edit the rule'}
        size="lg"
      >
        {editing !== null && (
          <RuleForm
            rule={editing === 'new' ? null : editing}
            onSaved={() => setEditing(null)}
            onCancel={() => setEditing(null)}
          />
        )}
      </Modal>
    </Stack>
  );
}
