package mail

import (
	"fmt"
	netmail "net/mail"
	"strings"
)

// Address formats a display name and an address as one RFC 5322 address
// ("Ann Lee <ann@example.com>"), quoting or encoding the name as needed.
// Use it to build To and From from user data: the result parses back to
// exactly name and addr.
func Address(name, addr string) string {
	// net/mail quotes a local part that needs it ("a b"@example.org).
	spec := strings.TrimSuffix(strings.TrimPrefix((&netmail.Address{Address: addr}).String(), "<"), ">")
	if name == "" {
		return spec
	}
	return displayName(name) + " <" + spec + ">"
}

// displayName quotes a name that is not a plain run of atoms. Non-ASCII
// stays readable here; the encoder turns it into an encoded-word.
func displayName(name string) string {
	plain := true
	for _, r := range name {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(`()<>[]:;@\,."`, r) {
			plain = false
			break
		}
	}
	if plain && strings.TrimSpace(name) == name && !strings.Contains(name, "  ") {
		return name
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range name {
		if r == '"' || r == '\\' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
	return b.String()
}

// addrSpec returns a's address as SMTP's MAIL FROM and RCPT TO take it,
// with a local part that needs them in quotes ("a b"@example.org).
func addrSpec(a *netmail.Address) string { return Address("", a.Address) }

// maxAddressLen is RFC 5321's limit on a forward-path's address.
const maxAddressLen = 254

// parseAddress parses one address for field. It refuses a CR or LF (before
// net/mail sees it: a folded value would otherwise parse), a list, an
// empty value, a non-ASCII address (that needs SMTPUTF8, which delivery
// does not negotiate) and an address longer than SMTP allows.
func parseAddress(field, s string) (*netmail.Address, error) {
	if strings.ContainsAny(s, "\r\n") {
		return nil, &FieldError{Field: field, Err: ErrHeaderInjection}
	}
	if strings.TrimSpace(s) == "" {
		return nil, fieldErr(field, "empty address")
	}
	a, err := netmail.ParseAddress(s)
	if err != nil {
		if l, lerr := netmail.ParseAddressList(s); lerr == nil && len(l) > 1 {
			return nil, fieldErr(field, "%q holds %d addresses; give one address per element", s, len(l))
		}
		return nil, fieldErr(field, "%q is not an address: %w", s, trimNetmail(err))
	}
	for i := 0; i < len(a.Address); i++ {
		switch c := a.Address[i]; {
		case c >= 0x80:
			return nil, fieldErr(field, "%q: a non-ASCII address needs SMTPUTF8, which is not supported", a.Address)
		case c < 0x20 || c == 0x7f:
			return nil, fieldErr(field, "%q: a control character in an address", a.Address)
		}
	}
	if len(a.Address) > maxAddressLen {
		return nil, fieldErr(field, "address is %d bytes long; SMTP allows %d", len(a.Address), maxAddressLen)
	}
	if strings.ContainsAny(a.Name, "\r\n") {
		return nil, &FieldError{Field: field, Err: ErrHeaderInjection}
	}
	return a, nil
}

// parseAddresses parses each element of list; field names the list.
func parseAddresses(field string, list []string) ([]*netmail.Address, error) {
	out := make([]*netmail.Address, 0, len(list))
	for i, s := range list {
		a, err := parseAddress(fmt.Sprintf("%s[%d]", field, i), s)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// trimNetmail drops net/mail's "mail: " prefix, which would repeat ours.
func trimNetmail(err error) error {
	msg := strings.TrimPrefix(err.Error(), "mail: ")
	return fmt.Errorf("%s", msg)
}

// domainOf returns the part of an addr-spec after the last @.
func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return addr[i+1:]
	}
	return ""
}
