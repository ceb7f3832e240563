import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * Debian's chromium (apt-get install chromium), never a browser download: this machine's network
 * reaches only the npm registry and Debian. The flags keep Chromium from calling Google's hosts.
 * Playwright gives each launch a fresh temporary profile of its own.
 */
export function launchChromium(): Promise<Browser> {
	return chromium.launch({
		executablePath: process.env.E2E_CHROMIUM ?? '/usr/bin/chromium',
		headless: true,
		args: [
			'--no-sandbox',
			'--disable-gpu',
			'--disable-quic',
			'--no-first-run',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
		],
	});
}

/** Signs in through n8n's own sign-in page, as a user would. */
export async function signIn(
	page: Page,
	baseUrl: string,
	email: string,
	password: string,
): Promise<void> {
	await page.goto(`${baseUrl}/signin`);
	await page.locator('input[type="email"]').fill(email);
	await page.locator('input[type="password"]').fill(password);
	await page.locator('input[type="password"]').press('Enter');
	await page.waitForURL((url) => !url.pathname.startsWith('/signin'), { timeout: 30_000 });
}
