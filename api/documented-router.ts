import { Router, type RequestHandler } from 'express';
import type { Operation } from './openapi-kit';

/**
 * A router whose every route is declared with its OpenAPI operation: the method and the path are
 * written once, in the operation, so /openapi.json cannot drift from what is served.
 */
export class DocumentedRouter {
  readonly router = Router();
  readonly operations: Operation[] = [];

  route(operation: Operation, ...handlers: RequestHandler[]): void {
    this.operations.push(operation);
    this.router[operation.method](expressPath(operation.path), ...handlers);
  }
}

/** `/v1/internships/{id}/review` → `/v1/internships/:id/review`. */
const expressPath = (openApiPath: string) => openApiPath.replace(/\{(\w+)\}/g, ':$1');
