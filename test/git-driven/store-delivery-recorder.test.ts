// The store-backed DeliveryRecorder passes the webhooks adapter's contract suite.
import { openSqliteStore } from '../../src/store/index.js';
import { StoreDeliveryRecorder } from '../../src/services/store-delivery-recorder.js';
import { deliveryRecorderContract } from '../webhooks/delivery-recorder.contract.js';

deliveryRecorderContract('sqlite store', async () => {
  const store = await openSqliteStore(':memory:');
  const a = await store.createApp({ name: 'one', repo: '/srv/one.git', driver: 'process' }, [{ name: 'staging', branch: 'main' }]);
  const b = await store.createApp({ name: 'two', repo: '/srv/two.git', driver: 'process' }, [{ name: 'staging', branch: 'main' }]);
  return { recorder: new StoreDeliveryRecorder(store), appIds: [a.id, b.id], close: () => store.close() };
});
