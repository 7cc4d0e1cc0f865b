import { SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { MemoizedReflector } from './memoized-reflector';

@SetMetadata('limit', 10)
class Controller {
  @SetMetadata('limit', 3)
  limited(): void {}

  open(): void {}
}

describe('MemoizedReflector', () => {
  it('answers as the reflector does, asking it once per key, handler and class', () => {
    const reflector = new Reflector();
    const lookUp = jest.spyOn(reflector, 'getAllAndOverride');
    const memoized = new MemoizedReflector(reflector);
    const ask = (handler: () => void) => memoized.getAllAndOverride<number>('limit', [handler, Controller]);

    expect([ask(Controller.prototype.limited), ask(Controller.prototype.open), ask(Controller.prototype.limited)]).toEqual([3, 10, 3]);
    expect(memoized.getAllAndOverride('missing', [Controller.prototype.open, Controller])).toBeUndefined();
    expect(memoized.getAllAndOverride('missing', [Controller.prototype.open, Controller])).toBeUndefined();
    expect(lookUp).toHaveBeenCalledTimes(3);
  });
});
