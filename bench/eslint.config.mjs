// Linted with the repository's config for tests and tools, not n8n's node rules: see ../eslint.repo.config.mjs.
export { default } from '../eslint.repo.config.mjs';
