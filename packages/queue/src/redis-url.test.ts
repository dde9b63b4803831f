import { describe, expect, it } from 'vitest';
import { parseRedisUrl, redactRedisUrl } from './redis-url.js';

describe('queue URLs', () => {
  it('parses user, password, host, port, database and TLS', () => {
    expect(parseRedisUrl('redis://ada:p%40ss@queue.example:6380/2')).toEqual({
      shown: 'redis://ada:***@queue.example:6380/2',
      connection: {
        host: 'queue.example',
        port: 6380,
        db: 2,
        username: 'ada',
        password: 'p@ss',
        maxRetriesPerRequest: null,
      },
    });
    expect(parseRedisUrl('rediss://:secret@[::1]').connection).toMatchObject({
      host: '::1',
      port: 6379,
      db: 0,
      password: 'secret',
      tls: { servername: '::1' },
    });
  });

  it('never shows the password, also in errors', () => {
    expect(redactRedisUrl('redis://:hunter2@h:1')).toBe('redis://:***@h:1');
    expect(redactRedisUrl('redis://hunter2@h:1')).toBe('redis://***@h:1');
    expect(() => parseRedisUrl('http://u:hunter2@h:1')).toThrow(
      'queue URL http://u:***@h:1: scheme http: is not redis: or rediss:',
    );
    expect(() => parseRedisUrl('redis://u:hunter2@h:1/x')).toThrow(
      "queue URL redis://u:***@h:1/x: database 'x' is not a number",
    );
    expect(() => parseRedisUrl('redis//u:hunter2@h')).toThrow(/^queue URL .*: not a URL/);
  });
});
