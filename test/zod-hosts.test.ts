/**
 * The package declares no zod of its own: at run time `zod` comes from the n8n that loads it. The
 * node descriptions are derived from zod 3 schemas at load time, so the built nodes import
 * `zod/v3`, which zod 3.25+ and zod 4 both provide with the same API. This loads the built package
 * in a fresh Node process whose every `zod` import is served by zod 3.25 (what n8n 1.x and 2.x ship
 * today) or by zod 4 (what a later n8n may ship), and checks that the nodes load, describe
 * themselves identically and validate a request the same way.
 * Needs `npm run build` first (npm test does it).
 */
import { execFileSync } from 'child_process';
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';

const root = join(__dirname, '..');
const manifest = require(join(root, 'package.json')) as {
	n8n: { nodes: string[]; credentials: string[] };
};

/** A preload that sends `zod` and every `zod/...` import to the package folder given in ZOD_HOST. */
const preload = join(mkdtempSync(join(tmpdir(), 'zod-host-')), 'zod-host.js');
writeFileSync(
	preload,
	`const Module = require('module');
const host = process.env.ZOD_HOST;
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
	if (request === 'zod' || request.startsWith('zod/')) request = host + request.slice(3);
	return resolve.call(this, request, ...rest);
};`,
);

/** What the built package shows n8n under a given zod: every node's description, and one validation. */
const probe = `
const { join } = require('path');
const root = ${JSON.stringify(root)};
const entries = ${JSON.stringify([...manifest.n8n.nodes, ...manifest.n8n.credentials])};
const descriptions = entries.map((entry) => {
	const exported = require(join(root, entry));
	const instance = new (Object.values(exported)[0])();
	return instance.description ?? { name: instance.name, properties: instance.properties };
});
const { INPAINT_ENDPOINTS } = require(join(root, 'dist/nodes/ModelsLabInpaint/endpoints'));
const schema = INPAINT_ENDPOINTS.community.schema;
const good = schema.safeParse({ prompt: 'a red car', init_image: 'https://a.example/p.png', mask_image: 'https://a.example/m.png', width: '768' });
const bad = schema.safeParse({ prompt: 'a red car', init_image: 'https://a.example/p.png', mask_image: 'https://a.example/m.png', width: 700 });
process.stdout.write(JSON.stringify({ descriptions, good: good.success && good.data, bad: bad.success }));
`;

function loadUnder(zodPackage: string) {
	const host = dirname(require.resolve(`${zodPackage}/package.json`));
	const output = execFileSync(process.execPath, ['-r', preload, '-e', probe], {
		env: { ...process.env, ZOD_HOST: host },
		encoding: 'utf8',
	});
	return JSON.parse(output) as {
		descriptions: Array<{ name: string; properties: unknown[] }>;
		good: Record<string, unknown> | false;
		bad: boolean;
	};
}

const versionOf = (zodPackage: string) =>
	(require(`${zodPackage}/package.json`) as { version: string }).version;

describe("the built nodes load under the host n8n's zod, 3 or 4", () => {
	const zod3 = loadUnder('zod');
	const zod4 = loadUnder('zod4');

	it('the two hosts really are zod 3 and zod 4', () => {
		expect(versionOf('zod')).toMatch(/^3\.25\./);
		expect(versionOf('zod4')).toMatch(/^4\./);
	});

	it('under zod 3.25 every node describes its fields, and validation works', () => {
		expect(zod3.descriptions.map((description) => description.name)).toEqual([
			'modelsLabInpaint',
			'modelsLabFetch',
			'modelsLabTrigger',
			'modelsLabApi',
		]);
		expect(zod3.descriptions[0].properties.length).toBeGreaterThan(10);
		expect(zod3.good).toMatchObject({ width: 768, prompt: 'a red car' });
		expect(zod3.bad).toBe(false);
	});

	it('under zod 4 the nodes describe themselves exactly as under zod 3, and validate the same way', () => {
		expect(zod4.descriptions).toEqual(zod3.descriptions);
		expect(zod4.good).toEqual(zod3.good);
		expect(zod4.bad).toBe(false);
	});

	it("would catch code that reads zod 4's own API: its root export is not the v3 one the nodes read", () => {
		const zod4Root = require('zod4') as { z: { string: () => { _def: { typeName?: string } } } };
		const zod4V3 = require('zod4/v3') as { z: { string: () => { _def: { typeName?: string } } } };
		// The descriptions are read off `_def.typeName`; zod 4's root schemas have none.
		expect(zod4V3.z.string()._def.typeName).toBe('ZodString');
		expect(zod4Root.z.string()._def.typeName).toBeUndefined();
	});
});
