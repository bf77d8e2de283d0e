/**
 * YAML syntax errors in plain words, on the line where the problem starts.
 * The yaml package names its errors by code and reports some where it
 * noticed them: an unclosed [ or { a line or more later, as "Flow sequence
 * in block collection must be sufficiently indented and end with a ]".
 */
import type { LineCounter } from 'yaml';

/** What ddnsd reads of a yaml package error. */
export interface YamlSyntaxError {
  code: string;
  message: string;
  pos: [number, number];
}

const CLOSER: Record<string, string> = { '[': ']', '{': '}' };
const IPV6_URL_HINT = 'an IPv6 address in a URL has brackets of its own: quote the URL, e.g. "http://[2001:db8::1]:8080/"';

/** The plain message of each yaml error code; `at` is the line the problem starts on. */
const PLAIN: Record<string, string> = {
  BAD_INDENT: 'the indentation does not line up: the items of one list or mapping start at the same column, indented with spaces',
  TAB_AS_INDENT: 'a tab indents this line; YAML allows only spaces',
  DUPLICATE_KEY: 'this key is already set above in the same mapping; keep one',
  BLOCK_AS_IMPLICIT_KEY: 'this value holds ": " (a colon and a space), which YAML reads as another key; put the value in quotes',
  MULTILINE_IMPLICIT_KEY: 'a key runs over more than one line, or a line is not "key: value"; check for a missing colon',
  MULTIPLE_DOCS: 'the file holds more than one YAML document (a --- line); keep one',
  BAD_SCALAR_START: 'a value starts with a character YAML reserves (@ or `); put the value in quotes',
  MULTIPLE_ANCHORS: 'a value has two anchors (&name); keep one',
  MULTIPLE_TAGS: 'a value has two tags (!tag); keep one',
  BAD_ALIAS: '*name must refer to an anchor (&name) set above it',
  ALIAS_PROPS: 'an alias (*name) cannot carry an anchor or a tag',
  BAD_DQ_ESCAPE: 'a backslash escape in a "double-quoted" value is not valid: use single quotes, or write \\\\ for a backslash',
  KEY_OVER_1024_CHARS: 'a key is longer than 1024 characters',
  BLOCK_IN_FLOW: 'lines of "- item" or "key: value" sit inside [ … ] or { … }: write the items on one line, separated by commas, or drop the brackets',
  UNEXPECTED_TOKEN: 'unexpected text: look for a stray character, a missing colon, or a value that needs quotes',
  MISSING_CHAR: 'a comma or a colon is missing between the items of this [ … ] or { … }',
  BAD_DIRECTIVE: 'a % directive line YAML does not know; remove it',
  BAD_PROP_ORDER: 'an anchor or tag is in the wrong place',
  NON_STRING_KEY: 'a key must be plain text',
  TAG_RESOLVE_FAILED: "a value's !tag does not fit the value; remove the tag",
};

/** Offsets of the [ and { still open at `end`, skipping quoted text and comments. */
function openBrackets(text: string, end: number): number[] {
  const open: number[] = [];
  let quote: string | undefined;
  for (let i = 0; i < end; i++) {
    const c = text[i] ?? '';
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '#' && (i === 0 || /\s/.test(text[i - 1] ?? ''))) {
      while (i < end && text[i] !== '\n') i++;
    } else if ((c === '"' || c === "'") && (i === 0 || /[\s[{,:]/.test(text[i - 1] ?? ''))) quote = c;
    else if (c === '[' || c === '{') open.push(i);
    else if (c === ']' || c === '}') open.pop();
  }
  return open;
}

/** The text of the line holding `offset`. */
function lineText(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  const end = text.indexOf('\n', offset);
  return text.slice(start, end === -1 ? undefined : end);
}

/** One error as `line N, column C: what is wrong and how to fix it`. */
export function explainYamlError(error: YamlSyntaxError, text: string, lines: LineCounter): string {
  let at = error.pos[0];
  let message = PLAIN[error.code] ?? `this is not valid YAML (${error.message.split('\n')[0]})`;
  const unclosed = /end with a ([\]}])/.exec(error.message);
  const quote = /Missing closing ("|')quote/.exec(error.message);
  if (unclosed) {
    const opener = openBrackets(text, at).at(-1);
    if (opener !== undefined) at = opener;
    const ch = text[at] === '{' ? '{' : '[';
    message = `this ${ch} ${ch === '[' ? 'list' : 'mapping'} is never closed with ${CLOSER[ch]}`;
  } else if (/without - indicator/.test(error.message)) {
    message = 'this line does not line up: a list item starts with "- ", and a key starts at the same column as the keys beside it';
  } else if (quote) {
    const opener = text.lastIndexOf(quote[1] ?? '"', at - 1);
    if (opener >= 0) at = opener;
    message = `this ${quote[1]}quoted value is never closed: add the closing ${quote[1]}`;
  }
  if (/:\/\/\[[0-9a-fA-F:.]*\]/.test(lineText(text, at)) && /[[{]/.test(lineText(text, at).replace(/:\/\/\[/g, ''))) message += `; ${IPV6_URL_HINT}`;
  const pos = lines.linePos(at);
  return `line ${pos.line}, column ${pos.col}: ${message}`;
}

/** Problems turning the parsed document into values (an alias to an anchor that is not there), said the same way. */
export function explainYamlValueError(error: Error): string {
  return /alias/i.test(error.message) ? `${PLAIN.BAD_ALIAS} (${error.message})` : `this is not valid YAML (${error.message})`;
}
