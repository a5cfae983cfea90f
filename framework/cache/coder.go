package cache

import (
	"bytes"
	"encoding/gob"
	"encoding/json"
)

// Coder turns values other than strings, byte slices and integers into
// bytes and back (those three are stored as they are). The default is
// [JSONCoder]; [GobCoder] is the other one shipped. Each entry records the
// coder's Name, and an entry written by another coder reads as a miss, so
// changing the coder of a running app is safe. Coders must be safe for
// concurrent use.
type Coder interface {
	Name() string
	Marshal(v any) ([]byte, error)
	Unmarshal(data []byte, v any) error
}

// JSONCoder encodes with encoding/json: the default, because for the
// small values a cache holds it is the faster of the two in both
// directions (gob writes and parses a type description with every value
// it encodes alone), the entries are readable in redis-cli, and it reads
// an entry written by an older version of a struct (added and removed
// fields) without error. Its limits are JSON's: exported fields only,
// no NaN or infinities, interface-typed fields come back as maps.
type JSONCoder struct{}

func (JSONCoder) Name() string                       { return "json" }
func (JSONCoder) Marshal(v any) ([]byte, error)      { return json.Marshal(v) }
func (JSONCoder) Unmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }

// GobCoder encodes with encoding/gob, each value on its own (a cache entry
// cannot rely on an earlier one's type description). It keeps what JSON
// loses (NaN, exact float64, the concrete types of registered interface
// values) at the cost of speed and size for small values.
type GobCoder struct{}

func (GobCoder) Name() string { return "gob" }

func (GobCoder) Marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func (GobCoder) Unmarshal(data []byte, v any) error {
	return gob.NewDecoder(bytes.NewReader(data)).Decode(v)
}
