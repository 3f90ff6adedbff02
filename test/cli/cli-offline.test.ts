import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FetchLike } from '../../src/cli/client.js';
import { projectRoot } from '../../src/local-stack/tools.js';
import { cli, cliProcess } from './run-cli.js';

/** Every command, and options its `--help` must name. */
const COMMANDS: [string[], string[]][] = [
  [[], ['--api-url', '--token', '--json', 'grant', 'supplier', 'registry', 'review', 'doors']],
  [['doors'], ['--active-at', '--supplier', '--csv', '--output']],
  [['grant'], ['create', 'credential', 'list', 'show', 'extend', 'approve', 'reject', 'revoke']],
  [
    ['grant', 'create'],
    [
      '--provider',
      '--supplier',
      '--organisation',
      '--expires-at',
      '--days',
      '--reason',
      '--contact-email',
      '--ticket',
      '--group',
      '--account',
    ],
  ],
  [['grant', 'credential'], ['<id>']],
  [
    ['grant', 'list'],
    [
      '--status',
      '--provider',
      '--supplier',
      '--organisation',
      '--expires-before',
      '--expires-after',
      '--active-at',
      '--limit',
      '--cursor',
      '--all',
    ],
  ],
  [['grant', 'show'], ['<id>']],
  [
    ['grant', 'extend'],
    ['<id>', '--expires-at', '--reason'],
  ],
  [
    ['grant', 'approve'],
    ['<id>', '--reason'],
  ],
  [
    ['grant', 'reject'],
    ['<id>', '--reason'],
  ],
  [
    ['grant', 'revoke'],
    ['<id>', '--reason'],
  ],
  [['supplier'], ['add', 'list', 'show', 'update']],
  [
    ['supplier', 'add'],
    ['--legal-name', '--sponsor-name', '--sponsor-email', '--contact-email', '--contract-end', '--notes'],
  ],
  [
    ['supplier', 'list'],
    ['--name', '--contract-ends-before', '--limit', '--cursor', '--all'],
  ],
  [['supplier', 'show'], ['<id>']],
  [
    ['supplier', 'update'],
    [
      '<id>',
      '--legal-name',
      '--sponsor-name',
      '--sponsor-email',
      '--contact-email',
      '--contract-end',
      '--clear-contract-end',
      '--notes',
      '--clear-notes',
    ],
  ],
  [['registry'], ['export']],
  [['registry', 'export'], ['--output']],
  [['review'], ['run', 'latest', 'show']],
  [['review', 'run'], ['--all']],
  [
    ['review', 'latest'],
    ['--all', '--csv', '--output'],
  ],
  [
    ['review', 'show'],
    ['<id>', '--all'],
  ],
];

/** A fetch that must not be called: usage errors are caught before the API is asked. */
const noFetch: FetchLike = () => Promise.reject(new Error('the API must not be called'));

const json = (status: number, body: unknown, type = 'application/json') =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': type } });

