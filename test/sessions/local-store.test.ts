import { join } from 'node:path';
import { LocalSessionStore } from '../../src/sessions/local-store.js';
import { removeDir, tempDir } from '../helpers/services.js';
import { storeContract } from './store-contract.js';

storeContract('LocalSessionStore (SQLite control database)', async () => {
  const dir = tempDir();
  const store = new LocalSessionStore(join(dir, 'control.db'));
  return {
    store,
    async dispose() {
      await store.close();
      removeDir(dir);
    },
  };
});
