/** The employer's pages, mounted under /app/employer. */
import express, { type Router } from 'express';
import { asRoute } from '../../context';
import {
  cancel,
  decideExtension,
  decideMissedDeadline,
  giveFeedback,
  makeHiringOffer,
  pay,
  review,
  showCancel,
} from './actions';
import { shortlist, showApplicants } from './applicants';
import { saveCard, showFunding } from './funding';
import { post, showNewPosting } from './post';
import { myPostings, showPosting } from './postings';
import { invite, remove, showTeam } from './team';

export function employerPages(): Router {
  const router = express.Router();
  router.get('/team', asRoute(showTeam));
  router.post('/team', asRoute(invite));
  router.post('/team/:accountId/remove', asRoute(remove));
  router.get('/funding', asRoute(showFunding));
  router.post('/funding/card', asRoute(saveCard));
  router.get('/postings', asRoute(myPostings));
  router.get('/postings/new', asRoute(showNewPosting));
  router.post('/postings/new', asRoute(post));
  router.get('/postings/:id', asRoute(showPosting));
  router.get('/postings/:id/applicants', asRoute(showApplicants));
  router.post('/postings/:id/shortlist', asRoute(shortlist));
  router.post('/postings/:id/pay', asRoute(pay));
  router.post('/postings/:id/review', asRoute(review));
  router.post('/postings/:id/extension', asRoute(decideExtension));
  router.post('/postings/:id/missed-deadline', asRoute(decideMissedDeadline));
  router.get(
    '/postings/:id/cancel',
    asRoute((ctx) => showCancel(ctx)),
  );
  router.post('/postings/:id/cancel', asRoute(cancel));
  router.post('/postings/:id/feedback', asRoute(giveFeedback));
  router.post('/postings/:id/hiring-offer', asRoute(makeHiringOffer));
  return router;
}
