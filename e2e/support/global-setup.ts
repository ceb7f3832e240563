import { buildAndPack } from './package';

/** Once per run: build and `npm pack` the package; every test file installs this tarball. */
export default async function globalSetup(): Promise<void> {
	const tarball = await buildAndPack();
	console.log(`\n[e2e] packed ${tarball}`);
}
