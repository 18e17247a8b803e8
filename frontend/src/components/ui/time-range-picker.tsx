import { Button, Group, Popover, Select, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { describeRange, isRelative, parseInstant, presets } from '@/lib/time-range';

interface TimeRangePickerProps {
  from: string;
  to: string;
  onChange: (from: string, to: string) => void;
}

const toInput = (text: string) => {
  const instant = parseInstant(text, Date.now());
  return instant === null ? '' : new Date(instant).toISOString().slice(0, 16);
};

/** A relative range from the presets, or an absolute one typed in UTC. */
export function TimeRangePicker({ from, to, onChange }: TimeRangePickerProps) {
  const [opened, setOpened] = useState(false);
  const [start, setStart] = useState('');
  const [end, setEnd] = useState('');
  const startAt = Date.parse(`${start}:00Z`);
  const endAt = Date.parse(`${end}:00Z`);
  const valid = !Number.isNaN(startAt) && !Number.isNaN(endAt) && startAt < endAt;
  const isPreset = to === 'now' && presets.some((p) => p.value === from);

  return (
    <Group gap="xs" wrap="nowrap">
      <Select
        aria-label="Time range"
        w={190}
        data={[...presets, ...(isPreset ? [] : [{ value: 'custom', label: describeRange(from, to) }])]}
        value={isPreset ? from : 'custom'}
        allowDeselect={false}
        onChange={(value) => value && value !== 'custom' && onChange(value, 'now')}
        comboboxProps={{ width: 'target', withinPortal: true }}
        maxDropdownHeight={320}
      />
      <Popover
        opened={opened}
        onChange={setOpened}
        position="bottom-end"
        trapFocus
        onOpen={() => {
          setStart(toInput(from));
          setEnd(toInput(to));
        }}
      >
        <Popover.Target>
          <Button variant="default" onClick={() => setOpened((o) => !o)}>
            Absolute…
          </Button>
        </Popover.Target>
        <Popover.Dropdown>
          <Stack gap="xs">
            <Text size="xs" c="dimmed">
              Times in UTC{isRelative(from) ? ', filled in from the current range' : ''}
            </Text>
            <TextInput
              label="From"
              type="datetime-local"
              value={start}
              onChange={(e) => setStart(e.currentTarget.value)}
            />
            <TextInput label="To" type="datetime-local" value={end} onChange={(e) => setEnd(e.currentTarget.value)} />
            <Button
              disabled={!valid}
              onClick={() => {
                onChange(new Date(startAt).toISOString(), new Date(endAt).toISOString());
                setOpened(false);
              }}
            >
              Apply range
            </Button>
          </Stack>
        </Popover.Dropdown>
      </Popover>
    </Group>
  );
}
