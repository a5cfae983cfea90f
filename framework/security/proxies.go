package security

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Proxies is the set of proxy addresses trusted to report the client's
// address (X-Forwarded-For) and scheme (X-Forwarded-Proto). A nil *Proxies
// trusts nobody: the client is the peer. Immutable, safe for concurrent use.
type Proxies struct {
	prefixes []netip.Prefix
}

// DefaultProxyRanges are Rails' trusted proxies: loopback, private and
// link-local networks.
func DefaultProxyRanges() []string {
	return []string{"127.0.0.0/8", "::1/128", "fc00::/7", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "fe80::/10"}
}

// NewProxies parses CIDR ranges or single addresses.
func NewProxies(ranges ...string) (*Proxies, error) {
	p := &Proxies{}
	for _, s := range ranges {
		pre, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil {
				return nil, fmt.Errorf("security: trusted proxy %q is neither an address nor a CIDR range", s)
			}
			pre = netip.PrefixFrom(a, a.BitLen())
		}
		p.prefixes = append(p.prefixes, pre.Masked())
	}
	return p, nil
}

// Trusted reports whether a is a trusted proxy.
func (p *Proxies) Trusted(a netip.Addr) bool {
	if p == nil || !a.IsValid() {
		return false
	}
	a = a.Unmap()
	for _, pre := range p.prefixes {
		if pre.Contains(a) {
			return true
		}
	}
	return false
}

// peer returns the address of the connection's other end.
func peer(r *http.Request) netip.Addr {
	a, _ := peerText(r)
	return a
}

// peerText is peer and the text of RemoteAddr it was read from.
func peerText(r *http.Request) (netip.Addr, string) {
	// Nearly every peer is "a.b.c.d:port", as net/http spells an IPv4
	// peer: read it directly. Anything else takes netip's parser.
	if a, host, ok := parseIPv4Port(r.RemoteAddr); ok {
		return a, host
	}
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		host := r.RemoteAddr[:strings.LastIndexByte(r.RemoteAddr, ':')]
		return ap.Addr().Unmap(), strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	}
	a, _ := netip.ParseAddr(r.RemoteAddr)
	return a.Unmap(), r.RemoteAddr
}

// parseIPv4Port reads s as a dotted-quad IPv4 address and a decimal port
// ("127.0.0.1:40000"), both in the forms netip.ParseAddrPort accepts, and
// returns the address and its text. ok is false for anything else (which
// netip may still accept: the caller asks it then).
func parseIPv4Port(s string) (a netip.Addr, host string, ok bool) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 || i == len(s)-1 || len(s)-i-1 > 5 {
		return netip.Addr{}, "", false
	}
	port := 0
	for _, c := range []byte(s[i+1:]) {
		if c < '0' || c > '9' {
			return netip.Addr{}, "", false
		}
		port = port*10 + int(c-'0')
	}
	if port > 65535 {
		return netip.Addr{}, "", false
	}
	host = s[:i]
	var ip [4]byte
	field, digits := 0, 0
	val := 0
	for j := 0; j <= len(host); j++ {
		if j == len(host) || host[j] == '.' {
			if digits == 0 || field > 3 {
				return netip.Addr{}, "", false
			}
			ip[field] = byte(val)
			field, digits, val = field+1, 0, 0
			continue
		}
		c := host[j]
		if c < '0' || c > '9' || digits == 3 || digits == 1 && val == 0 { // no leading zero, as netip
			return netip.Addr{}, "", false
		}
		val = val*10 + int(c-'0')
		digits++
		if val > 255 {
			return netip.Addr{}, "", false
		}
	}
	if field != 4 {
		return netip.Addr{}, "", false
	}
	return netip.AddrFrom4(ip), host, true
}

// parseHop reads one X-Forwarded-For hop; text is what it was read from.
func parseHop(s string) (a netip.Addr, text string, ok bool) {
	s = strings.TrimSpace(s)
	// Without a colon there is no port: ParseAddrPort would only make its
	// error.
	if strings.IndexByte(s, ':') >= 0 {
		if ap, err := netip.ParseAddrPort(s); err == nil {
			text = s[:strings.LastIndexByte(s, ':')]
			return ap.Addr().Unmap(), strings.TrimSuffix(strings.TrimPrefix(text, "["), "]"), true
		}
	}
	text = strings.Trim(s, "[]")
	a, err := netip.ParseAddr(text)
	return a.Unmap(), text, err == nil
}

// ClientIP returns the client's address. When the peer is a trusted proxy,
// it walks X-Forwarded-For from the right past trusted proxies and returns
// the first untrusted hop; a malformed hop stops the walk at the last
// address known to be good, so a client cannot choose its address by
// prepending entries. It returns the zero Addr when RemoteAddr is not an
// address (for example in some tests).
func (p *Proxies) ClientIP(r *http.Request) netip.Addr {
	ip, _ := p.clientIP(r)
	return ip
}

// ClientIPString is ClientIP(r).String(), "" when ClientIP is the zero
// Addr, without allocating when the request spells the address as String
// does (most do: "127.0.0.1" of RemoteAddr "127.0.0.1:40000", a hop of
// X-Forwarded-For): then it is that text of the request.
func (p *Proxies) ClientIPString(r *http.Request) string {
	ip, text := p.clientIP(r)
	if !ip.IsValid() {
		return ""
	}
	var buf [64]byte
	if b := ip.AppendTo(buf[:0]); string(b) != text {
		return string(b)
	}
	return text
}

// clientIP is ClientIP and the text of the request it read the address
// from.
func (p *Proxies) clientIP(r *http.Request) (netip.Addr, string) {
	ip, text := peerText(r)
	if !p.Trusted(ip) {
		return ip, text
	}
	values := r.Header["X-Forwarded-For"] // Values without canonicalising the key again
	for i := len(values) - 1; i >= 0; i-- {
		// The hops from the right, as strings.Split's would be read
		// backwards, without the slice.
		rest := values[i]
		for {
			j := strings.LastIndexByte(rest, ',')
			hop, hopText, ok := parseHop(rest[j+1:])
			if !ok {
				return ip, text
			}
			ip, text = hop, hopText
			if !p.Trusted(ip) {
				return ip, text
			}
			if j < 0 {
				break
			}
			rest = rest[:j]
		}
	}
	return ip, text
}

// IsHTTPS reports whether the client used HTTPS: the connection is TLS, or
// a trusted proxy says X-Forwarded-Proto: https.
func (p *Proxies) IsHTTPS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	if !p.Trusted(peer(r)) {
		return false
	}
	var proto string
	if v := r.Header["X-Forwarded-Proto"]; len(v) > 0 { // Get without canonicalising the key again
		proto, _, _ = strings.Cut(v[0], ",")
	}
	return strings.EqualFold(strings.TrimSpace(proto), "https")
}

// splitHost returns the lower-cased host of a Host header without port or
// trailing dot.
func splitHost(hostport string) string {
	host := hostport
	// Without a colon there is no port: SplitHostPort would only make
	// its error.
	if strings.IndexByte(hostport, ':') >= 0 {
		if h, _, err := net.SplitHostPort(hostport); err == nil {
			host = h
		}
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	return strings.ToLower(host)
}
