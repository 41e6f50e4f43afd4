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

/** Removes any password of the given URLs from a message that may quote them. */
export function scrubSecrets(message: string, urls: readonly (string | undefined)[]): string {
  let text = message;
  for (const url of urls) {
    if (!url) continue;
    try {
      const password = decodeURIComponent(new URL(url).password);
      if (password) text = text.split(password).join('*****');
      const raw = new URL(url).password;
      if (raw) text = text.split(raw).join('*****');
    } catch {
      // An unparseable URL was already refused with its own message.
    }
  }
  return text.replace(/(postgres(?:ql)?:\/\/[^:/@\s]*):[^@\s]*@/g, '$1:*****@');
}
