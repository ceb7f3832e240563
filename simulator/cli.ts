/**
 * Starts a ModelsLab simulator for manual runs and for tests in another process:
 *   npx ts-node --transpile-only simulator/cli.ts [--port 4010] [--job-duration MS]
 *       [--api-key K]... [--enterprise-key K]...
 * Prints one line with the base URL and stops on SIGINT/SIGTERM.
 */
import { ModelsLabSimulator, type SimulatorOptions } from './server';

function parseArgs(argv: string[]): SimulatorOptions {
	const options: SimulatorOptions = { port: 4010 };
	const apiKeys: string[] = [];
	const enterpriseKeys: string[] = [];
	for (let i = 0; i < argv.length; i++) {
		const flag = argv[i];
		const value = argv[i + 1];
		if (value === undefined) throw new Error(`${flag} needs a value`);
		i++;
		if (flag === '--port') options.port = toNumber(flag, value);
		else if (flag === '--job-duration') options.jobDurationMs = toNumber(flag, value);
		else if (flag === '--api-key') apiKeys.push(value);
		else if (flag === '--enterprise-key') enterpriseKeys.push(value);
		else throw new Error(`unknown option ${flag}`);
	}
	if (apiKeys.length > 0) options.apiKeys = apiKeys;
	if (enterpriseKeys.length > 0) options.enterpriseKeys = enterpriseKeys;
	return options;
}

function toNumber(flag: string, value: string): number {
	const n = Number(value);
	if (!Number.isInteger(n) || n < 0)
		throw new Error(`${flag} expects a non-negative integer, got "${value}"`);
	return n;
}

async function main(): Promise<void> {
	const simulator = new ModelsLabSimulator(parseArgs(process.argv.slice(2)));
	const baseUrl = await simulator.start();
	console.log(`ModelsLab simulator listening on ${baseUrl}`);
	const shutdown = () => {
		void simulator.stop().then(() => process.exit(0));
	};
	process.once('SIGINT', shutdown);
	process.once('SIGTERM', shutdown);
}

main().catch((error: Error) => {
	console.error(`ModelsLab simulator: ${error.message}`);
	process.exit(1);
});
