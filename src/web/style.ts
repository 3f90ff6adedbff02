import { createHash } from 'node:crypto';

/**
 * The page's only style sheet. Colours meet WCAG AA contrast on white (text 16:1, links and buttons over 6:1);
 * focus is always drawn, thick, for keyboard users.
 */
export const STYLE = `
:root { color-scheme: light; --ink: #1b1b1b; --muted: #4a4a4a; --brand: #0b4f9c; --line: #c8c8c8;
  --bad: #8b1a1a; --bad-bg: #fdeeee; --good: #1d5e2b; --good-bg: #ecf7ee; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, sans-serif; color: var(--ink); background: #fff; }
a { color: var(--brand); }
:focus-visible { outline: 3px solid #e37400; outline-offset: 2px; }
.skip { position: absolute; left: -9999px; }
.skip:focus { left: 1rem; top: 1rem; background: #fff; padding: .5rem; z-index: 1; }
header { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; padding: .75rem 1rem;
  border-bottom: 1px solid var(--line); }
header .name { font-weight: 700; margin-right: auto; }
nav ul { display: flex; flex-wrap: wrap; gap: 1rem; list-style: none; margin: 0; padding: 0; }
main { padding: 1rem; max-width: 72rem; }
table { border-collapse: collapse; margin: .5rem 0 1.5rem; }
th, td { border: 1px solid var(--line); padding: .3rem .6rem; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
form { margin: .5rem 0 1.5rem; }
label { display: block; font-weight: 600; margin-top: .75rem; }
input, select, textarea { font: inherit; padding: .35rem; border: 1px solid #6b6b6b; border-radius: 3px;
  min-width: 18rem; }
button { font: inherit; margin-top: .75rem; padding: .4rem 1rem; color: #fff; background: var(--brand);
  border: 1px solid var(--brand); border-radius: 3px; cursor: pointer; }
button.danger { background: var(--bad); border-color: var(--bad); }
header form { margin: 0; }
header button { margin: 0; }
.problem { border: 2px solid var(--bad); background: var(--bad-bg); color: var(--bad); padding: .75rem 1rem; }
.done { border: 2px solid var(--good); background: var(--good-bg); color: var(--good); padding: .75rem 1rem; }
.secret { font: 1.25rem/1.4 ui-monospace, monospace; background: #f2f2f2; padding: .5rem; }
.muted { color: var(--muted); }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
dt { font-weight: 600; }
dd { margin: 0; }
`;

/** The style sheet's path: named by its content, so it is cached for a year and a new version has a new name. */
export const STYLE_PATH = `/assets/style-${createHash('sha256').update(STYLE).digest('hex').slice(0, 12)}.css`;
