// tsc compiles only TypeScript; n8n also needs each node's icons and codex file next to its .js.
// The one place that copies them: `npm run build` is tsc -p tsconfig.build.json, then this.
// `n8n-node build` (@n8n/node-cli) is not used: it always compiles with tsconfig.json (here the
// type-check of tests, simulator, bench, e2e and scripts too, which would end up in dist/ and the
// package), copies every .png/.svg of the repository and leaves out the codex (.node.json) files.
const { src, dest, parallel } = require('gulp');

const copyAssets = (folder) => () =>
	src(`${folder}/**/*.{svg,png,json}`, { encoding: false }).pipe(dest(`dist/${folder}`));

exports.build = parallel(copyAssets('nodes'), copyAssets('credentials'));
exports.default = exports.build;
