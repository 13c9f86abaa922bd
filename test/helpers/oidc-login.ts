/**
 * Signs in at a real OpenID Provider the way a person's browser does, with fetch only: follows the
 * redirects by hand, keeps the provider's cookies, fills in the sign-in form and submits any
 * confirmation form, until the provider sends the browser back to the client's redirect_uri.
 */

interface StoredCookie {
  name: string;
  value: string;
  path: string;
}

/** Cookies per host (host:port), each keyed by name and path, sent by path prefix like a browser. */
class CookieJar {
  private readonly hosts = new Map<string, Map<string, StoredCookie>>();

  store(url: URL, response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = header.split(';').map((part) => part.trim());
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let cookiePath = url.pathname.replace(/\/[^/]*$/, '') || '/';
      let expired = value === '';
      for (const attribute of attributes) {
        const [key = '', attrValue = ''] = attribute.split('=', 2).map((part) => part.trim());
        const lower = key.toLowerCase();
        if (lower === 'path' && attrValue.startsWith('/')) cookiePath = attrValue;
        if (lower === 'max-age' && Number(attrValue) <= 0) expired = true;
        if (lower === 'expires' && Date.parse(attrValue) <= Date.now()) expired = true;
      }
      let cookies = this.hosts.get(url.host);
      if (!cookies) this.hosts.set(url.host, (cookies = new Map()));
      const key = `${name};${cookiePath}`;
      if (expired) cookies.delete(key);
      else cookies.set(key, { name, value, path: cookiePath });
    }
  }

  header(url: URL): string | undefined {
    const matching = [...(this.hosts.get(url.host)?.values() ?? [])].filter(
      (cookie) =>
        url.pathname === cookie.path ||
        url.pathname.startsWith(cookie.path.endsWith('/') ? cookie.path : `${cookie.path}/`),
    );
    // Longer paths first, as browsers send them.
    matching.sort((a, b) => b.path.length - a.path.length);
    return matching.length
      ? matching.map((cookie) => `${cookie.name}=${cookie.value}`).join('; ')
      : undefined;
  }
}

const decodeEntities = (text: string) =>
  text
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, dec: string) => String.fromCodePoint(Number(dec)))
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

function attributes(tag: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const [, name, doubleQuoted, singleQuoted, bare] of tag.matchAll(
    /([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g,
  )) {
    if (name && !found.has(name.toLowerCase())) {
      found.set(name.toLowerCase(), decodeEntities(doubleQuoted ?? singleQuoted ?? bare ?? ''));
    }
  }
  return found;
}

interface Form {
  action: string;
  method: string;
  fields: { name: string; type: string; value: string }[];
}

function firstForm(html: string): Form | undefined {
  const match = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(html);
  if (!match) return undefined;
  const formAttributes = attributes(match[1] ?? '');
  const fields = [...(match[2] ?? '').matchAll(/<input\b([^>]*)>/gi)].flatMap(([, tag]) => {
    const input = attributes(tag ?? '');
    const name = input.get('name');
    return name
      ? [{ name, type: (input.get('type') ?? 'text').toLowerCase(), value: input.get('value') ?? '' }]
      : [];
  });
  return {
    action: formAttributes.get('action') ?? '',
    method: (formAttributes.get('method') ?? 'get').toUpperCase(),
    fields,
  };
}

const pageText = (html: string) =>
  decodeEntities(html.replace(/<[^>]*>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 500);

/**
 * Opens `authorizationUrl`, signs in as `login` at the provider's form, confirms any consent form,
 * and returns the URL the provider finally redirects to at the client's redirect_uri (with `code`
 * and `state`, or `error`), without requesting it.
 */
export async function signInAtProvider(authorizationUrl: string, login: string): Promise<string> {
  const redirectUri = new URL(authorizationUrl).searchParams.get('redirect_uri');
  if (!redirectUri) throw new Error('the authorization URL has no redirect_uri');
  const target = new URL(redirectUri);
  const isCallback = (url: URL) => url.origin === target.origin && url.pathname === target.pathname;

  const jar = new CookieJar();
  let url = new URL(authorizationUrl);
  let method = 'GET';
  let body: URLSearchParams | undefined;
  let signedIn = false;

  for (let step = 0; step < 20; step++) {
    const cookie = jar.header(url);
    const response = await fetch(url, {
      method,
      redirect: 'manual',
      headers: {
        accept: 'text/html',
        ...(cookie ? { cookie } : {}),
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body,
    });
    jar.store(url, response);

    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      const location = response.headers.get('location');
      if (!location) throw new Error(`${method} ${url.href}: ${response.status} without a Location`);
      const next = new URL(location, url);
      if (isCallback(next)) return next.href;
      url = next;
      method = 'GET';
      body = undefined;
      continue;
    }

    const html = await response.text();
    if (response.status !== 200) {
      throw new Error(`${method} ${url.href}: ${response.status} ${pageText(html)}`);
    }
    const form = firstForm(html);
    if (!form) throw new Error(`${url.href}: a page without a form: ${pageText(html)}`);
    const fields = new URLSearchParams();
    const hasLogin = form.fields.some((field) => field.name === 'login');
    if (hasLogin && signedIn)
      throw new Error(`the provider refused the sign-in as "${login}": ${pageText(html)}`);
    for (const field of form.fields) {
      if (field.type === 'submit' || field.type === 'button' || field.type === 'image') continue;
      if (field.name === 'login') fields.set('login', login);
      else if (field.type === 'password') fields.set(field.name, 'any-password');
      else fields.set(field.name, field.value);
    }
    signedIn ||= hasLogin;
    url = new URL(form.action || url.href, url);
    method = form.method === 'POST' ? 'POST' : 'GET';
    if (method === 'POST') {
      body = fields;
    } else {
      for (const [name, value] of fields) url.searchParams.set(name, value);
      body = undefined;
    }
  }
  throw new Error(`no redirect to ${redirectUri} after 20 steps (last: ${url.href})`);
}
