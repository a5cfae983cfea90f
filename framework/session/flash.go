package session

import (
	"maps"
	"slices"
)

// Flash holds messages for the next request, as Rails' flash: a message set
// now is shown by the next request (typically after a redirect) and then
// dropped; [Flash.Now] shows one in this request only; [Flash.Keep] carries
// this request's messages one request further. The flash lives in the
// session and is loaded only when used: a request that never looks at it
// leaves it for the next one. Not safe for concurrent use.
type Flash struct {
	s       *Session
	loaded  bool
	values  map[string]string
	discard map[string]bool // shown now, dropped at the end of this request
}

func (f *Flash) load() {
	if f.loaded {
		return
	}
	f.loaded = true
	f.s.load()
	if len(f.s.rec.Flash) == 0 {
		return
	}
	f.values = maps.Clone(f.s.rec.Flash)
	f.discard = make(map[string]bool, len(f.values))
	for k := range f.values {
		f.discard[k] = true
	}
}

// Get returns the message under key ("notice", "alert", ...), or "".
func (f *Flash) Get(key string) string {
	f.load()
	return f.values[key]
}

// Set stores a message for the next request (and this one).
func (f *Flash) Set(key, message string) {
	f.s.modify()
	f.load()
	if f.values == nil {
		f.values = map[string]string{}
	}
	f.values[key] = message
	delete(f.discard, key)
}

// Now stores a message for this request only.
func (f *Flash) Now(key, message string) {
	f.Set(key, message)
	if f.discard == nil {
		f.discard = map[string]bool{}
	}
	f.discard[key] = true
}

// Keep carries the given messages, or all when no key is given, to the next
// request.
func (f *Flash) Keep(keys ...string) {
	f.s.modify()
	f.load()
	if len(keys) == 0 {
		clear(f.discard)
		return
	}
	for _, k := range keys {
		delete(f.discard, k)
	}
}

// Discard drops the given messages, or all, at the end of this request.
func (f *Flash) Discard(keys ...string) {
	f.s.modify()
	f.load()
	if len(keys) == 0 {
		keys = slices.Collect(maps.Keys(f.values))
	}
	if f.discard == nil {
		f.discard = map[string]bool{}
	}
	for _, k := range keys {
		f.discard[k] = true
	}
}

// Keys returns the keys of the messages visible in this request, sorted.
func (f *Flash) Keys() []string {
	f.load()
	return slices.Sorted(maps.Keys(f.values))
}

// Notice returns the "notice" message.
func (f *Flash) Notice() string { return f.Get("notice") }

// Alert returns the "alert" message.
func (f *Flash) Alert() string { return f.Get("alert") }

// commit stores what survives into the session record and reports whether
// that changed it.
func (f *Flash) commit() bool {
	var next map[string]string
	for k, v := range f.values {
		if f.discard[k] {
			continue
		}
		if next == nil {
			next = make(map[string]string, len(f.values))
		}
		next[k] = v
	}
	if maps.Equal(next, f.s.rec.Flash) {
		return false
	}
	if len(next) > 0 {
		f.s.ensure()
	}
	f.s.rec.Flash = next
	return true
}
