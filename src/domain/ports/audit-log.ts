/**
 * The audit log: what the registry did on its own (lifecycle expirations and transitions, garbage
 * collection), one event per thing done, kept in the metadata store so every node sees it.
 */
export interface AuditEvent {
  at: Date;
  /** What was done, dotted by area: `lifecycle.expire`, `lifecycle.transition`, … */
  action: string;
  repositoryName?: string;
  imageDigest?: string;
  /** Why and with what, as JSON-serialisable values. */
  detail: Record<string, unknown>;
}

export interface AuditEventRecord extends AuditEvent {
  /** Increases with each event appended: the log's order and its paging position. */
  id: number;
}

export interface AuditEventQuery {
  repositoryName?: string;
  /** Only events at or after this time. */
  since?: Date;
  /** Only events after this id (exclusive), to page on from the last one listed. */
  after?: number;
  /** At most this many; undefined means all. */
  limit?: number;
}

export interface AuditLogOps {
  appendAuditEvents(events: AuditEvent[]): Promise<void>;
  /** Events matching the query, oldest (lowest id) first. */
  listAuditEvents(query: AuditEventQuery): Promise<AuditEventRecord[]>;
}
