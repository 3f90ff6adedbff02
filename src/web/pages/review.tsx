import type { ReviewReport } from '../../../domain/review.js';
import { Layout, when, type PageContext } from './layout.js';

/** The latest access review: per provider, then every account it found with its finding. */
export function ReviewPage(props: { ctx: PageContext; review: ReviewReport | null }) {
  const { ctx, review } = props;
  const { m } = ctx;
  return (
    <Layout ctx={ctx} title={m.review.title}>
      {!review && <p>{m.review.none}</p>}
      {review && (
        <>
          <dl>
            <dt>{m.review.startedAt}</dt>
            <dd>{when(review.startedAt)}</dd>
            <dt>{m.review.finishedAt}</dt>
            <dd>{when(review.finishedAt)}</dd>
            <dt>{m.review.trigger}</dt>
            <dd>{review.trigger}</dd>
          </dl>
          <h2>{m.review.perProvider}</h2>
          <table>
            <thead>
              <tr>
                <th scope="col">{m.grant.provider}</th>
                <th scope="col">{m.review.accountsFound}</th>
                <th scope="col">{m.review.findings}</th>
              </tr>
            </thead>
            <tbody>
              {review.providers.map((p) => (
                <tr>
                  <td>{p.provider}</td>
                  <td>{p.accounts}</td>
                  <td>
                    {Object.entries(p.findings)
                      .filter(([, n]) => n)
                      .map(([finding, n]) => `${m.review.findingNames[finding] ?? finding}: ${n}`)
                      .join(', ')}
                    {p.error ? ` (${p.error})` : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <h2>{m.review.accounts}</h2>
          <table>
            <thead>
              <tr>
                <th scope="col">{m.review.username}</th>
                <th scope="col">{m.grant.provider}</th>
                <th scope="col">{m.review.enabled}</th>
                <th scope="col">{m.review.finding}</th>
                <th scope="col">{m.review.action}</th>
                <th scope="col">{m.review.grant}</th>
              </tr>
            </thead>
            <tbody>
              {review.accounts.map((a) => (
                <tr>
                  <td>{a.username}</td>
                  <td>{a.provider}</td>
                  <td>{a.enabled ? m.review.yes : m.review.no}</td>
                  <td>{m.review.findingNames[a.finding] ?? a.finding}</td>
                  <td>{m.review.actionNames[a.action] ?? a.action}</td>
                  <td>
                    {a.grantId ? (
                      <a href={`/grants/${a.grantId}`}>
                        {a.grantStatus ? (m.statuses[a.grantStatus] ?? a.grantStatus) : a.grantId}
                      </a>
                    ) : (
                      ''
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </Layout>
  );
}
