// The RCA panel's handling of the stream's events, against a scripted EventSource.
import { describe, expect, it } from 'vitest';
import type { Rca } from '../api/types';
import { EMPTY_VIEW, followRca, reduceRca } from './rcaStream';
import type { RcaEvent, RcaView } from './rcaStream';

class FakeSource {
  static readonly CLOSED = 2;
  readyState = 1;
  closed = false;
  private listeners = new Map<string, ((event: Event) => void)[]>();

  addEventListener(name: string, listener: (event: Event) => void) {
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), listener]);
  }
  emit(name: string, data?: unknown) {
    this.raw(name, data === undefined ? undefined : JSON.stringify(data));
  }
  raw(name: string, data?: string) {
    const event = data === undefined ? new Event(name) : new MessageEvent(name, { data });
    for (const listener of this.listeners.get(name) ?? []) listener(event);
  }
  close() {
    this.closed = true;
    this.readyState = FakeSource.CLOSED;
  }
}

function follow(): { source: FakeSource; view: () => RcaView; url: string } {
  let view = EMPTY_VIEW;
  let url = '';
  let source!: FakeSource;
  followRca(
    '/api/issues/1/rca/stream?token=t',
    (event: RcaEvent) => {
      view = reduceRca(view, event);
    },
    (target) => {
      url = target;
      source = new FakeSource();
      return source as unknown as EventSource;
    },
  );
  return { source, view: () => view, url };
}

const RESULT = { status: 'completed', summary: 'The pod ran out of memory.' } as Rca;

describe('the RCA stream', () => {
  it('shows progress as it comes, growing streamed text in place', () => {
    const { source, view, url } = follow();
    expect(url).toBe('/api/issues/1/rca/stream?token=t');
    source.emit('open');
    source.emit('progress', { stage: 'started', message: 'vishwakarma', tool: null });
    source.emit('progress', { stage: 'tool_started', message: 'logs', tool: 'kubectl_logs' });
    source.emit('progress', { stage: 'text', message: 'The pod ran ' });
    source.emit('progress', { stage: 'text', message: 'out of memory.' });
    expect(view().live).toBe(true);
    expect(view().steps.map((s) => s.stage)).toEqual(['started', 'tool_started', 'text']);
    expect(view().steps[2]?.message).toBe('The pod ran out of memory.');
  });

  it('starts the list again on a reconnection, which replays stored steps', () => {
    const { source, view } = follow();
    source.emit('open');
    source.emit('progress', { stage: 'started', message: 'a' });
    source.emit('open');
    source.emit('progress', { stage: 'started', message: 'a' });
    expect(view().steps).toHaveLength(1);
  });

  it('shows the result and stops listening', () => {
    const { source, view } = follow();
    source.emit('open');
    source.emit('result', RESULT);
    expect(view().result?.summary).toBe('The pod ran out of memory.');
    expect(view().live).toBe(false);
    expect(source.closed).toBe(true);
  });

  it("shows the server's error event and stops listening", () => {
    const { source, view } = follow();
    source.emit('open');
    source.emit('error', { message: 'No provider answered.' });
    expect(view().error).toBe('No provider answered.');
    expect(source.closed).toBe(true);
  });

  it('lets EventSource reconnect after a dropped connection, and says when it gave up', () => {
    const { source, view } = follow();
    source.emit('open');
    source.emit('error'); // a dropped connection: no data, still connecting
    expect(view().live).toBe(true);
    expect(source.closed).toBe(false);
    source.readyState = FakeSource.CLOSED;
    source.emit('error');
    expect(view().live).toBe(false);
  });

  it('ignores an event whose data is not JSON', () => {
    const { source, view } = follow();
    source.emit('open');
    source.raw('progress', 'not json');
    source.raw('result', '{"cut');
    expect(view().steps).toEqual([]);
    expect(view().result).toBeNull();
  });
});
