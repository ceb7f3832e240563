/**
 * Links that come from someone else must not point n8n at its own machine or private network: the
 * image links of an unverified callback (the trigger with "Verify With ModelsLab" off), and the
 * picture links the Inpaint node reads a few bytes of to learn a photo's size. Host names are
 * checked as written, not resolved: a public name that resolves to a private address passes, so
 * keep the trigger's verification on where that matters.
 */
/** [network, prefix length]: "this" network, private ranges, carrier NAT, loopback, link-local. */
const PRIVATE_IPV4: Array<[string, number]> = [
	['0.0.0.0', 8],
	['10.0.0.0', 8],
	['100.64.0.0', 10],
	['127.0.0.0', 8],
	['169.254.0.0', 16],
	['172.16.0.0', 12],
	['192.168.0.0', 16],
];

function ipv4ToNumber(host: string): number | undefined {
	const parts = host.split('.');
	if (parts.length !== 4 || parts.some((part) => !/^\d{1,3}$/.test(part) || Number(part) > 255))
		return undefined;
	return parts.reduce((value, part) => value * 256 + Number(part), 0);
}

function isPrivateIpv4(host: string): boolean {
	const address = ipv4ToNumber(host);
	if (address === undefined) return false;
	return PRIVATE_IPV4.some(([network, bits]) => {
		const start = ipv4ToNumber(network)!;
		return address >= start && address < start + 2 ** (32 - bits);
	});
}

function isPrivateIpv6(host: string): boolean {
	const address = host.replace(/^\[|\]$/g, '').toLowerCase();
	if (!address.includes(':')) return false;
	const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address)?.[1];
	if (mapped) return isPrivateIpv4(mapped);
	// The URL parser writes a mapped IPv4 address in hex (::ffff:7f00:1): treat every mapped one as private.
	return (
		address === '::' ||
		address === '::1' ||
		/^(fc|fd|fe[89ab])/.test(address) ||
		address.startsWith('::ffff:')
	);
}

const PRIVATE_NAMES = /(^|\.)(localhost|local|internal|home|lan|intranet)$/i;

/** Why `url` may not be followed for someone else, or undefined when it may. */
export function untrustedLinkProblem(url: string): string | undefined {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		return `"${url}" is not a link`;
	}
	if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
		return `"${url}" is not an http(s) link`;
	const host = parsed.hostname;
	if (!host.includes('.') && !host.includes(':')) return `"${url}" points at a local host name`;
	if (PRIVATE_NAMES.test(host) || isPrivateIpv4(host) || isPrivateIpv6(host)) {
		return `"${url}" points at a private or local address`;
	}
	return undefined;
}
