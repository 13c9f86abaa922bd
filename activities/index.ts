import { createFollowUpActivities, type FollowUpDeps } from './follow-up';
import { createNotificationActivities, type NotificationDeps } from './notifications';
import { createPaymentActivities, type PaymentDeps } from './payments';
import { createRecordActivities } from './records';

export type ActivityDeps = NotificationDeps & PaymentDeps & FollowUpDeps;

/** Every activity the worker registers, built from its real dependencies. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createRecordActivities(deps),
    ...createNotificationActivities(deps),
    ...createPaymentActivities(deps),
    ...createFollowUpActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
