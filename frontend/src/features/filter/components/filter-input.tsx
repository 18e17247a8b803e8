import { Box, Button, Code, Combobox, Group, Text, TextInput, useCombobox } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useMemo, useRef, useState } from 'react';
import { useFields } from '@/lib/labels';
import { useFilterCheck } from '../api/get-fields';
import { useFieldValues } from '../api/get-values';
import { apply, complete, valueAt } from '../lib/complete';

interface FilterInputProps {
  /** The filter in force (from the URL). */
  value: string;
  /** Called with a new filter when Enter or Apply is pressed. */
  onChange: (q: string) => void;
}

/** The filter language in one input: completion of fields, operators and values, and errors where they are. */
export function FilterInput({ value, onChange }: FilterInputProps) {
  const [draft, setDraft] = useState(value);
  const [cursor, setCursor] = useState(value.length);
  const input = useRef<HTMLInputElement>(null);
  const combobox = useCombobox();
  const fields = useFields();
  const [checked] = useDebouncedValue(draft, 250);
  const check = useFilterCheck(checked);
  const problem = checked === draft && draft.trim() ? check.data : null;

  // A new filter from the URL replaces the draft (React's "adjust state when a prop changes", without an effect).
  const [shownValue, setShownValue] = useState(value);
  if (value !== shownValue) {
    setShownValue(value);
    setDraft(value);
  }

  // The values of a context field (dst-country, instance-name, ...) come from the API as they are typed.
  const typing = useMemo(() => valueAt(draft, cursor, fields.data ?? []), [draft, cursor, fields.data]);
  const [asked] = useDebouncedValue(typing, 200, { leading: true });
  const found = useFieldValues(asked);
  const completions = useMemo(
    () => complete(draft, cursor, fields.data ?? [], 12, found.data),
    [draft, cursor, fields.data, found.data],
  );

  const choose = (index: string) => {
    const option = completions.options[Number(index)];
    if (!option) return;
    const next = apply(draft, completions, option);
    setDraft(next.text);
    setCursor(next.cursor);
    requestAnimationFrame(() => input.current?.setSelectionRange(next.cursor, next.cursor));
  };

  const submit = () => {
    combobox.closeDropdown();
    onChange(draft.trim());
  };

  return (
    <Box>
      <Group gap="xs" align="flex-start" wrap="nowrap">
        <Combobox store={combobox} onOptionSubmit={choose} withinPortal={false}>
          <Combobox.Target>
            <TextInput
              ref={input}
              style={{ flex: 1 }}
              ff="monospace"
              aria-label="Filter"
              placeholder="action = REJECT and dstport in (22, 3389)"
              value={draft}
              error={problem ? true : undefined}
              onChange={(event) => {
                setDraft(event.currentTarget.value);
                setCursor(event.currentTarget.selectionStart ?? event.currentTarget.value.length);
                combobox.openDropdown();
                combobox.resetSelectedOption();
              }}
              onSelect={(event) => setCursor(event.currentTarget.selectionStart ?? 0)}
              onFocus={() => combobox.openDropdown()}
              onBlur={() => combobox.closeDropdown()}
              onKeyDown={(event) => {
                if (event.key === 'Enter' && combobox.getSelectedOptionIndex() < 0) submit();
                if (event.key === 'Escape') combobox.closeDropdown();
              }}
            />
          </Combobox.Target>
          <Combobox.Dropdown hidden={completions.options.length === 0}>
            <Combobox.Options aria-label="Suggestions" mah={260} style={{ overflowY: 'auto' }}>
              {completions.options.map((option, index) => (
                <Combobox.Option value={String(index)} key={option.label}>
                  <Group justify="space-between" wrap="nowrap">
                    <Text ff="monospace" size="sm">
                      {option.label}
                    </Text>
                    {option.detail && (
                      <Text size="xs" c="dimmed">
                        {option.detail}
                      </Text>
                    )}
                  </Group>
                </Combobox.Option>
              ))}
            </Combobox.Options>
          </Combobox.Dropdown>
        </Combobox>
        <Button onClick={submit} disabled={!!problem}>
          Apply
        </Button>
      </Group>
      {problem && <FilterError text={draft} message={problem.message} position={problem.position} />}
    </Box>
  );
}

/** The message, and the filter with the character at fault marked. */
function FilterError({ text, message, position }: { text: string; message: string; position: number | null }) {
  const at = position === null ? -1 : Math.min(Math.max(position - 1, 0), text.length);
  return (
    <Box role="alert" aria-label="Filter error" mt={6}>
      <Text size="sm" c="red">
        {message}
      </Text>
      {at >= 0 && (
        <Code block fz="sm" mt={4} aria-hidden>
          {text}
          {'\n'}
          {' '.repeat(at)}^
        </Code>
      )}
    </Box>
  );
}
