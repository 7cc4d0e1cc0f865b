import { AsyncLocalStorage, AsyncResource, executionAsyncId } from 'node:async_hooks';
import { useLeanAsyncResourceBind } from './lean-async-resource-bind';

const nodeBind = AsyncResource.prototype.bind;
const accessorOf = (bound: object) => Object.getOwnPropertyDescriptor(bound, 'asyncResource');

describe('useLeanAsyncResourceBind', () => {
  let replaced: boolean;
  let nodeAttachedAccessor: boolean;

  beforeAll(() => {
    nodeAttachedAccessor = accessorOf(new AsyncResource('before').bind(() => undefined)) !== undefined;
    replaced = useLeanAsyncResourceBind();
  });
  afterAll(() => {
    AsyncResource.prototype.bind = nodeBind;
  });

  it('replaces bind exactly where Node attaches the deprecated accessor, and only once', () => {
    expect(replaced).toBe(nodeAttachedAccessor);
    expect(useLeanAsyncResourceBind()).toBe(false);
  });

  it('binds without the accessor, keeping the length', () => {
    const bound = new AsyncResource('test').bind((a: number, b: number) => a + b);
    expect(accessorOf(bound)).toBeUndefined();
    expect(bound.length).toBe(2);
    expect(bound(2, 3)).toBe(5);
  });

  it('runs the function in the async scope the resource was made in', () => {
    const storage = new AsyncLocalStorage<string>();
    const resource = storage.run('request 7', () => new AsyncResource('test'));
    const bound = resource.bind(() => ({ store: storage.getStore(), asyncId: executionAsyncId() }));
    expect(storage.getStore()).toBeUndefined();
    expect(bound()).toEqual({ store: 'request 7', asyncId: resource.asyncId() });
  });

  it('passes the caller’s this through, or the thisArg it was given', () => {
    function whoAmI(this: { name: string }, greeting: string) {
      return `${greeting} ${this.name}`;
    }
    const unbound = new AsyncResource('test').bind(whoAmI);
    expect(unbound.call({ name: 'caller' }, 'hello')).toBe('hello caller');
    // Node's typings leave out bind's thisArg, which Node documents and implements.
    const bindWithThis = AsyncResource.prototype.bind as (this: AsyncResource, fn: typeof whoAmI, thisArg: unknown) => typeof whoAmI;
    const fixed = bindWithThis.call(new AsyncResource('test'), whoAmI, { name: 'fixed' });
    expect(fixed.call({ name: 'caller' }, 'hi')).toBe('hi fixed');
    expect(fixed.length).toBe(1);
  });

  it('serves the static AsyncResource.bind too, and still refuses a non-function', () => {
    const storage = new AsyncLocalStorage<number>();
    const bound = storage.run(42, () => AsyncResource.bind(() => storage.getStore()));
    expect(accessorOf(bound)).toBeUndefined();
    expect(bound()).toBe(42);
    expect(() => new AsyncResource('test').bind('not a function' as unknown as () => void)).toThrow(
      expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }),
    );
  });
});