describe('the supplier-access CLI, without an API', () => {
  it.each(COMMANDS)('%j --help exits 0 and names its options', async (path, names) => {
    const run = await cli([...path, '--help'], { fetch: noFetch });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`Usage: supplier-access ${path.join(' ')}`.trimEnd());
    for (const name of names) expect(run.stdout).toContain(name);
    // Subcommands show the global options too, so each help page is complete on its own.
    expect(run.stdout).toContain('--api-url');
  });

  it.each([
    ['an unknown command', ['grant', 'frobnicate']],
    ['an unknown option', ['grant', 'list', '--colour']],
    ['a command group without a command', ['grant']],
    [
      '--days that is not a whole number',
      ['grant', 'create', '--provider', 'ldap', '--organisation', 'A', '--reason', 'r', '--days', 'seven'],
    ],
    ['a missing --reason', ['grant', 'create', '--provider', 'ldap', '--organisation', 'A', '--days', '3']],
    [
      'both --expires-at and --days',
      [
        'grant',
        'create',
        '--provider',
        'ldap',
        '--organisation',
        'A',
        '--reason',
        'r',
        '--days',
        '3',
        '--expires-at',
        '2030-01-01T00:00:00Z',
      ],
    ],
    [
      'an unknown provider',
      ['grant', 'create', '--provider', 'novell', '--organisation', 'A', '--reason', 'r', '--days', '3'],
    ],
    ['a missing id', ['grant', 'show']],
    ['--limit that is not a whole number', ['grant', 'list', '--limit', 'ten']],
    [
      'neither --supplier nor --organisation',
      ['grant', 'create', '--provider', 'ldap', '--reason', 'r', '--days', '3'],
    ],
    [
      'both --supplier and --organisation',
      [
        'grant',
        'create',
        '--provider',
        'ldap',
        '--supplier',
        'x',
        '--organisation',
        'A',
        '--reason',
        'r',
        '--days',
        '3',
      ],
    ],
    ['a supplier without a sponsor', ['supplier', 'add', '--legal-name', 'Acme']],
    ['a sponsor e-mail without its name', ['supplier', 'update', 'x', '--sponsor-email', 'sam@corp.example']],
    [
      'a contract end set and cleared',
      ['supplier', 'update', 'x', '--contract-end', '2030-01-01T00:00:00Z', '--clear-contract-end'],
    ],
  ])('exits 2 on a usage error: %s', async (_name, args) => {
    const run = await cli(args, { token: 'a-token-0123456789', fetch: noFetch });
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/error|Usage/);
    expect(run.stdout).toBe('');
  });

  it('says which flag or variable gives the token when there is none, and exits 1', async () => {
    const run = await cli(['grant', 'show', 'x'], { fetch: noFetch });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('error: no API token: pass --token <token> or set SUPPLIER_ACCESS_TOKEN\n');
  });

  it('exits 1 with a clear message when the API cannot be reached', async () => {
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}`;
    const run = await cli(['grant', 'list'], { apiUrl: url, token: 'secret-token-0123456789' });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `error: cannot reach the API at ${url}: connect ECONNREFUSED 127.0.0.1:${port}\n`,
    );
    expect(run.stderr).not.toContain('secret-token');
  });

  it('reports an error page that is not a problem document by its status line', async () => {
    const proxy: FetchLike = async () =>
      new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' });
    const run = await cli(['grant', 'show', 'x'], { token: 't-0123456789abcdef', fetch: proxy });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('error: HTTP 502 Bad Gateway: <html>Bad gateway</html>');
  });

  it('prints what the supplier must do first with the one-time password, when the API says', async () => {
    const firstSignIn = 'Change this one-time password first: … or run: kpasswd sup-supplier-1@CORP.EXAMPLE';
    const api: FetchLike = async () =>
      json(201, {
        ...fakeGrant('1'),
        credential: { username: 'sup-supplier-1', password: 'One-time-1!', firstSignIn },
      });
    const args = ['grant', 'create', '--provider', 'ldap', '--organisation', 'Supplier 1', '--reason', 'r'];
    const run = await cli([...args, '--days', '3'], { token: 't-0123456789abcdef', fetch: api });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('One-time-1!');
    expect(run.stdout).toContain(`First sign-in: ${firstSignIn}`);
  });

  it('follows nextCursor with --all and merges the pages; without it, prints one page and how to go on', async () => {
    const pages: Record<string, unknown> = {
      '': { grants: [fakeGrant('1')], nextCursor: 'c1' },
      c1: { grants: [fakeGrant('2')], nextCursor: 'c2' },
      c2: { grants: [fakeGrant('3')] },
    };
    const asked: string[] = [];
    const api: FetchLike = async (input) => {
      const url = new URL(input);
      asked.push(url.search);
      return json(200, pages[url.searchParams.get('cursor') ?? '']);
    };
    const options = { token: 't-0123456789abcdef', fetch: api, apiUrl: 'http://api.test/prefix' };

    const all = await cli(
      ['grant', 'list', '--all', '--json', '--status', 'active,expired', '--limit', '1'],
      options,
    );
    expect(all.code, all.stderr).toBe(0);
    expect((JSON.parse(all.stdout) as { id: string }[]).map((g) => g.id)).toEqual(['1', '2', '3'].map(uuid));
    expect(asked).toEqual([
      '?status=active%2Cexpired&limit=1',
      '?status=active%2Cexpired&limit=1&cursor=c1',
      '?status=active%2Cexpired&limit=1&cursor=c2',
    ]);

    const one = await cli(['grant', 'list', '--limit', '1'], options);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/^ID\s+PROVIDER\s+USERNAME\s+ORGANISATION\s+STATUS\s+EXPIRES AT\s+ENDED$/m);
    expect(one.stdout).toContain(uuid('1'));
    expect(one.stdout).not.toContain(uuid('2'));
    expect(one.stdout).toContain('--cursor c1');
  });

  it('shows when and how a grant ended beside its expiry, and an account not closed yet as still open', async () => {
    const revoked = {
      ...fakeGrant('1'),
      status: 'revoked',
      expiresAt: '2030-01-01T00:00:00.000Z',
      endedAt: '2029-12-10T09:00:00.000Z',
      ending: 'revoked',
      endedBy: 'ada',
      endReason: 'work finished early',
      closedAt: '2029-12-10T09:00:01.000Z',
      closing: false,
    };
    const closing = {
      ...fakeGrant('2'),
      status: 'expired',
      endedAt: '2030-01-01T00:00:00.000Z',
      ending: 'expired',
      endedBy: 'supplier-access',
      endReason: 'expiry reached (2030-01-01T00:00:00.000Z)',
      closing: true,
    };
    const api: FetchLike = async (input) => {
      const url = new URL(input);
      if (url.pathname.endsWith(uuid('1'))) return json(200, revoked);
      if (url.pathname.endsWith(uuid('2'))) return json(200, closing);
      return json(200, { grants: [closing, revoked, fakeGrant('3')] });
    };
    const options = { token: 't-0123456789abcdef', fetch: api, apiUrl: 'http://api.test' };

    const shown = await cli(['grant', 'show', uuid('1')], options);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(
      /^\s+expires at\s+2030-01-01T00:00:00.000Z \(not reached: revoked at 2029-12-10T09:00:00.000Z\)$/m,
    );
    expect(shown.stdout).toMatch(
      /^\s+ended\s+revoked at 2029-12-10T09:00:00.000Z by ada: work finished early$/m,
    );
    expect(shown.stdout).toMatch(/^\s+account closed\s+2029-12-10T09:00:01.000Z$/m);

    const open = await cli(['grant', 'show', uuid('2')], options);
    expect(open.stdout).toMatch(/^\s+ended\s+expired at 2030-01-01T00:00:00.000Z by supplier-access/m);
    expect(open.stdout).toMatch(
      /^\s+account closed\s+not yet: still usable until the directory disables it$/m,
    );

    const table = await cli(['grant', 'list'], options);
    expect(table.stdout).toMatch(
      new RegExp(`^${uuid('2')}\\s.*expired\\s+\\S+Z\\s+expired 2030-01-01T00:00:00.000Z, still open$`, 'm'),
    );
    expect(table.stdout).toMatch(
      new RegExp(`^${uuid('1')}\\s.*revoked\\s+\\S+Z\\s+revoked 2029-12-10T09:00:00.000Z$`, 'm'),
    );
    expect(table.stdout).toMatch(new RegExp(`^${uuid('3')}\\s.*active\\s+\\S+Z$`, 'm'));
  });

  it('runs as the installed binary would: node on src/cli.ts, through its shebang entry', async () => {
    // npm links the `bin` (dist/src/cli.js, compiled from this file, shebang kept) and runs it through this line.
    const entry = readFileSync(join(projectRoot(), 'src/cli.ts'), 'utf8');
    expect(entry.split('\n')[0]).toBe('#!/usr/bin/env node');
    const run = await cliProcess(['--help']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Usage: supplier-access');
    expect(run.stdout).toContain('grant');

    const misuse = await cliProcess(['grant', 'frobnicate']);
    expect(misuse.code).toBe(2);
    const noToken = await cliProcess(['grant', 'show', 'x']);
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toContain('SUPPLIER_ACCESS_TOKEN');
  });
});

function uuid(n: string): string {
  return `00000000-0000-4000-8000-00000000000${n}`;
}

function fakeGrant(n: string) {
  return {
    id: uuid(n),
    provider: 'ldap',
    supplier: { organisation: `Supplier ${n}` },
    account: { username: `sup-supplier-${n}`, externalId: null, displayName: `Supplier ${n} (supplier)` },
    status: 'active',
    expiresAt: '2030-01-01T00:00:00.000Z',
    reason: 'r',
    requestedBy: 'rita',
    createdAt: '2029-12-01T00:00:00.000Z',
  };
}

/** A port nothing listens on: bound by the system, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
