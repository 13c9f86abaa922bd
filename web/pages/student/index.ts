/** The student's pages, mounted under /app. */
import express, { type Router } from 'express';

export function studentPages(): Router {
  const router = express.Router();
  return router;
}
