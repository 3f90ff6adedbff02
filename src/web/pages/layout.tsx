import type { ComponentChildren } from 'preact';
import type { Actor } from '../../../domain/actor.js';
import type { Messages } from '../i18n/index.js';
import type { ExplainedProblem } from '../problems.js';
import { STYLE_PATH } from '../style.js';

/** What every page knows: the words, where it is (for the language link), and who is signed in. */
export interface PageContext {
  m: Messages;
  path: string;
  actor?: Actor | undefined;
  csrf?: string | undefined;
}

/** The language switch: the same page, in the other language (remembered in a cookie). */
function languageLink(ctx: PageContext): string {
  const url = new URL(ctx.path, 'http://page');
  url.searchParams.set('lang', ctx.m.otherLanguageCode);
  return `${url.pathname}${url.search}`;
}

/** The form's CSRF token, checked against the session's on POST. */
export function Csrf({ ctx }: { ctx: PageContext }) {
  return <input type="hidden" name="csrf" value={ctx.csrf ?? ''} />;
}

/** A refusal from the API, explained; `role="alert"` so a screen reader reads it at once. */
export function ProblemBox({ problem, ctx }: { problem: ExplainedProblem; ctx: PageContext }) {
  return (
    <div class="problem" role="alert">
      <h2>{ctx.m.errorTitle}</h2>
      <p>{problem.message}</p>
      {problem.fields.length > 0 && (
        <ul>
          {problem.fields.map((f) => (
            <li>{f}</li>
          ))}
        </ul>
      )}
      {problem.incidentId && (
        <p>
          <a href={`/incidents/${problem.incidentId}`}>{ctx.m.incident.entryLink}</a>
        </p>
      )}
      {problem.detail && (
        <p class="muted">
          {ctx.m.problems.apiSaid} {problem.detail}
        </p>
      )}
    </div>
  );
}

/** A confirmation after an action that redirected here. */
export function DoneBox({ text }: { text: string | undefined }) {
  return text ? (
    <p class="done" role="status">
      {text}
    </p>
  ) : null;
}

/** `2026-12-20 17:00 UTC`: instants as people read them, in either language. */
export function when(iso: string | undefined): string {
  return iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : '';
}

/** The frame of every page: language, title, skip link, navigation, the sign-out form. */
export function Layout(props: { ctx: PageContext; title: string; children: ComponentChildren }) {
  const { ctx, title } = props;
  const { m, actor } = ctx;
  return (
    <html lang={m.lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · ${m.appName}`}</title>
        <link rel="stylesheet" href={STYLE_PATH} />
      </head>
      <body>
        <a class="skip" href="#content">
          {m.skipToContent}
        </a>
        <header>
          <span class="name">{m.appName}</span>
          {actor && (
            <nav aria-label={m.nav.label}>
              <ul>
                <li>
                  <a href="/">{m.nav.doors}</a>
                </li>
                <li>
                  <a href="/extensions">{m.nav.pending}</a>
                </li>
                <li>
                  <a href="/grants/new">{m.nav.newGrant}</a>
                </li>
                <li>
                  <a href="/review">{m.nav.review}</a>
                </li>
              </ul>
            </nav>
          )}
          <a href={languageLink(ctx)} lang={m.otherLanguageCode} hreflang={m.otherLanguageCode}>
            {m.otherLanguage}
          </a>
          {actor && (
            <form method="post" action="/sign-out">
              <span class="muted">
                {m.signedInAs(actor.name, actor.roles.map((r) => m.roles[r] ?? r).join(', '))}
              </span>{' '}
              <Csrf ctx={ctx} />
              <button type="submit">{m.nav.signOut}</button>
            </form>
          )}
        </header>
        <main id="content" tabIndex={-1}>
          <h1>{title}</h1>
          {props.children}
        </main>
      </body>
    </html>
  );
}
