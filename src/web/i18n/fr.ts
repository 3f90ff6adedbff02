import type { Messages } from './en.js';

/**
 * The rules the API states, in French: every one the page's forms can provoke (`test/web/pages.test.ts`); a rule
 * not listed here would be shown as the API wrote it.
 */
const RULES: [RegExp, (...m: string[]) => string][] = [
  [/^is required$/, () => 'est obligatoire'],
  [/^must not be empty$/, () => 'ne doit pas être vide'],
  [/^must be at least (\d+)$/, (n = '') => `doit être au moins ${n}`],
  [/^must be at most (\d+) characters$/, (n = '') => `doit compter au plus ${n} caractères`],
  [/^must be at most MAX_GRANT_DAYS \((\d+)\)$/, (n = '') => `doit être au plus MAX_GRANT_DAYS (${n})`],
  [/^must be a number of days$/, () => 'doit être un nombre de jours'],
  [/^must be a whole number of days$/, () => 'doit être un nombre entier de jours'],
  [/^must be an e-mail address$/, () => 'doit être une adresse courriel'],
  [/^must be in the future$/, () => 'doit être dans le futur'],
  [/^must not be in the future$/, () => 'ne doit pas être dans le futur'],
  [
    /^must be at most MAX_GRANT_DAYS \((\d+)\) days from now$/,
    (n = '') => `doit être au plus MAX_GRANT_DAYS (${n}) jours à partir de maintenant`,
  ],
  [
    /^must be an ISO-8601 instant with Z or an offset$/,
    () => 'doit être un instant ISO 8601 avec Z ou un décalage',
  ],
  [/^give exactly one of (\w+) and (\w+)$/, (a = '', b = '') => `donnez exactement un de ${a} et ${b}`],
  [
    /^must contain a letter or a digit \(in any script: it is transliterated, Ø counts as O\)$/,
    () =>
      'doit contenir une lettre ou un chiffre (dans toute écriture : elle est translittérée, Ø compte comme O)',
  ],
  [
    /^must not be after the supplier's contract end \((.+)\): no access outlives the contract$/,
    (end = '') =>
      `ne doit pas dépasser la fin du contrat du fournisseur (${end}) : aucun accès ne survit au contrat`,
  ],
  [
    /^(\w+) is not configured on this service; set (.+) to enable it$/,
    (provider = '', variables = '') =>
      `${provider} n'est pas configuré sur ce service; définissez ${variables.replace(/ and /g, ' et ')} pour l'activer`,
  ],
  [/^(\w+) has only one kind of account$/, (provider = '') => `${provider} n'a qu'une sorte de compte`],
  [/^must be one of: (.+)$/, (values = '') => `doit être l'une de ces valeurs : ${values}`],
  [/^must be guest or member$/, () => 'doit être guest ou member'],
  [/^must name a registered supplier$/, () => 'doit nommer un fournisseur enregistré'],
  [/^must change at least one field$/, () => 'doit changer au moins un champ'],
  [/^must not be before occurredFrom$/, () => 'ne doit pas précéder occurredFrom'],
  [/^unknown field$/, () => 'champ inconnu'],
];

