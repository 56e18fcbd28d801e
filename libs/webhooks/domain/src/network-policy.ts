import { BlockList, isIP } from 'node:net';
import { z } from 'zod';

/**
 * Where webhooks may go. A tenant chooses the URL, so without a rule a subscription is a way to
 * make the dreamer POST to (and time) anything it can reach: loopback services, the private
 * network, the cloud metadata endpoint. Every URL is checked when it is registered and every
 * address again when it is delivered to, after DNS resolution (a name may resolve elsewhere
 * later: DNS rebinding), and the connection goes to the address that was checked.
 */

/** Address ranges no webhook may reach, with what each is called in the refusal. */
const FORBIDDEN_RANGES: ReadonlyArray<[cidr: string, what: string]> = [
  ['0.0.0.0/8', 'a "this network" address (0.0.0.0/8)'],
  ['10.0.0.0/8', 'a private address (10.0.0.0/8)'],
  ['100.64.0.0/10', 'a carrier-grade NAT address (100.64.0.0/10)'],
  ['127.0.0.0/8', 'a loopback address (127.0.0.0/8)'],
  ['169.254.0.0/16', 'a link-local address (169.254.0.0/16, cloud metadata included)'],
  ['172.16.0.0/12', 'a private address (172.16.0.0/12)'],
  ['192.0.0.0/24', 'a reserved address (192.0.0.0/24)'],
  ['192.168.0.0/16', 'a private address (192.168.0.0/16)'],
  ['198.18.0.0/15', 'a reserved address (198.18.0.0/15)'],
  ['224.0.0.0/4', 'a multicast address (224.0.0.0/4)'],
  ['240.0.0.0/4', 'a reserved or broadcast address (240.0.0.0/4)'],
  ['::/128', 'the unspecified address (::)'],
  ['::1/128', 'a loopback address (::1)'],
  // Local-use NAT64 (RFC 8215): translated to whatever IPv4 address the operator's network embeds.
  ['64:ff9b:1::/48', 'a local-use NAT64 address (64:ff9b:1::/48)'],
  ['fc00::/7', 'a private address (fc00::/7)'],
  ['fe80::/10', 'a link-local address (fe80::/10)'],
  ['fec0::/10', 'a site-local address (fec0::/10)'],
  ['ff00::/8', 'a multicast address (ff00::/8)'],
];

/** Host names of metadata services and of the machine itself, refused whatever they resolve to. */
const FORBIDDEN_NAMES: ReadonlyArray<[test: (host: string) => boolean, what: string]> = [
  [(h) => h === 'localhost' || h.endsWith('.localhost'), 'it is the local machine'],
  [
    (h) =>
      ['metadata', 'metadata.google.internal', 'metadata.goog', 'instance-data'].includes(h) ||
      h.endsWith('.metadata.google.internal') ||
      h === 'instance-data.ec2.internal',
    'it is a cloud metadata service',
  ],
];

interface Range {
  list: BlockList;
  what: string;
}

const toRange = (cidr: string, what: string): Range => {
  const [address, bits] = cidr.split('/');
  const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  const list = new BlockList();
  list.addSubnet(address, Number(bits), family);
  return { list, what };
};

const FORBIDDEN = FORBIDDEN_RANGES.map(([cidr, what]) => toRange(cidr, what));

/** The allow-list for development (`WEBHOOK_ALLOWED_HOSTS`): host names, addresses and CIDRs. */
export interface WebhookNetworkPolicy {
  /** Lower-case host names allowed whatever they resolve to. */
  hosts: ReadonlySet<string>;
  /** Addresses allowed even inside a forbidden range. */
  ranges: ReadonlyArray<{ cidr: string; list: BlockList }>;
}

/** No exceptions: the production setting. */
export const STRICT_NETWORK_POLICY: WebhookNetworkPolicy = { hosts: new Set(), ranges: [] };

/**
 * Reads allow-list entries: `host.name`, an address (`127.0.0.1`, `::1`) or a CIDR
 * (`10.1.0.0/16`). Throws saying which entry is wrong.
 */
export function webhookNetworkPolicy(entries: readonly string[]): WebhookNetworkPolicy {
  const hosts = new Set<string>();
  const ranges: Array<{ cidr: string; list: BlockList }> = [];
  for (const raw of entries.map((e) => e.trim()).filter(Boolean)) {
    const [address, bits, extra] = raw.split('/');
    const family = isIP(unbracket(address));
    if (family) {
      const max = family === 6 ? 128 : 32;
      const prefix = bits === undefined ? max : Number(bits);
      if (extra !== undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > max)
        throw new Error(`"${raw}" is not an address or a CIDR such as 10.1.0.0/16`);
      const list = new BlockList();
      list.addSubnet(unbracket(address), prefix, family === 6 ? 'ipv6' : 'ipv4');
      ranges.push({ cidr: raw, list });
    } else if (
      bits === undefined &&
      /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$/i.test(raw)
    ) {
      hosts.add(normalizeHost(raw));
    } else {
      throw new Error(`"${raw}" is not a host name, an address or a CIDR such as 10.1.0.0/16`);
    }
  }
  return { hosts, ranges };
}

