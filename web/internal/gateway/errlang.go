package gateway

import (
	"bytes"
	"mime"

	"github.com/gin-gonic/gin"
)

// translateErrors gives every /api error the message of the caller's
// Accept-Language (errtext): the gateway's own errors, the services'
// proxied ones, the trainer's and the audit's alike, in one place. The
// code, the status, the details and every successful answer pass
// unchanged; English callers (and curl, which sends no Accept-Language)
// get the bytes as they came.
func (g *Gateway) translateErrors(c *gin.Context) {
	c.Writer.Header().Add("Vary", "Accept-Language")
	lang := g.errtext.Language(c.GetHeader("Accept-Language"))
	if lang == "" {
		c.Next()
		return
	}
	w := &translatingWriter{ResponseWriter: c.Writer}
	c.Writer = w
	c.Next()
	if w.buf != nil {
		out := g.errtext.Translate(lang, w.buf.Bytes())
		w.ResponseWriter.Header().Del("Content-Length") // the server counts the new body
		if _, err := w.ResponseWriter.Write(out); err != nil {
			g.log.Debug("errors: the browser went away", "error", err)
		}
	}
}

// translatingWriter holds back the body of a JSON error answer so that its
// message can be replaced; any other answer is written through as it comes.
// gin sends the status line on the first write, so holding the body holds
// the headers too.
type translatingWriter struct {
	gin.ResponseWriter
	decided bool
	buf     *bytes.Buffer // the held error body; nil when writing through
}

// holding decides, at the first byte, whether this answer is an error to translate.
func (w *translatingWriter) holding() bool {
	if !w.decided {
		w.decided = true
		h := w.Header()
		mediaType, _, err := mime.ParseMediaType(h.Get("Content-Type"))
		if w.Status() >= 400 && err == nil && mediaType == "application/json" && h.Get("Content-Encoding") == "" {
			w.buf = &bytes.Buffer{}
		}
	}
	return w.buf != nil
}

func (w *translatingWriter) Write(b []byte) (int, error) {
	if w.holding() {
		return w.buf.Write(b)
	}
	return w.ResponseWriter.Write(b)
}

func (w *translatingWriter) WriteString(s string) (int, error) {
	if w.holding() {
		return w.buf.WriteString(s)
	}
	return w.ResponseWriter.WriteString(s)
}

// WriteHeaderNow is gin's "send the headers now"; a held answer sends them with its body.
func (w *translatingWriter) WriteHeaderNow() {
	if !w.holding() {
		w.ResponseWriter.WriteHeaderNow()
	}
}

// Flush is ReverseProxy's; a held answer is flushed when it is complete.
func (w *translatingWriter) Flush() {
	if !w.holding() {
		w.ResponseWriter.Flush()
	}
}
