import { schemaErrorMessage } from './schema-error-message';

describe('schemaErrorMessage', () => {
  it('names each bad field once, in words a client can act on', () => {
    const error = schemaErrorMessage(
      [
        { keyword: 'maxLength', instancePath: '/title', schemaPath: '#/properties/title/maxLength', params: { limit: 1000 }, message: 'must NOT have more than 1000 characters' },
        { keyword: 'type', instancePath: '/abstract', schemaPath: '#/properties/abstract/type', params: { type: 'string' }, message: 'must be string' },
        { keyword: 'type', instancePath: '/abstract', schemaPath: '#/properties/abstract/type', params: { type: 'string' }, message: 'must be string' },
      ],
      'body',
    );
    expect(error.getStatus()).toBe(400);
    expect(error.message).toBe('title must be at most 1,000 characters; abstract must be a string');
  });

  it('speaks of the body itself when the whole body is wrong', () => {
    const error = schemaErrorMessage([{ keyword: 'type', instancePath: '', schemaPath: '#/type', params: { type: 'object' }, message: 'must be object' }], 'body');
    expect(error.message).toBe('body must be an object');
  });
});
