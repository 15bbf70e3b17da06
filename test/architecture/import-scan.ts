// Reads the import specifiers of a TypeScript or JavaScript module without a compiler: a small
// tokenizer that skips comments, string and template literals and regular expressions, so
// `'tiercel/di'` inside an error message or `import` in a comment is not an import. TypeScript 7
// (this repository's compiler) has no JavaScript API to ask, and the compiled JavaScript has lost
// the type-only imports, which the layering rules cover too.
//
// The forms found: `import … from 'x'`, `export … from 'x'`, `import 'x'` and `import('x')` (a
// dynamic import, or a type such as `import('node:net').Socket`). `from` followed by a string
// literal is only ever import/export syntax, so no statement parsing is needed.

export type ImportKind = 'static' | 'type' | 'dynamic';

export interface ImportSite {
  readonly specifier: string;
  /** 1-based line of the specifier. */
  readonly line: number;
  /**
   * 'type': `import type`/`export type`, `typeof import('x')`, or `import('x').Name` not called
   * (all erased at run time).
   * 'dynamic': `import('x')` loaded when the code runs. 'static': everything else.
   */
  readonly kind: ImportKind;
}

interface Token {
  readonly kind: 'word' | 'string' | 'template' | 'regex' | 'punct';
  readonly text: string;
  readonly line: number;
}

const IDENT = /[A-Za-z0-9_$]/;
// After these words a `/` starts a regular expression, not a division.
const REGEX_AFTER_WORD = new Set(['return', 'typeof', 'case', 'do', 'else', 'in', 'of', 'new', 'delete', 'void', 'throw', 'yield', 'await']);

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  // Open template literals: the brace depth at which each `${` was opened.
  const templates: number[] = [];
  let depth = 0;
  const n = source.length;

  const readString = (quote: string): string => {
    let text = '';
    i++;
    while (i < n && source[i] !== quote) {
      if (source[i] === '\\') {
        if (source[i + 1] === '\n') line++;
        text += source[i + 1];
        i += 2;
        continue;
      }
      if (source[i] === '\n') line++;
      text += source[i++];
    }
    i++;
    return text;
  };
  // Reads template text up to its end or to `${`; returns true when it stopped at `${`.
  const readTemplateText = (): boolean => {
    while (i < n) {
      const c = source[i];
      if (c === '\\') {
        i += 2;
        continue;
      }
      if (c === '`') {
        i++;
        return false;
      }
      if (c === '$' && source[i + 1] === '{') {
        i += 2;
        return true;
      }
      if (c === '\n') line++;
      i++;
    }
    return false;
  };
  const regexAllowed = (): boolean => {
    const last = tokens[tokens.length - 1];
    if (last === undefined) return true;
    if (last.kind === 'word') return REGEX_AFTER_WORD.has(last.text);
    if (last.kind !== 'punct') return false;
    return last.text !== ')' && last.text !== ']' && last.text !== '}';
  };

  while (i < n) {
    const c = source[i];
    if (c === '\n') {
      line++;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      i++;
    } else if (c === '/' && source[i + 1] === '/') {
      while (i < n && source[i] !== '\n') i++;
    } else if (c === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      for (let k = i; k < stop; k++) if (source[k] === '\n') line++;
      i = stop;
    } else if (c === "'" || c === '"') {
      const at = line;
      tokens.push({ kind: 'string', text: readString(c), line: at });
    } else if (c === '`') {
      i++;
      if (readTemplateText()) templates.push(depth++);
      tokens.push({ kind: 'template', text: '`', line });
    } else if (c === '/' && regexAllowed()) {
      i++;
      let inClass = false;
      while (i < n && (source[i] !== '/' || inClass) && source[i] !== '\n') {
        if (source[i] === '\\') i++;
        else if (source[i] === '[') inClass = true;
        else if (source[i] === ']') inClass = false;
        i++;
      }
      i++;
      while (i < n && IDENT.test(source[i])) i++;
      tokens.push({ kind: 'regex', text: '/', line });
    } else if (IDENT.test(c)) {
      const start = i;
      while (i < n && IDENT.test(source[i])) i++;
      tokens.push({ kind: 'word', text: source.slice(start, i), line });
    } else if (c === '{') {
      depth++;
      i++;
      tokens.push({ kind: 'punct', text: c, line });
    } else if (c === '}') {
      depth--;
      i++;
      if (templates.length > 0 && templates[templates.length - 1] === depth) {
        templates.pop();
        if (readTemplateText()) templates.push(depth++);
        tokens.push({ kind: 'template', text: '`', line });
      } else {
        tokens.push({ kind: 'punct', text: c, line });
      }
    } else {
      i++;
      tokens.push({ kind: 'punct', text: c, line });
    }
  }
  return tokens;
}

