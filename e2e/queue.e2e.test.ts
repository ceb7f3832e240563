import { queueSuite } from './suites/queue';

// n8n 2.x in queue mode (versions in e2e/versions.env); its own file, so it runs after one of the
// majors' files has finished instead of beside both (the cluster is five n8n processes).
queueSuite(2);