/** Why `address` (an IP literal) may not be reached, or null when it may. */
export function forbiddenAddress(address: string, policy = STRICT_NETWORK_POLICY): string | null {
  const ip = unbracket(address);
  const family = isIP(ip);
  if (!family) return `"${address}" is not an IP address`;
  const type = family === 6 ? 'ipv6' : 'ipv4';
  if (policy.ranges.some((r) => r.list.check(ip, type))) return null;
  const embedded = family === 6 ? embeddedIpv4(ip) : null;
  if (embedded !== null) {
    if (policy.ranges.some((r) => r.list.check(embedded, 'ipv4'))) return null;
    const inner = forbiddenAddress(embedded, policy);
    if (inner) return `${ip} is ${embedded} in IPv6 form, ${inner.replace(/^\S+ is /, '')}`;
  }
  const hit = FORBIDDEN.find((r) => r.list.check(ip, type));
  return hit ? `${ip} is ${hit.what}` : null;
}

/**
 * Why a webhook may not be sent to `value`, checked without DNS (registration): the scheme, no
 * credentials, no forbidden host name, and no forbidden address when the host is an IP literal
 * (in any form the URL parser reads, `http://2130706433/` and `http://[::ffff:7f00:1]/`
 * included). Null when it may; a name is checked again, resolved, at delivery.
 */
export function webhookUrlProblem(value: string, policy = STRICT_NETWORK_POLICY): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute URL such as https://example.com/hooks/reverie';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return `must be http or https, not ${url.protocol}`;
  if (url.username || url.password)
    return 'may not carry credentials; verify deliveries by their signature instead';
  return hostProblem(url.hostname, policy);
}

/** Why `hostname` (as `URL.hostname` gives it) may not be reached before resolving it. */
export function hostProblem(hostname: string, policy = STRICT_NETWORK_POLICY): string | null {
  const host = normalizeHost(hostname);
  if (policy.hosts.has(host)) return null;
  const problem = isIP(host)
    ? forbiddenAddress(host, policy)
    : FORBIDDEN_NAMES.find(([test]) => test(host))?.[1];
  return problem ? refusal(hostname, problem) : null;
}

/**
 * Why a delivery to `hostname` may not go to the addresses it resolved to (every one is checked,
 * so a name cannot mix a public and a private answer), or null when all are allowed.
 */
export function resolvedAddressesProblem(
  hostname: string,
  addresses: readonly string[],
  policy = STRICT_NETWORK_POLICY,
): string | null {
  const host = normalizeHost(hostname);
  if (policy.hosts.has(host)) return null;
  if (addresses.length === 0) return `${hostname} resolved to no address`;
  for (const address of addresses) {
    const problem = forbiddenAddress(address, policy);
    if (problem) return refusal(`${hostname} (resolved to ${address})`, problem);
  }
  return null;
}

function refusal(target: string, problem: string): string {
  return (
    `must not point at ${target}: ${problem.replace(/^\S+ is /, 'it is ')}; webhooks go only to ` +
    'public addresses (for local development, list the host in WEBHOOK_ALLOWED_HOSTS on the ' +
    'gateway and the dreamer)'
  );
}

/**
 * The IPv4 address inside an IPv4-mapped (::ffff:0:0/96), IPv4-translated (::ffff:0:0:0/96, SIIT),
 * -compatible, NAT64 or 6to4 address.
 */
function embeddedIpv4(ip: string): string | null {
  const words = expandIpv6(ip);
  if (!words) return null;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  const zeros = (from: number, to: number) => words.slice(from, to).every((w) => w === 0);
  // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible; :: and ::1 are checked as themselves).
  if (zeros(0, 5) && (words[5] === 0xffff || (words[5] === 0 && (words[6] !== 0 || words[7] > 1))))
    return v4(words[6], words[7]);
  // ::ffff:0:a.b.c.d (IPv4-translated, RFC 2765/6145): a SIIT translator sends it to a.b.c.d.
  if (zeros(0, 4) && words[4] === 0xffff && words[5] === 0) return v4(words[6], words[7]);
  // 64:ff9b::a.b.c.d (NAT64).
  if (words[0] === 0x64 && words[1] === 0xff9b && zeros(2, 6)) return v4(words[6], words[7]);
  // 2002:AABB:CCDD::/48 (6to4).
  if (words[0] === 0x2002) return v4(words[1], words[2]);
  return null;
}

/** The eight 16-bit words of an IPv6 address (a zone id is dropped), or null. */
function expandIpv6(ip: string): number[] | null {
  let text = ip.split('%')[0].toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1].split('.').map(Number);
    text = `${text.slice(0, -dotted[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const part = (s: string | undefined) => (s ? s.split(':').map((w) => parseInt(w, 16)) : []);
  const left = part(head);
  const right = part(tail);
  const fill = tail === undefined ? [] : new Array(8 - left.length - right.length).fill(0);
  const words = [...left, ...fill, ...right];
  return words.length === 8 && words.every((w) => w >= 0 && w <= 0xffff) ? words : null;
}

const unbracket = (host: string) => host.replace(/^\[(.*)\]$/, '$1');

/** Lower case, no brackets, no trailing dot (`LOCALHOST.` is `localhost`). */
export function normalizeHost(host: string): string {
  return unbracket(host).toLowerCase().replace(/\.$/, '');
}

/**
 * `WEBHOOK_ALLOWED_HOSTS`, as the gateway and the dreamer read it: a comma-separated list of host
 * names, addresses and CIDRs webhooks may reach although they are internal. For development
 * (`127.0.0.1,localhost`); empty, the default, allows none.
 */
export const allowedHostsEnvSchema = z
  .string()
  .default('')
  .transform((value) =>
    value
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean),
  )
  .superRefine((entries, ctx) => {
    try {
      webhookNetworkPolicy(entries);
    } catch (err) {
      ctx.addIssue({
        code: 'custom',
        message: `${(err as Error).message} (expected e.g. 127.0.0.1,localhost,10.1.0.0/16)`,
      });
    }
  });
