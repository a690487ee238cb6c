import type { NotificationRecord } from "./notification-record.ts";
import type { SendOutcome } from "./send-notification.ts";

/** What a (corp, app) object answers for one send: why nothing was stored, or the record. */
export type SenderAnswer = SendOutcome | { kind: "recorded"; record: NotificationRecord };
