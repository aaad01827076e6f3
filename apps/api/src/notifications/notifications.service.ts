import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { NotificationsStore, type Notification, type NotificationFilter } from '@libs/persistence/stores/notifications.store';
import type { NotificationDto } from './dto/notifications.dto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function toDto(n: Notification): NotificationDto {
  return { ...n, createdAt: new Date(n.createdAt).toISOString(), readAt: n.readAt ? new Date(n.readAt).toISOString() : null };
}

/** The caller's own notifications: `recipientId` is always the caller's subject. */
@Injectable()
export class NotificationsService {
  private readonly store: NotificationsStore;

  constructor(@Inject(DataSource) db: DataSource) {
    this.store = new NotificationsStore(db);
  }

  async list(recipientId: string, filter: NotificationFilter): Promise<NotificationDto[]> {
    // Users from an identity provider may have non-UUID subjects; they have no stored notifications yet.
    if (!UUID.test(recipientId)) return [];
    return (await this.store.list(recipientId, filter)).map(toDto);
  }

  async markAllRead(recipientId: string, filter: NotificationFilter): Promise<number> {
    if (!UUID.test(recipientId)) return 0;
    return this.store.markAllRead(recipientId, filter);
  }

  /** undefined: no such notification addressed to the recipient. */
  async markRead(recipientId: string, id: string): Promise<NotificationDto | undefined> {
    if (!UUID.test(id) || !UUID.test(recipientId)) return undefined;
    const marked = await this.store.markRead(recipientId, id);
    return marked && toDto(marked);
  }
}
