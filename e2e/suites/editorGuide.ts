import { statSync } from 'fs';
import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import type { Browser, BrowserContext, Page } from 'playwright-core';

import { ModelsLabApi } from '../../credentials/ModelsLabApi.credentials';
import { decodePng, makePhoto, type ModelsLabSimulator } from '../../simulator';
import {
	completionNotices,
	completionProperty,
} from '../../nodes/ModelsLabInpaint/inpaintDescription';
import { binaryBytes, pngSize } from '../support/binary';
import { launchChromium, signIn } from '../support/browser';
import {
	executionIds,
	finishedAfter,
	inPanel,
	openNode,
	openSelect,
	parameterRow,
	README_SCREENSHOTS,
	screenshotPath,
	scrollToTop,
	shoot,
	until,
	viewImage,
} from '../support/editorPage';
import { nodeOutput } from '../support/execution';
import {
	catalogueMatches,
	completionWorkflow,
	firstInpaintForm,
	firstInpaintWorkflow,
	guideIds,
	maskOnlyWorkflow,
	modelsWorkflow,
	shapesWorkflow,
	walletWorkflow,
} from '../support/guideWorkflows';
import { waitFor } from '../support/processes';
import type { RunningN8n } from '../support/running-n8n';
import { OWNER } from '../support/server';

const WALLET_BALANCE = '/api/wallet_balance';
const MODEL_LIST = '/api/v4/dreambooth/model_list';
const INPAINT_NODE = 'ModelsLab Inpaint';

/** The text a node or credential description gives a notice. */
const noticeText = (properties: INodeProperties[], name: string) =>
	properties.find((property) => property.name === name)?.displayName ?? `(no notice ${name})`;

/**
 * The editor as the README shows it, in headless Chromium: the Completion choices and their
 * notices, the credential dialog, Get Wallet Balance, the model list, Mask Only, the Shapes fields
 * and the first inpaint from a form upload. Each test asserts what the editor shows and takes its
 * screenshot (n8n 2.x: docs/screenshots, which the README embeds; 1.x: test-output).
 */
