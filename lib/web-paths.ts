/**
 * Where the web app's pages are (web/router.ts mounts them under /app): one place for the paths the
 * pages redirect to and the ones the API and the emails send people to (Stripe's return addresses,
 * the links in notices), so both sides name the same page.
 */
export const webPaths = {
  /** The employer's page of one posting (web/pages/employer). */
  employerPosting: (id: string) => `/app/employer/postings/${id}`,
  /** The blind applicant review of one posting. */
  employerApplicants: (id: string) => `/app/employer/postings/${id}/applicants`,
  /** The employer's funding page: the saved card and the fees waiting. */
  employerFunding: '/app/employer/funding',
  /** The student's page of one posting, their application and links to the work (web/pages/student). */
  studentPosting: (id: string) => `/app/postings/${id}`,
  /** The hired student's payouts page. */
  studentPayouts: (id: string) => `/app/postings/${id}/payouts`,
  /** Ops' page of one internship: its audit trail and the decision waiting (web/pages/ops). */
  opsInternship: (id: string) => `/app/ops/internships/${id}`,
};
