import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeRedisError } from '../../../runtime/admin/redis-config-store.js';

test('a Redis connection error that quotes its URL has the password masked before it is logged', () => {
  assert.equal(describeRedisError(new Error('connect ENOENT //default:s3cret-pw@redis:6379')), 'connect ENOENT //default:****@redis:6379');
  assert.equal(describeRedisError(new Error('getaddrinfo ENOTFOUND redis')), 'getaddrinfo ENOTFOUND redis');
});
