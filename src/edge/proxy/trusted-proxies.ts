// The peers whose forwarding headers the edge believes (SLIPWAY_EDGE_TRUSTED_PROXIES): a load
// balancer or TLS terminator in front of it. Addresses and CIDRs, IPv4 and IPv6; an IPv4 peer
// seen as an IPv4-mapped IPv6 address ("::ffff:10.0.0.1") counts as its IPv4 address.
import net from 'node:net';

export class TrustedProxies {
  private readonly list = new net.BlockList();
  readonly empty: boolean;

  /** `cidrs` are already validated ("10.0.0.0/8", "192.168.1.10", "fd00::/8"). */
  constructor(cidrs: readonly string[]) {
    this.empty = cidrs.length === 0;
    for (const cidr of cidrs) {
      const [address = '', bits] = cidr.split('/');
      const family = net.isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) this.list.addAddress(address, family);
      else this.list.addSubnet(address, Number(bits), family);
    }
  }

  /** Whether the peer at `address` (a socket's remoteAddress) is a trusted proxy. */
  trusts(address: string | undefined): boolean {
    if (this.empty || address === undefined) return false;
    if (address.startsWith('::ffff:') && net.isIPv4(address.slice(7))) return this.list.check(address.slice(7), 'ipv4');
    const family = net.isIP(address);
    if (family === 0) return false;
    return this.list.check(address, family === 6 ? 'ipv6' : 'ipv4');
  }
}
