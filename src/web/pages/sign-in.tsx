import type { ExplainedProblem } from '../problems.js';
import { DoneBox, Layout, ProblemBox, type PageContext } from './layout.js';

/** The sign-in form: the person pastes their API token. */
export function SignInPage(props: { ctx: PageContext; problem?: ExplainedProblem; signedOut?: boolean }) {
  const { ctx } = props;
  const { m } = ctx;
  return (
    <Layout ctx={ctx} title={m.signIn.title}>
      <DoneBox text={props.signedOut ? m.signIn.signedOut : undefined} />
      {props.problem && <ProblemBox problem={props.problem} ctx={ctx} />}
      <p>{m.signIn.intro}</p>
      <form method="post" action="/sign-in">
        <label for="token">{m.signIn.token}</label>
        <input id="token" name="token" type="password" autocomplete="off" required />
        <div>
          <button type="submit">{m.signIn.submit}</button>
        </div>
      </form>
    </Layout>
  );
}
