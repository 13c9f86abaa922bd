/** The page shell: landmarks, a skip link, navigation for the viewer's role, sign-out, the assets. */
import { assetUrl } from './assets';
import { html, type Html } from './html';

/** Who is looking, as GET /v1/me tells it. */
export interface Viewer {
  accountId: string;
  role: 'student' | 'employer' | 'ops';
  /** student; owner, admin or member; support, finance or admin. */
  title: string;
  name: string | null;
  email: string | null;
  csrfToken: string;
  timeZone: string | null;
  organisation: { id: string; companyName: string; fairPayFloorCentsPerHour?: number } | null;
}

interface NavLink {
  href: string;
  label: string;
}

/** Each role's pages; the employer's and the ops pages are filled in by their own pages' modules. */
export const NAV: Record<Viewer['role'], NavLink[]> = {
  student: [
    { href: '/app/postings', label: 'Browse postings' },
    { href: '/app/applications', label: 'My applications' },
    { href: '/app/portfolio', label: 'My credentials' },
  ],
  employer: [
    { href: '/app/employer/postings', label: 'Postings' },
    { href: '/app/employer/postings/new', label: 'Post' },
    { href: '/app/employer/funding', label: 'Funding' },
    { href: '/app/employer/team', label: 'Team' },
  ],
  ops: [{ href: '/app/ops', label: 'Waiting on ops' }],
};

const ANONYMOUS_NAV: NavLink[] = [
  { href: '/app/postings', label: 'Browse postings' },
  { href: '/app/sign-up', label: 'Sign up' },
  { href: '/app/sign-in', label: 'Sign in' },
];

export interface Shell {
  title: string;
  viewer: Viewer | undefined;
  /** The path being shown, to mark its link as the current page. */
  path: string;
  main: Html;
  /** A one-line confirmation of what the previous form did (after its redirect). */
  notice?: string | undefined;
  /** More of the head: a public page's link-preview tags. */
  head?: Html;
}

function nav(viewer: Viewer | undefined, path: string): Html {
  const links = viewer ? NAV[viewer.role] : ANONYMOUS_NAV;
  const items = links.map(
    (l) =>
      html`<li><a href="${l.href}" ${path === l.href ? html` aria-current="page"` : ''}>${l.label}</a></li>`,
  );
  const signOut = viewer
    ? html`<li>
        <form method="post" action="/app/sign-out" class="inline">
          <input type="hidden" name="_csrf" value="${viewer.csrfToken}" />
          <button type="submit" class="link">
            Sign out<span class="visually-hidden"> ${viewer.email ?? ''}</span>
          </button>
        </form>
      </li>`
    : '';
  return html`<nav aria-label="Main">
    <ul>
      ${items}${signOut}
    </ul>
  </nav>`;
}

export function layout(shell: Shell): string {
  const who = shell.viewer
    ? html`<p class="who">
        ${shell.viewer.name ?? shell.viewer.email} ·
        ${shell.viewer.organisation?.companyName ?? shell.viewer.title}
      </p>`
    : '';
  const notice = shell.notice ? html`<div class="notice" role="status"><p>${shell.notice}</p></div>` : '';
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${shell.title} · Micro-internships</title>
        <link rel="stylesheet" href="${assetUrl('app.css')}" />
        <script src="${assetUrl('app.js')}" defer></script>
        ${shell.head ?? ''}
      </head>
      <body>
        <a class="skip" href="#main">Skip to main content</a>
        <header class="site">
          <a class="brand" href="/app">Micro-internships</a>
          ${who} ${nav(shell.viewer, shell.path)}
        </header>
        <main id="main" tabindex="-1">
          ${notice}
          <h1>${shell.title}</h1>
          ${shell.main}
        </main>
        <footer class="site">
          <p>Paid, short, remote projects for students. <a href="/docs">The API</a></p>
        </footer>
      </body>
    </html>`.markup;
}
