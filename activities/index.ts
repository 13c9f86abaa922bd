import { createNotificationActivities, type NotificationDeps } from './notifications';
import { createRecordActivities } from './records';

export type ActivityDeps = NotificationDeps;

/** Every activity the worker registers, built from its real dependencies. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createRecordActivities(deps),
    ...createNotificationActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