/** Whether the import or export statement whose keyword is at `start` imports types only. */
function typeOnlyStatement(tokens: readonly Token[], start: number, fromAt: number): boolean {
  if (tokens[start + 1]?.text === 'type') return true;
  // `import { type A, type B } from 'x'`: every name in the braces is a type.
  if (tokens[start + 1]?.text !== '{' || tokens[fromAt - 1]?.text !== '}') return false;
  let names = 0;
  for (let k = start + 2; k < fromAt - 1; k++) {
    const previous = tokens[k - 1].text;
    if (tokens[k].kind !== 'word' || (previous !== '{' && previous !== ',')) continue;
    names++;
    if (tokens[k].text !== 'type') return false;
  }
  return names > 0;
}

/** Every string literal in `source` (template literals and their parts left out), in order. */
export function stringLiterals(source: string): { readonly text: string; readonly line: number }[] {
  return tokenize(source)
    .filter((t) => t.kind === 'string')
    .map((t) => ({ text: t.text, line: t.line }));
}

/** The lines where code reads `object.property` (such as `process.env`), in order. */
export function propertyReads(source: string, object: string, property: string): number[] {
  const tokens = tokenize(source);
  const lines: number[] = [];
  for (let k = 0; k + 2 < tokens.length; k++) {
    const t = tokens[k];
    if (t.kind !== 'word' || t.text !== object || tokens[k - 1]?.text === '.') continue;
    if (tokens[k + 1].text === '.' && tokens[k + 2].kind === 'word' && tokens[k + 2].text === property) lines.push(t.line);
  }
  return lines;
}

/** Every import specifier in `source`, in order. */
export function scanImports(source: string): ImportSite[] {
  const tokens = tokenize(source);
  const sites: ImportSite[] = [];
  let statement = -1;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.kind === 'punct' && t.text === ';') statement = -1;
    if (t.kind !== 'word') continue;
    const next = tokens[k + 1];
    if ((t.text === 'import' || t.text === 'export') && tokens[k - 1]?.text !== '.') {
      if (t.text === 'import' && next?.text === '(' && tokens[k + 2]?.kind === 'string' && tokens[k + 3]?.text === ')') {
        // `import('x').Name` with no call after it names a type; anything else loads the module.
        const member = tokens[k + 4]?.text === '.' && tokens[k + 6]?.text !== '(';
        const type = member || tokens[k - 1]?.text === 'typeof';
        sites.push({ specifier: tokens[k + 2].text, line: tokens[k + 2].line, kind: type ? 'type' : 'dynamic' });
        k += 3;
        continue;
      }
      if (t.text === 'import' && next?.kind === 'string') {
        sites.push({ specifier: next.text, line: next.line, kind: 'static' });
        continue;
      }
      statement = k;
      continue;
    }
    if (t.text === 'from' && next?.kind === 'string' && statement >= 0) {
      sites.push({ specifier: next.text, line: next.line, kind: typeOnlyStatement(tokens, statement, k) ? 'type' : 'static' });
      statement = -1;
    }
  }
  return sites;
}
