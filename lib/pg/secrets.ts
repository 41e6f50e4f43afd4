/** The URL carries a password (in its user part or as a parameter): never to be printed. */
export function hasPassword(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.password !== '' || [...parsed.searchParams.keys()].some((key) => /pass/i.test(key));
  } catch {
    return /\/\/[^:/@]*:[^@]*@/.test(url);
  }
}

/** The URL with its password replaced, for every place a URL is shown. */
export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '*****';
    for (const key of [...parsed.searchParams.keys()]) {
      if (/pass/i.test(key)) parsed.searchParams.set(key, '*****');
    }
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:*****@');
  }
}

/**
 * Masks the passwords of database URLs in a message, by parsing them: each known URL as
 * given becomes its masked form, any other `postgres://user:password@` loses its
 * password, and so does a `password=` parameter. The password's text is never replaced
 * elsewhere: a short or common password ("s", "postgres") would shred the sentence and
 * show most of itself through the gaps.
 */
export function scrubSecrets(message: string, urls: readonly (string | undefined)[]): string {
  let text = message;
  for (const url of urls) if (url) text = text.split(url).join(maskUrl(url));
  return text.replace(/(postgres(?:ql)?:\/\/[^:/@\s]*):[^@\s]*@/g, '$1:*****@').replace(/([?&]password=)[^&\s]*/gi, '$1*****');
}
