import { mkdirSync } from 'fs';
import { dirname, join } from 'path';
import type { Locator, Page } from 'playwright-core';

import { e2eOutput, repoRoot } from './package';
import { waitFor } from './processes';
import type { ExecutionSummary, N8nServer } from './server';
import type { Major } from './versions';

/**
 * What the editor suites share: where their screenshots go, and the few ways they drive n8n's
 * editor (the same selectors in 1.x and 2.x).
 */

/** The README's pictures: n8n 2.x writes them over the committed ones at every run. */
export const docsScreenshots = join(repoRoot, 'docs', 'screenshots');

/** Every picture of docs/screenshots the editor suites write on n8n 2.x. */
export const README_SCREENSHOTS = [
	'nodes-panel',
	'inpaint-panel',
	'completion-dropdown',
	'completion-resume-notice',
	'credential',
	'wallet-balance',
	'model-list-search',
	'mask-only-preview',
	'shapes-panel',
	'first-inpaint-workflow',
	'first-inpaint-panel',
	'first-inpaint-result',
];

/**
 * n8n 2.x: docs/screenshots/<name>.png; 1.x, and pictures only for whoever reads a run's output:
 * test-output/e2e/screenshots/n8n<major>-<name>.png.
 */
export function screenshotPath(
	major: Major,
	name: string,
	where: 'README' | 'test output' = 'README',
): string {
	const path =
		major === 2 && where === 'README'
			? join(docsScreenshots, `${name}.png`)
			: join(e2eOutput, 'screenshots', `n8n${major}-${name}.png`);
	mkdirSync(dirname(path), { recursive: true });
	return path;
}

/**
 * A screenshot of the page cropped to the box around `parts` (each as it shows now), with a
 * margin, inside the viewport: the panel a reader needs and not the whole window.
 */
export async function shoot(page: Page, path: string, parts: Locator[], margin = 8): Promise<void> {
	const boxes = [];
	for (const part of parts) {
		const box = await part.boundingBox();
		if (!box) throw new Error(`nothing to screenshot for ${String(part)}`);
		boxes.push(box);
	}
	const viewport = page.viewportSize() ?? { width: 1440, height: 1000 };
	const x = Math.max(0, Math.min(...boxes.map((box) => box.x)) - margin);
	const y = Math.max(0, Math.min(...boxes.map((box) => box.y)) - margin);
	const right = Math.min(
		viewport.width,
		Math.max(...boxes.map((box) => box.x + box.width)) + margin,
	);
	const bottom = Math.min(
		viewport.height,
		Math.max(...boxes.map((box) => box.y + box.height)) + margin,
	);
	// No hover effects from the last click, and no toasts ("Node executed successfully") over the panel.
	await page.mouse.move(viewport.width - 1, viewport.height - 1);
	await page.addStyleTag({ content: '.el-notification { visibility: hidden !important; }' });
	const clip = { x, y, width: right - x, height: bottom - y };
	// Transitions (a hover fading out) are finished at once.
	await page.screenshot({ path, clip, animations: 'disabled' });
}

/** Scrolls the panel so that `part` is at its top, for a screenshot of what follows it. */
export async function scrollToTop(part: Locator): Promise<void> {
	await part.evaluate((element) => element.scrollIntoView({ block: 'start' }));
}

export const ndvOf = (page: Page) => page.locator('[data-test-id="ndv"]');

export const inPanel = (page: Page, selector: string) =>
	page.locator(`[data-test-id="ndv"] ${selector}`);

/** Opens a workflow in the editor and the panel of one of its nodes. */
export async function openNode(
	page: Page,
	baseUrl: string,
	workflowId: string,
	nodeName: string,
): Promise<Locator> {
	await page.goto(`${baseUrl}/workflow/${workflowId}`);
	const node = page.locator(`[data-test-id="canvas-node"][data-node-name="${nodeName}"]`);
	await node.waitFor({ timeout: 60_000 });
	await node.dblclick();
	await ndvOf(page).waitFor();
	return ndvOf(page);
}

/**
 * Opens an Element Plus select (n8n's dropdowns) and returns its items: the ones of the list its
 * input controls, not of another dropdown that is still fading out.
 */
export async function openSelect(page: Page, input: Locator): Promise<Locator> {
	await input.click();
	const list = await input.getAttribute('aria-controls');
	const items = page.locator(`[id="${list}"] .el-select-dropdown__item`);
	await items.first().waitFor();
	return items;
}

/** A node parameter's row in the open panel (its label is `for` the parameter's name). */
export const parameterRow = (page: Page, name: string) =>
	inPanel(page, '[data-test-id="parameter-item"]').filter({
		has: page.locator(`label[for="${name}"]`),
	});

/** Polls `read` until `done` says yes (the editor updates a little after a click), or times out. */
export async function until<T>(
	read: () => Promise<T>,
	done: (value: T) => boolean,
	timeoutMs = 30_000,
): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	let value = await read();
	while (!done(value) && Date.now() < deadline) {
		await new Promise((resolve) => setTimeout(resolve, 250));
		value = await read();
	}
	return value;
}

/** Clicks a binary file's View and returns the width of the picture the output panel then shows. */
export async function viewImage(file: Locator): Promise<number> {
	await file.locator('[data-test-id="ndv-view-binary-data"]').click();
	const image = file.page().locator('[data-test-id="output-panel"] img').first();
	const width = () =>
		image.evaluate((element) => (element as unknown as { naturalWidth: number }).naturalWidth);
	return await until(width, (shown) => shown > 0);
}

/** The ids of a workflow's executions so far, to tell the next one apart. */
export const executionIds = async (server: N8nServer, workflowId: string) =>
	new Set((await server.executionsOf(workflowId)).map((execution) => execution.id));

/** The first finished execution of a workflow that is not among `seen`. */
export const finishedAfter = (
	server: N8nServer,
	workflowId: string,
	seen: Set<string>,
): Promise<ExecutionSummary> =>
	waitFor(
		`a new execution of ${workflowId} to finish`,
		async () =>
			(await server.executionsOf(workflowId)).find(
				(run) => !seen.has(run.id) && !['new', 'running', 'waiting'].includes(run.status),
			),
		120_000,
		500,
	);
