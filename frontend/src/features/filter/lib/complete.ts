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

/**
 * What may come at the cursor of a filter: field names at the start of a comparison, the field's operators after
 * it, its example values after an operator, `and`/`or` after a value. Only what starts with the word being typed.
 */
export function complete(text: string, cursor: number, fields: FieldInfo[], max = 12): Completions {
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

  const options = candidates(expect, field, fields).filter((o) => o.label.toLowerCase().startsWith(typed));
  return { from, to, options: options.slice(0, max) };
}

function candidates(expect: Expect, field: FieldInfo | undefined, fields: FieldInfo[]): Completion[] {
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
      return (field?.examples ?? []).map((v) => ({
        label: v,
        insert: expect === 'value' ? `${v} ` : v,
        detail: field?.name,
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
