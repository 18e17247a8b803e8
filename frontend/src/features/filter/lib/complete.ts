import type { FieldInfo } from '@/types/api';

export interface Completion {
  /** What the list shows. */
  label: string;
  /** What replaces the word at the cursor. */
  insert: string;
  detail?: string;
}

export interface Completions {
  /** The span of text the chosen completion replaces. */
  from: number;
  to: number;
  options: Completion[];
}

type Expect = 'field' | 'operator' | 'in' | 'open' | 'value' | 'list-value' | 'list-next' | 'connector';

const tokenPattern = /'[^']*'?|[(),]|!=|<=|>=|=|<|>|[^\s(),=!<>']+/g;
const wordChar = /[^\s(),=!<>]/;

/** Where the cursor is in a filter: the word under it, and what the grammar expects there. */
interface Position {
  from: number;
  to: number;
  /** The word typed before the cursor, lower-cased. */
  typed: string;
  expect: Expect;
  field: FieldInfo | undefined;
}

function position(text: string, cursor: number, fields: FieldInfo[]): Position {
  let from = cursor;
  while (from > 0 && wordChar.test(text[from - 1])) from--;
  let to = cursor;
  while (to < text.length && wordChar.test(text[to])) to++;
  const typed = text.slice(from, cursor).toLowerCase();

  let expect: Expect = 'field';
  let field: FieldInfo | undefined;
  for (const token of text.slice(0, from).match(tokenPattern) ?? []) {
    const word = token.toLowerCase();
    switch (expect) {
      case 'field':
        if (word !== 'not' && word !== '(') {
          field = fields.find((f) => f.name === word);
          expect = 'operator';
        }
        break;
      case 'operator':
        expect = word === 'in' ? 'open' : word === 'not' ? 'in' : 'value';
        break;
      case 'in':
        expect = 'open';
        break;
      case 'open':
        expect = 'list-value';
        break;
      case 'list-value':
        expect = 'list-next';
        break;
      case 'list-next':
        expect = word === ',' ? 'list-value' : 'connector';
        break;
      case 'value':
      case 'connector':
        expect = word === 'and' || word === 'or' ? 'field' : 'connector';
        break;
    }
  }
  return { from, to, typed, expect, field };
}

/** Values of a field found by the API (GET /api/filter/values), for the prefix they were asked with. */
export interface FieldValues {
  field: string;
  prefix: string;
  values: { value: string; label?: string | null }[];
}

/**
 * The value of a context field being typed at the cursor (`dst-country = C|`): the field and the prefix to ask
 * the API's values for; null anywhere else. The prefix keeps the case typed, without an opening quote.
 */
export function valueAt(text: string, cursor: number, fields: FieldInfo[]): { field: string; prefix: string } | null {
  const at = position(text, cursor, fields);
  if ((at.expect !== 'value' && at.expect !== 'list-value') || at.field?.type !== 'context') return null;
  return { field: at.field.name, prefix: text.slice(at.from, cursor).replace(/^'/, '') };
}

/**
 * What may come at the cursor of a filter: field names at the start of a comparison, the field's operators after
 * it, its values after an operator (for context fields those the API found, `found`, else its examples),
 * `and`/`or` after a value. Only what starts with the word being typed.
 */
export function complete(
  text: string,
  cursor: number,
  fields: FieldInfo[],
  max = 12,
  found?: FieldValues | null,
): Completions {
  const { from, to, typed, expect, field } = position(text, cursor, fields);
  // The API's values stand for the examples while they cover what is typed (asked for this prefix or a shorter one).
  const values =
    found && field && found.field === field.name && typed.replace(/^'/, '').startsWith(found.prefix.toLowerCase())
      ? found.values
      : null;
  const options = candidates(expect, field, fields, values).filter((o) =>
    o.label.toLowerCase().startsWith(typed.replace(/^'/, '')),
  );
  return { from, to, options: options.slice(0, max) };
}

/** A value as the filter language reads it: quoted when it holds spaces or the language's own signs. */
export const quoteValue = (value: string) =>
  /^[^\s(),=!<>']+$/.test(value) || value.includes("'") ? value : `'${value}'`;

function candidates(
  expect: Expect,
  field: FieldInfo | undefined,
  fields: FieldInfo[],
  values: FieldValues['values'] | null,
): Completion[] {
  switch (expect) {
    case 'field':
      return [
        ...fields.map((f) => ({ label: f.name, insert: `${f.name} `, detail: f.type })),
        { label: 'not', insert: 'not ', detail: 'negates what follows' },
      ];
    case 'operator':
      return (field?.operators ?? ['=', '!=', 'in', 'not in']).map((op) => ({
        label: op,
        insert: op.endsWith('in') ? `${op} (` : `${op} `,
      }));
    case 'in':
      return [{ label: 'in', insert: 'in (' }];
    case 'open':
      return [{ label: '(', insert: '(' }];
    case 'value':
    case 'list-value':
      return (values ?? (field?.examples ?? []).map((value) => ({ value, label: null }))).map((v) => ({
        label: v.value,
        insert: expect === 'value' ? `${quoteValue(v.value)} ` : quoteValue(v.value),
        detail: v.label || field?.name,
      }));
    case 'list-next':
      return [
        { label: ',', insert: ', ' },
        { label: ')', insert: ') ' },
      ];
    case 'connector':
      return [
        { label: 'and', insert: 'and ' },
        { label: 'or', insert: 'or ' },
      ];
  }
}

/** The text and cursor after choosing a completion. */
export function apply(text: string, completions: Completions, option: Completion): { text: string; cursor: number } {
  const after = text.slice(completions.to).replace(/^ +/, '');
  const next = text.slice(0, completions.from) + option.insert + after;
  return { text: next, cursor: completions.from + option.insert.length };
}
