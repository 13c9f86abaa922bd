/**
 * What ops read in the logs (lib/logger.ts, api/observability.ts): an error keeps its message and
 * stack, a request line its status, and no email address, cookie or token shows in either.
 */
import express from 'express';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { requestLogger } from '../../api/observability';
import { HttpProblem, problemHandler } from '../../api/problem';
import { createLogger } from '../../lib/logger';

/** A logger whose lines are collected, parsed. */
function collected() {
  const lines: Record<string, any>[] = [];
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        raw.push(line);
        lines.push(JSON.parse(line));
      }
      done();
    },
  });
  return { logger: createLogger({ level: 'info', destination }), lines, raw };
}

test('a logged error keeps its type, message, cause and stack, with email addresses hidden', () => {
  const { logger, lines } = collected();
  const cause = new Error('mailbox ana@school.test is full');
  logger.error({ err: new TypeError('sending to ana@school.test failed', { cause }) }, 'notice not sent');
  expect(lines).toHaveLength(1);
  const { err } = lines[0]!;
  expect(err.type).toBe('TypeError');
  expect(err.message).toBe('sending to [email] failed: mailbox [email] is full');
  expect(err.stack).toMatch(/^TypeError: sending to \[email\] failed\n\s+at /);
  expect(JSON.stringify(lines[0])).not.toContain('ana@school.test');
});

test('a request line carries the status and the problem, once each, not the response headers (cookies) nor an email in the url', async () => {
  const { logger, lines, raw } = collected();
  const app = express();
  app.use(requestLogger(logger));
  app.get('/v1/internships/:id', (_req, res) => {
    res.cookie('session', 'SESSION-SECRET');
    throw new HttpProblem(409, 'Conflict', 'Already decided', { type: '/problems/WrongState' });
  });
  app.use(problemHandler(logger));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const id = '5f0c2a8e-1b7d-4c3e-9a41-2d6f8e0b7c55';
  try {
    const { port } = server.address() as AddressInfo;
    const query = new URLSearchParams({ email: 'ana@school.test', other: 'ben@school.test' });
    await (
      await fetch(`http://127.0.0.1:${port}/v1/internships/${id}?${query.toString()}&raw=cy@school.test`)
    ).text();
    for (let i = 0; i < 100 && !lines.length; i++) await new Promise((r) => setTimeout(r, 10));
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
  expect(lines).toHaveLength(1);
  expect(lines[0]!.res).toEqual({ statusCode: 409 });
  expect(lines[0]!.problem).toBe('/problems/WrongState');
  expect(lines[0]!.req.url).toBe(`/v1/internships/${id}?email=[email]&other=[email]&raw=[email]`);
  for (const key of ['"internshipId"', '"workflowId"', '"problem"', '"res"'])
    expect(raw[0]!.split(key).length - 1).toBe(1);
  expect(raw[0]).not.toMatch(/SESSION-SECRET|school\.test/);
});
