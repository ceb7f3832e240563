/**
 * The bench's own work folder for the packed package and n8n user folders, so that it never shares
 * one with an e2e run on the same machine. Imported before anything from e2e/support, which reads
 * E2E_WORK when it is loaded.
 */
import { tmpdir } from 'os';
import { join } from 'path';

process.env.E2E_WORK ??= join(tmpdir(), 'n8n-nodes-modelslab-bench-work');
