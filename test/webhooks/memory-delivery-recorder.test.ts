import { MemoryDeliveryRecorder } from '../../src/webhooks/index.js';
import { deliveryRecorderContract } from './delivery-recorder.contract.js';

deliveryRecorderContract('memory', async () => ({ recorder: new MemoryDeliveryRecorder(), appIds: ['app-1', 'app-2'], close: async () => {} }));