export function editorGuideSuite(running: () => RunningN8n): void {
	describe('editor guide (headless Chromium)', () => {
		const startedAt = Date.now();
		let browser: Browser | undefined;
		let context: BrowserContext;
		let page: Page;
		let sim: ModelsLabSimulator;
		let baseUrl: string;
		let major: 1 | 2;
		const shot = (name: string) => screenshotPath(major, name);

		beforeAll(async () => {
			const { n8n } = running();
			({ sim } = running());
			({ baseUrl } = n8n);
			major = n8n.install.major;
			await n8n.importWorkflows([
				completionWorkflow(),
				shapesWorkflow(),
				walletWorkflow(),
				modelsWorkflow(),
				maskOnlyWorkflow(makePhoto(640, 480)),
				firstInpaintWorkflow(),
			]);
			browser = await launchChromium();
			context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
			page = await context.newPage();
			await signIn(page, baseUrl, OWNER.email, OWNER.password);
		}, 240_000);
		afterAll(async () => {
			await browser?.close();
		});
		// A fresh page each test: nothing left open or unsaved from the one before.
		beforeEach(async () => {
			sim.reset();
			await page.close();
			page = await context.newPage();
		});
		// The page as each test left it, to see what a failure saw (test-output/e2e/screenshots).
		afterEach(async () => {
			const test = (expect.getState().currentTestName ?? 'test').split(') ').pop() ?? 'test';
			const name = `guide-${test.slice(0, 40).replace(/\W+/g, '-').toLowerCase()}`;
			await page
				.screenshot({ path: screenshotPath(major, name, 'test output') })
				.catch(() => undefined); // a page that is gone has nothing to show
		});

		test('Completion: Wait for Result first, each description whole; Resume on Callback shows its notice naming Fetch › Wait for Callbacks', async () => {
			await openNode(page, baseUrl, guideIds.completion, INPAINT_NODE);
			const row = parameterRow(page, 'completion');
			const input = row.locator('[data-test-id="parameter-input-completion"] input');
			const items = await openSelect(page, input);
			const options = completionProperty.options as INodePropertyOptions[];
			expect(options[0].value).toBe('wait');
			const shown = await items.evaluateAll((elements) =>
				elements.map((item) => {
					const description = item.querySelector('.option-description');
					const text = (part: typeof description) => part?.textContent?.replace(/\s+/g, ' ').trim();
					return {
						name: text(item.querySelector('.option-headline')),
						description: text(description),
						// Clamped or cut text overflows its box.
						whole:
							!!description &&
							description.scrollHeight <= description.clientHeight + 1 &&
							description.scrollWidth <= description.clientWidth + 1,
					};
				}),
			);
			expect(shown).toEqual(
				options.map((option) => ({
					name: option.name,
					description: option.description,
					whole: true,
				})),
			);
			const list = page.locator(`[id="${await input.getAttribute('aria-controls')}"]`);
			await shoot(page, shot('completion-dropdown'), [row, list]);

			await items.filter({ hasText: 'Resume on Callback' }).click();
			await items.first().waitFor({ state: 'hidden' });
			const text = noticeText(completionNotices, 'callbackNotice');
			expect(text).toContain('ModelsLab Fetch node with Wait for Callbacks');
			const notice = inPanel(page, '[data-test-id="parameter-item"] .notice').filter({
				hasText: 'Wait for Callbacks',
			});
			await notice.waitFor();
			expect((await notice.innerText()).replace(/\s+/g, ' ').trim()).toBe(text);
			await shoot(page, shot('completion-resume-notice'), [row, notice]);
		});

		test('the new ModelsLab credential links to the dashboard and marks the server fields Advanced', async () => {
			await page.goto(`${baseUrl}/home/credentials/create`);
			const types = page.locator('[data-test-id="selectCredential-modal"]');
			await types.waitFor({ timeout: 60_000 });
			const search = types.locator('[data-test-id="new-credential-type-select"] input');
			await search.fill('ModelsLab');
			const list = page.locator(`[id="${await search.getAttribute('aria-controls')}"]`);
			await list.locator('.el-select-dropdown__item', { hasText: 'ModelsLab API' }).click();
			await types.locator('[data-test-id="new-credential-type-button"]').click();
			const dialog = page.locator('[data-test-id="editCredential-modal"]');
			const fields = dialog.locator('[data-test-id="credential-connection-parameter"]');
			await fields.first().waitFor();

			// The key's hint links to the dashboard page where keys are made.
			const apiKey = fields.filter({
				has: page.locator('[data-test-id="parameter-input-apiKey"]'),
			});
			const link = apiKey.locator('a[href="https://modelslab.com/dashboard/api-keys"]');
			expect(await link.innerText()).toBe('ModelsLab dashboard › API Keys');
			// The "Advanced:" notice comes right before the two server addresses, after both keys.
			const order = (await fields.allInnerTexts()).map((text) => text.trim().split('\n')[0]);
			const notice = noticeText(new ModelsLabApi().properties, 'serverNotice');
			expect(notice).toMatch(/^Advanced: /);
			const at = order.findIndex((text) => text.replace(/\s+/g, ' ') === notice);
			expect(order.slice(0, at + 3)).toEqual([
				expect.stringMatching(/^API Key/),
				expect.stringMatching(/^Enterprise API Key/),
				notice,
				'Base URL',
				'Legacy v3 Base URL',
			]);
			await shoot(page, shot('credential'), [dialog], 0);
		});

		test('Fetch › Get Wallet Balance: Execute step shows the balance the simulator reports', async () => {
			sim.settings.balance = 1234.56;
			const ndv = await openNode(page, baseUrl, guideIds.wallet, 'Wallet Balance');
			await ndv.locator('[data-test-id="node-execute-button"]').first().click();
			const output = ndv.locator('[data-test-id="output-panel"]');
			const data = output.locator('[data-test-id="ndv-data-container"]');
			await data.getByText('1234.56').first().waitFor({ timeout: 60_000 });
			expect(await data.innerText()).toContain('USD');
			expect(sim.requestsTo(WALLET_BALANCE)).toHaveLength(1);
			await shoot(page, shot('wallet-balance'), [
				ndv.locator('[data-test-id="node-execute-button"]').first(),
				parameterRow(page, 'operation'),
				output.locator('[data-test-id="ndv-run-data-display-mode"]'),
				data.getByText('USD').first(),
			]);
		});

		test("Community Models › Model ID › From List: a search lists the simulator's inpainting models that match", async () => {
			const ndv = await openNode(page, baseUrl, guideIds.models, 'Community Inpaint');
			const locator = ndv.locator('[data-test-id="parameter-input-communityModelId"]');
			const modes = await openSelect(
				page,
				locator.locator('[data-test-id="rlc-mode-selector"] input'),
			);
			await modes.filter({ hasText: /^\s*From list\s*$/i }).click();
			await locator.locator('[data-test-id="rlc-input"]').click();
			const search = page.locator('[data-test-id="rlc-search"]');
			const results = page.locator('[data-test-id="rlc-item"]');
			// The whole list first (1.x would show it over the search's results if it came after).
			await results.first().waitFor({ timeout: 60_000 });
			await search.fill('pony');
			const expected = catalogueMatches(sim.baseUrl, 'pony');
			expect(expected.length).toBeGreaterThanOrEqual(3);
			const names = () => results.allInnerTexts().then((texts) => texts.map((t) => t.trim()));
			expect(await until(names, (shown) => shown.join() === expected.join())).toEqual(expected);
			expect(sim.requestsTo(MODEL_LIST).length).toBeGreaterThanOrEqual(1);
			await shoot(page, shot('model-list-search'), [
				parameterRow(page, 'endpoint'),
				parameterRow(page, 'communityModelId'),
				search,
				results.last(),
			]);
		});

		test('Completion › Mask Only with Shapes: Execute step outputs the binary mask, and nothing reaches ModelsLab', async () => {
			const { n8n, server } = running();
			const ndv = await openNode(page, baseUrl, guideIds.maskOnly, INPAINT_NODE);
			const seen = await executionIds(server, guideIds.maskOnly);
			await ndv.locator('[data-test-id="node-execute-button"]').first().click();
			const output = ndv.locator('[data-test-id="output-panel"]');
			const binaryMode = output.locator('[data-test-id="radio-button-binary"]');
			await binaryMode.waitFor({ timeout: 60_000 });
			await binaryMode.click();
			const files = output.locator('[data-test-id^="ndv-binary-data_"]');
			await files.first().waitFor();
			expect(await files.count()).toBe(1);
			const card = (await files.first().innerText()).split('\n').map((line) => line.trim());
			expect(card[0]).toBe('mask');
			expect(card).toEqual(expect.arrayContaining(['mask.png', 'image/png']));
			expect(sim.requests).toEqual([]);
			// The run's mask: the photo's size, white in the rectangle (x 30–70 %, y 25–75 %) only.
			const run = await finishedAfter(server, guideIds.maskOnly, seen);
			const [item] = nodeOutput(await server.storedExecution(run.id), INPAINT_NODE);
			const mask = decodePng(binaryBytes(item, 'mask', n8n.userFolder));
			const gray = (x: number, y: number) => mask.rgba[(y * mask.width + x) * 4];
			expect([mask.width, mask.height, gray(320, 240), gray(200, 130)]).toEqual([
				640, 480, 255, 255,
			]);
			expect([gray(180, 240), gray(320, 110), gray(460, 370), gray(0, 0)]).toEqual([0, 0, 0, 0]);
			// View shows it in the panel.
			expect(await viewImage(files.first())).toBe(640);
			const completion = parameterRow(page, 'completion');
			await completion.scrollIntoViewIfNeeded();
			await shoot(page, shot('mask-only-preview'), [
				ndv.locator('[data-test-id="node-execute-button"]').first(),
				completion,
				output.locator('img'),
			]);
		});

		test('Shapes (Inpaint 1.1): a rectangle reads Left, Top, Width, Height, then one Shape Unit', async () => {
			await openNode(page, baseUrl, guideIds.shapes, INPAINT_NODE);
			const shapes = inPanel(page, '.multi-parameter').filter({
				has: page.locator('label[for="maskShapes"]'),
			});
			await shapes.scrollIntoViewIfNeeded();
			// Every label in page order, less 1.x's Fixed/Expression toggle (labels there too).
			const labels = (await shapes.locator('label').allInnerTexts())
				.map((text) => text.split('\n')[0].trim())
				.filter((text) => !['Fixed', 'Expression'].includes(text));
			expect(labels).toEqual(['Shapes', 'Rectangle', 'Left', 'Top', 'Width', 'Height']);
			const kinds = await openSelect(page, shapes.locator('input[placeholder="Add Shape"]'));
			expect((await kinds.allInnerTexts()).map((text) => text.trim()).sort()).toEqual([
				'Ellipse',
				'Rectangle',
			]);
			await page.keyboard.press('Escape');
			await kinds.first().waitFor({ state: 'hidden' });
			const unit = parameterRow(page, 'maskShapeUnit');
			expect(await unit.locator('input').first().inputValue()).toBe('Percent of the Image');
			const source = parameterRow(page, 'maskImageSource');
			await scrollToTop(source);
			await shoot(page, shot('shapes-panel'), [source, unit]);
		});

		test('the first inpaint: Execute workflow, submit the form, the result image is in the output panel', async () => {
			const { n8n, server } = running();
			await page.goto(`${baseUrl}/workflow/${guideIds.firstInpaint}`);
			const nodes = page.locator('[data-test-id="canvas-node"]');
			await nodes.first().waitFor({ timeout: 60_000 });
			const seen = await executionIds(server, guideIds.firstInpaint);
			// The editor opens the test form in a tab of its own; the test submits it over HTTP.
			const formTab = context.waitForEvent('page');
			await page.locator('[data-test-id="execute-workflow-button"]').first().click();
			await (await formTab).close();
			const form = `${baseUrl}/form-test/${firstInpaintForm.webhookId}`;
			await waitFor('the test form', async () => ((await fetch(form)).ok ? true : undefined));
			const body = new FormData();
			body.append('field-0', new Blob([makePhoto(640, 480)], { type: 'image/png' }), 'photo.png');
			body.append('field-1', 'a red kite in a blue sky');
			expect((await fetch(form, { method: 'POST', body })).status).toBe(200);

			const execution = await finishedAfter(server, guideIds.firstInpaint, seen);
			expect(execution.status).toBe('success');
			const [item] = nodeOutput(await server.storedExecution(execution.id), INPAINT_NODE);
			expect(item.json).toMatchObject({ status: 'success', endpoint: 'imageEditing' });
			expect(pngSize(binaryBytes(item, 'data', n8n.userFolder))).toEqual({
				width: 640,
				height: 480,
			});
			expect(sim.requestsTo('/api/v6/image_editing/inpaint')[0].body).toMatchObject({
				prompt: 'a red kite in a blue sky',
			});

			// The canvas shows the run (an item on each connection), then the panel shows the result.
			await page.getByText('1 item').first().waitFor({ timeout: 60_000 });
			await shoot(page, shot('first-inpaint-workflow'), [nodes.first(), nodes.last()], 100);
			await nodes.filter({ hasText: INPAINT_NODE }).dblclick();
			const output = inPanel(page, '[data-test-id="output-panel"]');
			const files = output.locator('[data-test-id^="ndv-binary-data_"]');
			await files.first().waitFor({ timeout: 30_000 });
			const names = (await files.allInnerTexts()).map((card) => card.split('\n')[0].trim());
			expect(names).toEqual(['data', 'mask']);
			const prompt = parameterRow(page, 'prompt');
			await scrollToTop(prompt);
			await shoot(page, shot('first-inpaint-panel'), [prompt, parameterRow(page, 'maskShapeUnit')]);
			expect(await viewImage(files.first())).toBe(640);
			await shoot(page, shot('first-inpaint-result'), [
				output.locator('[data-test-id="ndv-run-data-display-mode"]'),
				output.locator('img'),
			]);
		});

		test('n8n 2.x wrote every README screenshot in this run', () => {
			if (major !== 2) return;
			for (const name of README_SCREENSHOTS) {
				const file = statSync(screenshotPath(2, name), { throwIfNoEntry: false });
				expect({ name, written: (file?.mtimeMs ?? 0) > startedAt }).toEqual({
					name,
					written: true,
				});
				expect({ name, size: file!.size > 10_000 }).toEqual({ name, size: true });
			}
		});
	});
}
