import type { INodeProperties } from 'n8n-workflow';
import type { Browser, Page } from 'playwright-core';

import { properties } from '../../nodes/ModelsLabInpaint/inpaintDescription';
import { INPAINT_ENDPOINTS } from '../../nodes/ModelsLabInpaint/endpoints';
import { endpointIds } from '../../nodes/shared/transport/endpoints';
import type { EndpointId } from '../../nodes/shared/transport/endpoints';
import { launchChromium, signIn } from '../support/browser';
import { inPanel, openSelect, screenshotPath } from '../support/editorPage';
import { served, type RunningN8n } from '../support/running-n8n';
import { OWNER } from '../support/server';
import { INPAINT, nodeOfType, type WorkflowNode } from '../support/workflows';

/**
 * Main parameters that belong to one endpoint only; every endpoint also has its `<id>AdvancedOptions`,
 * and each but Object Removal (only a photo and a mask to send) its `<id>Options`.
 */
const ownFields: Record<string, string[]> = {
	imageEditing: [],
	community: ['communityModelId'],
	legacy: [],
	enterprise: ['enterpriseModelId'],
	objectRemoval: [],
};
const collectionsOf = (id: string) =>
	id === 'objectRemoval' ? [`${id}AdvancedOptions`] : [`${id}Options`, `${id}AdvancedOptions`];
/** Object Removal has no prompt, and its result always has the photo's size. */
const withoutPrompt = ['objectRemoval'];
const endpointFields = endpointIds.flatMap((id) => [...ownFields[id], ...collectionsOf(id)]);

/**
 * The display names an endpoint's "Add Option" list should offer: the node's own description of its
 * options collection, less the options the workflow has already set (n8n lists only the others),
 * and less Width and Height unless Output Size is Custom (they show only then).
 */
function addableOptionNames(id: EndpointId, node: WorkflowNode, name = `${id}Options`): string[] {
	const collection = properties.find((property) => property.name === name);
	const alreadySet = Object.keys((node.parameters[name] as object | undefined) ?? {});
	const outputSize = (node.parameters.outputSize as string | undefined) ?? 'image';
	const shownNow = (option: INodeProperties) =>
		(option.displayOptions?.show?.['/outputSize'] as string[] | undefined)?.includes(outputSize) ??
		true;
	return ((collection?.options ?? []) as INodeProperties[])
		.filter((option) => !alreadySet.includes(option.name) && shownNow(option))
		.map((option) => option.displayName)
		.sort();
}

/** The names of the parameters the panel shows (each has a label `for` its name, in 1.x and 2.x). */
const shownParameters = (page: Page) =>
	inPanel(page, 'label[for]').evaluateAll((labels) =>
		labels.map((label) => label.getAttribute('for')),
	);

/** Opens an options collection's "Add Option" list, reads it and closes it. */
async function addableOptions(
	page: Page,
	collection: string,
	placeholder = 'Add Option',
): Promise<string[]> {
	const block = inPanel(page, '.multi-parameter').filter({
		has: page.locator(`label[for="${collection}"]`),
	});
	const items = await openSelect(page, block.locator(`input[placeholder="${placeholder}"]`));
	const names = (await items.allTextContents()).map((text) => text.trim()).sort();
	await page.keyboard.press('Escape');
	await items.first().waitFor({ state: 'hidden' });
	return names;
}

/**
 * The editor, in headless Chromium: open the example workflow, open the Inpaint node, switch the
 * Endpoint, and check that each endpoint shows its own fields and hides the others'.
 */
export function editorSuite(running: () => RunningN8n): void {
	describe('editor (headless Chromium)', () => {
		let browser: Browser | undefined;
		let page: Page;

		beforeAll(async () => {
			const { n8n } = running();
			browser = await launchChromium();
			page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
			await signIn(page, n8n.baseUrl, OWNER.email, OWNER.password);
		}, 120_000);
		afterAll(async () => {
			await browser?.close();
		});

		test("the Inpaint node shows each endpoint's own fields, and only those", async () => {
			const { n8n } = running();
			const major = n8n.install.major;
			const inpaintNode = nodeOfType(served.fromUrls, INPAINT);
			await page.goto(`${n8n.baseUrl}/workflow/${served.fromUrls.id}`);
			const node = page.locator(
				`[data-test-id="canvas-node"][data-node-name="${inpaintNode.name}"]`,
			);
			await node.waitFor({ timeout: 60_000 });
			await node.dblclick();
			await page.locator('[data-test-id="ndv"]').waitFor();

			for (const id of endpointIds) {
				const endpoints = await openSelect(
					page,
					inPanel(page, '[data-test-id="parameter-input-endpoint"] input'),
				);
				await endpoints.filter({ hasText: INPAINT_ENDPOINTS[id].displayName }).click();
				await endpoints.first().waitFor({ state: 'hidden' });

				const own = [...ownFields[id], ...collectionsOf(id)];
				const shown = await shownParameters(page);
				const common = withoutPrompt.includes(id) ? [] : ['prompt', 'outputSize'];
				expect(shown).toEqual(
					expect.arrayContaining([...own, ...common, 'initImageSource', 'maskImageSource']),
				);
				expect(
					shown.filter((name) => endpointFields.includes(name ?? '') && !own.includes(name ?? '')),
				).toEqual([]);
				if (withoutPrompt.includes(id))
					expect(shown.filter((name) => ['prompt', 'outputSize'].includes(name ?? ''))).toEqual([]);
				if (collectionsOf(id).includes(`${id}Options`))
					expect(await addableOptions(page, `${id}Options`)).toEqual(
						addableOptionNames(id, inpaintNode),
					);
				// The rest of the endpoint's settings, under Advanced Options.
				expect(await addableOptions(page, `${id}AdvancedOptions`, 'Add Advanced Option')).toEqual(
					addableOptionNames(id, inpaintNode, `${id}AdvancedOptions`),
				);
				if (id === 'enterprise') {
					// Its Model ID is required and empty in this workflow: the editor flags it.
					const modelId = inPanel(page, '[data-test-id="parameter-item"]').filter({
						has: page.locator('label[for="enterpriseModelId"]'),
					});
					await expect(modelId.locator('[data-test-id="parameter-issues"]').count()).resolves.toBe(
						1,
					);
				}
				const parameters = inPanel(page, '[data-test-id="node-parameters"]');
				await parameters.screenshot({ path: screenshotPath(major, id, 'test output') });
				// The README's Inpaint panel: the example as it opens, on the default endpoint.
				if (id === 'imageEditing')
					await parameters.screenshot({ path: screenshotPath(major, 'inpaint-panel') });
			}
		});

		test('the nodes panel finds the three nodes by name', async () => {
			const { n8n } = running();
			const major = n8n.install.major;
			await page.goto(`${n8n.baseUrl}/workflow/${served.fromUrls.id}`);
			await page.locator('[data-test-id="canvas-node"]').first().waitFor({ timeout: 60_000 });
			try {
				await page.locator('[data-test-id="node-creator-plus-button"]').first().click();
				const search = page.locator('[data-test-id="node-creator-search-bar"]');
				await search.waitFor();
				await search.fill('ModelsLab');
				const creator = page.locator('[data-test-id="node-creator"]');
				for (const name of ['ModelsLab Inpaint', 'ModelsLab Fetch', 'ModelsLab Trigger']) {
					await creator.getByText(name).first().waitFor();
				}
				await creator.screenshot({ path: screenshotPath(major, 'nodes-panel') });
			} finally {
				await page.screenshot({
					path: screenshotPath(major, 'nodes-panel-page', 'test output'),
				});
				await page.keyboard.press('Escape');
			}
		});
	});
}
