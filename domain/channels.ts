/** The ways a notification can go out. Deterministic: the workflow bundle loads this file. */

/** `SMTP_URL` enables `email`, `WEBHOOK_URL` enables `webhook`; a reminder tries every one. */
export const NOTIFICATION_CHANNELS = ['email', 'webhook'] as const;

export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];
