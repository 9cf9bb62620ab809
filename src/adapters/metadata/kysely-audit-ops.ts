import type { Selectable } from 'kysely';
import type { AuditEvent, AuditEventQuery, AuditEventRecord, AuditLogOps } from '../../domain/ports/audit-log.js';
import { KyselyIdentityOps } from './kysely-identity-ops.js';
import type { AuditEventsTable } from './schema.js';

/** Rows per insert: 5 parameters each stays far below every driver's limit (SQLite: 32766). */
const APPEND_CHUNK = 500;

/** The audit log, on either dialect. */
export class KyselyAuditOps extends KyselyIdentityOps implements AuditLogOps {
  async appendAuditEvents(events: AuditEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i += APPEND_CHUNK) {
      await this.db
        .insertInto('audit_events')
        .values(
          events.slice(i, i + APPEND_CHUNK).map((event) => ({
            at: event.at.getTime(),
            action: event.action,
            repository_name: event.repositoryName ?? null,
            image_digest: event.imageDigest ?? null,
            detail: JSON.stringify(event.detail),
          })),
        )
        .execute();
    }
  }

  async listAuditEvents(query: AuditEventQuery): Promise<AuditEventRecord[]> {
    const rows = await this.db
      .selectFrom('audit_events')
      .selectAll()
      .$if(query.repositoryName !== undefined, (q) => q.where('repository_name', '=', query.repositoryName as string))
      .$if(query.since !== undefined, (q) => q.where('at', '>=', (query.since as Date).getTime()))
      .$if(query.after !== undefined, (q) => q.where('id', '>', query.after as number))
      .orderBy('id')
      .$if(query.limit !== undefined, (q) => q.limit(query.limit as number))
      .execute();
    return rows.map(toAuditEvent);
  }
}

function toAuditEvent(row: Selectable<AuditEventsTable>): AuditEventRecord {
  return {
    id: row.id,
    at: new Date(row.at),
    action: row.action,
    ...(row.repository_name !== null && { repositoryName: row.repository_name }),
    ...(row.image_digest !== null && { imageDigest: row.image_digest }),
    detail: JSON.parse(row.detail) as Record<string, unknown>,
  };
}
