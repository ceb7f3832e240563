// tsc compiles only TypeScript; n8n also needs each node's icons and codex file next to its .js.
const { src, dest, parallel } = require('gulp');

const copyAssets = (folder) => () =>
	src(`${folder}/**/*.{svg,png,json}`, { encoding: false }).pipe(dest(`dist/${folder}`));

exports.build = parallel(copyAssets('nodes'), copyAssets('credentials'));
exports.default = exports.build;
