package security

import (
	"net/netip"
	"strings"
	"testing"
)

// checkIPv4Port: what parseIPv4Port accepts, netip.ParseAddrPort accepts
// as the same address, and the text is the host part peerText returned
// before.
func checkIPv4Port(t *testing.T, s string) {
	t.Helper()
	a, host, ok := parseIPv4Port(s)
	ap, err := netip.ParseAddrPort(s)
	if !ok {
		if err == nil && ap.Addr().Is4() && !strings.ContainsAny(s, "[]") && s == ap.String() {
			t.Errorf("parseIPv4Port(%q) refused what net/http writes (%v)", s, ap)
		}
		return
	}
	if err != nil {
		t.Fatalf("parseIPv4Port(%q) = %v, but netip refuses it: %v", s, a, err)
	}
	if want := ap.Addr().Unmap(); a != want || host != s[:strings.LastIndexByte(s, ':')] {
		t.Fatalf("parseIPv4Port(%q) = %v %q, netip %v", s, a, host, want)
	}
}

func TestParseIPv4PortAgreesWithNetip(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		"127.0.0.1:40000", "0.0.0.0:0", "255.255.255.255:65535", "1.2.3.4:65536", "1.2.3.4:", "1.2.3.4", "1.2.3.4:080",
		"01.2.3.4:1", "1.2.3.04:1", "256.1.1.1:1", "1.2.3:1", "1.2.3.4.5:1", "1..3.4:1", ".1.2.3:1", "1.2.3.4.:1",
		"[::1]:1", "[::ffff:1.2.3.4]:1", "::ffff:1.2.3.4:1", "1.2.3.4:+1", "1.2.3.4:-1", "1.2.3.4:1a", "a.b.c.d:1",
		"1.2.3.4:000001", "1.2.3.4:99999", "10.0.0.1:1:2", "", ":", "1.2.3.4%eth0:1", "1.2.3.1000:1",
	} {
		checkIPv4Port(t, s)
	}
}

func FuzzParseIPv4Port(f *testing.F) {
	for _, s := range []string{"127.0.0.1:40000", "1.2.3.4:0", "01.2.3.4:1", "[::1]:80", "255.255.255.255:65535"} {
		f.Add(s)
	}
	f.Fuzz(checkIPv4Port)
}
