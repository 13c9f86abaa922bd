/** The student's pages, mounted under /app. */
import express, { type Router } from 'express';
import { asRoute } from '../../context';
import { answerOffer, myApplications, showOffer, withdraw } from './applications';
import { giveFeedback, showFeedback } from './feedback';
import { openOnboarding, showPayouts } from './payouts';
import { changeSharing, showPortfolio } from './portfolio';
import { apply, browse, showPosting } from './postings';
import { showSignUp, signUp } from './sign-up';
import { askForExtension, showWork, submitWork } from './work';

export function studentPages(): Router {
  const router = express.Router();
  router.get('/sign-up', asRoute(showSignUp));
  router.post('/sign-up', asRoute(signUp));
  router.get('/postings', asRoute(browse));
  router.get('/postings/:id', asRoute(showPosting));
  router.post('/postings/:id/apply', asRoute(apply));
  router.get('/postings/:id/offer', asRoute(showOffer));
  router.post('/postings/:id/offer', asRoute(answerOffer));
  router.post('/postings/:id/withdraw', asRoute(withdraw));
  router.get('/applications', asRoute(myApplications));
  router.get('/postings/:id/work', asRoute(showWork));
  router.post('/postings/:id/submit', asRoute(submitWork));
  router.post('/postings/:id/extension', asRoute(askForExtension));
  router.get('/postings/:id/payouts', asRoute(showPayouts));
  router.post('/postings/:id/payouts/onboarding', asRoute(openOnboarding));
  router.get('/postings/:id/feedback', asRoute(showFeedback));
  router.post('/postings/:id/feedback', asRoute(giveFeedback));
  router.get('/portfolio', asRoute(showPortfolio));
  router.post('/portfolio/:credentialId/sharing', asRoute(changeSharing));
  return router;
}
