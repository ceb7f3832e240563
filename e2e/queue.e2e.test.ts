import { queueSuite } from './suites/queue';

// n8n in queue mode (versions in e2e/versions.env), one cluster after the other. Its own file, so it
// runs after one of the majors' files has finished instead of beside both (a cluster is five n8n
// processes).
queueSuite(2);
queueSuite(1);
