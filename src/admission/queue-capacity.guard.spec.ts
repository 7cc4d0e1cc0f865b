import { ExecutionContext, HttpException } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { QueueCapacityGuard } from './queue-capacity.guard';
import { QueueDepthMonitor } from './queue-depth.monitor';

describe('QueueCapacityGuard', () => {
  const depth = { waiting: 0, drainRate: 0 };
  const guard = new QueueCapacityGuard(depth as unknown as QueueDepthMonitor, { queue: { maxWaiting: 1_000 } } as AppConfig);
  const reply = { header: jest.fn() };
  const context = { switchToHttp: () => ({ getResponse: () => reply }) } as unknown as ExecutionContext;

  beforeEach(() => reply.header.mockClear());

  it('lets submissions through while fewer than MAX_QUEUE_SIZE papers wait', () => {
    Object.assign(depth, { waiting: 999, drainRate: 0 });
    expect(guard.canActivate(context)).toBe(true);
    expect(reply.header).not.toHaveBeenCalled();
  });

  it('refuses with 429 and the time to drain back to 90% of the limit at the current rate', () => {
    Object.assign(depth, { waiting: 1_000, drainRate: 10 });
    expect(() => guard.canActivate(context)).toThrow(HttpException);
    expect(reply.header).toHaveBeenCalledWith('Retry-After', '10');
    try {
      guard.canActivate(context);
    } catch (error) {
      expect((error as HttpException).getStatus()).toBe(429);
    }
  });

  it('bounds the suggestion: a minute while nothing drains, at least a second, at most ten minutes', () => {
    Object.assign(depth, { waiting: 1_200, drainRate: 0 });
    expect(guard.retryAfterSeconds()).toBe(60);
    Object.assign(depth, { waiting: 1_000, drainRate: 5_000 });
    expect(guard.retryAfterSeconds()).toBe(1);
    Object.assign(depth, { waiting: 50_000, drainRate: 1 });
    expect(guard.retryAfterSeconds()).toBe(600);
  });
});
