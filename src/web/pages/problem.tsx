import type { ExplainedProblem } from '../problems.js';
import { Layout, ProblemBox, type PageContext } from './layout.js';

/** A refusal with nothing else to show: the explanation, and the way back. */
export function ProblemPage(props: { ctx: PageContext; problem: ExplainedProblem; back?: string }) {
  const { ctx } = props;
  return (
    <Layout ctx={ctx} title={ctx.m.errorTitle}>
      <ProblemBox problem={props.problem} ctx={ctx} />
      <p>
        <a href={props.back ?? '/'}>{ctx.m.nav.doors}</a>
      </p>
    </Layout>
  );
}
