import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

// n8n-core writes an instance config (with a random encryption key) into the user folder on first
// use; keep that out of the developer's real ~/.n8n.
process.env.N8N_USER_FOLDER ??= mkdtempSync(join(tmpdir(), 'n8n-nodes-modelslab-test-'));
// n8n logs every node error; tests that read the logs turn this up themselves.
process.env.N8N_LOG_LEVEL ??= 'silent';
