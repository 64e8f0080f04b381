import { describe, expect, it } from 'vitest';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { createRecordingServices } from './recording-services.js';

describe('recording services: client results, streams and group lists', () => {
  it('answers invoke from answers.clientResult and records the call', async () => {
    const services = createRecordingServices();
    expect(await services.clients.client('c1').invoke('localTime')).toBeUndefined();
    services.answers.clientResult = (connectionId, target, args) => `${connectionId} ${target} ${args.join(',')}`;
    expect(await services.clients.client('c2').invokeMessage('sum', [1, 2])).toBe('c2 sum 1,2');
    expect(services.calls).toEqual([
      { api: 'clients', method: 'invoke', args: ['c1', 'localTime'] },
      { api: 'clients', method: 'invoke', args: ['c2', 'sum', 1, 2] },
    ]);
    await expect(services.clients.client('c1').invoke('')).rejects.toBeInstanceOf(ServerlessHubError);
  });

  it('records stream items and completions, as sendStream sends them', async () => {
    const services = createRecordingServices();
    await services.clients.client('c1').sendStream(
      's1',
      (async function* items() {
        yield 1;
        throw new Error('broke');
      })(),
    );
    expect(services.calls).toEqual([
      { api: 'clients', method: 'sendStreamItem', args: ['c1', 's1', 1] },
      { api: 'clients', method: 'completeStream', args: ['c1', 's1', { error: 'broke' }] },
    ]);
    const controller = new AbortController();
    controller.abort();
    await expect(
      services.clients.client('c1').sendStream('s2', [1], { signal: controller.signal }),
    ).rejects.toMatchObject({ code: 'REST_ABORTED' });
  });

  it('lists group members from answers.groupMembers, up to top', async () => {
    const services = createRecordingServices();
    services.answers.groupMembers = () => [{ connectionId: 'a', userId: 'u' }, { connectionId: 'b' }];
    const listed = [];
    for await (const member of services.groups.listConnections('room', { top: 1 })) listed.push(member);
    expect(listed).toEqual([{ connectionId: 'a', userId: 'u' }]);
    expect((await services.groups.listConnectionsPage('room')).members).toHaveLength(2);
    expect(() => services.groups.listConnections('')).toThrow(ServerlessHubError);
  });
});
