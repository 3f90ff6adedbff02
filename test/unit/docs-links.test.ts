import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/local-stack/tools.js';

/**
 * The documentation a newcomer reads: README.md and docs/. Every relative link must lead somewhere (a file, a
 * folder, a heading), every page of docs/ must lead into the code, and no table cell may run on for a screen.
 */
const root = projectRoot();
const docsDir = join(root, 'docs');
const pages = [
  join(root, 'README.md'),
  ...(existsSync(docsDir) ? readdirSync(docsDir).filter((name) => name.endsWith('.md')) : []).map((name) =>
    join(docsDir, name),
  ),
];

/** Markdown without its fenced code blocks, where brackets and `#` are code, not links or headings. */
function prose(file: string): string {
  return readFileSync(file, 'utf8').replace(/^```[\s\S]*?^```/gm, '');
}

/** Heading anchors as GitHub makes them: lowercased, punctuation dropped, spaces to dashes, repeats numbered. */
function anchors(file: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const [, text = ''] of prose(file).matchAll(/^#{1,6} +(.+?) *#*$/gm)) {
    const base = text
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    result.add(count === 0 ? base : `${base}-${count}`);
  }
  return result;
}

/** Targets of inline links `[text](target)`, without external ones. */
function relativeLinks(file: string): string[] {
  return [...prose(file).matchAll(/\]\(([^)\s]+)(?: "[^"]*")?\)/g)]
    .map((match) => match[1] ?? '')
    .filter((target) => !/^[a-z][a-z+.-]*:/i.test(target));
}

describe('documentation', () => {
  it('has pages in docs/ and an index among them', () => {
    expect(pages.map((page) => relative(root, page))).toEqual(
      expect.arrayContaining([
        'docs/README.md',
        'docs/architecture.md',
        'docs/lifecycle.md',
        'docs/api.md',
        'docs/configuration.md',
        'docs/operations.md',
      ]),
    );
  });

  it.each(pages.map((page) => [relative(root, page), page]))(
    '%s: every relative link and anchor resolves',
    (_, page) => {
      const broken: string[] = [];
      for (const target of relativeLinks(page)) {
        const [path = '', anchor] = target.split('#');
        const file = path === '' ? page : resolve(dirname(page), decodeURI(path));
        if (!existsSync(file)) broken.push(`${target}: no such file`);
        else if (anchor !== undefined && (statSync(file).isDirectory() || !anchors(file).has(anchor)))
          broken.push(`${target}: no such heading`);
      }
      expect(broken).toEqual([]);
    },
  );

  it.each(pages.map((page) => [relative(root, page), page]))(
    '%s: no table cell over 200 characters',
    (_, page) => {
      const long = prose(page)
        .split('\n')
        .filter((line) => line.startsWith('|'))
        .flatMap((line) => line.split(/(?<!\\)\|/).map((cell) => cell.trim()))
        .filter((cell) => cell.length > 200 && !/^:?-+:?$/.test(cell));
      expect(long).toEqual([]);
    },
  );

  it('leads from every page of docs/ into the code', () => {
    const code = /^(src|workflows|activities|providers)\//;
    const withoutCode = pages
      .filter((page) => page.startsWith(docsDir))
      .filter(
        (page) =>
          !relativeLinks(page).some((target) =>
            code.test(relative(root, resolve(dirname(page), target.split('#')[0] ?? ''))),
          ),
      );
    expect(withoutCode.map((page) => relative(root, page))).toEqual([]);
  });

  it('is what the code cites: every docs/ page named in a source file exists', () => {
    const self = fileURLToPath(import.meta.url);
    const sources = ['src', 'domain', 'providers', 'workflows', 'activities', 'test', 'bench']
      .flatMap((dir) =>
        readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' }).map((f) => join(root, dir, f)),
      )
      .filter((file) => /\.(ts|cjs|md)$/.test(file) && file !== self && !file.includes('node_modules'));
    const wrong: string[] = [];
    for (const file of sources) {
      const text = readFileSync(file, 'utf8');
      for (const [cited] of text.matchAll(/\bdocs\/[\w-]+\.md\b/g))
        if (!existsSync(join(root, cited))) wrong.push(`${relative(root, file)}: ${cited}`);
      if (/\bDESIGN\.md\b/.test(text)) wrong.push(`${relative(root, file)}: DESIGN.md`);
    }
    expect(wrong).toEqual([]);
  });
});
