// Package wire encodes and decodes RocketMQ messages in the 4.x binary layout
// that pull responses, check-backs and minirmq's commit log all use.
package wire

import "strings"

const (
	nameValueSeparator = '\x01'
	propertySeparator  = '\x02'
)

// Property names minirmq reads or writes.
const (
	PropUniqKey         = "UNIQ_KEY"
	PropKeys            = "KEYS"
	PropTags            = "TAGS"
	PropDelay           = "DELAY"
	PropTranMsg         = "TRAN_MSG"
	PropProducerGroup   = "PGROUP"
	PropRealTopic       = "REAL_TOPIC"
	PropRealQueueID     = "REAL_QID"
	PropRetryTopic      = "RETRY_TOPIC"
	PropOriginMessageID = "ORIGIN_MESSAGE_ID"
	PropCheckTimes      = "TRANSACTION_CHECK_TIMES"
	PropCheckImmunity   = "CHECK_IMMUNITY_TIME_IN_SECONDS"
	PropCluster         = "CLUSTER"
)

// Properties are a message's string properties. The zero value is usable.
type Properties map[string]string

// ParseProperties decodes "k\x01v\x02k\x01v" (with or without a trailing
// separator). Pairs that do not split into exactly two parts are dropped, as
// both Apache's and the Go client's parsers do.
func ParseProperties(s string) Properties {
	p := Properties{}
	for _, pair := range strings.Split(s, string(propertySeparator)) {
		kv := strings.Split(pair, string(nameValueSeparator))
		if len(kv) == 2 {
			p[kv[0]] = kv[1]
		}
	}
	return p
}

// String encodes the properties in sorted-key order without a trailing
// separator (Java's form; the Go client accepts both).
func (p Properties) String() string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sortStrings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(propertySeparator)
		}
		b.WriteString(k)
		b.WriteByte(nameValueSeparator)
		b.WriteString(p[k])
	}
	return b.String()
}

// Clone returns an independent copy.
func (p Properties) Clone() Properties {
	c := make(Properties, len(p))
	for k, v := range p {
		c[k] = v
	}
	return c
}
