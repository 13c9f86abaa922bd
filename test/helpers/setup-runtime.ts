import { DefaultLogger, Runtime } from '@temporalio/worker';

// Once per test process: the SDK logs only warnings, so test output stays readable.
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // already installed in this worker process
}
