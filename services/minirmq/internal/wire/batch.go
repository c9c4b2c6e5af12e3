package wire

import "fmt"

// BatchEntry is one message packed in a SEND_BATCH_MESSAGE body.
type BatchEntry struct {
	Flag       int32
	Body       []byte
	Properties Properties
}

// DecodeBatch splits a batch body: each entry is total size, magic, body CRC,
// flag, body length + body, properties length (int16) + properties.
func DecodeBatch(b []byte) ([]BatchEntry, error) {
	var entries []BatchEntry
	for pos := 0; pos < len(b); {
		r := &reader{b: b[pos:]}
		total := r.i32()
		r.i32() // magic
		r.i32() // body CRC
		e := BatchEntry{Flag: r.i32()}
		e.Body = r.next(int(r.i32()))
		e.Properties = ParseProperties(string(r.next(int(r.u16()))))
		if r.err != nil {
			return nil, fmt.Errorf("batch entry %d: %w", len(entries), r.err)
		}
		if int(total) != r.pos {
			return nil, fmt.Errorf("batch entry %d: %w: size %d but fields span %d bytes", len(entries), ErrMalformed, total, r.pos)
		}
		entries = append(entries, e)
		pos += r.pos
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("%w: empty batch", ErrMalformed)
	}
	return entries, nil
}