/** Les mots de la page en français (Québec). */
export const fr: Messages = {
  lang: 'fr',
  appName: 'Accès fournisseurs',
  skipToContent: 'Aller au contenu',
  otherLanguage: 'English',
  otherLanguageCode: 'en',
  signedInAs: (name, roles) => `Connecté : ${name} (${roles})`,
  nav: {
    label: 'Principal',
    doors: 'Portes ouvertes',
    pending: 'Prolongations en attente',
    newGrant: 'Nouvel accès',
    review: 'Dernière revue',
    signOut: 'Se déconnecter',
  },
  signIn: {
    title: 'Connexion',
    intro:
      "Collez votre jeton d'API. Il est vérifié auprès de l'API, puis gardé dans un témoin scellé de ce site " +
      "seulement; il n'est plus jamais affiché.",
    token: "Jeton d'API",
    submit: 'Se connecter',
    signedOut: 'Vous êtes déconnecté.',
  },
  doors: {
    title: 'Portes ouvertes par fournisseur',
    intro: (at) =>
      `Toutes les portes ouvertes au ${at} : comptes, prêts, identifiants de service et portes manuelles.`,
    filters: 'Filtres',
    activeAt: 'Ouvertes le (UTC; vide : maintenant)',
    supplierId: 'Identifiant du fournisseur (facultatif)',
    apply: 'Afficher',
    none: "Aucune porte n'est ouverte à cet instant.",
    total: (n) => (n <= 1 ? `${n} porte ouverte` : `${n} portes ouvertes`),
    kind: 'Type',
    account: 'Compte',
    provider: 'Annuaire',
    status: 'Statut',
    since: 'Depuis',
    until: "Jusqu'au",
    requestedBy: 'Demandé par',
    supplierPage: 'Page du fournisseur',
    kinds: { account: 'compte', lend: 'prêt', service: 'identifiant de service', manual: 'porte manuelle' },
  },
  supplier: {
    title: (name) => `Fournisseur : ${name}`,
    legalName: 'Raison sociale',
    contacts: 'Contacts',
    sponsor: 'Répondant',
    contractEnd: 'Fin du contrat',
    none: 'aucun',
    grants: 'Accès',
    noGrants: "Aucun accès pour l'instant.",
    blocked: 'Bloqué par un incident',
    blockedHelp:
      "Aucune nouvelle porte ni prolongation pour ce fournisseur tant qu'un administrateur n'a pas levé le blocage.",
    blockIncident: 'Incident en cause',
    blockSince: 'Depuis',
    blockBy: 'Par',
    done: {
      unblocked: 'Le blocage est levé : le fournisseur peut de nouveau avoir des portes.',
    },
  },
  incident: {
    report: 'Signaler un incident',
    reportHelp:
      'Le fournisseur, son personnel ou ses systèmes ont été compromis : fermez tout ce qu’il détient, sur-le-champ.',
    confirmTitle: (name) => `Signaler un incident chez ${name}`,
    willHappen: 'Confirmer fait tout ceci à la fois :',
    closesAll: (name) =>
      `Toutes les portes de ${name} sont fermées maintenant : ses comptes sont désactivés et leurs mots de passe ` +
      'changés, ses prêts prennent fin, ses identifiants de service sont retirés, et la personne responsable de ' +
      'chaque porte manuelle est avisée de la fermer.',
    blocks:
      "Le fournisseur est bloqué : aucune nouvelle porte ni prolongation tant qu'un administrateur n'a pas levé " +
      'le blocage.',
    opensEntry:
      'Une inscription est ouverte au registre des incidents de confidentialité (Loi 25), à compléter au fil ' +
      'des faits.',
    doorsNow: (n) =>
      n === 0
        ? 'Il ne détient aucune porte ouverte en ce moment.'
        : n === 1
          ? "La porte qu'il détient en ce moment :"
          : `Les ${n} portes qu'il détient en ce moment :`,
    reason: "Ce qui s'est passé (obligatoire)",
    discoveredAt: 'Découvert le (UTC)',
    confirm: 'Confirmer : fermer toutes les portes et bloquer le fournisseur',
    back: 'Retour à la page du fournisseur',
    alreadyBlocked: 'Ce fournisseur est déjà bloqué par un incident.',
    openedTitle: (name) => `Incident signalé : ${name}`,
    summary: (closed, pending) =>
      `${closed <= 1 ? `${closed} porte fermée` : `${closed} portes fermées`}, ${pending} en cours de fermeture.`,
    pendingHelp:
      'Une porte en cours de fermeture se ferme dès que son annuaire répond; une porte manuelle, quand la ' +
      "personne responsable atteste sa fermeture. L'inscription consigne l'heure de chaque fermeture.",
    entryLink: "Ouvrir l'inscription au registre",
    entryTitle: (name) => `Incident : ${name}`,
    internal: 'un compte interne',
    register: 'Inscription au registre (Loi 25)',
    notRecorded: 'pas encore consigné',
    supplier: 'Fournisseur',
    doors: 'Portes',
    doorsStatus: {
      closing: 'en cours de fermeture',
      closed: 'toutes fermées',
      none: 'aucune à fermer',
    },
    doorsClosedAt: 'Dernière porte fermée',
    createdBy: 'Ouvert par',
    createdAt: 'Ouvert le',
    keepUntil: "Conservé au moins jusqu'au",
    revision: "Modifications depuis l'ouverture",
    fields: {
      reason: "Ce qui s'est passé",
      discoveredAt: 'Découvert le',
      occurredFrom: 'Début',
      occurredUntil: 'Fin',
      personalInformation: 'Renseignements personnels visés',
      circumstances: 'Circonstances',
      personsConcerned: 'Personnes concernées',
      riskAssessment: "Évaluation du risque qu'un préjudice sérieux soit causé",
      seriousRisk: 'Risque de préjudice sérieux',
      commissionNotifiedAt: 'Commission avisée le',
      personsNotifiedAt: 'Personnes concernées avisées le',
      measures: 'Mesures prises',
    },
    closing: "Portes qu'il ferme",
    door: 'Porte',
    kind: 'Type',
    action: 'Mesure',
    requestedAt: 'Fermeture demandée le',
    closedAt: 'Fermée le',
    state: 'État',
    states: { closed: 'fermée', pending: 'en cours de fermeture' },
    actions: {
      revoke: 'désactiver et changer le mot de passe',
      'end-lend': 'mettre fin au prêt (nouveau mot de passe)',
      'remove-credential': "retirer l'identifiant",
      flag: 'aviser la personne responsable',
    },
    held: "Portes détenues par le fournisseur pendant l'incident",
    heldNone: 'Aucune.',
    from: 'Du',
    until: 'Au',
    trail: 'Historique',
    event: 'Événement',
    at: 'Quand',
    actor: 'Qui',
    details: 'Détails',
    events: {
      opened: 'ouvert',
      'supplier-blocked': 'fournisseur bloqué',
      'door-close-requested': 'fermeture de porte demandée',
      'door-closed': 'porte fermée',
      'doors-closed': 'toutes les portes fermées',
      'admins-notified': 'administrateurs avisés',
      updated: 'complété ou corrigé',
      'block-lifted': 'blocage levé',
    },
  },
  block: {
    lift: 'Lever le blocage',
    title: (name) => `Lever le blocage de ${name}`,
    willHappen: (name) =>
      `${name} peut de nouveau avoir des portes : accès, prêts, identifiants de service, portes manuelles et ` +
      "prolongations. Les portes fermées par l'incident restent fermées. L'inscription consigne qui a levé le " +
      'blocage, quand et pourquoi.',
    reason: 'Pourquoi le blocage peut être levé (obligatoire)',
    confirm: 'Confirmer : lever le blocage',
    notBlocked: "Ce fournisseur n'est pas bloqué.",
  },
  grant: {
    title: (org) => `Accès de ${org}`,
    details: 'Détails',
    id: "Identifiant de l'accès",
    supplier: 'Fournisseur',
    provider: 'Annuaire',
    account: 'Compte',
    status: 'Statut',
    expiresAt: 'Fin',
    reason: 'Motif',
    ticket: 'Billet',
    requestedBy: 'Demandé par',
    createdAt: 'Créé le',
    pending: (at, by) => `Une prolongation jusqu'au ${at} a été demandée par ${by}.`,
    events: 'Historique',
    event: 'Événement',
    at: 'Quand',
    actor: 'Qui',
    extend: 'Demander plus de temps',
    newExpiry: 'Nouvelle date de fin (UTC, fin de journée)',
    extendSubmit: 'Demander la prolongation',
    approve: 'Approuver la prolongation',
    reject: 'Refuser la prolongation',
    revoke: 'Révoquer maintenant',
    revokeHelp: 'Le compte est désactivé et son mot de passe changé sur-le-champ.',
    revokeSubmit: "Révoquer l'accès",
    done: {
      requested: 'La prolongation est demandée; une autre personne doit l’approuver.',
      approved: "La prolongation est approuvée; la nouvelle fin est appliquée dans l'annuaire.",
      rejected: "La prolongation est refusée; l'accès garde sa fin.",
      revoked: "L'accès est révoqué : le compte est désactivé et son mot de passe changé.",
      revokeQueued:
        "L'accès est révoqué; l'annuaire n'a pas encore répondu : le compte sera désactivé dès qu'il répondra.",
    },
  },
  pending: {
    title: 'Prolongations en attente',
    none: "Aucune prolongation n'attend de décision.",
    asked: 'Jusqu’au',
    by: 'Demandée par',
    why: 'Motif',
    decide: 'Décision',
    rejectReason: (org) => `Motif du refus pour ${org}`,
  },
  newGrant: {
    title: 'Nouvel accès',
    intro: 'Un compte au nom du fournisseur est créé avec sa date de fin; il se ferme de lui-même.',
    provider: 'Annuaire',
    organisation: 'Organisation du fournisseur',
    contactEmail: 'Courriel du contact chez le fournisseur (facultatif)',
    durationDays: 'Durée en jours',
    reason: 'Motif',
    ticket: 'Billet (facultatif)',
    submit: "Créer l'accès",
  },
  credential: {
    title: 'Le compte est prêt',
    once:
      "Voici le mot de passe à usage unique. Il n'est affiché que sur cette page : copiez-le maintenant et " +
      "remettez-le au fournisseur par un moyen sûr. Ni ce site ni l'API ne l'afficheront de nouveau.",
    username: "Nom d'utilisateur",
    password: 'Mot de passe',
    provisioning:
      "L'annuaire est lent : le compte est encore en création. La page de l'accès dira quand il sera prêt.",
    toGrant: "Aller à la page de l'accès",
  },
  review: {
    title: 'Dernière revue des accès',
    none: "Aucune revue n'est encore terminée.",
    startedAt: 'Commencée',
    finishedAt: 'Terminée',
    trigger: 'Lancée par',
    perProvider: 'Par annuaire',
    accountsFound: 'Comptes trouvés',
    findings: 'Constats',
    accounts: 'Comptes',
    username: 'Compte',
    enabled: 'Actif',
    finding: 'Constat',
    action: 'Action',
    grant: 'Accès',
    yes: 'oui',
    no: 'non',
    findingNames: {
      covered: 'couvert par un accès',
      'expiry-mismatch': 'fin différente (corrigée)',
      closed: 'fermé',
      drift: 'ouvert sans accès en cours (fermé)',
      orphan: 'créé sans accès',
      'disabled-while-live': 'désactivé pendant son accès',
      'rotation-overdue': 'changement de mot de passe en retard',
      lent: 'prêté en ce moment',
    },
    actionNames: {
      none: 'aucune',
      reported: 'signalé',
      'expiry-corrected': 'fin corrigée',
      'disabled-and-rotated': 'désactivé et mot de passe changé',
      failed: 'correction échouée',
      'rotation-started': 'changement de mot de passe lancé',
    },
  },
  reason: 'Motif',
  reasonRequired: 'Motif (obligatoire)',
  errorTitle: 'La demande a été refusée',
  fields: {
    provider: 'Annuaire',
    'supplier.organisation': 'Organisation du fournisseur',
    'supplier.contactEmail': 'Courriel du contact',
    supplier: 'Organisation du fournisseur',
    durationDays: 'Durée en jours',
    expiresAt: 'Date de fin',
    reason: 'Motif',
    ticket: 'Billet',
    activeAt: 'Ouvertes le',
    discoveredAt: 'Découvert le (UTC)',
    supplierId: 'Identifiant du fournisseur',
    token: "Jeton d'API",
  },
  problems: {
    fourEyes:
      "Vous avez demandé cette prolongation : vous ne pouvez pas l'approuver (règle des quatre yeux). " +
      'Une autre personne approbatrice doit décider.',
    forbidden: 'Votre rôle ne permet pas cette action.',
    unauthenticated: "Le jeton n'a pas été accepté, ou votre session a pris fin. Reconnectez-vous.",
    notFound: "Introuvable : cela n'existe pas, ou plus.",
    conflict: "Impossible dans l'état actuel de l'accès.",
    liveGrant: 'Un accès en cours couvre déjà ce fournisseur dans cet annuaire : prolongez-le plutôt.',
    nothingPending: "Aucune prolongation n'est en attente pour cet accès.",
    alreadyBlocked:
      'Ce fournisseur est déjà bloqué par un incident : complétez cette inscription, ou levez le blocage avant ' +
      "d'en signaler un autre.",
    supplierBlocked:
      "Ce fournisseur est bloqué par un incident : aucune nouvelle porte ni prolongation tant qu'un " +
      "administrateur n'a pas levé le blocage.",
    notBlocked: "Ce fournisseur n'est pas bloqué : il n'y a aucun blocage à lever.",
    validation: 'Certains champs sont refusés :',
    field: (label, rule) => `${label} : ${translateRule(rule)}`,
    rateLimited: 'Trop de demandes; attendez une minute et réessayez.',
    providerRefused: "L'annuaire a refusé le compte.",
    notAnswered: "Le service n'a pas répondu à temps; la demande reste en file. Rechargez dans un moment.",
    internal: 'Erreur interne; elle a été consignée.',
    csrf: 'Le formulaire a expiré ou ne vient pas de ce site. Rechargez la page et réessayez.',
    apiSaid: "Réponse de l'API :",
  },
  roles: {
    requester: 'demandeur',
    approver: 'approbateur',
    admin: 'administrateur',
    auditor: 'auditeur',
  },
  events: {
    created: 'créé',
    provisioned: 'compte créé',
    'provisioning-failed': 'échec de la création du compte',
    'reminder-sent': 'rappel envoyé',
    'extension-requested': 'prolongation demandée',
    'extension-approved': 'prolongation approuvée',
    'extension-rejected': 'prolongation refusée',
    'expiry-shortened': 'fin avancée',
    expired: 'expiré',
    revoked: 'révoqué',
    disabled: 'compte désactivé',
    'credentials-rotated': 'mot de passe changé',
    'credential-claimed': 'mot de passe à usage unique remis',
  },
  statuses: {
    provisioning: 'en création',
    active: 'actif',
    'extension-requested': 'prolongation demandée',
    expired: 'expiré',
    revoked: 'révoqué',
    failed: 'échoué',
  },
};

function translateRule(rule: string): string {
  for (const [pattern, say] of RULES) {
    const match = pattern.exec(rule);
    if (match) return say(...match.slice(1));
  }
  return rule;
}
