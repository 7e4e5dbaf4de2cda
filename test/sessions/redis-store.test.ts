import { describe, it } from 'vitest';
import { createRedis } from '../../src/redis.js';
import { RedisSessionStore } from '../../src/sessions/redis-store.js';
import { deletePrefix, REDIS_URL, randomPrefix, shouldRunRedis } from '../helpers/services.js';
import { storeContract } from './store-contract.js';

if (await shouldRunRedis('RedisSessionStore contract')) {
  storeContract('RedisSessionStore', async () => {
    const prefix = randomPrefix();
    const redis = createRedis(REDIS_URL);
    const store = new RedisSessionStore(redis, prefix);
    return {
      store,
      async dispose() {
        await store.close();
        redis.disconnect();
        await deletePrefix(REDIS_URL, prefix);
      },
    };
  });
} else {
  describe.skip('RedisSessionStore contract (Redis not available)', () => {
    it('skipped', () => {});
  });
}
