// Package tracingtest receives what programs export over OTLP/HTTP, for
// tests that check the spans a request produced. Only _test.go files import
// it.
package tracingtest

import (
	"compress/gzip"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	"google.golang.org/protobuf/proto"
)

// Span is one span as a program exported it over OTLP.
type Span struct {
	Service  string // the resource's service.name
	Scope    string // the instrumentation scope (otelgin, otelhttp, gorm, platform/mq)
	TraceID  string
	SpanID   string
	ParentID string // "" for a root span
	Name     string
	Kind     string // server, client, producer, consumer, internal
	Attrs    map[string]string
}

func (s Span) String() string {
	return fmt.Sprintf("%s %s %q (%s, span %s, parent %s)", s.Service, s.Kind, s.Name, s.Scope, s.SpanID, s.ParentID)
}

// Receiver is the tracing tests' in-memory exporter, in the test's process
// or across processes: an OTLP/HTTP endpoint (POST /v1/traces, protobuf,
// gzip or not) that programs export to (OTEL_EXPORTER_OTLP_ENDPOINT = URL),
// keeping every span it got.
type Receiver struct {
	URL string

	mu    sync.Mutex
	spans []Span
}

// NewReceiver starts a Receiver on a port the OS picked, closed when the
// test ends.
func NewReceiver(t testing.TB) *Receiver {
	t.Helper()
	r := &Receiver{}
	srv := httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(srv.Close)
	r.URL = srv.URL
	return r
}

func (r *Receiver) serve(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost || req.URL.Path != "/v1/traces" {
		http.Error(w, "POST /v1/traces only", http.StatusNotFound)
		return
	}
	var body io.Reader = req.Body
	if req.Header.Get("Content-Encoding") == "gzip" {
		gz, err := gzip.NewReader(req.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		body = gz
	}
	raw, err := io.ReadAll(body)
	var export coltrace.ExportTraceServiceRequest
	if err == nil {
		err = proto.Unmarshal(raw, &export)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var got []Span
	for _, rs := range export.GetResourceSpans() {
		service := ""
		for _, kv := range rs.GetResource().GetAttributes() {
			if kv.GetKey() == "service.name" {
				service = kv.GetValue().GetStringValue()
			}
		}
		for _, ss := range rs.GetScopeSpans() {
			for _, s := range ss.GetSpans() {
				attrs := map[string]string{}
				for _, kv := range s.GetAttributes() {
					attrs[kv.GetKey()] = fmt.Sprint(anyValue(kv.GetValue()))
				}
				got = append(got, Span{
					Service: service, Scope: ss.GetScope().GetName(), Name: s.GetName(), Attrs: attrs,
					TraceID: hex.EncodeToString(s.GetTraceId()), SpanID: hex.EncodeToString(s.GetSpanId()),
					ParentID: hex.EncodeToString(s.GetParentSpanId()), Kind: kindName(s.GetKind().String()),
				})
			}
		}
	}
	r.mu.Lock()
	r.spans = append(r.spans, got...)
	r.mu.Unlock()
	out, _ := proto.Marshal(&coltrace.ExportTraceServiceResponse{})
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(out)
}

// Spans returns a copy of every span received so far, in arrival order.
func (r *Receiver) Spans() []Span {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Span(nil), r.spans...)
}

// kindName turns SPAN_KIND_SERVER into server.
func kindName(k string) string {
	const prefix = "SPAN_KIND_"
	if len(k) > len(prefix) {
		k = k[len(prefix):]
	}
	b := []byte(k)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// anyValue is an attribute's value as Go sees it.
func anyValue(v *commonpb.AnyValue) any {
	switch x := v.GetValue().(type) {
	case *commonpb.AnyValue_StringValue:
		return x.StringValue
	case *commonpb.AnyValue_BoolValue:
		return x.BoolValue
	case *commonpb.AnyValue_IntValue:
		return x.IntValue
	case *commonpb.AnyValue_DoubleValue:
		return x.DoubleValue
	case *commonpb.AnyValue_ArrayValue:
		var out []any
		for _, e := range x.ArrayValue.GetValues() {
			out = append(out, anyValue(e))
		}
		return out
	}
	return v.String()
}
