// Control characters that end or break a line somewhere: CR, LF, the other C0 controls, DEL, NEL and the
// Unicode line/paragraph separators. Tab is kept (it is folding whitespace, harmless in a header).
const LINE_BREAKING = /[\u0000-\u0008\u000a-\u001f\u007f\u0085\u2028\u2029]+/g;

/**
 * The text on one line: every run of line-breaking characters becomes one space. Subjects carry organisation
 * names users typed; a CR/LF in one must never start a new mail header or a new webhook line.
 */
export function singleLine(text: string): string {
  return text.replace(LINE_BREAKING, ' ').replace(/\s+/g, ' ').trim();
}

/** Escapes the three characters Slack's mrkdwn treats as control characters (`&`, `<`, `>`). */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The Slack-compatible `text` of a webhook message: the subject in bold, then the body. */
export function slackText(subject: string, text: string): string {
  return `*${slackEscape(subject)}*\n${slackEscape(text)}`;
}

/** At most `max` characters, marked when cut, so a chatty server cannot flood a log line or an error. */
export function truncate(text: string, max = 300): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** A URL component percent-decoded, or as written when it is not valid percent-encoding. */
export function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * A channel's URL, parsed; when it is not a URL, an error naming the variable and nothing else: the URL parser's
 * own error has an `input` property that would carry the URL's password or secret path into a log line.
 */
export function parseChannelUrl(value: string, variable: string): URL {
  try {
    return new URL(value);
  } catch {
    throw new Error(`${variable} is not a valid URL`);
  }
}
