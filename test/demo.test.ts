/** `npm run demo`, the first command of the README, works and leaves a valid PNG behind. */
import { execFileSync } from 'child_process';
import { readFileSync, rmSync } from 'fs';
import { join } from 'path';

import { decodePng } from '../simulator/png';

const root = join(__dirname, '..');

it('runs the example workflow against the simulator and saves the inpainted picture', () => {
	rmSync(join(root, 'demo-output'), { recursive: true, force: true });
	const env = { ...process.env };
	delete env.MODELSLAB_API_KEY;
	const printed = execFileSync('npm', ['run', '-s', 'demo'], {
		cwd: root,
		env,
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	expect(printed).toContain('embedded ModelsLab simulator');
	expect(printed).toMatch(/status: +success/);
	const picture = decodePng(readFileSync(join(root, 'demo-output', 'inpainted.png')));
	const photo = decodePng(readFileSync(join(root, 'demo-output', 'input-photo.png')));
	expect({ width: picture.width, height: picture.height }).toEqual({ width: 512, height: 512 });
	// The masked area was repainted, so the result differs from the photo it started from.
	expect(Buffer.compare(Buffer.from(picture.rgba), Buffer.from(photo.rgba))).not.toBe(0);
}, 60000);
