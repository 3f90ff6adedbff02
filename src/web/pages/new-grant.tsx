import type { GrantWithCredential } from '../../cli/api-types.js';
import type { ExplainedProblem } from '../problems.js';
import { Csrf, Layout, ProblemBox, type PageContext } from './layout.js';

/** The form's fields as the person filled them, kept when the API refuses them. */
export type GrantForm = Partial<
  Record<'provider' | 'organisation' | 'contactEmail' | 'durationDays' | 'reason' | 'ticket', string>
>;

/** The new-grant form. */
export function NewGrantPage(props: {
  ctx: PageContext;
  providers: readonly string[];
  form: GrantForm;
  problem?: ExplainedProblem | undefined;
}) {
  const { ctx, form } = props;
  const { m } = ctx;
  return (
    <Layout ctx={ctx} title={m.newGrant.title}>
      {props.problem && <ProblemBox problem={props.problem} ctx={ctx} />}
      <p>{m.newGrant.intro}</p>
      <form method="post" action="/grants">
        <Csrf ctx={ctx} />
        <label for="provider">{m.newGrant.provider}</label>
        <select id="provider" name="provider">
          {props.providers.map((p) => (
            <option value={p} selected={form.provider === p}>
              {p}
            </option>
          ))}
        </select>
        <label for="organisation">{m.newGrant.organisation}</label>
        <input id="organisation" name="organisation" type="text" value={form.organisation ?? ''} />
        <label for="contactEmail">{m.newGrant.contactEmail}</label>
        <input id="contactEmail" name="contactEmail" type="email" value={form.contactEmail ?? ''} />
        <label for="durationDays">{m.newGrant.durationDays}</label>
        <input id="durationDays" name="durationDays" type="number" min="1" value={form.durationDays ?? '7'} />
        <label for="reason">{m.newGrant.reason}</label>
        <input id="reason" name="reason" type="text" value={form.reason ?? ''} />
        <label for="ticket">{m.newGrant.ticket}</label>
        <input id="ticket" name="ticket" type="text" value={form.ticket ?? ''} />
        <div>
          <button type="submit">{m.newGrant.submit}</button>
        </div>
      </form>
    </Layout>
  );
}

/** The answer to the form: the one-time credential, on this page only (never stored, never shown again). */
export function CredentialPage(props: {
  ctx: PageContext;
  created: GrantWithCredential;
  provisioning: boolean;
}) {
  const { ctx, created } = props;
  const { m } = ctx;
  const credential = created.credential;
  return (
    <Layout ctx={ctx} title={m.credential.title}>
      {credential ? (
        <>
          <p>{m.credential.once}</p>
          <dl>
            <dt>{m.credential.username}</dt>
            <dd class="secret">{credential.username}</dd>
            <dt>{m.credential.password}</dt>
            <dd class="secret" id="one-time-password">
              {credential.password}
            </dd>
          </dl>
        </>
      ) : (
        props.provisioning && <p>{m.credential.provisioning}</p>
      )}
      <p>
        <a href={`/grants/${created.id}`}>{m.credential.toGrant}</a>
      </p>
    </Layout>
  );
}
