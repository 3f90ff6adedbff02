/**
 * POST /v1.0/invitations (B2B collaboration)
 *   { invitedUserEmailAddress, inviteRedirectUrl, invitedUserDisplayName?, sendInvitationMessage?,
 *     invitedUserMessageInfo?, invitedUserType? }
 *   → 201 { id, inviteRedeemUrl, invitedUserDisplayName, invitedUserType, invitedUserEmailAddress,
 *           sendInvitationMessage, resetRedemption, inviteRedirectUrl, status, invitedUserMessageInfo,
 *           invitedUser: { id } }
 * The first invitation of an address creates a Guest user; inviting it again returns the same user (a re-invite).
 */
import { requirePermission } from './auth.js';
import { claims, jsonBody, sendGraph, type GraphFakeContext, type GraphFakeServer } from './context.js';

export function registerInvitationRoutes(app: GraphFakeServer, ctx: GraphFakeContext): void {
  app.post('/v1.0/invitations', async (req, reply) => {
    requirePermission(claims(req), 'invitations.create');
    const { invitation: inv } = ctx.dir.invite(jsonBody(req));
    return sendGraph(reply, 201, {
      '@odata.context': `${ctx.origin}/v1.0/$metadata#invitations/$entity`,
      id: inv.id,
      inviteRedeemUrl: inv.inviteRedeemUrl,
      invitedUserDisplayName: inv.invitedUserDisplayName,
      invitedUserType: inv.invitedUserType,
      invitedUserEmailAddress: inv.invitedUserEmailAddress,
      sendInvitationMessage: inv.sendInvitationMessage,
      resetRedemption: inv.resetRedemption,
      inviteRedirectUrl: inv.inviteRedirectUrl,
      status: inv.status,
      invitedUserMessageInfo: inv.invitedUserMessageInfo,
      invitedUser: { id: inv.invitedUserId },
    });
  });
}
