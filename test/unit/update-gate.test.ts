import { InternshipBusy, UpdateGate } from '../../api/update-gate';

/** A call that runs until the test lets it finish, noting when it started. */
function held(started: string[], name: string) {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return {
    work: async () => {
      started.push(name);
      await done;
      return name;
    },
    finish: () => finish(),
  };
}

/** A call that finishes at once with `value`, noting that it ran. */
const quick =
  <T>(value: T, started: string[] = []) =>
  () => {
    started.push(String(value));
    return Promise.resolve(value);
  };

const tick = () => new Promise((resolve) => setImmediate(resolve));
const far = () => Date.now() + 60_000;

test('at most `limit` calls run at once per workflow; the rest start in arrival order as slots free', async () => {
  const gate = new UpdateGate(2);
  const started: string[] = [];
  const calls = ['a', 'b', 'c', 'd'].map((name) => held(started, name));
  const results = calls.map((c) => gate.run('internship:1', far(), c.work));
  await tick();
  expect(started).toEqual(['a', 'b']);
  expect(gate.load('internship:1')).toEqual({ running: 2, waiting: 2 });

  calls[1]!.finish();
  await tick();
  expect(started).toEqual(['a', 'b', 'c']);
  calls[0]!.finish();
  await tick();
  expect(started).toEqual(['a', 'b', 'c', 'd']);
  calls[2]!.finish();
  calls[3]!.finish();
  await expect(Promise.all(results)).resolves.toEqual(['a', 'b', 'c', 'd']);
  expect(gate.load('internship:1')).toEqual({ running: 0, waiting: 0 });
});

test('another workflow is not held up by a busy one', async () => {
  const gate = new UpdateGate(1);
  const started: string[] = [];
  const busy = held(started, 'busy');
  const running = gate.run('internship:1', far(), busy.work);
  const queued = gate.run('internship:1', far(), quick('queued'));
  await expect(gate.run('internship:2', far(), quick('other'))).resolves.toBe('other');
  expect(gate.load('internship:1')).toEqual({ running: 1, waiting: 1 });
  busy.finish();
  await expect(Promise.all([running, queued])).resolves.toEqual(['busy', 'queued']);
});

test('a call still queued at its deadline gets InternshipBusy without running; the queue goes on', async () => {
  const gate = new UpdateGate(1);
  const started: string[] = [];
  const first = held(started, 'first');
  const running = gate.run('internship:1', far(), first.work);
  const late = gate.run('internship:1', Date.now() + 50, quick('late', started));
  const patient = gate.run('internship:1', far(), quick('patient', started));
  const refused = await late.catch((err: unknown) => err);
  expect(refused).toBeInstanceOf(InternshipBusy);
  expect(refused).toMatchObject({ status: 503, extra: { headers: { 'Retry-After': '1' } } });
  expect(gate.load('internship:1')).toEqual({ running: 1, waiting: 1 });

  first.finish();
  await Promise.all([running, patient]);
  expect(started).toEqual(['first', 'patient']);
  expect(gate.load('internship:1')).toEqual({ running: 0, waiting: 0 });
});

test('a call that fails frees its slot for the next one', async () => {
  const gate = new UpdateGate(1);
  const failing = gate.run('internship:1', far(), () => Promise.reject(new Error('refused')));
  const next = gate.run('internship:1', far(), quick('next'));
  await expect(failing).rejects.toThrow('refused');
  await expect(next).resolves.toBe('next');
  expect(gate.load('internship:1')).toEqual({ running: 0, waiting: 0 });
});

test('past `maxWaiting` queued calls, one more is refused at once with InternshipBusy, and a freed place admits again', async () => {
  const gate = new UpdateGate(1, 2);
  const started: string[] = [];
  const calls = ['a', 'b', 'c'].map((name) => held(started, name));
  const results = calls.map((c) => gate.run('internship:1', far(), c.work));
  await tick();
  expect(gate.load('internship:1')).toEqual({ running: 1, waiting: 2 });

  const refusedAt = Date.now();
  await expect(gate.run('internship:1', far(), quick('d', started))).rejects.toBeInstanceOf(InternshipBusy);
  expect(Date.now() - refusedAt).toBeLessThan(1000);
  expect(started).toEqual(['a']);
  // Another micro-internship has its own queue.
  await expect(gate.run('internship:2', far(), quick('other', started))).resolves.toBe('other');

  calls[0]!.finish();
  await tick();
  expect(gate.load('internship:1')).toEqual({ running: 1, waiting: 1 });
  const e = gate.run('internship:1', far(), quick('e', started));
  calls[1]!.finish();
  calls[2]!.finish();
  await expect(Promise.all([...results, e])).resolves.toEqual(['a', 'b', 'c', 'e']);
  expect(started).toEqual(['a', 'other', 'b', 'c', 'e']);
});

test('a queued call admitted less than a second before its deadline gives up unsent, and the slot passes on', async () => {
  const gate = new UpdateGate(1, 5);
  const started: string[] = [];
  const busy = held(started, 'busy');
  const running = gate.run('internship:1', far(), busy.work);
  const late = gate.run('internship:1', Date.now() + 500, quick('late', started));
  const next = gate.run('internship:1', far(), quick('next', started));
  busy.finish();
  await expect(late).rejects.toBeInstanceOf(InternshipBusy);
  await expect(Promise.all([running, next])).resolves.toEqual(['busy', 'next']);
  expect(started).toEqual(['busy', 'next']);
  expect(gate.load('internship:1')).toEqual({ running: 0, waiting: 0 });
});
