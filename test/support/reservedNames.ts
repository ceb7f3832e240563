/**
 * Host names that can never resolve (example.com, .example, .invalid and .test: RFC 2606 and
 * RFC 6761) are answered "not found" here at once, as every resolver must answer them, instead of
 * asking this machine's resolver: under load it sometimes takes over 10 s to say so, holding one of
 * libuv's four lookup threads meanwhile, and tests that only meant to use a made-up link then wait
 * on the network. The error is the one Node gives (ENOTFOUND from getaddrinfo). Every other name,
 * and every address, is looked up as usual. Loaded by jest.config.js for every suite.
 */
import dns from 'dns';

const RESERVED = /(^|\.)(example\.(com|net|org)|example|invalid|test)\.?$/i;
const lookup = dns.lookup;

function reservedAware(hostname: string, ...rest: unknown[]): void {
	const callback = rest[rest.length - 1] as (error: NodeJS.ErrnoException) => void;
	if (typeof hostname === 'string' && RESERVED.test(hostname)) {
		const error: NodeJS.ErrnoException = Object.assign(
			new Error(`getaddrinfo ENOTFOUND ${hostname}`),
			{ code: 'ENOTFOUND', errno: -3008, syscall: 'getaddrinfo', hostname },
		);
		process.nextTick(() => callback(error));
		return;
	}
	(lookup as (...args: unknown[]) => void)(hostname, ...rest);
}

dns.lookup = reservedAware as unknown as typeof dns.lookup;
