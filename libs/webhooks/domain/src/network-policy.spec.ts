import {
  forbiddenAddress,
  hostProblem,
  resolvedAddressesProblem,
  webhookNetworkPolicy,
  webhookUrlProblem,
} from './network-policy';

describe('webhookUrlProblem (registration, no DNS)', () => {
  it.each([
    ['http://127.0.0.1:9000/h', /127\.0\.0\.1: it is a loopback address/],
    ['http://2130706433/', /127\.0\.0\.1: it is a loopback address/],
    ['http://0x7f.1/', /loopback/],
    ['http://localhost:3000/', /localhost: it is the local machine/],
    ['http://LOCALHOST./', /the local machine/],
    ['http://api.localhost/', /the local machine/],
    ['http://[::1]/', /loopback address \(::1\)/],
    ['http://[::ffff:127.0.0.1]/', /it is 127\.0\.0\.1 in IPv6 form, a loopback address/],
    ['http://[::ffff:10.1.2.3]/', /10\.1\.2\.3 in IPv6 form, a private address/],
    ['http://[64:ff9b::a9fe:a9fe]/', /169\.254\.169\.254 in IPv6 form, a link-local/],
    ['http://[::ffff:0:7f00:1]/', /127\.0\.0\.1 in IPv6 form, a loopback address/],
    ['http://[64:ff9b:1::7f00:1]/', /a local-use NAT64 address/],
    ['http://169.254.169.254/latest/meta-data/', /link-local address .*cloud metadata/],
    ['http://metadata.google.internal/computeMetadata/v1/', /a cloud metadata service/],
    ['http://10.0.0.5/', /a private address \(10\.0\.0\.0\/8\)/],
    ['http://172.20.1.1/', /a private address \(172\.16\.0\.0\/12\)/],
    ['http://192.168.1.1/', /a private address \(192\.168\.0\.0\/16\)/],
    ['http://100.100.100.200/', /carrier-grade NAT/],
    ['http://0.0.0.0:8080/', /"this network"/],
    ['http://224.0.0.1/', /multicast/],
    ['http://[ff02::1]/', /multicast/],
    ['http://[fe80::1]/', /link-local address \(fe80::\/10\)/],
    ['http://[fd00:ec2::254]/', /private address \(fc00::\/7\)/],
    ['ftp://example.com/x', /must be http or https, not ftp:/],
    ['file:///etc/passwd', /must be http or https/],
    ['https://user:pw@example.com/', /may not carry credentials/],
    ['/hooks', /absolute URL/],
  ])('refuses %s', (url, message) => {
    const problem = webhookUrlProblem(url);
    expect(problem).toMatch(message);
    expect(problem).not.toBeNull();
  });

  it('says how to allow a host for development', () => {
    expect(webhookUrlProblem('http://127.0.0.1/')).toContain('WEBHOOK_ALLOWED_HOSTS');
  });

  it.each([
    'https://hooks.example.com/reverie',
    'http://203.0.113.7:8080/h',
    'https://[2001:db8::1]/h',
    'http://172.32.0.1/',
    'http://100.128.0.1/',
  ])('accepts %s', (url) => {
    expect(webhookUrlProblem(url)).toBeNull();
  });

  it('lets the allow-list open hosts, addresses and CIDRs, and nothing else', () => {
    const policy = webhookNetworkPolicy(['127.0.0.1', 'LocalHost', '10.1.0.0/16', '::1']);
    expect(webhookUrlProblem('http://127.0.0.1:9000/h', policy)).toBeNull();
    expect(webhookUrlProblem('http://localhost:9000/h', policy)).toBeNull();
    expect(webhookUrlProblem('http://[::1]:9000/h', policy)).toBeNull();
    expect(webhookUrlProblem('http://[::ffff:127.0.0.1]/', policy)).toBeNull();
    expect(webhookUrlProblem('http://10.1.200.3/', policy)).toBeNull();
    expect(webhookUrlProblem('http://10.2.0.1/', policy)).toMatch(/private address/);
    expect(webhookUrlProblem('http://127.0.0.2/', policy)).toMatch(/loopback/);
    expect(webhookUrlProblem('http://169.254.169.254/', policy)).toMatch(/link-local/);
  });

  it('refuses allow-list entries it cannot read', () => {
    expect(() => webhookNetworkPolicy(['10.0.0.0/33'])).toThrow(
      /"10.0.0.0\/33" is not an address or a CIDR/,
    );
    expect(() => webhookNetworkPolicy(['http://x'])).toThrow(/is not a host name/);
    expect(webhookNetworkPolicy([' ', '']).hosts.size).toBe(0);
  });
});

describe('resolvedAddressesProblem (delivery, after DNS)', () => {
  it('checks every address a name resolved to', () => {
    expect(resolvedAddressesProblem('hooks.example.com', ['203.0.113.7'])).toBeNull();
    expect(resolvedAddressesProblem('rebind.example.com', ['203.0.113.7', '127.0.0.1'])).toMatch(
      /rebind\.example\.com \(resolved to 127\.0\.0\.1\): it is a loopback address/,
    );
    expect(resolvedAddressesProblem('v6.example.com', ['::ffff:169.254.169.254'])).toMatch(
      /link-local/,
    );
    expect(resolvedAddressesProblem('nothing.example.com', [])).toMatch(/resolved to no address/);
  });

  it('lets allowed hosts and ranges through', () => {
    const policy = webhookNetworkPolicy(['dev.internal', '127.0.0.0/8']);
    expect(resolvedAddressesProblem('dev.internal', ['10.0.0.1'], policy)).toBeNull();
    expect(resolvedAddressesProblem('other.example', ['127.0.0.1', '::1'], policy)).toMatch(/::1/);
  });

  it('reads addresses and host names in the forms a URL or a resolver gives', () => {
    expect(forbiddenAddress('[::1]')).toMatch(/loopback/);
    expect(forbiddenAddress('fe80::1%eth0')).toMatch(/link-local/);
    expect(forbiddenAddress('2002:a9fe:a9fe::1')).toMatch(/169\.254\.169\.254 in IPv6 form/);
    expect(forbiddenAddress('8.8.8.8')).toBeNull();
    expect(hostProblem('METADATA.GOOGLE.INTERNAL.')).toMatch(/cloud metadata/);
  });
});
