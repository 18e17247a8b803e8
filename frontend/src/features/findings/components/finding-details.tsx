import { Alert, Badge, Button, Code, Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import { QueryState } from '@/components/ui/states';
import { ApiError } from '@/lib/api-client';
import { formatTime } from '@/lib/format';
import { usePatchFinding, useFinding, type Evidence, type Finding } from '../api/findings';
import { detailLines, patchOf, severityColor, statusColor, triageFor, type Triage } from '../lib/findings';

const triageLabels: Record<Triage, string> = {
  acknowledge: 'Acknowledge',
  resolve: 'Resolve',
  reopen: 'Reopen',
  mute: 'Mute for 24 h',
};

/**
 * One finding: what fired and when, its evidence (a link that opens the explorer on exactly its flows, built by the
 * route), what its last window showed, its triage and assignee, and below it whatever the route adds (the delivery log).
 */
export function FindingDetails({
  id,
  explorerUrl,
  children,
}: {
  id: number;
  explorerUrl: (evidence: Evidence) => string;
  children?: ReactNode;
}) {
  const finding = useFinding(id);
  return (
    <QueryState query={finding}>
      {(f) => (
        <Stack>
          <Group gap="sm">
            <Title order={2}>
              {f.ruleName}: <span style={{ fontFamily: 'monospace' }}>{f.key}</span>
            </Title>
            <Badge color={severityColor(f.severity)} variant="light">
              {f.severity}
            </Badge>
            <Badge color={statusColor(f.status)} variant="outline" aria-label="Status">
              {f.status}
            </Badge>
          </Group>
          <Triage finding={f} />
          <Table aria-label="Finding" fz="sm" withRowBorders={false} maw={760}>
            <Table.Tbody>
              <Row label="Rule">
                <Link to={`/rules#rule-${f.ruleId}`}>{f.ruleName}</Link> ({f.ruleKind})
              </Row>
              <Row label="Fired in">{f.count === 1 ? '1 window' : `${f.count} windows`}</Row>
              <Row label="First seen">{formatTime(f.firstSeen)}</Row>
              <Row label="Last seen">{formatTime(f.lastSeen)}</Row>
              <Row label="Opened">{formatTime(f.openedAt)}</Row>
              <Row label="Notified">{f.notifiedAt ? formatTime(f.notifiedAt) : 'not notified'}</Row>
              {f.mutedUntil && <Row label="Muted until">{formatTime(f.mutedUntil)}</Row>}
              {detailLines(f.details).map(([label, value]) => (
                <Row key={label} label={label}>
                  {value}
                </Row>
              ))}
            </Table.Tbody>
          </Table>
          <Stack gap={4}>
            <Title order={3} size="h5">
              Evidence
            </Title>
            <Text size="sm">
              {f.evidence.filter ? <Code>{f.evidence.filter}</Code> : 'every flow'} from {formatTime(f.evidence.from)}{' '}
              to {formatTime(f.evidence.to)}
            </Text>
            <Group>
              <Button component={Link} to={explorerUrl(f.evidence)} variant="light">
                Open in explorer
              </Button>
            </Group>
          </Stack>
          {children}
        </Stack>
      )}
    </QueryState>
  );
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Table.Tr>
      <Table.Th w={160} fw={500} c="dimmed">
        {label}
      </Table.Th>
      <Table.Td>{children}</Table.Td>
    </Table.Tr>
  );
}

/** The triage buttons and the assignee: every signed-in person may triage (docs/detections.md). */
function Triage({ finding }: { finding: Finding }) {
  const patch = usePatchFinding();
  const [assignee, setAssignee] = useState(finding.assignee ?? '');
  const fieldErrors = patch.error instanceof ApiError ? patch.error.problem.errors : undefined;
  return (
    <Stack gap="xs">
      <Group gap="xs">
        {triageFor(finding.status).map((t) => (
          <Button
            key={t}
            size="compact-md"
            variant={t === 'acknowledge' || t === 'resolve' ? 'filled' : 'default'}
            loading={patch.isPending && patch.variables.patch.status === patchOf(t).status}
            onClick={() => patch.mutate({ id: finding.id, patch: patchOf(t) })}
          >
            {triageLabels[t]}
          </Button>
        ))}
      </Group>
      <Group gap="xs" align="flex-start">
        <TextInput
          aria-label="Assignee"
          placeholder="Assignee (nobody)"
          value={assignee}
          onChange={(e) => setAssignee(e.currentTarget.value)}
          error={fieldErrors?.assignee?.join(' ')}
          w={260}
        />
        <Button
          variant="default"
          disabled={assignee.trim() === (finding.assignee ?? '')}
          onClick={() => patch.mutate({ id: finding.id, patch: { assignee: assignee.trim() } })}
        >
          Assign
        </Button>
      </Group>
      {patch.isError && !fieldErrors?.assignee && (
        <Alert color="red" role="alert" variant="light">
          {patch.error.message}
        </Alert>
      )}
    </Stack>
  );
}
