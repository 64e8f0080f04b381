import { Hub, HubError, ServerlessHub } from '@serverless-hub/core';

/** What clients of this hub receive (the methods they register with `connection.on`). */
interface ChatClient {
  newMessage(message: { from: string; text: string }): void;
}

/**
 * The hub: each public method is an event clients invoke (`connection.invoke('broadcast', 'hi')`).
 * Functions registered for it: chat_negotiate (GET/POST /api/chat/negotiate) and one per event.
 */
@Hub('chat')
export class Chat extends ServerlessHub<ChatClient> {
  async broadcast(text: string): Promise<void> {
    if (text.trim() === '') throw new HubError('Say something.');
    await this.clients.all.newMessage({ from: this.context.userId ?? this.context.connectionId, text });
  }

  echo(value: unknown): unknown {
    return value;
  }
}
